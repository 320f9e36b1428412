package colorformula

import (
	"math"
	"strings"
)

// epsilon is float64's machine epsilon, color-operations' tolerance.
const epsilon = 0x1p-52

// check finds what would make the operation fail on an image of n bands,
// in the order color-operations meets it. An operation that selects no
// band is never called there, so nothing about it can fail.
func (op operation) check(n int) error {
	if len(op.bands) == 0 {
		return nil
	}
	if op.name == "saturation" && n < 3 {
		return badRequest("%s: saturation needs three bands (red, green, blue); the image has %d", op.describe(), n)
	}
	if last := op.bands[len(op.bands)-1]; last >= n {
		return badRequest("%s: there is no band %d; the image has %d", op.describe(), last+1, n)
	}
	if want := params[op.name]; len(op.args) < len(want) {
		return badRequest("%s: %s needs %s; want %s", op.describe(), op.name, strings.Join(want, " and "), usage(op.name))
	}
	switch a := op.args; {
	case op.name == "gamma" && !(a[0] > 0):
		return badRequest("%s: gamma must be greater than 0, not %v", op.describe(), a[0])
	case op.name == "sigmoidal" && (a[1] > 1+epsilon || a[1] < -epsilon):
		return badRequest("%s: bias must be between 0 and 1, not %v", op.describe(), a[1])
	}
	return nil
}

// run applies the operation to bands scaled to 0..1, in place.
func (op operation) run(bands [][]float64) error {
	if len(op.bands) == 0 {
		return nil
	}
	switch op.name {
	case "gamma":
		e := 1 / op.args[0]
		op.each(bands, func(v float64) float64 { return math.Pow(v, e) })
	case "sigmoidal":
		op.each(bands, sigmoidal(op.args[0], op.args[1]))
	case "saturation":
		return saturate(bands[0], bands[1], bands[2], op.args[0], op.describe())
	}
	return nil
}

// each applies fn to every value of the selected bands.
func (op operation) each(bands [][]float64, fn func(float64) float64) {
	for _, b := range op.bands {
		for p, v := range bands[b] {
			bands[b][p] = fn(v)
		}
	}
}

// sigmoidal is color-operations' sigmoidal contrast: a logistic curve of
// the given contrast centred on bias, stretched so 0 and 1 stay put; a
// negative contrast applies the inverse curve. The float64 conversions
// keep each product rounded on its own, as numpy computes it, where Go
// could fuse a multiply and an add.
func sigmoidal(contrast, bias float64) func(float64) float64 {
	beta, alpha := contrast, bias
	if alpha == 0 {
		alpha = epsilon
	}
	if beta == 0 {
		return func(v float64) float64 { return v }
	}
	if beta > 0 {
		low := 1 / (1 + math.Exp(beta*alpha))
		span := 1/(1+math.Exp(beta*(alpha-1))) - low
		return func(v float64) float64 {
			return (1/(1+math.Exp(beta*(alpha-v))) - low) / span
		}
	}
	// Contrast below zero, or NaN, which fails every comparison.
	top := 1 + math.Exp(float64(beta*alpha)-beta)
	low := 1 + math.Exp(float64(beta*alpha))
	return func(v float64) float64 {
		inner := (v/top - v/low) + 1/low
		return (float64(beta*alpha) - math.Log(1/inner-1)) / beta
	}
}
