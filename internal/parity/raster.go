package parity

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"

	"github.com/airbusgeo/godal"
	"golang.org/x/image/webp"
)

// Raster is a decoded image answer: every band of every pixel as a float64,
// in the data type the file stores.
type Raster struct {
	Format   string // png, jpeg, webp, tif, jp2, npy: what the bytes are
	Width    int
	Height   int
	DataType string      // numpy's name: uint8, uint16, float32...
	Bands    [][]float64 // row-major planes; the mask band last when HasMask
	HasMask  bool        // the last band says where there is data (0: none)
	GDAL     *GDALFile   // what GDAL says of the file, when GDAL read it
}

// GDALFile is what GDAL says of a file it opened, besides the values.
type GDALFile struct {
	Driver       string           // GDAL's short name: GTiff, JP2OpenJPEG, JPEG, WEBP...
	GeoTransform [6]float64       // as GDAL reports it, even without georeferencing
	EPSG         string           // the CRS's authority code, "" without a CRS
	Types        []godal.DataType // each band's data type
	Alpha        []bool           // which bands GDAL takes as alpha
}

// Count is the number of bands, the mask band included.
func (r *Raster) Count() int { return len(r.Bands) }

// Valid says whether pixel i has data: everywhere without a mask band.
func (r *Raster) Valid(i int) bool {
	return !r.HasMask || r.Bands[len(r.Bands)-1][i] > 0
}

func (r *Raster) String() string {
	mask := ""
	if r.HasMask {
		mask = "+mask"
	}
	return fmt.Sprintf("%s %dx%dx%d%s %s", r.Format, r.Count(), r.Width, r.Height, mask, r.DataType)
}

// Sniff names the format of an encoded image from its first bytes, "" when
// it is none of those Decode reads.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return "jpeg"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")),
		bytes.HasPrefix(b, []byte("II+\x00")), bytes.HasPrefix(b, []byte("MM\x00+")):
		return "tif"
	case bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cjP  \r\n\x87\n")), bytes.HasPrefix(b, []byte{0xff, 0x4f, 0xff, 0x51}):
		return "jp2"
	case bytes.HasPrefix(b, []byte("\x93NUMPY")):
		return "npy"
	}
	return ""
}

// Decode reads an encoded image of any format Sniff names. PNG and JPEG go
// through Go's decoders, WebP through golang.org/x/image/webp, GeoTIFF and
// JPEG 2000 through GDAL, NPY through ReadNPY. PNG, WebP and GeoTIFF say
// which band is alpha; NPY arrays and rio-tiler's JPEG 2000 files do not,
// so maskLast says whether their last band is the mask, as rio-tiler
// writes one unless the request has return_mask=false.
func Decode(b []byte, maskLast bool) (*Raster, error) {
	switch f := Sniff(b); f {
	case "png":
		return decodePNG(b)
	case "jpeg":
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("decode jpeg: %w", err)
		}
		return fromImage("jpeg", img, false)
	case "webp":
		img, err := webp.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("decode webp: %w", err)
		}
		_, alpha := img.(*image.NYCbCrA)
		if _, ok := img.(*image.NRGBA); ok { // lossless: alpha unless opaque
			alpha = !img.(*image.NRGBA).Opaque()
		}
		return fromImage("webp", img, alpha)
	case "tif":
		return DecodeGDAL(f, b)
	case "jp2":
		r, err := DecodeGDAL(f, b)
		if err == nil && maskLast && r.Count() > 1 {
			r.HasMask = true
		}
		return r, err
	case "npy":
		return ReadNPY(b, maskLast)
	}
	return nil, fmt.Errorf("not an image this harness reads (first bytes %q)", b[:min(len(b), 8)])
}

// decodePNG reads the band count and bit depth from the header, so that a
// gray+alpha or 16-bit PNG is told from the RGBA that Go decodes it into.
func decodePNG(b []byte) (*Raster, error) {
	if len(b) < 26 || string(b[12:16]) != "IHDR" {
		return nil, fmt.Errorf("png: no IHDR")
	}
	depth, colorType := b[24], b[25]
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode png: %w", err)
	}
	size := img.Bounds().Size()
	r := &Raster{Format: "png", Width: size.X, Height: size.Y, DataType: "uint8"}
	if depth == 16 {
		r.DataType = "uint16"
	}
	var picks []int // of R, G, B, A
	switch colorType {
	case 0:
		picks = []int{0}
	case 2:
		picks = []int{0, 1, 2}
	case 3: // a palette, which may hold transparency
		picks, r.HasMask = []int{0, 1, 2, 3}, true
	case 4:
		picks, r.HasMask = []int{0, 3}, true
	case 6:
		picks, r.HasMask = []int{0, 1, 2, 3}, true
	default:
		return nil, fmt.Errorf("png: colour type %d", colorType)
	}
	r.Bands = channels(img, picks, depth == 16)
	return r, nil
}

// fromImage reads an 8-bit decoded image: gray is one band, colour three,
// and alpha adds a band.
func fromImage(format string, img image.Image, alpha bool) (*Raster, error) {
	size := img.Bounds().Size()
	r := &Raster{Format: format, Width: size.X, Height: size.Y, DataType: "uint8", HasMask: alpha}
	picks := []int{0, 1, 2}
	if _, gray := img.(*image.Gray); gray {
		picks = []int{0}
	}
	if alpha {
		picks = append(picks, 3)
	}
	r.Bands = channels(img, picks, false)
	return r, nil
}

