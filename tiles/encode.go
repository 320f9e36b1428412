package tiles

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"sort"
	"sync"

	"tilefunc"
)

// Format is an output image format.
type Format struct {
	Name      string // as in the URL: png, jpeg, ...
	MediaType string
}

var formats = map[string]Format{
	"png":    {"png", "image/png"},
	"jpeg":   {"jpeg", "image/jpeg"},
	"jpg":    {"jpeg", "image/jpeg"},
	"pngraw": {"pngraw", "image/png"},
	"webp":   {"webp", "image/webp"},
	"tif":    {"tif", "image/tiff; application=geotiff"},
	"tiff":   {"tif", "image/tiff; application=geotiff"},
	"npy":    {"npy", "application/x-binary"},
}

// ParseFormat returns the format named by a URL extension.
func ParseFormat(name string) (Format, error) {
	f, ok := formats[name]
	if !ok {
		names := make([]string, 0, len(formats))
		for n := range formats {
			names = append(names, n)
		}
		sort.Strings(names)
		return Format{}, tilefunc.Errorf(tilefunc.EINVALID, "unknown image format %q: use one of %v", name, names)
	}
	return f, nil
}

// DefaultFormat is what titiler picks when the URL names none: PNG when the
// image has transparent pixels, JPEG otherwise.
func DefaultFormat(img *Image, returnMask bool) Format {
	if returnMask && !full(img) {
		return formats["png"]
	}
	return formats["jpeg"]
}

// Render says how values become 8-bit pixels.
type Render struct {
	Rescale    [][2]float64 // per band; one range applies to every band
	ReturnMask bool         // transparent where no item has data
}

var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngPool{}}

// Encode turns img into the bytes of an image file.
func Encode(img *Image, f Format, r Render) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch f.Name {
	case "png":
		err = pngEncoder.Encode(&buf, toImage(img, r, r.ReturnMask))
	case "jpeg":
		err = jpeg.Encode(&buf, toImage(img, r, false), &jpeg.Options{Quality: 85})
	case "pngraw":
		return encodePNGRaw(img, r)
	case "webp":
		return encodeWEBP(img, r)
	case "tif":
		return encodeGTiff(img, r)
	case "npy":
		return encodeNPY(img, r)
	}
	return buf.Bytes(), err
}

// toImage scales each band to 0-255: one band is gray, three or more are
// RGB from the first three.
func toImage(img *Image, r Render, alpha bool) image.Image {
	w, h := img.Width, img.Height
	bands := img.Bands
	if len(bands) >= 3 {
		bands = bands[:3]
	} else {
		bands = bands[:1]
	}
	scaled := make([][]uint8, len(bands))
	for b, vals := range bands {
		scaled[b] = toBytes(vals, r.rescale(b))
	}
	if len(scaled) == 1 && !alpha {
		return &image.Gray{Pix: scaled[0], Stride: w, Rect: image.Rect(0, 0, w, h)}
	}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for p := 0; p < w*h; p++ {
		px := out.Pix[p*4 : p*4+4]
		px[0] = scaled[0][p]
		px[1] = scaled[min(1, len(scaled)-1)][p]
		px[2] = scaled[min(2, len(scaled)-1)][p]
		px[3] = 255
		if alpha && !img.Valid[p] {
			px[3] = 0
		}
	}
	return out // all-opaque NRGBA is written as RGB by image/png
}

func (r Render) rescale(band int) *[2]float64 {
	switch {
	case len(r.Rescale) == 0:
		return nil
	case band < len(r.Rescale):
		return &r.Rescale[band]
	default:
		return &r.Rescale[0]
	}
}

// toBytes maps values linearly from the rescale range to 0-255, clipping;
// without a range, values are clipped to 0-255.
func toBytes(vals []float32, rng *[2]float64) []uint8 {
	out := make([]uint8, len(vals))
	lo, scale := 0.0, 1.0
	if rng != nil && rng[1] != rng[0] {
		lo, scale = rng[0], 255/(rng[1]-rng[0])
	}
	for i, v := range vals {
		x := math.Round((float64(v) - lo) * scale)
		out[i] = uint8(math.Max(0, math.Min(255, x)))
	}
	return out
}

// pngPool reuses the PNG encoder's buffers across tiles.
type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	if b, ok := p.p.Get().(*png.EncoderBuffer); ok {
		return b
	}
	return nil
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }
