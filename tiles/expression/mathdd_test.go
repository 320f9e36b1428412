package expression

import (
	"math"
	"math/big"
	"testing"
)

// The double-double constants are their series computed to 256 bits and
// split into two float64.
func TestDoubleDoubleConstants(t *testing.T) {
	const prec = 256
	one := func() *big.Float { return big.NewFloat(1).SetPrec(prec) }
	twice := func(x *big.Float) *big.Float { return x.Mul(x, big.NewFloat(2)) }
	ln2 := twice(atanSeries(3, prec, true))
	ln10 := new(big.Float).SetPrec(prec).Mul(ln2, big.NewFloat(3))
	ln10.Add(ln10, twice(atanSeries(9, prec, true)))
	check := func(name string, got dd, want *big.Float) {
		hi, _ := want.Float64()
		lo, _ := new(big.Float).SetPrec(prec).Sub(want, big.NewFloat(hi)).Float64()
		if math.Float64bits(got.hi) != math.Float64bits(hi) || math.Float64bits(got.lo) != math.Float64bits(lo) {
			t.Errorf("%s = {%x, %x}, want {%x, %x}", name, got.hi, got.lo, hi, lo)
		}
	}
	check("ln2dd", ln2dd, ln2)
	check("invLn2dd", invLn2dd, one().Quo(one(), ln2))
	check("invLn10dd", invLn10dd, one().Quo(one(), ln10))
	f := one()
	for n := range invFactorial {
		f.Mul(f, big.NewFloat(float64(max(n, 1))))
		check("invFactorial", invFactorial[n], one().Quo(one(), f))
	}
}

// halfPi is π/2 to its 1,200 bits: its first 256 agree with math/big's
// own π as given here to 78 digits, and its float64 is math.Pi/2.
func TestHalfPi(t *testing.T) {
	hp := halfPi()
	if f, _ := hp.Float64(); f != math.Pi/2 || hp.Prec() != 1200 {
		t.Fatalf("halfPi = %v at %d bits", f, hp.Prec())
	}
	pi, _ := new(big.Float).SetPrec(256).SetString("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899")
	diff := new(big.Float).SetPrec(1200).Sub(new(big.Float).SetPrec(1200).Mul(hp, big.NewFloat(2)), pi)
	if diff.Abs(diff).Cmp(big.NewFloat(0x1p-250)) > 0 {
		t.Errorf("2·halfPi - π = %g", diff)
	}
}
