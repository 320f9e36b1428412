package expression

import (
	"math"
	"math/big"
	"sync"
)

// titiler computes pow, exp and the logarithms with glibc, whose results
// are the correctly rounded ones in all but rare cases; Go's math package
// is up to a few dozen units in the last place off for pow, and a few
// for log2 and log10. These compute in double-double arithmetic (a value
// as the unevaluated sum of two float64, about 106 bits) and round once,
// so that they agree with glibc. acos and asin take formulas that keep
// their precision near ±1, where Go's lose it.

// dd is a double-double: hi + lo with |lo| at most half an ulp of hi.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func (a dd) add(b dd) dd {
	s := twoSum(a.hi, b.hi)
	return quickTwoSum(s.hi, s.lo+a.lo+b.lo)
}

func (a dd) mul(b dd) dd {
	p := a.hi * b.hi
	e := math.FMA(a.hi, b.hi, -p)
	return quickTwoSum(p, e+a.hi*b.lo+a.lo*b.hi)
}

func (a dd) scale(f float64) dd { return dd{a.hi * f, a.lo * f} } // f a power of two

// log 2, 1/log 2 and 1/log 10, and 1/n! for exp's series, as
// double-doubles: log 2 is 2·atanh(1/3) and log 10 is 3·log 2 +
// 2·atanh(1/9), to 256 bits (TestDoubleDoubleConstants derives them all).
var (
	ln2dd     = dd{0x1.62e42fefa39efp-01, 0x1.abc9e3b39803fp-56}
	invLn2dd  = dd{0x1.71547652b82fep+00, 0x1.777d0ffda0d24p-56}
	invLn10dd = dd{0x1.bcb7b1526e50ep-02, 0x1.95355baaafad3p-57}

	invFactorial = [12]dd{
		{0x1p+00, 0},
		{0x1p+00, 0},
		{0x1p-01, 0},
		{0x1.5555555555555p-03, 0x1.5555555555555p-57},
		{0x1.5555555555555p-05, 0x1.5555555555555p-59},
		{0x1.1111111111111p-07, 0x1.1111111111111p-63},
		{0x1.6c16c16c16c17p-10, -0x1.f49f49f49f49fp-65},
		{0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-73},
		{0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-76},
		{0x1.71de3a556c734p-19, -0x1.c154f8ddc6cp-73},
		{0x1.27e4fb7789f5cp-22, 0x1.cbbc05b4fa99ap-76},
		{0x1.ae64567f544e4p-26, -0x1.c062e06d1f209p-80},
	}
)

// atanSeries is atan(1/n) = Σ (-1)^k/((2k+1)·n^(2k+1)) to prec bits, or
// atanh(1/n), the same series without the alternating signs. It stops at
// the first term below a quarter of an ulp of the sum: adding it, or any
// smaller one after it, would leave the sum as it is.
func atanSeries(n int64, prec uint, hyperbolic bool) *big.Float {
	sum := new(big.Float).SetPrec(prec)
	x := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1).SetPrec(prec), big.NewFloat(float64(n)))
	n2 := new(big.Float).SetPrec(prec).SetInt64(n * n)
	for k := int64(0); ; k++ {
		t := new(big.Float).SetPrec(prec).Quo(x, new(big.Float).SetInt64(2*k+1))
		if sum.Sign() != 0 && t.MantExp(nil) < sum.MantExp(nil)-int(prec)-1 {
			return sum
		}
		if hyperbolic || k%2 == 0 {
			sum.Add(sum, t)
		} else {
			sum.Sub(sum, t)
		}
		x.Quo(x, n2)
	}
}

// expDD is e^a as (h + l)·2^k with h near 1.
func expDD(a dd) (dd, int) {
	k := math.Round(a.hi * invLn2dd.hi)
	p := math.FMA(k, ln2dd.hi, -k*ln2dd.hi)
	r := twoSum(a.hi, -k*ln2dd.hi)
	r = quickTwoSum(r.hi, r.lo+a.lo-p-k*ln2dd.lo)
	// e^r with |r| ≤ ln2/2: the series of e^(r/256) - 1, squared back.
	r = r.scale(1.0 / 256)
	e := invFactorial[len(invFactorial)-1]
	for n := len(invFactorial) - 2; n >= 1; n-- {
		e = e.mul(r).add(invFactorial[n])
	}
	e = e.mul(r)
	for range 8 {
		e = e.mul(e.add(dd{2, 0})) // (1+e)² - 1
	}
	return quickTwoSum(1, e.hi).add(dd{0, e.lo}), int(k)
}

