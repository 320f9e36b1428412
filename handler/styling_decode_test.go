package handler_test

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc/internal/parity"
)

// Decoders of the images the styling tests get back: internal/parity
// decodes them (PNG through image/png with the header's bit depth and
// colour type, .npy by numpy's format description, the GDAL formats
// (GeoTIFF, JPEG 2000, JPEG, WebP) read back with GDAL); the checks here
// are what tilefunc's answers must be beyond that.

// picture is a decoded image: band values by pixel.
type picture struct {
	width, height int
	bands         int
	at            func(b, i, j int) float64
}

// px is every band of pixel (i, j).
func (p picture) px(i, j int) []float64 {
	out := make([]float64, p.bands)
	for b := range out {
		out[b] = p.at(b, i, j)
	}
	return out
}

// pngHeader is the bit depth and colour type of a PNG's IHDR chunk.
type pngHeader struct{ depth, colorType int }

// pictureOf is a decoded image as a picture.
func pictureOf(r *parity.Raster) picture {
	return picture{width: r.Width, height: r.Height, bands: r.Count(), at: func(b, i, j int) float64 { return r.Bands[b][j*r.Width+i] }}
}

// decodePNGBands decodes a 200 PNG answer into its channels (grey; grey,
// alpha; RGB; RGBA; a palette as RGBA), values in the PNG's bit depth.
func decodePNGBands(t *testing.T, r response) (picture, pngHeader) {
	t.Helper()
	b := okBody(t, r, "image/png")
	if len(b) < 26 || string(b[12:16]) != "IHDR" {
		t.Fatalf("no IHDR chunk first")
	}
	h := pngHeader{depth: int(b[24]), colorType: int(b[25])}
	// parity keeps the colours as decoded, never premultiplied: a
	// transparent pixel keeps its values.
	img, err := parity.Decode(b, false)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return pictureOf(img), h
}

// pngOf decodes a PNG answer and checks its size and channels.
func pngOf(t *testing.T, r response, width, height, channels int) picture {
	t.Helper()
	p, h := decodePNGBands(t, r)
	if p.width != width || p.height != height || p.bands != channels {
		t.Fatalf("PNG is %dx%d with %d channels (colour type %d), want %dx%d with %d", p.width, p.height, p.bands, h.colorType, width, height, channels)
	}
	return p
}

// npyAnswer is a decoded .npy answer: (bands, height, width), C order.
type npyAnswer struct {
	descr  string
	shape  []int
	raster *parity.Raster
}

// npyFile splits a .npy answer at its header and checks numpy's format,
// version 1.0: the magic, then a header padded with spaces and a newline
// so that the values start on a multiple of 64 bytes.
func npyFile(t *testing.T, b []byte) parity.NPY {
	t.Helper()
	h, err := parity.ParseNPY(b)
	if err != nil || h.Version != 1 {
		t.Fatalf("not a version 1 .npy (%v): % x", err, b[:min(len(b), 10)])
	}
	if start := len(b) - len(h.Data); start%64 != 0 || !strings.HasSuffix(h.Header, "\n") {
		t.Errorf(".npy header of %d bytes is not padded to 64 with a newline", len(h.Header))
	}
	return h
}

// decodeNPY reads a 200 .npy answer of three dimensions.
func decodeNPY(t *testing.T, r response) npyAnswer {
	t.Helper()
	b := okBody(t, r, "application/x-binary")
	h := npyFile(t, b)
	if h.Fortran {
		t.Fatalf(".npy header %q", h.Header)
	}
	v, err := parity.ReadNPY(b, false)
	if err != nil {
		t.Fatalf(".npy of %s: %v", h.Descr, err)
	}
	a := npyAnswer{descr: h.Descr, shape: h.Shape, raster: v}
	count := 1
	for _, v := range a.shape {
		count *= v
	}
	size, _ := strconv.Atoi(a.descr[2:])
	if len(a.shape) != 3 || len(h.Data) != count*size {
		t.Fatalf(".npy shape %v of %s: %d bytes of data", a.shape, a.descr, len(h.Data))
	}
	return a
}

// picture is the array as bands of pixels.
func (a npyAnswer) picture() picture { return pictureOf(a.raster) }

// npyOf decodes a .npy answer and checks its type and shape.
func npyOf(t *testing.T, r response, descr string, bands, width, height int) picture {
	t.Helper()
	a := decodeNPY(t, r)
	if descr != "" && a.descr != descr {
		t.Errorf(".npy of %s, want %s", a.descr, descr)
	}
	if a.shape[0] != bands || a.shape[1] != height || a.shape[2] != width {
		t.Fatalf(".npy of shape %v, want (%d, %d, %d)", a.shape, bands, height, width)
	}
	return a.picture()
}

// gdalImage is an answer read back with GDAL.
type gdalImage struct {
	picture
	gt     [6]float64
	epsg   string
	driver string
	types  []godal.DataType
	alpha  []bool // which bands GDAL takes as alpha
}

// readGDAL reads a 200 answer back with GDAL, from a file of that name.
func readGDAL(t *testing.T, r response, name string) gdalImage {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	img, err := parity.DecodeGDAL(strings.TrimPrefix(filepath.Ext(name), "."), r.body)
	if err != nil {
		t.Fatalf("GDAL cannot open the answer: %v", err)
	}
	g := img.GDAL
	return gdalImage{picture: pictureOf(img), gt: g.GeoTransform, epsg: g.EPSG, driver: g.Driver, types: g.Types, alpha: g.Alpha}
}
