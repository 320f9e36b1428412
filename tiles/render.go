package tiles

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/airbusgeo/godal"

	"tilefunc"
)

// Window is the output grid of an image: extent and CRS, size in pixels.
// A part (bbox, feature) may leave Width or Height 0: the renderer then
// sizes it from the first item's resolution; Align snaps it to that
// item's pixels (see fitWindow).
type Window struct {
	Bounds  [4]float64
	SRS     string
	Width   int
	Height  int
	MaxSize int  // with no size: the longer side at most this (0: no limit but MaxSide)
	Align   bool // snap Bounds out to the first item's pixel grid
}

// AssetBands names an asset and the bands to read from it (1-based; none
// means every band).
type AssetBands struct {
	Name string
	Bidx []int
}

// Layer says what to read from each item and how.
type Layer struct {
	Assets     []AssetBands
	NoData     *float64 // overrides the assets' own nodata
	Resampling string   // warp resampling, a GDAL name
}

// Image is a rendered raster: bands of values and the mask of valid pixels.
type Image struct {
	Width, Height int
	Bands         [][]float32
	Valid         []bool
	Items         []string // ids of the items that contributed
	Window        Window   // the grid the pixels cover
	Descriptions  []string // per band, asset_bN as rio-tiler names them
	DataType      string   // the source's type as numpy names it: uint8, int16...
}

func newImage(w, h, bands int) *Image {
	img := &Image{Width: w, Height: h, Bands: make([][]float32, bands), Valid: make([]bool, w*h)}
	for i := range img.Bands {
		img.Bands[i] = make([]float32, w*h)
	}
	return img
}

// Resolver turns an asset href into a path GDAL can open, refusing hrefs
// outside the allowed places.
type Resolver interface {
	Path(href string) (string, error)
}

// Renderer reads items with GDAL and mosaics them.
type Renderer struct {
	resolver Resolver
	sem      chan struct{} // bounds the GDAL reads in flight, process-wide
}

var registerDrivers sync.Once

// NewRenderer returns a renderer reading at most concurrency assets at once.
func NewRenderer(r Resolver, concurrency int) *Renderer {
	return &Renderer{resolver: r, sem: make(chan struct{}, max(concurrency, 1))}
}

// Warm loads GDAL's drivers and prepares the tile matrix sets' projections,
// so that the first request does not pay for them. It returns the first
// set that PROJ cannot prepare.
func Warm() error {
	registerDrivers.Do(godal.RegisterAll)
	return CheckTMS()
}

// GDALVersion is the version of the GDAL library in use.
func GDALVersion() string {
	v := godal.Version()
	return fmt.Sprintf("%d.%d.%d", v.Major(), v.Minor(), v.Revision())
}

// Mosaic renders items into win: the first item with a valid pixel wins it.
// Items are read concurrently; reading stops once every pixel is filled.
func (r *Renderer) Mosaic(ctx context.Context, items []tilefunc.Item, win Window, layer Layer) (*Image, error) {
	registerDrivers.Do(godal.RegisterAll)
	if len(items) > 0 && (win.Width == 0 || win.Height == 0 || win.Align) {
		var err error
		if win, err = r.fitWindow(items[0], win, layer); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]chan readResult, len(items))
	for i := range items {
		results[i] = make(chan readResult, 1)
		go func(i int) { results[i] <- r.readGuarded(ctx, items[i], win, layer) }(i)
	}
	var out *Image
	for i := range items {
		res := <-results[i]
		if res.err != nil {
			return nil, res.err
		}
		if out == nil {
			out = newImage(win.Width, win.Height, len(res.img.Bands))
			out.Window, out.Descriptions, out.DataType = win, res.img.Descriptions, res.img.DataType
		}
		if fill(out, res.img) {
			out.Items = append(out.Items, items[i].ID)
		}
		if full(out) {
			break
		}
	}
	if out == nil {
		return nil, tilefunc.Errorf(tilefunc.ENOCONTENT, "no item covers the request")
	}
	return out, nil
}

type readResult struct {
	img *Image
	err error
}

// readGuarded waits for a read slot, unless the mosaic is already full.
func (r *Renderer) readGuarded(ctx context.Context, item tilefunc.Item, win Window, layer Layer) readResult {
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	case <-ctx.Done():
		return readResult{err: ctx.Err()}
	}
	if ctx.Err() != nil {
		return readResult{err: ctx.Err()}
	}
	img, err := r.readItem(item, win, layer)
	return readResult{img, err}
}