// logDD is log(x) for a positive finite x: Go's log corrected by one
// Newton step, x/e^log(x) - 1, computed in double-double. Go's log on
// amd64 is wrong for subnormal numbers (log(5e-324) is -709), so those
// are scaled into the normal range first.
func logDD(x float64) dd {
	if x < 0x1p-1022 {
		return logDD(x * 0x1p54).add(ln2dd.mul(dd{-54, 0}))
	}
	l := math.Log(x)
	e, k := expDD(dd{l, 0})
	xs := math.Ldexp(x, -k)
	d := twoSum(xs, -e.hi)
	return quickTwoSum(l, (d.hi+d.lo-e.lo)/xs)
}

// pow is x**y as glibc's pow gives it, NaN signs included: a NaN
// exponent (or an infinite one) gives back the first NaN, a NaN base
// keeps its sign except to an odd power, where glibc flips it, and a
// negative base to a fractional power is x86's negative NaN.
func pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case math.IsNaN(x) && (math.IsNaN(y) || math.IsInf(y, 0)):
		return x
	case math.IsNaN(y):
		return y
	case math.IsNaN(x) && math.Signbit(x) && y == math.Trunc(y) && math.Mod(y, 2) != 0:
		return math.Abs(x)
	case math.IsNaN(x):
		return x
	case x < 0 && isFinite(x) && !math.IsInf(y, 0) && y != math.Trunc(y):
		return defaultNaN
	}
	switch {
	case x < 0 && isFinite(x) && isFinite(y) && y == math.Trunc(y):
		r := pow(-x, y)
		if math.Mod(y, 2) != 0 {
			return -r
		}
		return r
	case x <= 0 || x == 1 || y == 0 || !isFinite(x) || !isFinite(y):
		return math.Pow(x, y) // zeros, infinities and NaN: C's rules
	}
	l := logDD(x)
	t := dd{y * l.hi, 0}
	t = quickTwoSum(t.hi, math.FMA(y, l.hi, -t.hi)+y*l.lo)
	switch {
	case t.hi > 710:
		return math.Inf(1)
	case t.hi < -746:
		return 0
	}
	return exp2k(expDD(t))
}

func exp2k(e dd, k int) float64 { return math.Ldexp(e.hi+e.lo, k) }

func exp(x float64) float64 {
	switch {
	case !isFinite(x) || x > 710 || x < -746:
		return math.Exp(x)
	}
	return exp2k(expDD(dd{x, 0}))
}

func logOf(x float64, scale dd) float64 {
	if x <= 0 || !isFinite(x) {
		return math.Log(x) * scale.hi // -Inf, NaN and +Inf as C's
	}
	l := logDD(x)
	if scale.hi == 1 {
		return l.hi + l.lo
	}
	r := l.mul(scale)
	return r.hi + r.lo
}

func log(x float64) float64   { return logOf(x, dd{1, 0}) }
func log2(x float64) float64  { return logOf(x, invLn2dd) }
func log10(x float64) float64 { return logOf(x, invLn10dd) }

// pio2 is π/2 as a double-double.
var pio2 = dd{math.Pi / 2, 6.123233995736766e-17}

// halfAngle is 2·asin(sqrt((1-|x|)/2)), the angle whose cosine is |x|,
// precise near |x| = 1.
func halfAngle(x float64) float64 { return 2 * math.Asin(math.Sqrt((1-math.Abs(x))/2)) }

// minus is a - y rounded once, for a double-double a.
func minus(a dd, y float64) float64 {
	t := twoSum(a.hi, -y)
	return t.hi + (t.lo + a.lo)
}

// acos keeps its precision near ±1, where π/2 - asin(x) cancels.
func acos(x float64) float64 {
	switch {
	case x > 0.5:
		return halfAngle(x)
	case x < -0.5:
		return minus(pio2.scale(2), halfAngle(x))
	}
	return math.Acos(x)
}

