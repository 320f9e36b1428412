package colorformula

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// pyFloat reads s as Python's float() reads a string, which is how
// color-operations reads every argument: decimal digits of any script,
// single underscores between digits, inf, infinity and nan in any case,
// no hexadecimal. Surrounding whitespace is already gone.
func pyFloat(s string) (float64, bool) {
	ascii, ok := asciiDigits(s)
	if !ok {
		return 0, false
	}
	body := strings.TrimLeft(ascii, "+-")
	if len(ascii)-len(body) > 1 {
		return 0, false
	}
	neg := strings.HasPrefix(ascii, "-")
	switch strings.ToLower(body) {
	case "inf", "infinity":
		return math.Copysign(math.Inf(1), sign(neg)), true
	case "nan":
		return math.Copysign(math.NaN(), sign(neg)), true
	}
	if !decimalNumber(body) {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(ascii, "_", ""), 64)
	if err != nil && !isRange(err) {
		return 0, false
	}
	return v, true
}

func sign(neg bool) float64 {
	if neg {
		return -1
	}
	return 1
}

// isRange says whether ParseFloat only found the number too large or too
// small for a float64: Python gives infinity or zero then, and so does
// ParseFloat's value.
func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// asciiDigits turns the decimal digits of every script into ASCII ones, as
// Python does before parsing a number; anything else outside ASCII makes the
// string no number.
func asciiDigits(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch d, ok := digitValue(r); {
		case r <= unicode.MaxASCII:
			b.WriteRune(r)
		case ok:
			b.WriteByte(byte('0' + d))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// decimalNumber checks Python's grammar for a finite float without its sign:
// digits, an optional fraction, an optional exponent, where underscores may
// only stand alone between two digits.
func decimalNumber(s string) bool {
	mantissa, exponent, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, hasDot := strings.Cut(mantissa, ".")
	switch {
	case !digitPart(whole, true) || !digitPart(frac, true):
		return false
	case whole == "" && frac == "":
		return false
	case !hasDot && frac != "":
		return false
	}
	if !hasExp {
		return true
	}
	return digitPart(strings.TrimPrefix(strings.TrimPrefix(exponent, "+"), "-"), false) && len(exponent)-len(strings.TrimLeft(exponent, "+-")) <= 1
}

// digitPart is Python's digitpart: digits with single underscores between
// them; empty is allowed where the grammar makes the part optional.
func digitPart(s string, optional bool) bool {
	if s == "" {
		return optional
	}
	if s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	for _, c := range s {
		if c != '_' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// digitValue is the value of a decimal digit of any script (Unicode
// category Nd, which comes in runs of ten from zero).
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}
