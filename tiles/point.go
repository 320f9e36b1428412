package tiles

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/airbusgeo/godal"

	"tilefunc"
)

// PointValues are one item's values at a point: the layer's bands, asset
// after asset.
type PointValues struct {
	Item         tilefunc.Item
	Values       []*float64 // nil where the asset has no data at the point
	Descriptions []string   // asset_bN, as rio-tiler names the bands of several assets
}

// Point reads the layer's bands of every item at x/y, given in crs: one
// source pixel per asset, no warping. An item that does not hold the point
// in every asset is left out, as rio-tiler's mosaic point leaves out the
// readers that raise PointOutsideBounds. Items are read concurrently and
// answered in their order.
func (r *Renderer) Point(ctx context.Context, items []tilefunc.Item, x, y float64, crs CRS, layer Layer) ([]PointValues, error) {
	registerDrivers.Do(godal.RegisterAll)
	found := make([]*PointValues, len(items))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			select {
			case r.sem <- struct{}{}:
				defer func() { <-r.sem }()
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			found[i], errs[i] = r.pointItem(items[i], x, y, crs, layer)
		}(i)
	}
	wg.Wait()
	var out []PointValues
	for i, pv := range found {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if pv != nil {
			out = append(out, *pv)
		}
	}
	return out, nil
}

// pointItem reads one item's assets at the point; nil when an asset does
// not hold it.
func (r *Renderer) pointItem(item tilefunc.Item, x, y float64, crs CRS, layer Layer) (*PointValues, error) {
	pv := &PointValues{Item: item}
	for _, ab := range layer.Assets {
		path, err := r.assetPath(item, ab.Name)
		if err != nil {
			return nil, err
		}
		px, err := readPixel(path, x, y, crs, ab.Bidx, layer.NoData)
		if err != nil {
			return nil, fmt.Errorf("item %s asset %s: %w", item.ID, ab.Name, err)
		}
		if px == nil {
			return nil, nil
		}
		for i, v := range px.values {
			if px.valid && !math.IsNaN(v) && !math.IsInf(v, 0) {
				pv.Values = append(pv.Values, &px.values[i])
			} else {
				pv.Values = append(pv.Values, nil)
			}
			pv.Descriptions = append(pv.Descriptions, ab.Name+"_"+px.descriptions[i])
		}
	}
	return pv, nil
}

// pixel is the values of the selected bands of one source pixel.
type pixel struct {
	values       []float64
	descriptions []string
	valid        bool
}

// readPixel reads the pixel of the raster at path that holds x/y (in crs),
// or nil when the point is outside the raster. The pixel is valid unless
// every band is nodata (nodata given) or every band's mask says no data
// (the raster's nodata, alpha or mask: rasterio's dataset mask).
func readPixel(path string, x, y float64, crs CRS, bidx []int, nodata *float64) (*pixel, error) {
	ds, err := godal.Open(path)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	col, row, inside, err := pixelOf(ds, x, y, crs)
	if err != nil || !inside {
		return nil, err
	}
	bands := ds.Bands()
	if len(bidx) == 0 {
		for b := 1; b <= len(bands); b++ {
			bidx = append(bidx, b)
		}
	}
	for _, b := range bidx {
		if b < 1 || b > len(bands) {
			return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "band index %d is out of range: the asset has %d bands", b, len(bands))
		}
	}
	px := &pixel{}
	px.descriptions, _ = bandInfo(ds, bidx)
	for _, b := range bidx {
		band := bands[b-1]
		v := make([]float64, 1)
		if err := band.Read(col, row, v, 1, 1); err != nil {
			return nil, err
		}
		px.values = append(px.values, v[0])
		switch {
		case nodata != nil:
			px.valid = px.valid || !(v[0] == *nodata || math.IsNaN(*nodata) && math.IsNaN(v[0]))
		default:
			m := make([]uint8, 1)
			if err := band.MaskBand().Read(col, row, m, 1, 1); err != nil {
				return nil, err
			}
			px.valid = px.valid || m[0] > 0
		}
	}
	return px, nil
}

// pixelOf is the column and row of the raster's pixel that holds x/y (in
// crs), and whether the point is strictly inside the raster (rio-tiler's
// point test).
func pixelOf(ds *godal.Dataset, x, y float64, crs CRS) (col, row int, inside bool, err error) {
	sr := ds.SpatialRef()
	if sr == nil {
		return 0, 0, false, fmt.Errorf("the raster has no CRS")
	}
	wkt, err := sr.WKT()
	sr.Close()
	if err != nil {
		return 0, 0, false, err
	}
	t, err := newTransformer(crs, CRS{SRS: wkt})
	if err != nil {
		return 0, 0, false, err
	}
	defer t.Close()
	xs, ys := []float64{x}, []float64{y}
	if ok := t.points(xs, ys); !ok[0] {
		return 0, 0, false, nil // not on the raster's CRS's domain
	}
	gt, err := ds.GeoTransform()
	if err != nil {
		return 0, 0, false, fmt.Errorf("the raster has no geotransform: %w", err)
	}
	// The inverse of the geotransform: pixel coordinates of the point.
	det := gt[1]*gt[5] - gt[2]*gt[4]
	if det == 0 {
		return 0, 0, false, fmt.Errorf("the raster's geotransform cannot be inverted")
	}
	dx, dy := xs[0]-gt[0], ys[0]-gt[3]
	c := (dx*gt[5] - dy*gt[2]) / det
	rw := (dy*gt[1] - dx*gt[4]) / det
	st := ds.Structure()
	if !(c > 0 && c < float64(st.SizeX) && rw > 0 && rw < float64(st.SizeY)) {
		return 0, 0, false, nil
	}
	return int(math.Floor(c)), int(math.Floor(rw)), true, nil
}
