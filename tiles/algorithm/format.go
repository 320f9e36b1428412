package algorithm

import (
	"math"
	"strconv"
	"strings"
)

// digits splits x (finite, not zero, positive) into its shortest decimal
// digits and the power of ten of the first one: 1234.5 is "12345", 3.
func digits(x float64) (string, int) {
	e := strconv.FormatFloat(x, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	n, _ := strconv.Atoi(exp)
	return strings.Replace(mant, ".", "", 1), n
}

// jsonFloat writes a float as titiler's JSON responses do (pydantic-core,
// through serde_json and ryu): 45.0, 0.1, 1000000.0, 1e-6, 1.5e+20.
func jsonFloat(x float64) string {
	switch {
	case x == 0:
		return "0.0"
	case x < 0:
		return "-" + jsonFloat(-x)
	}
	d, exp := digits(x)
	kk := exp + 1 // the decimal point comes after kk digits
	switch {
	case len(d) <= kk && kk <= 16:
		return d + strings.Repeat("0", kk-len(d)) + ".0"
	case 0 < kk && kk <= 16:
		return d[:kk] + "." + d[kk:]
	case -5 < kk && kk <= 0:
		return "0." + strings.Repeat("0", -kk) + d
	}
	mant := d
	if len(d) > 1 {
		mant = d[:1] + "." + d[1:]
	}
	if kk > 0 {
		return mant + "e+" + strconv.Itoa(kk-1)
	}
	return mant + "e" + strconv.Itoa(kk-1)
}

// pyRepr writes a float as Python's str() does, for messages that quote
// titiler's: 16777217.0, 1e+16, 1.5e-05, nan, inf.
func pyRepr(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case x == 0 && math.Signbit(x):
		return "-0.0"
	case x == 0:
		return "0.0"
	case x < 0:
		return "-" + pyRepr(-x)
	}
	d, exp := digits(x)
	if exp < -4 || exp >= 16 {
		mant := d[:1]
		if len(d) > 1 {
			mant += "." + d[1:]
		}
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return mant + "e" + sign + strconv.Itoa(exp/10) + strconv.Itoa(exp%10)
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if x == math.Trunc(x) {
		s += ".0"
	}
	return s
}
