package expression

import (
	"math"
	"math/big"
)

// function is one of numexpr's functions, as an expression may call it.
type function struct {
	op      string // numexpr's operation: numpy's name for the function (abs is absolute)
	arity   int
	minKind kind // the narrowest kind it computes in (numexpr's minkind); kBool: none
	maxKind kind // the widest (maxkind); kComplex: none
	// keepInt: integers in give integers out; for the others numexpr
	// computes integers as float64.
	keepInt bool
	boolOut bool   // the result is a truth value (isnan...)
	refuse  string // why tilefunc refuses it, when it cannot give one real value per pixel
	// On arrays of floats it is one of these, computed as glibc computes
	// it, with glibc's NaNs as nan says (none for copy, ones_like and
	// where, which numexpr has for every kind, nor real and imag).
	float1 func(float64) float64
	float2 func(a, b float64) float64
	test   func(float64) bool // a truth value of a float
	nan    nanRule
	// numpy is what numpy gives for constant arguments.
	numpy func(args []scalar) (scalar, error)
}

// functions are numexpr's (the names rio-tiler lets an expression call).
var functions = map[string]*function{
	"copy":      {op: "copy", arity: 1, minKind: kBool, maxKind: kComplex, keepInt: true},
	"ones_like": {op: "ones_like", arity: 1, minKind: kBool, maxKind: kComplex, keepInt: true},
	"sqrt":      floatFunc("sqrt", math.Sqrt, nanNegative),
	"sin":       floatFunc("sin", sin, nanNegative),
	"cos":       floatFunc("cos", cos, nanNegative),
	"tan":       floatFunc("tan", tan, nanNegative),
	"arcsin":    floatFunc("arcsin", asin, nanPositive),
	"arccos":    floatFunc("arccos", acos, nanPositive),
	"arctan":    floatFunc("arctan", math.Atan, nanPositive),
	"sinh":      floatFunc("sinh", math.Sinh, nanPositive),
	"cosh":      floatFunc("cosh", math.Cosh, nanPositive),
	"tanh":      floatFunc("tanh", math.Tanh, nanPositive),
	"arcsinh":   floatFunc("arcsinh", math.Asinh, nanPositive),
	"arccosh":   floatFunc("arccosh", math.Acosh, nanNegative),
	"arctanh":   floatFunc("arctanh", math.Atanh, nanNegative),
	"log":       floatFunc("log", log, nanNegative32),
	"log1p":     floatFunc("log1p", math.Log1p, nanNegative),
	"log10":     floatFunc("log10", log10, nanPositive),
	"log2":      floatFunc("log2", log2, nanNegative32),
	"exp":       floatFunc("exp", exp, nanPositive),
	"expm1":     floatFunc("expm1", math.Expm1, nanPositive),
	"fmod":      {op: "fmod", arity: 2, minKind: kFloat, maxKind: kComplex, float2: math.Mod, nan: nanNegative, numpy: numpyFmod},
	"arctan2":   floatFunc2("arctan2", kFloat, math.Atan2, nanPositive),
	"hypot":     floatFunc2("hypot", kDouble, hypot, nanAsGo),
	"nextafter": floatFunc2("nextafter", kDouble, math.Nextafter, nanPositive),
	"copysign":  floatFunc2("copysign", kDouble, math.Copysign, nanAsGo),
	"maximum":   extreme("maximum", fmax, true),
	"minimum":   extreme("minimum", fmin, false),
	"abs":       intOrFloat(function{op: "absolute", minKind: kFloat, maxKind: kComplex, float1: math.Abs, nan: nanAsGo}, absInt64, bigAbs),
	"ceil":      intOrFloat(function{op: "ceil", minKind: kFloat, maxKind: kDouble, float1: math.Ceil, nan: nanPositive}, same, bigSame),
	"floor":     intOrFloat(function{op: "floor", minKind: kFloat, maxKind: kDouble, float1: math.Floor, nan: nanPositive}, same, bigSame),
	"round":     intOrFloat(function{op: "round", minKind: kDouble, maxKind: kComplex, keepInt: true, float1: math.RoundToEven, nan: nanPositive}, same, nil),
	"trunc":     intOrFloat(function{op: "trunc", minKind: kDouble, maxKind: kComplex, float1: math.Trunc, nan: nanPositive}, same, bigSame),
	"sign":      intOrFloat(function{op: "sign", minKind: kDouble, maxKind: kComplex, keepInt: true, float1: signFloat, nan: nanAsGo}, signInt, bigSign),
	"where":     {op: "where", arity: 3},
	"real":      {op: "real", arity: 1, minKind: kDouble, maxKind: kDouble, numpy: numpyReal},
	"imag":      {op: "imag", arity: 1, minKind: kDouble, maxKind: kDouble, numpy: numpyImag},
	"conj":      intOrFloat(function{op: "conjugate", minKind: kComplex, maxKind: kComplex, float1: same64, nan: nanAsGo}, same, bigSame),
	"isnan":     boolFunc("isnan", math.IsNaN),
	"isfinite":  boolFunc("isfinite", isFinite),
	"isinf":     boolFunc("isinf", func(x float64) bool { return math.IsInf(x, 0) }),
	"signbit":   boolFunc("signbit", math.Signbit),
	"complex":   {refuse: "it makes complex numbers, which an image cannot hold"},
	"contains":  {refuse: "it searches strings, and bands hold numbers"},
	"sum":       {refuse: "it reduces a whole band to one value, which is not an image"},
	"prod":      {refuse: "it reduces a whole band to one value, which is not an image"},
	"min":       {refuse: "it reduces a whole band to one value, which is not an image (use minimum(a, b))"},
	"max":       {refuse: "it reduces a whole band to one value, which is not an image (use maximum(a, b))"},
}

