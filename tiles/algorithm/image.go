package algorithm

import "tilefunc/tiles/raster"

// luma is titiler's `b1 * 299 / 1000 + b2 * 587 / 1000 + b3 * 114 / 1000`
// through numpy.ma (integers promote with the int64 of numpy.ma's scalars);
// where a band is masked it holds what the first masked step kept.
func luma(r, g, b px, t raster.DataType) (px, raster.DataType) {
	prod := raster.Promote(t, pyIntType)
	q := quotientType(prod, pyIntType)
	term := func(x px, w float64) px { return divide(arith(x, num(w), prod, times), num(1000), q) }
	return arith(arith(term(r, 299), term(g, 587), q, plus), term(b, 114), q, plus), q
}

// grayscale is titiler's ToGrayScale: ITU-R 601-2 luma, in the input type.
type grayscale struct{}

func newGrayscale(params) (Algorithm, error) { return grayscale{}, nil }

func (grayscale) Buffer() int { return 0 }

func (grayscale) Apply(img *raster.Image) (*raster.Image, error) {
	if img.Count() < 3 {
		return nil, unusable("grayscale", "Cannot apply `grayscale` algorithm on image with %d bands.", img.Count())
	}
	out := img.Like(1, img.Type)
	for p := 0; p < img.Pixels(); p++ {
		l, q := luma(at(img, 0, p), at(img, 1, p), at(img, 2, p), img.Type)
		set(out, 0, p, l, q)
	}
	out.Descriptions = []string{"grayscale"}
	return out, nil
}

// bitonal is titiler's ToBitonal: 255 above 127 (of the luma of 3 bands,
// or of the one band), else 0; 0 where masked.
type bitonal struct{}

func newBitonal(params) (Algorithm, error) { return bitonal{}, nil }

func (bitonal) Buffer() int { return 0 }

func (bitonal) Apply(img *raster.Image) (*raster.Image, error) {
	if n := img.Count(); n != 1 && n != 3 {
		return nil, unusable("bitonal", "Cannot apply `bitonal` algorithm on image with %d bands.", n)
	}
	out := img.Like(1, raster.Uint8)
	for p := 0; p < img.Pixels(); p++ {
		v := at(img, 0, p)
		if img.Count() == 3 {
			v, _ = luma(v, at(img, 1, p), at(img, 2, p), img.Type)
		}
		// numpy.ma.where: a masked condition picks the 0.
		out.Valid[0][p] = !v.masked
		if !v.masked && v.v > 127 {
			out.Bands[0][p] = 255
		}
	}
	out.Descriptions = []string{"bitonal"}
	return out, nil
}

// at is pixel p of band b.
func at(img *raster.Image, b, p int) px { return px{img.Bands[b][p], !img.Valid[b][p]} }
