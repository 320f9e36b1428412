package tiles

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// Format is an output image format.
type Format struct {
	Name      string // as in the URL: png, jpg, ...
	driver    string // what writes it: png, jpeg, webp, jp2, gtiff, npy
	MediaType string
}

var formats = map[string]Format{
	"png":    {"png", "png", "image/png"},
	"pngraw": {"pngraw", "png", "image/png"},
	"jpeg":   {"jpeg", "jpeg", "image/jpeg"},
	"jpg":    {"jpg", "jpeg", "image/jpg"}, // titiler's media type for .jpg
	"webp":   {"webp", "webp", "image/webp"},
	"jp2":    {"jp2", "jp2", "image/jp2"},
	"tif":    {"tif", "gtiff", "image/tiff; application=geotiff"},
	"tiff":   {"tiff", "gtiff", "image/tiff; application=geotiff"},
	"npy":    {"npy", "npy", "application/x-binary"},
}

// FormatNames are the formats' URL names, sorted.
func FormatNames() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseFormat returns the format named by a URL extension.
func ParseFormat(name string) (Format, error) {
	f, ok := formats[name]
	if !ok {
		return Format{}, tilefunc.Errorf(tilefunc.EINVALID, "unknown image format %q: use one of %v", name, FormatNames())
	}
	return f, nil
}

// types are the data types the format carries as they are; nil: any.
// Chosen automatically, PNG is bytes only, so that JPEG and PNG tiles of
// one layer look alike (titiler's rule).
func (f Format) types(auto bool) map[raster.DataType]bool {
	switch {
	case f.Name == "png" && auto:
		return map[raster.DataType]bool{raster.Uint8: true}
	case f.Name == "png":
		return map[raster.DataType]bool{raster.Uint8: true, raster.Uint16: true}
	case f.driver == "jpeg", f.driver == "webp":
		return map[raster.DataType]bool{raster.Uint8: true}
	case f.driver == "jp2":
		return map[raster.DataType]bool{raster.Uint8: true, raster.Int16: true, raster.Uint16: true}
	}
	return nil
}

// Encode writes the picture in the format: its bands, then the mask as an
// alpha band when asked (never in JPEG), the mask cast to the bands' type
// as numpy casts it (so a float image's mask is 0 in bytes, as titiler's).
// PNG lays the bands out as GDAL's PNG driver does: one band grey, two
// grey and alpha, three RGB, four RGBA; 16-bit values make a 16-bit PNG.
func (pic *picture) Encode(f Format, withMask bool) ([]byte, error) {
	img := pic.img
	withMask = withMask && f.driver != "jpeg"
	if f.driver == "webp" && img.Count() == 1 {
		img = repeatBand(img, 3)
	}
	if err := f.checkBands(img.Count(), withMask); err != nil {
		return nil, err
	}
	bands := img.Bands
	if withMask {
		bands = append(bands[:len(bands):len(bands)], pic.castMask(img.Type, f.driver == "png"))
	}
	switch f.driver {
	case "png":
		if f.Name == "pngraw" && img.Type != raster.Uint8 && img.Type != raster.Uint16 {
			return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "pngraw holds uint8 or uint16 values, not %s: add rescale, or use tif or npy", img.Type)
		}
		return writePNG(bands, img.Width, img.Height, img.Type == raster.Uint16)
	case "jpeg":
		return encodeJPEG(img)
	case "npy":
		return encodeNPY(img, bands)
	}
	return encodeGDAL(img, bands, withMask, f.driver)
}

// castMask is the mask in the data's type; a 16-bit PNG's mask is scaled
// from 0-255 to 0-65535 first (rio-tiler keeps masks in bytes).
func (pic *picture) castMask(t raster.DataType, png bool) []float64 {
	out := make([]float64, len(pic.mask))
	for p, v := range pic.mask {
		if png && t == raster.Uint16 {
			out[p] = raster.Uint16.Cast(raster.LinearRescale(v, [2]float64{0, 255}, [2]float64{0, 65535}))
			continue
		}
		out[p] = raster.Convert(v, pic.maskType, t)
	}
	return out
}

func repeatBand(img *raster.Image, n int) *raster.Image {
	out := *img
	out.Bands, out.Valid = nil, nil
	for i := 0; i < n; i++ {
		out.Bands = append(out.Bands, img.Bands[0])
		out.Valid = append(out.Valid, img.Valid[0])
	}
	return &out
}

