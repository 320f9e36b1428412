package expression

import (
	"math"
)

// slot is one stack slot of the machine: a chunk of values, integers and
// bools in i, floats in f (float32 values rounded, kept as float64).
type slot struct {
	i []int64
	f []float64
}

// opFunc computes an operation over n values of its argument slots into
// dst, which is the first argument's slot (element by element, so reading
// and writing the same slot is safe).
type opFunc func(dst *slot, args []*slot, n int)

// ops are the operations numexpr's virtual machine has, by signature:
// operation_result+arguments in numexpr's one-letter kinds (add_ddd adds
// two float64 into a float64), computed as numexpr computes them: int32
// arithmetic wraps, integer division by zero gives 0, float32 rounds
// after every step. Only real-valued ones are here: complex and string
// operations are refused before a signature is looked for. real_dd and
// imag_dd stand for numexpr's real_dc and imag_dc, which take a complex
// cast of a real argument: the values are the same.
var ops = map[string]opFunc{}

func init() {
	for _, k := range []kind{kInt, kLong} {
		w := wrapper(k)
		c := string(k.code())
		ops["add_"+c+c+c] = intOp2(func(a, b int64) int64 { return w(a + b) })
		ops["sub_"+c+c+c] = intOp2(func(a, b int64) int64 { return w(a - b) })
		ops["mul_"+c+c+c] = intOp2(func(a, b int64) int64 { return w(a * b) })
		ops["div_"+c+c+c] = intOp2(func(a, b int64) int64 { return w(cDiv(a, b)) })
		ops["mod_"+c+c+c] = intOp2(func(a, b int64) int64 { return cMod(a, b, w) })
		ops["floordiv_"+c+c+c] = intOp2(func(a, b int64) int64 { return w(cFloorDiv(a, b)) })
		ops["pow_"+c+c+c] = intOp2(intPower(k))
		ops["and_"+c+c+c] = intOp2(func(a, b int64) int64 { return a & b })
		ops["or_"+c+c+c] = intOp2(func(a, b int64) int64 { return a | b })
		ops["xor_"+c+c+c] = intOp2(func(a, b int64) int64 { return a ^ b })
		ops["neg_"+c+c] = intOp1(func(a int64) int64 { return w(-a) })
		ops["invert_"+c+c] = intOp1(func(a int64) int64 { return ^a })
		ops["copy_"+c+c] = intOp1(same)
		ops["ones_like_"+c+c] = intOp1(func(int64) int64 { return 1 })
		ops["absolute_"+c+c] = intOp1(func(a int64) int64 { return w(absInt64(a)) })
		ops["sign_"+c+c] = intOp1(signInt)
		ops["round_"+c+c] = intOp1(same)
		ops["where_"+c+"b"+c+c] = whereInt
		addComparisons(c, intCompare)
	}
	ops["invert_bb"] = intOp1(func(a int64) int64 { return 1 - a })
	ops["and_bbb"] = intOp2(func(a, b int64) int64 { return a & b })
	ops["or_bbb"] = intOp2(func(a, b int64) int64 { return a | b })
	ops["xor_bbb"] = intOp2(func(a, b int64) int64 { return a ^ b })
	ops["eq_bbb"] = intCompare(func(c int) bool { return c == 0 }, false)
	ops["ne_bbb"] = intCompare(func(c int) bool { return c != 0 }, true)
	ops["copy_bb"] = intOp1(same)
	ops["where_bbbb"] = whereInt
	ops["cast_ib"] = intOp1(same)
	ops["cast_li"] = intOp1(same)
	ops["cast_fi"] = toFloat(round32)
	ops["cast_fl"] = func(dst *slot, a []*slot, n int) {
		for j := 0; j < n; j++ {
			dst.f[j] = float64(float32(a[0].i[j])) // one rounding, from the integer
		}
	}
	ops["cast_di"] = toFloat(same64)
	ops["cast_dl"] = toFloat(same64)
	ops["cast_df"] = floatOp1(same64)
	for _, k := range []kind{kFloat, kDouble} {
		addFloatOps(k)
	}
	ops["real_dd"] = floatOp1(same64)
	ops["imag_dd"] = floatOp1(func(float64) float64 { return 0 })
}

func addComparisons(c string, cmp func(func(int) bool, bool) opFunc) {
	ops["gt_b"+c+c] = cmp(func(c int) bool { return c > 0 }, false)
	ops["ge_b"+c+c] = cmp(func(c int) bool { return c >= 0 }, false)
	ops["eq_b"+c+c] = cmp(func(c int) bool { return c == 0 }, false)
	ops["ne_b"+c+c] = cmp(func(c int) bool { return c != 0 }, true)
}

