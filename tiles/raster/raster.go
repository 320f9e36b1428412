// Package raster is the image every stage of tilefunc's pipeline passes on:
// bands of values of one pixel type, each band with its own mask, over a
// georeferenced grid (rio-tiler's ImageData). It needs no GDAL, so the
// stages that only compute (expressions, algorithms, colormaps) are plain Go.
package raster

import (
	"fmt"
	"sync"
)

// Image is a stack of bands of one data type. Values are held as float64
// whatever the type (every type tilefunc reads fits, bar 64-bit integers
// beyond 2^53); Type says what they are, so that rendering and encoding
// treat them as titiler treats an array of that dtype.
type Image struct {
	Width, Height int
	Type          DataType
	Bands         [][]float64 // Bands[b][y*Width+x]
	Valid         [][]bool    // Valid[b][p]: band b has data at p (numpy's mask, inverted)
	// Alpha is an alpha band the source itself carries (rio-tiler's
	// alpha_mask), in Type's range; nil when the mask comes from Valid.
	Alpha        []float64
	Names        []string     // b1..bN, as expressions name the bands
	Descriptions []string     // what each band is: asset_b1, an expression, an algorithm's output
	Stats        [][2]float64 // per band min/max of the whole dataset (STAC raster:bands); nil when unknown
	Bounds       [4]float64   // minx, miny, maxx, maxy in CRS
	CRS          string       // the grid's CRS, as GDAL reads it; "" when the image has none
	Assets       []string     // what gave pixels: items of a mosaic, assets of an item
}

// New returns an image of n bands of type t with no valid pixel, named
// b1..bN.
func New(w, h, n int, t DataType) *Image {
	im := &Image{Width: w, Height: h, Type: t, Bands: make([][]float64, n), Valid: make([][]bool, n)}
	for b := 0; b < n; b++ {
		im.Bands[b] = Scratch[float64](w * h)
		im.Valid[b] = Scratch[bool](w * h)
	}
	im.Names = DefaultNames(n)
	im.Descriptions = DefaultNames(n)
	return im
}

// floats and bools hold the bands of recycled images: a low-zoom mosaic
// reads an image per item and keeps one, and reusing the others' buffers
// spares the collector and the kernel's fresh pages most of that work.
// octets holds byte buffers of the same sizes (an encoder's pixels).
var floats, bools, octets sync.Pool

// pooled are the element types Scratch hands out.
type pooled interface{ float64 | bool | byte }

// Scratch is a zeroed buffer of n values taken from those given back
// (bands of recycled images among them), or a new one; Release gives it
// back.
func Scratch[T pooled](n int) []T {
	if p, ok := poolOf[T]().Get().(*[]T); ok && cap(*p) >= n {
		s := (*p)[:n]
		clear(s)
		return s
	}
	return make([]T, n)
}

// Release gives a buffer nothing reads again to later Scratch calls and
// images.
func Release[T pooled](s []T) { poolOf[T]().Put(&s) }

func poolOf[T pooled]() *sync.Pool {
	var zero T
	switch any(zero).(type) {
	case float64:
		return &floats
	case bool:
		return &bools
	}
	return &octets
}

// Recycle gives im's band buffers to later images. The caller promises
// that nothing reads im, nor a band taken from it, again.
func (im *Image) Recycle() {
	for b := range im.Bands {
		if !shared(im.Bands[:b], im.Bands[b]) { // a band an expression repeats is given once
			floats.Put(&im.Bands[b])
		}
		if !shared(im.Valid[:b], im.Valid[b]) {
			bools.Put(&im.Valid[b])
		}
	}
	im.Bands, im.Valid = nil, nil
}

// ReleaseMask gives a mask Mask made to later images (the alpha band it
// returns stays im's). Nothing may read m again.
func (im *Image) ReleaseMask(m []float64) {
	if len(m) > 0 && (len(im.Alpha) == 0 || &m[0] != &im.Alpha[0]) {
		Release(m)
	}
}

// shared says whether s is one of the slices before it.
func shared[T any](before [][]T, s []T) bool {
	for _, o := range before {
		if len(o) > 0 && len(s) > 0 && &o[0] == &s[0] {
			return true
		}
	}
	return len(s) == 0
}

// DefaultNames are b1..bn.
func DefaultNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("b%d", i+1)
	}
	return out
}

// Count is the number of bands.
func (im *Image) Count() int { return len(im.Bands) }