// fill copies src's valid pixels into dst where dst has none yet, and says
// whether any pixel was taken.
func fill(dst, src *Image) bool {
	took := false
	for p, ok := range src.Valid {
		if !ok || dst.Valid[p] {
			continue
		}
		for b := range dst.Bands {
			dst.Bands[b][p] = src.Bands[b][p]
		}
		dst.Valid[p] = true
		took = true
	}
	return took
}

func full(img *Image) bool {
	for _, ok := range img.Valid {
		if !ok {
			return false
		}
	}
	return true
}

// readItem stacks the bands of the layer's assets of one item; a pixel is
// valid where every asset has data.
func (r *Renderer) readItem(item tilefunc.Item, win Window, layer Layer) (*Image, error) {
	var out *Image
	for _, ab := range layer.Assets {
		path, err := r.assetPath(item, ab.Name)
		if err != nil {
			return nil, err
		}
		img, err := warpRead(path, win, ab.Bidx, layer)
		if err != nil {
			return nil, fmt.Errorf("item %s asset %s: %w", item.ID, ab.Name, err)
		}
		for i, d := range img.Descriptions {
			img.Descriptions[i] = ab.Name + "_" + d
		}
		if out == nil {
			out = img
			continue
		}
		out.Bands = append(out.Bands, img.Bands...)
		out.Descriptions = append(out.Descriptions, img.Descriptions...)
		out.DataType = commonType(out.DataType, img.DataType)
		for p := range out.Valid {
			out.Valid[p] = out.Valid[p] && img.Valid[p]
		}
	}
	return out, nil
}

// assetPath is the GDAL path of an item's asset.
func (r *Renderer) assetPath(item tilefunc.Item, name string) (string, error) {
	asset, ok := item.Assets[name]
	if !ok {
		return "", tilefunc.Errorf(tilefunc.EBADREQUEST, "asset %q is not in item %q", name, item.ID)
	}
	return r.resolver.Path(asset.Href)
}

// warpRead warps the selected bands of one raster into win, with an alpha
// band that marks where the source had data.
func warpRead(path string, win Window, bidx []int, layer Layer) (*Image, error) {
	ds, err := godal.Open(path)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	n := ds.Structure().NBands
	if len(bidx) == 0 {
		for b := 1; b <= n; b++ {
			bidx = append(bidx, b)
		}
	}
	for _, b := range bidx {
		if b < 1 || b > n {
			return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "band index %d is out of range: the asset has %d bands", b, n)
		}
	}
	out, err := ds.Warp("", warpSwitches(win, layer))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	w, h := win.Width, win.Height
	buf := make([]float32, w*h*(len(bidx)+1))
	read := make([]int, 0, len(bidx)+1) // godal counts bands from 0
	for _, b := range bidx {
		read = append(read, b-1)
	}
	read = append(read, n) // the warped alpha band comes last
	if err := out.Read(0, 0, buf, w, h, godal.Bands(read...)); err != nil {
		return nil, err
	}
	img := deinterleave(buf, w, h, len(bidx))
	img.Descriptions, img.DataType = bandInfo(ds, bidx)
	return img, nil
}

func warpSwitches(win Window, layer Layer) []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	sw := []string{
		"-of", "MEM", "-t_srs", win.SRS,
		"-te", f(win.Bounds[0]), f(win.Bounds[1]), f(win.Bounds[2]), f(win.Bounds[3]),
		"-ts", strconv.Itoa(win.Width), strconv.Itoa(win.Height),
		"-r", layer.Resampling, "-dstalpha",
	}
	if layer.NoData != nil {
		sw = append(sw, "-srcnodata", f(*layer.NoData))
	}
	return sw
}

// deinterleave splits pixel-interleaved values whose last band is alpha.
func deinterleave(buf []float32, w, h, bands int) *Image {
	img := newImage(w, h, bands)
	stride := bands + 1
	for p := 0; p < w*h; p++ {
		px := buf[p*stride : p*stride+stride]
		for b := 0; b < bands; b++ {
			img.Bands[b][p] = px[b]
		}
		img.Valid[p] = px[bands] > 0
	}
	return img
}
