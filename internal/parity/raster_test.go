package parity

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/airbusgeo/godal"
)

// picture is bands of w×h values: band b at (x, y) is 10*b + 7*x + 3*y,
// wrapped to max; with alpha, a last band 0 in the top-left quarter and
// max elsewhere.
func picture(w, h, bands int, maxv float64, alpha bool) [][]float64 {
	var out [][]float64
	for b := range bands {
		v := make([]float64, w*h)
		for i := range v {
			v[i] = math.Mod(float64(10*b+7*(i%w)+3*(i/w)), maxv+1)
		}
		out = append(out, v)
	}
	if alpha {
		a := make([]float64, w*h)
		for i := range a {
			if i%w >= w/2 || i/w >= h/2 {
				a[i] = maxv
			}
		}
		out = append(out, a)
	}
	return out
}

// encodeGDAL writes bands with GDAL's driver (the one rio-tiler uses), the
// last band an alpha band when alpha is set, and returns the file's bytes.
func encodeGDAL(t *testing.T, driver string, dtype godal.DataType, w, h int, bands [][]float64, alpha bool, opts ...string) []byte {
	t.Helper()
	godal.RegisterAll()
	mem, err := godal.Create(godal.Memory, "", len(bands), dtype, w, h)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	for i, b := range mem.Bands() {
		if err := b.Write(0, 0, bands[i], w, h); err != nil {
			t.Fatal(err)
		}
	}
	if alpha {
		if err := mem.Bands()[len(bands)-1].SetColorInterp(godal.CIAlpha); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "image")
	out, err := mem.Translate(path, append([]string{"-of", driver}, opts...))
	if err != nil {
		t.Fatalf("%s: %v", driver, err)
	}
	out.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// npy is the bytes numpy.save writes for an array of shape (bands, h, w).
func npy(descr string, w, h int, bands [][]float64) []byte {
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d, %d), }", descr, len(bands), h, w)
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	var buf bytes.Buffer
	buf.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&buf, binary.LittleEndian, uint16(len(header)))
	buf.WriteString(header)
	for _, b := range bands {
		for _, v := range b {
			switch descr {
			case "|u1":
				buf.WriteByte(uint8(v))
			case "<u2":
				binary.Write(&buf, binary.LittleEndian, uint16(v))
			case "<f4":
				binary.Write(&buf, binary.LittleEndian, float32(v))
			case "<f8":
				binary.Write(&buf, binary.LittleEndian, v)
			}
		}
	}
	return buf.Bytes()
}

func TestDecodeReadsEachFormatsBandsTypeAndMask(t *testing.T) {
	const w, h = 24, 16
	rgba := picture(w, h, 3, 255, true)
	gray16 := picture(w, h, 1, 65535, true)
	float := picture(w, h, 2, 1e6, false)
	float[1][5] = math.NaN()
	for _, c := range []struct {
		name  string
		body  []byte
		mask  bool // maskLast
		want  string
		exact [][]float64 // the values, when the format keeps them
	}{
		{"png rgba", encodeGDAL(t, "PNG", godal.Byte, w, h, rgba, true), false, "png 4x24x16+mask uint8", rgba},
		{"png rgb", encodeGDAL(t, "PNG", godal.Byte, w, h, rgba[:3], false), false, "png 3x24x16 uint8", rgba[:3]},
		{"png gray", encodeGDAL(t, "PNG", godal.Byte, w, h, rgba[:1], false), false, "png 1x24x16 uint8", rgba[:1]},
		{"png 16-bit gray+alpha", encodeGDAL(t, "PNG", godal.UInt16, w, h, gray16, true), false, "png 2x24x16+mask uint16", gray16},
		{"jpeg", encodeGDAL(t, "JPEG", godal.Byte, w, h, rgba[:3], false), false, "jpeg 3x24x16 uint8", nil},
		{"jpeg gray", encodeGDAL(t, "JPEG", godal.Byte, w, h, rgba[:1], false), false, "jpeg 1x24x16 uint8", nil},
		{"webp lossy with alpha", encodeGDAL(t, "WEBP", godal.Byte, w, h, rgba, true), false, "webp 4x24x16+mask uint8", nil},
		{"webp lossy opaque", encodeGDAL(t, "WEBP", godal.Byte, w, h, rgba[:3], false), false, "webp 3x24x16 uint8", nil},
		{"webp lossless", encodeGDAL(t, "WEBP", godal.Byte, w, h, rgba, true, "-co", "LOSSLESS=YES"), false, "webp 4x24x16+mask uint8", rgba},
		{"geotiff uint16 with alpha", encodeGDAL(t, "GTiff", godal.UInt16, w, h, gray16, true), false, "tif 2x24x16+mask uint16", gray16},
		{"geotiff float32", encodeGDAL(t, "GTiff", godal.Float32, w, h, float, false), false, "tif 2x24x16 float32", float},
		{"jpeg 2000", encodeGDAL(t, "JP2OpenJPEG", godal.Byte, w, h, rgba, true, "-co", "REVERSIBLE=YES", "-co", "QUALITY=100"), true, "jp2 4x24x16+mask uint8", rgba},
		{"npy with mask", npy("|u1", w, h, rgba), true, "npy 4x24x16+mask uint8", rgba},
		{"npy without mask", npy("<f4", w, h, float), false, "npy 2x24x16 float32", float},
		{"npy float64", npy("<f8", w, h, float), false, "npy 2x24x16 float64", float},
	} {
		r, err := Decode(c.body, c.mask)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.String() != c.want {
			t.Errorf("%s: %s, want %s", c.name, r, c.want)
		}
		if c.exact == nil {
			continue
		}
		if d := CompareRasters(&Raster{Format: r.Format, Width: w, Height: h, DataType: r.DataType, Bands: c.exact, HasMask: r.HasMask}, r, Tolerance{}); d.Outside > 0 || d.MaskDiffer > 0 {
			t.Errorf("%s: values read back differ: %+v", c.name, d)
		}
	}
}

// Go's PNG decoder and GDAL's read the same bands from the same file:
// the band order and the non-premultiplied colour of translucent pixels
// survive the trip through image.Image.
func TestPNGDecodesAsGDALReadsIt(t *testing.T) {
	const w, h = 20, 12
	bands := picture(w, h, 3, 255, true)
	for i := range bands[3] {
		if i%3 == 0 {
			bands[3][i] = 128 // translucent
		}
	}
	body := encodeGDAL(t, "PNG", godal.Byte, w, h, bands, true)
	viaGo, err := Decode(body, false)
	if err != nil {
		t.Fatal(err)
	}
	viaGDAL, err := DecodeGDAL("png", body)
	if err != nil {
		t.Fatal(err)
	}
	if d := CompareRasters(viaGDAL, viaGo, Tolerance{}); !d.Within(Tolerance{}) {
		t.Errorf("Go and GDAL read the PNG differently: %s", d.Problem(Tolerance{}))
	}
}

func TestSniffNamesFormatsByTheirFirstBytes(t *testing.T) {
	for body, want := range map[string]string{
		"\x89PNG\r\n\x1a\n....": "png", "\xff\xd8\xff\xe0": "jpeg", "RIFF\x00\x00\x00\x00WEBPVP8 ": "webp",
		"II*\x00": "tif", "MM\x00*": "tif", "\x00\x00\x00\x0cjP  \r\n\x87\n": "jp2", "\x93NUMPY\x01\x00": "npy",
		`{"detail":"x"}`: "",
	} {
		if got := Sniff([]byte(body)); got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
	}
}