// Pixels is Width × Height.
func (im *Image) Pixels() int { return im.Width * im.Height }

// AnyValid says whether some band has data at p: the pixel is drawn
// (rio-tiler's dataset mask is the OR of the band masks).
func (im *Image) AnyValid(p int) bool {
	for _, v := range im.Valid {
		if v[p] {
			return true
		}
	}
	return false
}

// AllValid says whether every band has data at p.
func (im *Image) AllValid(p int) bool {
	for _, v := range im.Valid {
		if !v[p] {
			return false
		}
	}
	return true
}

// Full says whether every pixel has data in every band: nothing later in a
// mosaic could change it.
func (im *Image) Full() bool {
	for p := 0; p < im.Pixels(); p++ {
		if !im.AllValid(p) {
			return false
		}
	}
	return true
}

// Mask is rio-tiler's ImageData.mask: the source's alpha band when it has
// one, else the type's largest value where some band has data and its
// smallest elsewhere. A caller done with it gives it back with
// ReleaseMask.
func (im *Image) Mask() []float64 {
	if im.Alpha != nil {
		return im.Alpha
	}
	lo, hi := im.Type.Range()
	out := Scratch[float64](im.Pixels())
	for p := range out {
		out[p] = lo
		if im.AnyValid(p) {
			out[p] = hi
		}
	}
	return out
}

// Transform is the affine geotransform of the grid, as GDAL writes it.
func (im *Image) Transform() [6]float64 {
	b := im.Bounds
	return [6]float64{b[0], (b[2] - b[0]) / float64(im.Width), 0, b[3], 0, -(b[3] - b[1]) / float64(im.Height)}
}

// Like returns an image of n bands of type t on the same grid, with the
// same assets, and no valid pixel.
func (im *Image) Like(n int, t DataType) *Image {
	out := New(im.Width, im.Height, n, t)
	out.Bounds, out.CRS, out.Assets = im.Bounds, im.CRS, im.Assets
	return out
}

// Clone is a deep copy.
func (im *Image) Clone() *Image {
	out := *im
	out.Bands = make([][]float64, len(im.Bands))
	out.Valid = make([][]bool, len(im.Valid))
	for b := range im.Bands {
		out.Bands[b] = append([]float64(nil), im.Bands[b]...)
		out.Valid[b] = append([]bool(nil), im.Valid[b]...)
	}
	if im.Alpha != nil {
		out.Alpha = append([]float64(nil), im.Alpha...)
	}
	out.Names = append([]string(nil), im.Names...)
	out.Descriptions = append([]string(nil), im.Descriptions...)
	if im.Stats != nil {
		out.Stats = append([][2]float64(nil), im.Stats...)
	}
	out.Assets = append([]string(nil), im.Assets...)
	return &out
}

// Crop returns the w×h pixels from column x0, row y0 (an algorithm's
// buffer taken off), with the bounds of what is kept.
func (im *Image) Crop(x0, y0, w, h int) *Image {
	if x0 < 0 || y0 < 0 || w < 1 || h < 1 || x0+w > im.Width || y0+h > im.Height {
		panic(fmt.Sprintf("raster: crop %d,%d %dx%d outside a %dx%d image", x0, y0, w, h, im.Width, im.Height))
	}
	gt := im.Transform()
	out := *im
	out.Width, out.Height = w, h
	out.Bounds = [4]float64{gt[0] + float64(x0)*gt[1], gt[3] + float64(y0+h)*gt[5], gt[0] + float64(x0+w)*gt[1], gt[3] + float64(y0)*gt[5]}
	cropF, cropB := window[float64](im.Width, x0, y0, w, h), window[bool](im.Width, x0, y0, w, h)
	out.Bands = make([][]float64, len(im.Bands))
	out.Valid = make([][]bool, len(im.Valid))
	for b := range im.Bands {
		out.Bands[b], out.Valid[b] = cropF(im.Bands[b]), cropB(im.Valid[b])
	}
	if im.Alpha != nil {
		out.Alpha = cropF(im.Alpha)
	}
	return &out
}

// window cuts the w×h pixels from column x0, row y0 out of a band (values
// or mask) of a grid width pixels wide.
func window[T any](width, x0, y0, w, h int) func(src []T) []T {
	return func(src []T) []T {
		dst := make([]T, 0, w*h)
		for y := y0; y < y0+h; y++ {
			dst = append(dst, src[y*width+x0:y*width+x0+w]...)
		}
		return dst
	}
}