// addFloatOps adds the operations of a float kind: each result rounded
// to the kind, as C computes float32 in float32.
func addFloatOps(k kind) {
	r := same64
	if k == kFloat {
		r = round32
	}
	c := string(k.code())
	ops["add_"+c+c+c] = floatOp2(func(a, b float64) float64 { return r(a + b) })
	ops["sub_"+c+c+c] = floatOp2(func(a, b float64) float64 { return r(a - b) })
	ops["mul_"+c+c+c] = floatOp2(func(a, b float64) float64 { return r(a * b) })
	ops["div_"+c+c+c] = floatOp2(func(a, b float64) float64 { return r(a / b) })
	ops["pow_"+c+c+c] = floatOp2(func(a, b float64) float64 { return r(pow(a, b)) })
	ops["mod_"+c+c+c] = floatOp2(floatMod(k))
	ops["floordiv_"+c+c+c] = floatOp2(func(a, b float64) float64 { return math.Floor(r(a / b)) })
	ops["neg_"+c+c] = floatOp1(func(a float64) float64 { return -a })
	ops["copy_"+c+c] = floatOp1(same64)
	ops["ones_like_"+c+c] = floatOp1(func(float64) float64 { return 1 })
	ops["where_"+c+"b"+c+c] = whereFloat
	addComparisons(c, floatCompare)
	// numexpr's functions of floats, from their table (functions).
	for _, fn := range functions {
		switch {
		case fn.float1 != nil:
			f := fn.nan.unary(fn.float1, k)
			ops[fn.op+"_"+c+c] = floatOp1(func(a float64) float64 { return r(f(a)) })
		case fn.float2 != nil:
			f := fn.float2
			if fn.op == "nextafter" && k == kFloat {
				f = nextafter32
			}
			f = fn.nan.binary(f, k)
			ops[fn.op+"_"+c+c+c] = floatOp2(func(a, b float64) float64 { return r(f(a, b)) })
		case fn.test != nil:
			f := fn.test
			ops[fn.op+"_b"+c] = func(dst *slot, a []*slot, n int) {
				for j := 0; j < n; j++ {
					dst.i[j] = b2i(f(a[0].f[j]))
				}
			}
		}
	}
}

func nextafter32(a, b float64) float64 {
	return float64(math.Nextafter32(float32(a), float32(b)))
}

// The sign of a NaN shows through signbit() and copysign(). On x86-64 a
// NaN from arithmetic is negative, glibc's functions give back a NaN
// argument as it is, and their domain errors (log1p(-2), fmod(x, 0)) are
// positive or negative NaNs by function; Go's functions return a
// positive NaN for all of these.

// defaultNaN is x86's NaN of an invalid operation: negative.
var defaultNaN = math.Float64frombits(0xFFF8000000000000)

// nanRule is how glibc's function gives NaNs: a NaN argument back as it
// is, and a domain error (log1p(-2), fmod(x, 0)) as a positive or a
// negative NaN by function (found by running numexpr).
type nanRule uint8

const (
	nanPositive   nanRule = iota // a domain error is a positive NaN
	nanNegative                  // a domain error is x86's negative NaN
	nanNegative32                // negative in float32 (logf, log2f), positive in float64
	// nanAsGo: the Go function's NaNs are the ones to give. abs and sign
	// decide their NaN's sign, copysign and hypot need not give a NaN for
	// a NaN, maximum and minimum are numexpr's own (a positive NaN).
	nanAsGo
)

// unary is f with glibc's NaNs, for kind k.
func (r nanRule) unary(f func(float64) float64, k kind) func(float64) float64 {
	if r == nanAsGo {
		return f
	}
	return glibcNaN1(f, r.negative(k))
}

// binary is f with glibc's NaNs, for kind k.
func (r nanRule) binary(f func(a, b float64) float64, k kind) func(a, b float64) float64 {
	if r == nanAsGo {
		return f
	}
	return glibcNaN2(f, r.negative(k))
}

func (r nanRule) negative(k kind) bool {
	return r == nanNegative || r == nanNegative32 && k == kFloat
}

// glibcNaN1 gives f's NaNs glibc's signs.
func glibcNaN1(f func(float64) float64, negative bool) func(float64) float64 {
	return func(x float64) float64 {
		if math.IsNaN(x) {
			return x
		}
		return domainNaN(f(x), negative)
	}
}

func glibcNaN2(f func(a, b float64) float64, negative bool) func(a, b float64) float64 {
	return func(a, b float64) float64 {
		switch {
		case math.IsNaN(a):
			return a
		case math.IsNaN(b):
			return b
		}
		return domainNaN(f(a, b), negative)
	}
}