// floatFunc is a function of one argument computed in floating point.
// numpy takes a Python int up to 2^64 (as uint64) and no larger.
func floatFunc(op string, f func(float64) float64, nan nanRule) *function {
	return &function{op: op, arity: 1, minKind: kFloat, maxKind: kComplex, float1: f, nan: nan,
		numpy: func(a []scalar) (scalar, error) {
			x, err := uint64Float(a[0])
			return npF(f(x)), err
		}}
}

// floatFunc2 is a function of two arguments computed in floating point;
// numpy converts Python ints of any size to float64.
func floatFunc2(op string, minKind kind, f func(a, b float64) float64, nan nanRule) *function {
	return &function{op: op, arity: 2, minKind: minKind, maxKind: kComplex, float2: f, nan: nan,
		numpy: func(a []scalar) (scalar, error) {
			x, y, err := floats(a[0], a[1])
			return npF(f(x, y)), err
		}}
}

// boolFunc is a truth value of a float (isnan...).
func boolFunc(op string, f func(float64) bool) *function {
	return &function{op: op, arity: 1, minKind: kDouble, maxKind: kComplex, boolOut: true, test: f,
		numpy: func(a []scalar) (scalar, error) {
			x, err := uint64Float(a[0])
			return npB(f(x)), err
		}}
}

// uint64Float is a constant as numpy converts it for a floating-point
// function: a Python int beyond int64 only if it fits uint64.
func uint64Float(s scalar) (float64, error) {
	if s.big != nil && (s.big.Sign() < 0 || s.big.BitLen() > 64) {
		return 0, errTooLarge
	}
	return s.toFloat()
}

// intOrFloat is fn, a function of one argument, which numpy computes in
// int64 for integers (i) and in float64 for floats (fn.float1); for a
// Python int beyond 64 bits numpy calls the int's own method (b), or
// fails (nil b).
func intOrFloat(fn function, i func(int64) int64, b func(*big.Int) (scalar, error)) *function {
	f := fn.float1
	fn.arity = 1
	fn.numpy = func(a []scalar) (scalar, error) {
		switch {
		case a[0].big != nil && b == nil:
			return scalar{}, errTooLarge
		case a[0].big != nil:
			return b(a[0].big)
		case a[0].isFloat():
			return npF(f(a[0].f)), nil
		}
		return npI(i(a[0].i)), nil
	}
	return &fn
}

func bigSame(x *big.Int) (scalar, error) { return pyBig(x) }
func bigAbs(x *big.Int) (scalar, error)  { return pyBig(new(big.Int).Abs(x)) }
func bigSign(x *big.Int) (scalar, error) { return pyI(int64(x.Sign())), nil }

// bothFloats is a and b as float64 when one is a float (numpy's
// float64 loop), and whether one is; two integers must fit int64.
func bothFloats(a, b scalar) (x, y float64, isFloat bool, err error) {
	if !a.isFloat() && !b.isFloat() {
		if a.big != nil || b.big != nil {
			return 0, 0, false, errConst("Python int too large to convert to C long")
		}
		return 0, 0, false, nil
	}
	x, y, err = floats(a, b)
	return x, y, true, err
}

func numpyFmod(a []scalar) (scalar, error) {
	if x, y, ok, err := bothFloats(a[0], a[1]); ok || err != nil {
		return npF(math.Mod(x, y)), err
	}
	if a[1].i == 0 {
		return npI(0), nil // numpy warns and gives 0
	}
	return npI(a[0].i % a[1].i), nil // C's fmod: the sign of the dividend
}

// extreme is maximum (larger) or minimum, numexpr's own on arrays (a
// positive NaN if either is NaN); of two constants, numpy's int64 of two
// integers, else float64.
func extreme(op string, f func(a, b float64) float64, larger bool) *function {
	return &function{op: op, arity: 2, minKind: kDouble, maxKind: kComplex, float2: f, nan: nanAsGo,
		numpy: func(a []scalar) (scalar, error) {
			if x, y, ok, err := bothFloats(a[0], a[1]); ok || err != nil {
				return npF(f(x, y)), err
			}
			return npI(pick((a[0].i > a[1].i) == larger, a[0].i, a[1].i)), nil
		}}
}

// numpyReal and numpyImag take Python's .real and .imag of a number,
// which keep its type.
func numpyReal(a []scalar) (scalar, error) { return a[0], nil }

func numpyImag(a []scalar) (scalar, error) { return scalar{t: a[0].t}, nil }

func same(x int64) int64 { return x }

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func signInt(x int64) int64 { return int64(cmpInt(x, 0)) }

// signFloat is numexpr's sign: NaN is NaN (a positive one) and both
// zeros give 0.
func signFloat(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return math.NaN()
}

func isFinite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }

// fmax and fmin are numexpr's maximum and minimum: NaN if either is NaN.
func fmax(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Max(a, b)
}

func fmin(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Min(a, b)
}
