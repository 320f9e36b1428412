package algorithm

import "tilefunc/tiles/raster"

// normalizedIndex is titiler's NormalizedIndex: (b2 - b1) / (b2 + b1).
type normalizedIndex struct{ dtype raster.DataType }

func newNormalizedIndex(p params) (Algorithm, error) {
	t, err := outputType("normalizedIndex", p)
	return normalizedIndex{t}, err
}

func (normalizedIndex) Buffer() int { return 0 }

// Apply computes in float32 from the first two bands. The output is masked
// where either band is, where the sum is 0 and where the index is not
// finite (numpy.ma's division); there it holds b2 - b1.
func (n normalizedIndex) Apply(img *raster.Image) (*raster.Image, error) {
	if img.Count() < 2 {
		return nil, unusable("normalizedIndex", "needs 2 bands, got %d", img.Count())
	}
	const f32 = raster.Float32
	b1, b2 := pixels(img, 0, f32), pixels(img, 1, f32)
	out := fresh(img, 1, n.dtype)
	for p := range b1 {
		q := divide(arith(b2[p], b1[p], f32, minus), arith(b2[p], b1[p], f32, plus), f32)
		set(out, 0, p, q, f32)
	}
	d1, d2 := description(img, 0), description(img, 1)
	out.Descriptions = []string{"(" + d2 + " - " + d1 + ") / (" + d2 + " + " + d1 + ")"}
	return out, nil
}

// description is what band b is (rio-tiler's band_descriptions), b1... when
// the image does not say.
func description(img *raster.Image, b int) string {
	if b < len(img.Descriptions) {
		return img.Descriptions[b]
	}
	return raster.DefaultNames(b + 1)[b]
}