// channels are the planes of the picked channels (0-3: red, green, blue,
// alpha, not premultiplied) of img, 16-bit values or 8-bit ones.
func channels(img image.Image, picks []int, bits16 bool) [][]float64 {
	size, origin := img.Bounds().Size(), img.Bounds().Min
	shift := uint(8)
	if bits16 {
		shift = 0
	}
	out := make([][]float64, len(picks))
	for i := range out {
		out[i] = make([]float64, size.X*size.Y)
	}
	for y := range size.Y {
		for x := range size.X {
			ch := straight(img, origin.X+x, origin.Y+y)
			for i, p := range picks {
				out[i][y*size.X+x] = float64(ch[p] >> shift)
			}
		}
	}
	return out
}

// straight is the 16-bit red, green, blue and alpha of a pixel, not
// premultiplied: read from the decoded type where it keeps them so, since a
// conversion through premultiplied colour loses the colour of transparent
// pixels and rounds that of translucent ones.
func straight(img image.Image, x, y int) [4]uint16 {
	switch m := img.(type) {
	case *image.NRGBA:
		c := m.NRGBAAt(x, y)
		return [4]uint16{uint16(c.R) * 257, uint16(c.G) * 257, uint16(c.B) * 257, uint16(c.A) * 257}
	case *image.NRGBA64:
		c := m.NRGBA64At(x, y)
		return [4]uint16{c.R, c.G, c.B, c.A}
	case *image.NYCbCrA:
		c := m.NYCbCrAAt(x, y)
		r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
		return [4]uint16{uint16(r) * 257, uint16(g) * 257, uint16(b) * 257, uint16(c.A) * 257}
	}
	c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
	return [4]uint16{c.R, c.G, c.B, c.A}
}

// gdalTypes are numpy's names of GDAL's data types.
var gdalTypes = map[godal.DataType]string{
	godal.Byte: "uint8", godal.UInt16: "uint16", godal.Int16: "int16", godal.UInt32: "uint32", godal.Int32: "int32",
	godal.Float32: "float32", godal.Float64: "float64",
}

// DecodeGDAL opens the bytes with GDAL from a temporary file named after
// format (its extension); an alpha band (colour interpretation alpha) last
// is the mask.
func DecodeGDAL(format string, b []byte) (*Raster, error) {
	godal.RegisterAll()
	f, err := os.CreateTemp("", "parity-*."+format)
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	ds, err := godal.Open(f.Name())
	if err != nil {
		return nil, fmt.Errorf("open %s with GDAL: %w", format, err)
	}
	defer ds.Close()
	st := ds.Structure()
	bands := ds.Bands()
	r := &Raster{Format: format, Width: st.SizeX, Height: st.SizeY, DataType: gdalTypes[st.DataType]}
	if r.DataType == "" {
		r.DataType = st.DataType.String()
	}
	g := &GDALFile{Driver: ds.Driver().ShortName()}
	g.GeoTransform, _ = ds.GeoTransform()
	if ds.Projection() != "" {
		sr := ds.SpatialRef()
		g.EPSG = sr.AuthorityCode("")
		sr.Close()
	}
	for _, band := range bands {
		buf := make([]float64, st.SizeX*st.SizeY)
		if err := band.Read(0, 0, buf, st.SizeX, st.SizeY); err != nil {
			return nil, fmt.Errorf("read %s band: %w", format, err)
		}
		r.Bands = append(r.Bands, buf)
		g.Types = append(g.Types, band.Structure().DataType)
		g.Alpha = append(g.Alpha, band.ColorInterp() == godal.CIAlpha)
	}
	r.GDAL = g
	r.HasMask = len(bands) > 1 && bands[len(bands)-1].ColorInterp() == godal.CIAlpha
	return r, nil
}

// ReadNPY reads a NumPy .npy array of shape (bands, height, width) or
// (height, width), little-endian or single-byte types, C order.
func ReadNPY(b []byte, hasMask bool) (*Raster, error) {
	h, err := ParseNPY(b)
	if err != nil {
		return nil, err
	}
	if h.Fortran {
		return nil, fmt.Errorf("npy: Fortran order")
	}
	shape := h.Shape
	if len(shape) == 2 {
		shape = []int{1, shape[0], shape[1]}
	}
	if len(shape) != 3 {
		return nil, fmt.Errorf("npy: shape %v, want (bands, height, width)", h.Shape)
	}
	t, ok := npyTypes[h.Descr]
	if !ok {
		return nil, fmt.Errorf("npy: data type %q", h.Descr)
	}
	data := h.Data
	n := shape[0] * shape[1] * shape[2]
	if len(data) < n*t.size {
		return nil, fmt.Errorf("npy: %d bytes of data, want %d", len(data), n*t.size)
	}
	r := &Raster{Format: "npy", Width: shape[2], Height: shape[1], DataType: t.name, HasMask: hasMask && shape[0] > 1}
	plane := shape[1] * shape[2]
	for band := range shape[0] {
		vals := make([]float64, plane)
		for i := range vals {
			vals[i] = t.read(data[(band*plane+i)*t.size:])
		}
		r.Bands = append(r.Bands, vals)
	}
	return r, nil
}
