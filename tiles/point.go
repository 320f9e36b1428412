package tiles

import (
	"context"
	"errors"
	"math"
	"sync"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// PointValues are one item's values at a point: a 1×1 image of the
// layer's bands, asset after asset, then the layer's expression.
type PointValues struct {
	Item  tilefunc.Item
	Image *raster.Image
}

// Point reads the layer of every item at x/y, given in crs, as rio-tiler
// reads points: the source pixel under the point, no warping. An item with
// a raster that does not hold the point is left out (rio-tiler's
// PointOutsideBounds). Items are read concurrently and answered in their
// order.
func (r *Renderer) Point(ctx context.Context, items []tilefunc.Item, x, y float64, crs CRS, spec Spec) ([]PointValues, error) {
	registerDrivers.Do(godal.RegisterAll)
	found := make([]*raster.Image, len(items))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			release, err := r.acquire(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			defer release()
			found[i], errs[i] = r.readItem(items[i], spec.Layer, pointReader(x, y, crs, spec.Dataset), false)
		}(i)
	}
	wg.Wait()
	var out []PointValues
	for i, img := range found {
		if errors.Is(errs[i], ErrOutside) {
			continue
		}
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, PointValues{Item: items[i], Image: img})
	}
	return out, nil
}

// pointReader reads the pixel of a raster that holds x/y (in crs): the
// point carried into the raster's CRS must lie strictly inside it.
func pointReader(x, y float64, crs CRS, opts DatasetOptions) readFunc {
	return func(s *source, bidx []int) (*raster.Image, error) {
		if err := s.checkNoData(opts.NoData); err != nil {
			return nil, err
		}
		t, err := newTransformer(crs, CRS{SRS: s.wkt})
		if err != nil {
			return nil, err
		}
		xs, ys := []float64{x}, []float64{y}
		ok := t.points(xs, ys)
		t.Close()
		b := s.bounds()
		if !ok[0] || !(b[0] < xs[0] && xs[0] < b[2] && b[1] < ys[0] && ys[0] < b[3]) {
			return nil, ErrOutside
		}
		// The pixel through the inverse affine, as rasterio's index.
		c, r := apply(invert(s.gt), xs[0], ys[0])
		col, row := math.Floor(c), math.Floor(r)
		win := fwindow{col: col, row: row, width: 1, height: 1}
		img, err := readWindowed(s, s, win, 1, 1, bidx, opts)
		if err != nil {
			return nil, err
		}
		img.Bounds = boundsOf(win, s.gt)
		return img, nil
	}
}