func domainNaN(r float64, negative bool) float64 {
	if !math.IsNaN(r) {
		return r
	}
	if negative {
		return defaultNaN
	}
	return math.NaN()
}

// floatMod is numexpr's % on floats, a - floor(a/b)*b (not Python's),
// every step rounded: the conversions keep Go from fusing the multiply
// and the subtraction.
func floatMod(k kind) func(a, b float64) float64 {
	if k == kFloat {
		return func(a, b float64) float64 {
			q := float32(a) / float32(b)
			p := float32(float64(math.Floor(float64(q))) * b)
			return float64(float32(a) - p)
		}
	}
	return func(a, b float64) float64 {
		p := float64(math.Floor(a/b) * b)
		return a - p
	}
}

func same64(x float64) float64 { return x }

func round32(x float64) float64 { return float64(float32(x)) }

// wrapper wraps an integer result to the kind's width.
func wrapper(k kind) func(int64) int64 {
	if k == kInt {
		return func(x int64) int64 { return int64(int32(x)) }
	}
	return same
}

// cDiv is C's integer division with numexpr's 0 for a zero divisor.
func cDiv(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// cMod is numexpr's integer %: ((a % b) + b) % b, which gives the
// divisor's sign, and 0 for a zero divisor; the sum wraps like the kind.
func cMod(a, b int64, w func(int64) int64) int64 {
	if b == 0 {
		return 0
	}
	return w(w(a%b+b) % b)
}

// cFloorDiv is numexpr's integer //: C's division moved down by one when
// it was rounded toward zero from a negative quotient, 0 for a zero
// divisor.
func cFloorDiv(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// intPower is numexpr's integer pow: the exact power when it fits the
// kind, else its smallest value (C's conversion of an out-of-range
// double), and for negative exponents 1/a in integers. numexpr crashes
// on 0 to a negative power; this gives 0.
func intPower(k kind) func(a, b int64) int64 {
	lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
	if k == kLong {
		lo, hi = math.MinInt64, math.MaxInt64
	}
	return func(a, b int64) int64 {
		if b < 0 {
			return cDiv(1, a)
		}
		r, over := powInt(a, b)
		if over || r < lo || r > hi {
			return lo
		}
		return r
	}
}

func intOp1(f func(int64) int64) opFunc {
	return func(dst *slot, a []*slot, n int) {
		for j, x := range a[0].i[:n] {
			dst.i[j] = f(x)
		}
	}
}

func intOp2(f func(a, b int64) int64) opFunc {
	return func(dst *slot, a []*slot, n int) {
		x, y := a[0].i[:n], a[1].i[:n]
		for j := range x {
			dst.i[j] = f(x[j], y[j])
		}
	}
}

func floatOp1(f func(float64) float64) opFunc {
	return func(dst *slot, a []*slot, n int) {
		for j, x := range a[0].f[:n] {
			dst.f[j] = f(x)
		}
	}
}

func floatOp2(f func(a, b float64) float64) opFunc {
	return func(dst *slot, a []*slot, n int) {
		x, y := a[0].f[:n], a[1].f[:n]
		for j := range x {
			dst.f[j] = f(x[j], y[j])
		}
	}
}

func toFloat(r func(float64) float64) opFunc {
	return func(dst *slot, a []*slot, n int) {
		for j, x := range a[0].i[:n] {
			dst.f[j] = r(float64(x))
		}
	}
}

// intCompare compares integers (or bools); unordered is unused, as
// integers are always ordered.
func intCompare(ok func(int) bool, _ bool) opFunc {
	return func(dst *slot, a []*slot, n int) {
		x, y := a[0].i[:n], a[1].i[:n]
		for j := range x {
			dst.i[j] = b2i(ok(cmpInt(x[j], y[j])))
		}
	}
}

// floatCompare compares floats: with a NaN only != holds (unordered).
func floatCompare(ok func(int) bool, unordered bool) opFunc {
	return func(dst *slot, a []*slot, n int) {
		x, y := a[0].f[:n], a[1].f[:n]
		for j := range x {
			c, ordered := cmpFloat(x[j], y[j])
			dst.i[j] = b2i(pick(ordered, ok(c), unordered))
		}
	}
}

func whereInt(dst *slot, a []*slot, n int) {
	c, x, y := a[0].i[:n], a[1].i[:n], a[2].i[:n]
	for j := range c {
		dst.i[j] = pick(c[j] != 0, x[j], y[j])
	}
}

func whereFloat(dst *slot, a []*slot, n int) {
	c, x, y := a[0].i[:n], a[1].f[:n], a[2].f[:n]
	for j := range c {
		dst.f[j] = pick(c[j] != 0, x[j], y[j])
	}
}
