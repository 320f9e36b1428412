package algorithm

import (
	"math"

	"tilefunc/tiles/raster"
)

// px is one pixel of a numpy.ma array as titiler's algorithms compute
// with it: the number numpy holds, at its array's precision, and the mask
// bit (true: no data, numpy's sense). numpy.ma keeps computing under the
// mask, and those numbers reach formats that write raw values (npy, tif),
// so each operation below follows numpy.ma's rule for masked pixels.
type px struct {
	v      float64
	masked bool
}

// num is a Python number, or an unmasked pixel.
func num(v float64) px { return px{v: v} }

// numpy.ma turns a Python scalar into a 0-d array of these types, which,
// unlike a bare scalar in plain numpy, takes part in type promotion.
const (
	pyFloatType = raster.Float64
	pyIntType   = raster.Int64
)

func plus(x, y float64) float64  { return x + y }
func minus(x, y float64) float64 { return x - y }
func times(x, y float64) float64 { return x * y }

// arith is numpy.ma's add, subtract and multiply: computed in t, and
// where either side is masked, the left side's data.
func arith(a, b px, t raster.DataType, op func(x, y float64) float64) px {
	if a.masked || b.masked {
		return px{t.Cast(a.v), true}
	}
	return px{t.Cast(op(a.v, b.v)), false}
}

// quotientType is the type true_divide gives: integers divide as float64.
func quotientType(a, b raster.DataType) raster.DataType {
	t := raster.Promote(a, b)
	if t.Integer() {
		return raster.Float64
	}
	return t
}

// tiny is np.finfo(float).tiny, the tolerance of numpy.ma's safe division.
const tiny = 0x1p-1022

// unsafeDivision is numpy.ma's _DomainSafeDivide: b too small to divide a
// (zero, mostly), computed in float64.
func unsafeDivision(a, b float64) bool { return math.Abs(a)*tiny >= math.Abs(b) }

// divide is numpy.ma's true_divide: masked where either side is, where the
// quotient is not finite and where the division is unsafe; a masked pixel
// holds a's data. numpy adds mask×a to every pixel, which turns an
// unmasked -0 into 0.
func divide(a, b px, t raster.DataType) px {
	q := t.Cast(a.v / b.v)
	if a.masked || b.masked || math.IsNaN(q) || math.IsInf(q, 0) || unsafeDivision(a.v, b.v) {
		return px{t.Cast(a.v), true}
	}
	return px{t.Cast(q + 0*a.v), false}
}

// apply is a numpy ufunc without a domain on a masked array: computed on
// the data of every pixel, masked or not, the mask kept.
func apply(a px, t raster.DataType, f func(float64) float64) px {
	return px{t.Cast(f(a.v)), a.masked}
}

// sqrt is numpy.sqrt on a masked array: its domain (x >= 0) is tested on
// the masked array and fails where x is masked, so masked pixels (and
// negative ones) become 0 and masked.
func sqrt(a px, t raster.DataType) px {
	if a.masked || a.v < 0 {
		return px{0, true}
	}
	return px{t.Cast(math.Sqrt(a.v)), false}
}

// pymod is numpy's remainder of floats: the sign of the divisor, as
// Python's %, and NaN for a zero divisor.
func pymod(a, b float64) float64 {
	m := math.Mod(a, b)
	switch {
	case b == 0:
		return math.NaN()
	case m == 0:
		return math.Copysign(0, b)
	case (b < 0) != (m < 0):
		return m + b
	}
	return m
}

// pi is read at run time so that pi/180 rounds as C computes NPY_PI/180.0.
var pi = math.Pi

// deg2rad and rad2deg are numpy's: one multiplication by a constant.
func deg2rad(x float64) float64 { return x * (pi / 180) }
func rad2deg(x float64) float64 { return x * (180 / pi) }
