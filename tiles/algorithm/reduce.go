package algorithm

import (
	"math"
	"sort"

	"tilefunc/tiles/raster"
)

// reduction is one of titiler's numpy.ma reductions along the bands axis.
type reduction struct {
	name string
	typ  func(in raster.DataType) raster.DataType // the output type
	// at is one pixel, in the output type; scratch has room for a value a
	// band (median sorts there), reused from pixel to pixel.
	at func(bands []px, in raster.DataType, scratch []float64) px
}

// reduce is a reduction as an Algorithm.
type reduce struct{ reduction }

func reducer(r reduction) func(params) (Algorithm, error) {
	return func(params) (Algorithm, error) { return reduce{r}, nil }
}

func (reduce) Buffer() int { return 0 }

func (r reduce) Apply(img *raster.Image) (*raster.Image, error) {
	out := img.Like(1, r.typ(img.Type))
	bands := make([]px, img.Count())
	scratch := make([]float64, img.Count())
	for p := 0; p < img.Pixels(); p++ {
		for b := range bands {
			bands[b] = px{img.Bands[b][p], !img.Valid[b][p]}
		}
		v := r.at(bands, img.Type, scratch)
		out.Bands[0][p], out.Valid[0][p] = v.v, !v.masked
	}
	out.Descriptions = []string{r.name}
	return out, nil
}

func same(t raster.DataType) raster.DataType { return t }

func float64Type(raster.DataType) raster.DataType { return raster.Float64 }

// floatOr64 keeps a float type and makes anything else float64.
func floatOr64(t raster.DataType) raster.DataType {
	if t.Integer() {
		return raster.Float64
	}
	return t
}

// sumType is the type numpy sums in: 64-bit integers, or the float type.
func sumType(t raster.DataType) raster.DataType {
	switch t {
	case raster.Uint8, raster.Uint16, raster.Uint32, raster.Uint64:
		return raster.Uint64
	case raster.Float32, raster.Float64:
		return t
	}
	return raster.Int64
}

// fillValue is numpy.ma's default fill value for t, which min and max
// leave where every band is masked: 1e20, or 999999 wrapped to t.
func fillValue(t raster.DataType) float64 {
	switch {
	case t == raster.Bool:
		return 1
	case t.Integer():
		return raster.Convert(999999, raster.Int64, t)
	}
	return t.Cast(1e20)
}

// extreme is MaskedArray.min or max: over the unmasked bands, NaN wins.
func extreme(pick func(a, b float64) float64) func([]px, raster.DataType) px {
	return func(bands []px, t raster.DataType) px {
		acc, seen := 0.0, false
		for _, v := range bands {
			switch {
			case v.masked:
			case !seen:
				acc, seen = v.v, true
			default:
				acc = pick(acc, v.v)
			}
		}
		if !seen {
			return px{fillValue(t), true}
		}
		return num(acc)
	}
}

// total is MaskedArray.sum in type t: masked bands count as 0, added in
// band order; masked where every band is.
func total(bands []px, t raster.DataType) px {
	acc, all := 0.0, true
	for b, v := range bands {
		x := 0.0
		if !v.masked {
			x, all = v.v, false
		}
		if b == 0 {
			acc = t.Cast(x)
		} else {
			acc = t.Cast(acc + x)
		}
	}
	return px{acc, all}
}

func count(bands []px) int {
	n := 0
	for _, v := range bands {
		if !v.masked {
			n++
		}
	}
	return n
}

// mean is MaskedArray.mean: the sum (in float64 for integers), times 1.0,
// divided by the count; masked (and 0) where every band is.
func mean(bands []px, t raster.DataType) px {
	const f64 = raster.Float64
	s := arith(total(bands, floatOr64(t)), num(1), f64, times)
	return divide(s, num(float64(count(bands))), f64)
}

// variance is MaskedArray.var with ddof=1: squared deviations from the
// mean, summed, divided by count-1. numpy replaces the mask of that
// division by "fewer than two unmasked bands": a mean that is not finite
// masks every deviation (the sum is then 0) but not the variance.
func variance(bands []px, t raster.DataType) px {
	const f64 = raster.Float64
	m := mean(bands, t)
	// numpy's danom *= danom, then the sum: each deviation squared and
	// added as total adds, in band order, a masked one as 0. float64():
	// numpy squares, then adds, each rounded.
	s := px{0, true}
	for b, v := range bands {
		d := arith(v, m, f64, minus)
		x := 0.0
		if !d.masked {
			x, s.masked = float64(d.v*d.v), false
		}
		if b == 0 {
			s.v = x
		} else {
			s.v += x
		}
	}
	n := count(bands) - 1
	q := divide(s, num(float64(n)), f64)
	q.masked = n < 1 // every band masked (n = -1), or one band left (n = 0)
	return q
}

// deviation is numpy.ma.sqrt of the variance: masked where the variance
// is, or where the root is not finite; a masked pixel holds the variance.
func deviation(bands []px, t raster.DataType) px {
	v := variance(bands, t)
	s := math.Sqrt(v.v)
	if v.masked || v.v < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return px{v.v, true}
	}
	return num(s)
}

// median is numpy.ma.median: the middle unmasked value, or the mean of the
// two middle ones (summed in t for floats, in float64 for integers); NaN
// if an unmasked band is NaN; masked (and 0) where every band is.
func median(bands []px, t raster.DataType, scratch []float64) px {
	xs := scratch[:0]
	hasNaN := false
	for _, v := range bands {
		if !v.masked {
			xs = append(xs, v.v)
			hasNaN = hasNaN || math.IsNaN(v.v)
		}
	}
	if len(xs) == 0 {
		return px{0, true}
	}
	sort.Float64s(xs)
	lo, hi := xs[(len(xs)-1)/2], xs[len(xs)/2]
	if hasNaN {
		return num(math.NaN())
	}
	if t.Integer() {
		return num((lo + hi) / 2)
	}
	return num(t.Cast(t.Cast(lo+hi) / 2))
}

var (
	bandMin    = reduction{"min", same, bandsOnly(extreme(nanMin))}
	bandMax    = reduction{"max", same, bandsOnly(extreme(nanMax))}
	bandMedian = reduction{"median", floatOr64, median}
	bandMean   = reduction{"mean", float64Type, bandsOnly(mean)}
	bandStd    = reduction{"std", float64Type, bandsOnly(deviation)}
	bandVar    = reduction{"var", float64Type, bandsOnly(variance)}
	bandSum    = reduction{"sum", sumType, bandsOnly(func(b []px, t raster.DataType) px { return total(b, sumType(t)) })}
)

// bandsOnly is a reduction's at for f, which needs no scratch.
func bandsOnly(f func([]px, raster.DataType) px) func([]px, raster.DataType, []float64) px {
	return func(bands []px, t raster.DataType, _ []float64) px { return f(bands, t) }
}
