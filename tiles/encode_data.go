package tiles

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/airbusgeo/godal"
)

// The formats that carry values rather than colours (titiler's tif, npy
// and pngraw) keep the source's data type unless rescale asks for bytes;
// the mask, where asked for, is one more band of 0 or 255 (65535 in a
// 16-bit PNG), as rio-tiler writes it.

// gdalTypes are numpy's type names as GDAL's types.
var gdalTypes = map[string]godal.DataType{
	"uint8": godal.Byte, "uint16": godal.UInt16, "int16": godal.Int16, "uint32": godal.UInt32,
	"int32": godal.Int32, "float32": godal.Float32, "float64": godal.Float64,
}

// dataBands are the values to write and their type: rescaled to bytes when
// rescale is given, else the image's own values, then the mask band.
func dataBands(img *Image, r Render) ([][]float32, string) {
	dtype := img.DataType
	if _, ok := gdalTypes[dtype]; !ok {
		dtype = "float32"
	}
	bands := img.Bands
	if len(r.Rescale) > 0 {
		dtype = "uint8"
		bands = make([][]float32, len(img.Bands))
		for b, vals := range img.Bands {
			bytes := toBytes(vals, r.rescale(b))
			bands[b] = make([]float32, len(bytes))
			for i, v := range bytes {
				bands[b][i] = float32(v)
			}
		}
	}
	if r.ReturnMask {
		mask := make([]float32, len(img.Valid))
		for i, ok := range img.Valid {
			if ok {
				mask[i] = 255
			}
		}
		bands = append(bands[:len(bands):len(bands)], mask)
	}
	return bands, dtype
}

// vsimemFiles numbers the in-memory files GDAL writes into.
var vsimemFiles atomic.Int64

func vsimemPath(ext string) string {
	return fmt.Sprintf("/vsimem/tilefunc-%d.%s", vsimemFiles.Add(1), ext)
}

// readVSIMem returns the bytes of a GDAL in-memory file and deletes it.
func readVSIMem(path string) ([]byte, error) {
	defer godal.VSIUnlink(path)
	f, err := godal.VSIOpen(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// encodeGTiff writes a GeoTIFF georeferenced with the image's window.
func encodeGTiff(img *Image, r Render) ([]byte, error) {
	bands, dtype := dataBands(img, r)
	path := vsimemPath("tif")
	ds, err := godal.Create(godal.GTiff, path, len(bands), gdalTypes[dtype], img.Width, img.Height)
	if err != nil {
		return nil, err
	}
	if err := writeGTiff(ds, img, bands, r.ReturnMask); err != nil {
		ds.Close()
		godal.VSIUnlink(path)
		return nil, err
	}
	if err := ds.Close(); err != nil {
		godal.VSIUnlink(path)
		return nil, err
	}
	return readVSIMem(path)
}

func writeGTiff(ds *godal.Dataset, img *Image, bands [][]float32, mask bool) error {
	if win := img.Window; win.SRS != "" && win.Width > 0 {
		b := win.Bounds
		gt := [6]float64{b[0], (b[2] - b[0]) / float64(img.Width), 0, b[3], 0, -(b[3] - b[1]) / float64(img.Height)}
		if err := ds.SetGeoTransform(gt); err != nil {
			return err
		}
		sr, err := godal.NewSpatialRef(win.SRS)
		if err != nil {
			return err
		}
		defer sr.Close()
		if err := ds.SetSpatialRef(sr); err != nil {
			return err
		}
	}
	out := ds.Bands()
	for i, vals := range bands {
		if err := out[i].Write(0, 0, vals, img.Width, img.Height); err != nil {
			return err
		}
	}
	if mask {
		return out[len(out)-1].SetColorInterp(godal.CIAlpha)
	}
	return nil
}

// npyTypes are numpy's array-protocol type strings (little-endian).
var npyTypes = map[string]string{
	"uint8": "|u1", "uint16": "<u2", "int16": "<i2", "uint32": "<u4",
	"int32": "<i4", "float32": "<f4", "float64": "<f8",
}

// encodeNPY writes numpy's .npy format (version 1.0): bands then the mask,
// shape (bands, height, width), C order.
func encodeNPY(img *Image, r Render) ([]byte, error) {
	bands, dtype := dataBands(img, r)
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d, %d), }",
		npyTypes[dtype], len(bands), img.Height, img.Width)
	// Magic, version, header length, header: a multiple of 64 bytes, the
	// header ending with a newline (numpy's alignment).
	pad := 64 - (10+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	out := []byte("\x93NUMPY\x01\x00")
	out = binary.LittleEndian.AppendUint16(out, uint16(len(header)))
	out = append(out, header...)
	for _, vals := range bands {
		out = appendValues(out, vals, dtype)
	}
	return out, nil
}

