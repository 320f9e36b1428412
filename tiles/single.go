package tiles

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/internal/timing"
	"tilefunc/tiles/raster"
)

// Item runs the pipeline on one item, as rio-tiler's STAC reader reads
// one: its assets stacked, the layer's expression, the window's shape and
// the algorithm; no merge. Unlike a mosaic's, the image keeps its dataset
// statistics (raster:bands statistics, band tags), which rescale it when
// the request names no range. ErrOutside when the window is a tile that
// misses the item or one of its rasters.
func (r *Renderer) Item(ctx context.Context, item tilefunc.Item, win Window, spec Spec) (*raster.Image, error) {
	registerDrivers.Do(godal.RegisterAll)
	if spec.Algorithm != nil && !win.Whole { // a preview is not read larger: its answer is smaller
		win.Buffer = max(win.Buffer, float64(spec.Algorithm.Buffer()))
	}
	release, err := r.admitImage(ctx, win, spec, 1)
	if err != nil {
		return nil, err
	}
	// The read is not waited for past the context's end (GDAL cannot be
	// interrupted): it finishes in the background, then gives its memory
	// back.
	tm, reading := timing.From(ctx), time.Now()
	ch := make(chan readResult, 1)
	go func() { ch <- r.readGuarded(ctx, item, newWindowRead(win, spec.Dataset), spec.Layer) }()
	var res readResult
	select {
	case res = <-ch:
		release()
		tm.Since(timing.Read, reading)
	case <-ctx.Done():
		settle([]chan readResult{ch}, release)
		return nil, ctx.Err()
	}
	if res.err != nil {
		return nil, res.err
	}
	return finish(tm, res.img, win, spec)
}

// ItemPoint reads one item's layer at x/y, given in crs (rio-tiler's
// MultiBaseReader.point): ErrOutside when a raster does not hold it.
func (r *Renderer) ItemPoint(ctx context.Context, item tilefunc.Item, x, y float64, crs CRS, spec Spec) (*raster.Image, error) {
	registerDrivers.Do(godal.RegisterAll)
	return r.guarded(ctx, item.ID, func() (*raster.Image, error) {
		return r.readItem(item, spec.Layer, pointReader(x, y, crs, spec.Dataset), false)
	})
}

// guarded runs read in a read slot; a panic in GDAL glue becomes an error
// rather than the end of the process.
func (r *Renderer) guarded(ctx context.Context, id string, read func() (*raster.Image, error)) (img *raster.Image, err error) {
	release, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	defer func() {
		if v := recover(); v != nil {
			img, err = nil, fmt.Errorf("tiles: reading item %s panicked: %v\n%s", id, v, debug.Stack())
		}
	}()
	return read()
}
