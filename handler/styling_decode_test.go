package handler_test

import (
	"encoding/binary"
	"image/color"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/airbusgeo/godal"
)

// Decoders of the images the styling tests get back, written from the
// formats' specifications: PNG through image/png with the header's bit
// depth and colour type, .npy by numpy's format description, the GDAL
// formats (GeoTIFF, JPEG 2000, WebP) read back with GDAL.

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

// channels is how many values a pixel of the colour type holds.
func (h pngHeader) channels() int {
	return map[int]int{0: 1, 2: 3, 3: 4, 4: 2, 6: 4}[h.colorType]
}

// decodePNGBands decodes a 200 PNG answer into its channels (grey; grey,
// alpha; RGB; RGBA; a palette as RGBA), values in the PNG's bit depth.
func decodePNGBands(t *testing.T, r response) (picture, pngHeader) {
	t.Helper()
	img := decodePNG(t, r)
	if len(r.body) < 26 || string(r.body[12:16]) != "IHDR" {
		t.Fatalf("no IHDR chunk first")
	}
	h := pngHeader{depth: int(r.body[24]), colorType: int(r.body[25])}
	n := h.channels()
	if n == 0 {
		t.Fatalf("PNG colour type %d", h.colorType)
	}
	b := img.Bounds()
	// The colours as decoded, never premultiplied: a transparent pixel
	// keeps its values.
	at := func(band, i, j int) float64 {
		var v []float64
		switch c := img.At(b.Min.X+i, b.Min.Y+j).(type) {
		case color.Gray:
			v = []float64{float64(c.Y)}
		case color.Gray16:
			v = []float64{float64(c.Y)}
		case color.NRGBA:
			v = []float64{float64(c.R), float64(c.G), float64(c.B), float64(c.A)}
		case color.NRGBA64:
			v = []float64{float64(c.R), float64(c.G), float64(c.B), float64(c.A)}
		case color.RGBA: // opaque RGB
			v = []float64{float64(c.R), float64(c.G), float64(c.B), float64(c.A)}
		case color.RGBA64:
			v = []float64{float64(c.R), float64(c.G), float64(c.B), float64(c.A)}
		default:
			t.Fatalf("PNG colour %T", c)
		}
		if n == 2 { // grey and alpha decode as NRGBA
			v = []float64{v[0], v[3]}
		}
		return v[band]
	}
	return picture{width: b.Dx(), height: b.Dy(), bands: n, at: at}, h
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
	values []float64
}

var (
	npyDescr = regexp.MustCompile(`'descr':\s*'([<>|][a-z]\d+)'`)
	npyShape = regexp.MustCompile(`'shape':\s*\(([\d, ]*)\)`)
	npyOrder = regexp.MustCompile(`'fortran_order':\s*False`)
)

// decodeNPY reads numpy's format, version 1.0: the magic, a little-endian
// header length, a Python dict literal, then the values.
func decodeNPY(t *testing.T, r response) npyAnswer {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/x-binary" {
		t.Fatalf("Content-Type %q, want application/x-binary", ct)
	}
	b := r.body
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" || b[6] != 1 {
		t.Fatalf("not a version 1 .npy: % x", b[:min(len(b), 10)])
	}
	n := int(binary.LittleEndian.Uint16(b[8:10]))
	header := string(b[10 : 10+n])
	if (10+n)%64 != 0 || header[n-1] != '\n' {
		t.Errorf(".npy header of %d bytes is not padded to 64 with a newline", n)
	}
	d, s := npyDescr.FindStringSubmatch(header), npyShape.FindStringSubmatch(header)
	if d == nil || s == nil || !npyOrder.MatchString(header) {
		t.Fatalf(".npy header %q", header)
	}
	a := npyAnswer{descr: d[1]}
	count := 1
	for _, f := range regexp.MustCompile(`\d+`).FindAllString(s[1], -1) {
		v, _ := strconv.Atoi(f)
		a.shape = append(a.shape, v)
		count *= v
	}
	size, _ := strconv.Atoi(a.descr[2:])
	data := b[10+n:]
	if len(a.shape) != 3 || len(data) != count*size {
		t.Fatalf(".npy shape %v of %s: %d bytes of data", a.shape, a.descr, len(data))
	}
	le := binary.LittleEndian
	for p := 0; p < count; p++ {
		v := data[p*size : (p+1)*size]
		var x float64
		switch a.descr[1:] {
		case "u1", "b1":
			x = float64(v[0])
		case "i1":
			x = float64(int8(v[0]))
		case "u2":
			x = float64(le.Uint16(v))
		case "i2":
			x = float64(int16(le.Uint16(v)))
		case "u4":
			x = float64(le.Uint32(v))
		case "i4":
			x = float64(int32(le.Uint32(v)))
		case "u8":
			x = float64(le.Uint64(v))
		case "i8":
			x = float64(int64(le.Uint64(v)))
		case "f4":
			x = float64(math.Float32frombits(le.Uint32(v)))
		case "f8":
			x = math.Float64frombits(le.Uint64(v))
		default:
			t.Fatalf(".npy type %s", a.descr)
		}
		a.values = append(a.values, x)
	}
	return a
}

// picture is the array as bands of pixels.
func (a npyAnswer) picture() picture {
	h, w := a.shape[1], a.shape[2]
	return picture{width: w, height: h, bands: a.shape[0], at: func(b, i, j int) float64 { return a.values[(b*h+j)*w+i] }}
}

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

// readGDAL writes the answer's body to a file and opens it with GDAL.
func readGDAL(t *testing.T, r response, name string) gdalImage {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	godal.RegisterAll()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := godal.Open(path)
	if err != nil {
		t.Fatalf("GDAL cannot open the answer: %v", err)
	}
	defer ds.Close()
	st := ds.Structure()
	g := gdalImage{driver: ds.Driver().ShortName()}
	g.gt, _ = ds.GeoTransform()
	if ds.Projection() != "" {
		sr := ds.SpatialRef()
		g.epsg = sr.AuthorityCode("")
		sr.Close()
	}
	var bands [][]float64
	for _, b := range ds.Bands() {
		buf := make([]float64, st.SizeX*st.SizeY)
		if err := b.Read(0, 0, buf, st.SizeX, st.SizeY); err != nil {
			t.Fatal(err)
		}
		bands = append(bands, buf)
		g.types = append(g.types, b.Structure().DataType)
		g.alpha = append(g.alpha, b.ColorInterp() == godal.CIAlpha)
	}
	w := st.SizeX
	g.picture = picture{width: st.SizeX, height: st.SizeY, bands: len(bands), at: func(b, i, j int) float64 { return bands[b][j*w+i] }}
	return g
}
