package tiles

import (
	"fmt"
	"math"

	"github.com/airbusgeo/godal"

	"tilefunc"
)

// MaxSide bounds each side of a part image (bbox, feature, statistics), so
// that one request cannot ask for more memory than an instance has: an
// image of MaxSide² pixels and 4 bands is 256 MiB as float32 per item read.
const MaxSide = 4096

// grid is a raster's pixel grid in some CRS: its top-left corner and pixel
// size.
type grid struct {
	ox, oy float64 // top-left corner
	rx, ry float64 // pixel width and height, both positive
}

// fitWindow sizes a window that lacks a width or a height, or aligns one
// that asks for it, as rio-tiler's
// part does for one reader: the first item's resolution in win's CRS gives
// the native size of the bounds; with neither side given the native size
// is used, scaled down to MaxSize on its longer side; with one side given
// the other keeps the native aspect ratio. With Align the bounds first
// grow to whole pixels of that grid (titiler's statistics read whole
// source pixels).
func (r *Renderer) fitWindow(item tilefunc.Item, win Window, layer Layer) (Window, error) {
	if len(layer.Assets) == 0 {
		return win, tilefunc.Errorf(tilefunc.EINVALID, "assets: Field required")
	}
	path, err := r.assetPath(item, layer.Assets[0].Name)
	if err != nil {
		return win, err
	}
	g, err := nativeGrid(path, win.SRS)
	if err != nil {
		return win, fmt.Errorf("item %s: %w", item.ID, err)
	}
	return g.fit(win)
}

func (g grid) fit(win Window) (Window, error) {
	b := win.Bounds
	var w, h int
	if win.Align {
		c0, c1 := math.Floor(round6((b[0]-g.ox)/g.rx)), math.Ceil(round6((b[2]-g.ox)/g.rx))
		r0, r1 := math.Floor(round6((g.oy-b[3])/g.ry)), math.Ceil(round6((g.oy-b[1])/g.ry))
		win.Bounds = [4]float64{g.ox + c0*g.rx, g.oy - r1*g.ry, g.ox + c1*g.rx, g.oy - r0*g.ry}
		w, h = max(1, int(c1-c0)), max(1, int(r1-r0))
	} else {
		w = max(1, int(math.Round((b[2]-b[0])/g.rx)))
		h = max(1, int(math.Round((b[3]-b[1])/g.ry)))
	}
	ratio := float64(h) / float64(w)
	switch {
	case win.Width == 0 && win.Height == 0:
		win.Width, win.Height = w, h
		if limit := win.MaxSize; limit > 0 && max(w, h) >= limit {
			if ratio > 1 {
				win.Height, win.Width = limit, int(math.Ceil(float64(limit)/ratio))
			} else {
				win.Width, win.Height = limit, int(math.Ceil(float64(limit)*ratio))
			}
		}
	case win.Width == 0:
		win.Width = int(math.Ceil(float64(win.Height) / ratio))
	case win.Height == 0:
		win.Height = int(math.Ceil(float64(win.Width) * ratio))
	}
	if win.Width > MaxSide || win.Height > MaxSide {
		return win, tilefunc.Errorf(tilefunc.EINVALID, "the image would be %dx%d pixels, above the %d limit: set max_size, width or height", win.Width, win.Height, MaxSide)
	}
	return win, nil
}

// round6 drops the floating-point noise of a pixel offset before it is
// floored or ceiled (rio-tiler rounds windows to 6 decimals).
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// nativeGrid is the pixel grid of the raster at path in the CRS srs: its
// own when the CRS is its own, else GDAL's suggested warp output (square
// pixels that keep the diagonal's pixel count), as rasterio's
// calculate_default_transform gives rio-tiler.
func nativeGrid(path, srs string) (grid, error) {
	ds, err := godal.Open(path)
	if err != nil {
		return grid{}, err
	}
	defer ds.Close()
	gt, err := ds.GeoTransform()
	if err != nil {
		return grid{}, fmt.Errorf("the raster has no geotransform: %w", err)
	}
	st := ds.Structure()
	sr := ds.SpatialRef()
	if sr == nil {
		return grid{}, fmt.Errorf("the raster has no CRS")
	}
	defer sr.Close()
	wkt, err := sr.WKT()
	if err != nil {
		return grid{}, err
	}
	t, err := newTransformer(CRS{SRS: wkt}, CRS{SRS: srs})
	if err != nil {
		return grid{}, err
	}
	defer t.Close()
	if t.tr == nil && gt[2] == 0 && gt[4] == 0 {
		return grid{ox: gt[0], oy: gt[3], rx: gt[1], ry: math.Abs(gt[5])}, nil
	}
	src, err := ds.Bounds()
	if err != nil {
		return grid{}, err
	}
	b, err := t.bounds(src)
	if err != nil {
		return grid{}, err
	}
	res := math.Hypot(b[2]-b[0], b[3]-b[1]) / math.Hypot(float64(st.SizeX), float64(st.SizeY))
	return grid{ox: b[0], oy: b[3], rx: res, ry: res}, nil
}

// numpyTypes are GDAL's data types as numpy names them.
var numpyTypes = map[godal.DataType]string{
	godal.Byte: "uint8", godal.UInt16: "uint16", godal.Int16: "int16", godal.UInt32: "uint32",
	godal.Int32: "int32", godal.Float32: "float32", godal.Float64: "float64",
}

// bandInfo is the description of each selected band (its own, else bN, as
// rio-tiler names bands) and the raster's data type.
func bandInfo(ds *godal.Dataset, bidx []int) ([]string, string) {
	bands := ds.Bands()
	var desc []string
	for _, b := range bidx {
		d := bands[b-1].Description()
		if d == "" {
			d = fmt.Sprintf("b%d", b)
		}
		desc = append(desc, d)
	}
	dtype, ok := numpyTypes[bands[0].Structure().DataType]
	if !ok {
		dtype = "float32"
	}
	return desc, dtype
}

// commonType is the type that holds values of both types; float32 where
// they differ (the values are read as float32 anyway).
func commonType(a, b string) string {
	if a == b {
		return a
	}
	return "float32"
}