// asin keeps its precision near ±1.
func asin(x float64) float64 {
	switch {
	case x > 0.5:
		return minus(pio2, halfAngle(x))
	case x < -0.5:
		return -minus(pio2, halfAngle(x))
	}
	return math.Asin(x)
}

// hypot is sqrt(x² + y²) rounded once: the sum of squares exact in
// double-double, its square root corrected by one Newton step, scaled by
// a power of two away from overflow and underflow. An infinity wins over
// a NaN, and a NaN comes back as it is, as glibc's.
func hypot(x, y float64) float64 {
	switch {
	case math.IsInf(x, 0) || math.IsInf(y, 0):
		return math.Inf(1)
	case math.IsNaN(x):
		return x
	case math.IsNaN(y):
		return y
	}
	x, y = math.Abs(x), math.Abs(y)
	if x < y {
		x, y = y, x
	}
	if x == 0 {
		return 0
	}
	_, e := math.Frexp(x)
	x, y = math.Ldexp(x, -e), math.Ldexp(y, -e)
	s := dd{x, 0}.mul(dd{x, 0}).add(dd{y, 0}.mul(dd{y, 0}))
	r := math.Sqrt(s.hi)
	// r + (s - r²)/(2r)
	d := s.add(dd{r, 0}.mul(dd{-r, 0}))
	return math.Ldexp(r+(d.hi+d.lo)/(2*r), e)
}

// Go's sin, cos and tan lose precision for arguments beyond 2^29 (a
// uint64 band's 2^63 is one); there the argument is reduced by π/2 in
// big-float arithmetic first, as glibc does with its long π.
const hugeAngle = 1 << 29

var (
	piOnce    sync.Once
	bigHalfPi *big.Float
)

// halfPi is π/2 to 1,200 bits (Machin's formula), enough to reduce any
// float64 exactly.
func halfPi() *big.Float {
	piOnce.Do(func() {
		const prec = 1200
		// π/2 = 2·(4·atan(1/5) - atan(1/239))
		p := new(big.Float).SetPrec(prec).Mul(atanSeries(5, prec, false), big.NewFloat(4))
		p.Sub(p, atanSeries(239, prec, false))
		bigHalfPi = p.Mul(p, big.NewFloat(2))
	})
	return bigHalfPi
}

// reduce is x - k·π/2 for the nearest k, and k mod 4.
func reduce(x float64) (float64, int) {
	hp := halfPi()
	bx := new(big.Float).SetPrec(hp.Prec()).SetFloat64(x)
	q := new(big.Float).SetPrec(hp.Prec()).Quo(bx, hp)
	k, _ := q.Int(nil)
	// round to nearest: compare the remainder with π/4
	r := new(big.Float).SetPrec(hp.Prec()).Sub(bx, new(big.Float).SetPrec(hp.Prec()).Mul(new(big.Float).SetInt(k), hp))
	half := new(big.Float).SetPrec(hp.Prec()).Quo(hp, big.NewFloat(2))
	if r.Cmp(half) > 0 {
		k.Add(k, big.NewInt(1))
		r.Sub(r, hp)
	} else if r.Cmp(new(big.Float).Neg(half)) < 0 {
		k.Sub(k, big.NewInt(1))
		r.Add(r, hp)
	}
	f, _ := r.Float64()
	return f, int(new(big.Int).And(k, big.NewInt(3)).Int64())
}

// sinQuadrant is sin(r + q·π/2).
func sinQuadrant(r float64, q int) float64 {
	switch q & 3 {
	case 0:
		return math.Sin(r)
	case 1:
		return math.Cos(r)
	case 2:
		return -math.Sin(r)
	}
	return -math.Cos(r)
}

func sin(x float64) float64 {
	if math.Abs(x) < hugeAngle || !isFinite(x) {
		return math.Sin(x)
	}
	return sinQuadrant(reduce(x))
}

func cos(x float64) float64 {
	if math.Abs(x) < hugeAngle || !isFinite(x) {
		return math.Cos(x)
	}
	r, q := reduce(x)
	return sinQuadrant(r, q+1)
}

func tan(x float64) float64 {
	if math.Abs(x) < hugeAngle || !isFinite(x) {
		return math.Tan(x)
	}
	r, q := reduce(x)
	if q&1 == 1 {
		return -1 / math.Tan(r)
	}
	return math.Tan(r)
}
