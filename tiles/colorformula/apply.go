package colorformula

import (
	"tilefunc"
	"tilefunc/tiles/raster"
)

// Apply runs the formula on img as rio-tiler's apply_color_formula does and
// returns a new uint8 image: negative values become 0; then each operation
// sees the bands scaled from the type's range to 0..1 and its result is
// scaled to 0..255 and truncated, so every operation after the first works
// on bytes. Masks, names and descriptions are kept; an alpha band of a
// wider type is rescaled to 0..255. Stats are dropped: they describe the
// source's values, not these bytes (rio-tiler keeps its dataset_statistics,
// but titiler never reads them for uint8 data).
//
// What color-operations only finds while applying is EBADREQUEST (titiler
// answers 500): data that is not integer, a band the image lacks, fewer
// than three bands for saturation, a missing argument, a gamma of 0 or
// less, a bias outside 0..1, a saturation so large colours overflow.
func (f Formula) Apply(img *raster.Image) (*raster.Image, error) {
	if len(f.ops) == 0 {
		return img, nil
	}
	if err := f.check(img); err != nil {
		return nil, err
	}
	out := img.Clone()
	out.Type, out.Stats = raster.Uint8, nil
	_, top := img.Type.Range()
	for _, band := range out.Bands {
		for p, v := range band {
			band[p] = max(v, 0) / top
		}
	}
	for i, op := range f.ops {
		if i > 0 {
			toUnit(out.Bands)
		}
		if err := op.run(out.Bands); err != nil {
			return nil, err
		}
		toBytes(out.Bands)
	}
	if img.Alpha != nil && img.Type != raster.Uint8 {
		alphaBytes(out.Alpha, img.Type)
	}
	return out, nil
}

// check finds what would make an operation fail on img before any work.
func (f Formula) check(img *raster.Image) error {
	if !img.Type.Integer() || img.Type == raster.Bool {
		return badRequest("the image is %s and color formulas work on integer data: rescale it first (rescale=min,max gives bytes)", img.Type)
	}
	for _, op := range f.ops {
		if err := op.check(img.Count()); err != nil {
			return err
		}
	}
	return nil
}

// toUnit is color-operations' to_math_type for bytes: 0..255 to 0..1.
func toUnit(bands [][]float64) {
	for _, band := range bands {
		for p, v := range band {
			band[p] = v / 255
		}
	}
}

// toBytes is color-operations' scale_dtype to uint8: 0..1 to 0..255,
// truncated, with what falls outside wrapping as numpy's cast wraps it.
func toBytes(bands [][]float64) {
	for _, band := range bands {
		for p, v := range band {
			band[p] = raster.Uint8.Cast(v * 255)
		}
	}
}

// alphaBytes rescales an alpha band, in place, from its type's range to
// 0..255 as rio-tiler's linear_rescale does, truncating.
func alphaBytes(alpha []float64, t raster.DataType) {
	lo, hi := t.Range()
	for p, v := range alpha {
		alpha[p] = raster.Uint8.Cast(raster.LinearRescale(v, [2]float64{lo, hi}, [2]float64{0, 255}))
	}
}

func badRequest(format string, args ...any) error {
	return tilefunc.Errorf(tilefunc.EBADREQUEST, "color_formula: "+format, args...)
}