// gdalTypes are numpy's type names as GDAL's types: the types tilefunc
// reads (numpyTypes) are the types it writes.
var gdalTypes = func() map[raster.DataType]godal.DataType {
	out := make(map[raster.DataType]godal.DataType, len(numpyTypes))
	for g, t := range numpyTypes {
		if _, ok := out[t]; ok {
			panic(fmt.Sprintf("tiles: numpyTypes gives %s for two GDAL types", t))
		}
		out[t] = g
	}
	return out
}()

// encodeGDAL writes the bands (the last one an alpha band when alpha) with
// one of GDAL's drivers: GeoTIFF (georeferenced), WebP (quality 75, as
// rio-tiler), JPEG 2000.
func encodeGDAL(img *raster.Image, bands [][]float64, alpha bool, driver string) ([]byte, error) {
	registerDrivers.Do(godal.RegisterAll)
	typ, ok := gdalTypes[img.Type]
	if !ok {
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "%s cannot hold %s values", driver, img.Type)
	}
	mem, err := godal.Create(godal.Memory, "", len(bands), typ, img.Width, img.Height)
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	if err := writeBands(mem, img, bands, alpha, driver == "gtiff"); err != nil {
		return nil, err
	}
	var sw []string
	switch driver {
	case "gtiff":
		sw = []string{"-of", "GTiff"}
	case "webp":
		sw = []string{"-of", "WEBP", "-co", "QUALITY=75"}
	case "jp2":
		sw = []string{"-of", "JP2OpenJPEG"}
	}
	path := vsimemPath(driver)
	out, err := mem.Translate(path, sw)
	if err != nil {
		godal.VSIUnlink(path)
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "%s cannot be written from %d %s bands: %v", driver, len(bands), img.Type, err)
	}
	if err := out.Close(); err != nil {
		godal.VSIUnlink(path)
		return nil, err
	}
	return readVSIMem(path)
}

func writeBands(ds *godal.Dataset, img *raster.Image, bands [][]float64, mask, georef bool) error {
	if georef && img.CRS != "" {
		if err := ds.SetGeoTransform(img.Transform()); err != nil {
			return err
		}
		sr, err := godal.NewSpatialRef(img.CRS)
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

// npyTypes are numpy's array-protocol type strings (little-endian).
var npyTypes = map[raster.DataType]string{
	raster.Uint8: "|u1", raster.Int8: "|i1", raster.Uint16: "<u2", raster.Int16: "<i2", raster.Uint32: "<u4",
	raster.Int32: "<i4", raster.Int64: "<i8", raster.Uint64: "<u8", raster.Float32: "<f4", raster.Float64: "<f8",
	raster.Bool: "|b1",
}

// encodeNPY writes numpy's .npy format (version 1.0): the bands (the
// image's, then the mask), shape (bands, height, width), C order, in the
// image's type.
func encodeNPY(img *raster.Image, bands [][]float64) ([]byte, error) {
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d, %d), }",
		npyTypes[img.Type], len(bands), img.Height, img.Width)
	// Magic, version, header length, header: a multiple of 64 bytes, the
	// header ending with a newline (numpy's alignment).
	pad := 64 - (10+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	out := make([]byte, 0, 10+len(header)+len(bands)*img.Pixels()*max(1, img.Type.Size()))
	out = append(out, "\x93NUMPY\x01\x00"...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(header)))
	out = append(out, header...)
	for _, vals := range bands {
		out = appendValues(out, vals, img.Type)
	}
	return out, nil
}

// appendValues appends values of type t, little-endian.
func appendValues(out []byte, vals []float64, t raster.DataType) []byte {
	le := binary.LittleEndian
	for _, v := range vals {
		switch t {
		case raster.Uint8, raster.Bool:
			out = append(out, uint8(v))
		case raster.Int8:
			out = append(out, uint8(int8(v)))
		case raster.Uint16:
			out = le.AppendUint16(out, uint16(v))
		case raster.Int16:
			out = le.AppendUint16(out, uint16(int16(v)))
		case raster.Uint32:
			out = le.AppendUint32(out, uint32(v))
		case raster.Int32:
			out = le.AppendUint32(out, uint32(int32(v)))
		case raster.Uint64, raster.Int64:
			out = le.AppendUint64(out, raster.IntBits(v, t))
		case raster.Float32:
			out = le.AppendUint32(out, math.Float32bits(float32(v)))
		default:
			out = le.AppendUint64(out, math.Float64bits(v))
		}
	}
	return out
}