// appendValues appends values as dtype, little-endian; integers are
// rounded and clipped to the type's range.
func appendValues(out []byte, vals []float32, dtype string) []byte {
	le := binary.LittleEndian
	clip := func(v float32, lo, hi float64) float64 {
		return math.Max(lo, math.Min(hi, math.Round(float64(v))))
	}
	for _, v := range vals {
		switch dtype {
		case "uint8":
			out = append(out, uint8(clip(v, 0, math.MaxUint8)))
		case "uint16":
			out = le.AppendUint16(out, uint16(clip(v, 0, math.MaxUint16)))
		case "int16":
			out = le.AppendUint16(out, uint16(int16(clip(v, math.MinInt16, math.MaxInt16))))
		case "uint32":
			out = le.AppendUint32(out, uint32(clip(v, 0, math.MaxUint32)))
		case "int32":
			out = le.AppendUint32(out, uint32(int32(clip(v, math.MinInt32, math.MaxInt32))))
		case "float64":
			out = le.AppendUint64(out, math.Float64bits(float64(v)))
		default:
			out = le.AppendUint32(out, math.Float32bits(v))
		}
	}
	return out
}

// encodePNGRaw writes a PNG of the values themselves (titiler's pngraw):
// 8-bit data, or rescaled data, as png; wider types in a 16-bit PNG,
// clipped to 0-65535.
func encodePNGRaw(img *Image, r Render) ([]byte, error) {
	if img.DataType == "uint8" || len(r.Rescale) > 0 {
		return Encode(img, formats["png"], r)
	}
	w, h := img.Width, img.Height
	rect := image.Rect(0, 0, w, h)
	v16 := func(b, p int) uint16 {
		return uint16(math.Max(0, math.Min(65535, math.Round(float64(img.Bands[b][p])))))
	}
	var out image.Image
	if len(img.Bands) < 3 && !r.ReturnMask {
		g := image.NewGray16(rect)
		for p := 0; p < w*h; p++ {
			g.SetGray16(p%w, p/w, color.Gray16{Y: v16(0, p)})
		}
		out = g
	} else {
		n := image.NewNRGBA64(rect)
		for p := 0; p < w*h; p++ {
			c := color.NRGBA64{A: 65535}
			if len(img.Bands) >= 3 {
				c.R, c.G, c.B = v16(0, p), v16(1, p), v16(2, p)
			} else {
				c.R, c.G, c.B = v16(0, p), v16(0, p), v16(0, p)
			}
			if r.ReturnMask && !img.Valid[p] {
				c.A = 0
			}
			n.SetNRGBA64(p%w, p/w, c)
		}
		out = n
	}
	var buf bytes.Buffer
	err := pngEncoder.Encode(&buf, out)
	return buf.Bytes(), err
}

// encodeWEBP writes WebP with GDAL's driver (quality 75, as rio-tiler's
// profile): RGB, with the mask as alpha.
func encodeWEBP(img *Image, r Render) ([]byte, error) {
	rgba := image.NewNRGBA(image.Rect(0, 0, img.Width, img.Height))
	src := toImage(img, r, r.ReturnMask)
	for y := 0; y < img.Height; y++ {
		for x := 0; x < img.Width; x++ {
			rgba.Set(x, y, src.At(x, y))
		}
	}
	n := 3
	if r.ReturnMask {
		n = 4
	}
	mem, err := godal.Create(godal.Memory, "", n, godal.Byte, img.Width, img.Height)
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	plane := make([]uint8, img.Width*img.Height)
	for b, band := range mem.Bands() {
		for p := range plane {
			plane[p] = rgba.Pix[p*4+b]
		}
		if err := band.Write(0, 0, plane, img.Width, img.Height); err != nil {
			return nil, err
		}
	}
	path := vsimemPath("webp")
	out, err := mem.Translate(path, []string{"-of", "WEBP", "-co", "QUALITY=" + strconv.Itoa(75)})
	if err != nil {
		godal.VSIUnlink(path)
		return nil, err
	}
	if err := out.Close(); err != nil {
		godal.VSIUnlink(path)
		return nil, err
	}
	return readVSIMem(path)
}
