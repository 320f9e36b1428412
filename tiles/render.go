package tiles

import (
	"tilefunc"
	"tilefunc/tiles/raster"
)

// Processor is a stage that turns an image into another: a color formula
// (tiles/colorformula) or a colormap (tiles/colormap).
type Processor interface {
	Apply(img *raster.Image) (*raster.Image, error)
}

// Style is how an image's values become a picture: titiler's rendering
// and colormap parameters.
type Style struct {
	Rescale      [][2]float64 // per band; when fewer ranges than bands, the first for every band
	ColorFormula Processor    // nil: none
	Colormap     Processor    // nil: none; its alpha is the mask, 0 where the image had no data
	ReturnMask   bool         // write the mask as an alpha band
}

// picture is an image ready to encode: its bands in the format's type, and
// the mask (alpha) in the type it was made in.
type picture struct {
	img      *raster.Image
	mask     []float64
	maskType raster.DataType
}

// picturize runs the picture stages of titiler's render_image on img:
// rescale, color formula, colormap; then, when the format cannot carry
// the values' type, rescales them to bytes from the type's range (or the
// dataset's statistics). With no format named it picks PNG when a pixel
// is masked, else JPEG, as titiler does.
func picturize(img *raster.Image, st Style, f *Format) (*picture, Format, error) {
	if img.Type == raster.Bool {
		// titiler answers 500 (no value range for booleans).
		return nil, Format{}, tilefunc.Errorf(tilefunc.EBADREQUEST, "the image is true/false values (a comparison): wrap it in where(condition, 1, 0) to draw it")
	}
	var err error
	if len(st.Rescale) > 0 {
		img = rescale(img, st.Rescale)
	}
	if st.ColorFormula != nil {
		if img, err = st.ColorFormula.Apply(img); err != nil {
			return nil, Format{}, err
		}
	}
	outRange := img.Stats
	if st.Colormap != nil {
		if img, err = st.Colormap.Apply(img); err != nil {
			return nil, Format{}, err
		}
		outRange = nil
	}
	pic := &picture{img: img, mask: img.Mask(), maskType: img.Type}
	auto := f == nil
	if auto {
		pick := formats["jpeg"]
		if lo, _ := pic.maskType.Range(); contains(pic.mask, lo) {
			pick = formats["png"]
		}
		f = &pick
	}
	if types := f.types(auto); types != nil && !types[pic.img.Type] {
		pic.img = toBytes(pic.img, pic.mask, outRange)
	}
	return pic, *f, nil
}

// rescale maps each band linearly from its range to 0-255 and makes the
// image bytes (rio-tiler's rescale_image): values outside the range are
// clipped, pixels without data become 0, the result is cut toward zero.
func rescale(img *raster.Image, ranges [][2]float64) *raster.Image {
	out := bytesFrom(img, ranges, func(b, p int) bool { return img.Valid[b][p] })
	if img.Alpha != nil {
		lo, hi := img.Type.Range()
		for p, v := range out.Alpha {
			out.Alpha[p] = raster.Uint8.Cast(raster.LinearRescale(v, [2]float64{lo, hi}, [2]float64{0, 255}))
		}
	}
	out.Stats = nil
	return out
}

// toBytes is titiler's rescale_array for a format that only carries
// bytes: each band from the range (the statistics, else the type's) to
// 0-255, 0 where the mask says no data.
func toBytes(img *raster.Image, mask []float64, stats [][2]float64) *raster.Image {
	ranges := stats
	if len(ranges) == 0 {
		lo, hi := img.Type.Range()
		ranges = [][2]float64{{lo, hi}}
	}
	// titiler indexes its 2-D mask by band here, which zeroes whole
	// columns; tilefunc zeroes the pixels without data only.
	return bytesFrom(img, ranges, func(_, p int) bool { return mask[p] != 0 })
}

// bytesFrom is a copy of img in bytes: each band mapped linearly from its
// range (the first range for every band when there are not as many as
// bands) to 0-255, cut toward zero; 0 where keep(band, pixel) is false.
func bytesFrom(img *raster.Image, ranges [][2]float64, keep func(b, p int) bool) *raster.Image {
	if len(ranges) != img.Count() {
		ranges = repeat(ranges[0], img.Count())
	}
	out := img.Clone()
	out.Type = raster.Uint8
	for b, vals := range out.Bands {
		for p, v := range vals {
			x := 0.0
			if keep(b, p) {
				x = raster.LinearRescale(v, ranges[b], [2]float64{0, 255})
			}
			vals[p] = raster.Uint8.Cast(x)
		}
	}
	return out
}

func repeat(r [2]float64, n int) [][2]float64 {
	out := make([][2]float64, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func contains(vs []float64, x float64) bool {
	for _, v := range vs {
		if v == x {
			return true
		}
	}
	return false
}

// checkBands refuses band counts a format cannot hold (titiler answers 500
// for them, or writes CMYK from four bands of JPEG).
func (f Format) checkBands(n int, mask bool) error {
	if mask {
		n++
	}
	ok := true
	switch f.Name {
	case "png", "pngraw":
		ok = n <= 4
	case "jpeg":
		ok = n == 1 || n == 3
	case "webp":
		ok = n == 3 || n == 4
	}
	if !ok {
		what := "bands"
		if mask {
			what = "bands with the mask"
		}
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "%s cannot hold %d %s: select 1 or 3 bands (bidx, expression) or another format", f.Name, n, what)
	}
	return nil
}

// Draw turns an image into the bytes of a picture: the picture stages,
// then the format's encoder (f nil: titiler's automatic PNG or JPEG).
// img is left as it was; its caller may recycle it after.
func Draw(img *raster.Image, st Style, f *Format) ([]byte, Format, error) {
	pic, format, err := picturize(img, st, f)
	if err != nil {
		return nil, format, err
	}
	body, err := pic.Encode(format, st.ReturnMask)
	pic.img.ReleaseMask(pic.mask)
	return body, format, err
}
