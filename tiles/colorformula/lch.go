package colorformula

import "math"

// Saturation works in CIE LCh(ab): sRGB (companded as the sRGB standard
// does) to linear RGB, to XYZ relative to the D65 white, to L*a*b*, to
// lightness, chroma and hue; the chroma is multiplied and the way back
// taken. These are color-operations' constants; the steps follow its
// order of operations so results round as its compiled code rounds them.
// Wherever a product meets a sum, float64(...) keeps the product rounded
// on its own, as C computes it, where Go may fuse the two.
const (
	whiteX, whiteZ = 0.95047, 1.08883 // D65 white point, Y = 1

	labDelta     = 6.0 / 29
	labT0        = 0.008856451679035631 // labDelta cubed, as Python computed it
	labSlope     = 7.787037037037037    // labDelta^-2 / 3
	labIntercept = 4.0 / 29
	labThird     = 1.0 / 3
	labInvSlope  = 0.12841854934601665 // 3 * labDelta * labDelta
)

// saturate multiplies the chroma of every pixel of the three bands (0..1)
// by p, in place. A pixel whose colour overflows to no number fails, as
// the compiled code fails converting it.
func saturate(r, g, b []float64, p float64, where string) error {
	for i := range r {
		l, c, h := toLCh(r[i], g[i], b[i])
		var ok bool
		r[i], g[i], b[i], ok = fromLCh(l, c*p, h)
		if !ok {
			return badRequest("%s: saturation %v overflows: some colours have no value", where, p)
		}
	}
	return nil
}

// toLCh converts an sRGB colour to lightness, chroma and hue (radians).
func toLCh(r, g, b float64) (float64, float64, float64) {
	rl, gl, bl := expand(r), expand(g), expand(b)
	x := (float64(rl*0.4124564) + float64(gl*0.3575761) + float64(bl*0.1804375)) / whiteX
	y := float64(rl*0.2126729) + float64(gl*0.7151522) + float64(bl*0.0721750)
	z := (float64(rl*0.0193339) + float64(gl*0.1191920) + float64(bl*0.9503041)) / whiteZ
	fx, fy, fz := labF(x), labF(y), labF(z)
	l := float64(116*fy) - 16
	a := 500 * (fx - fy)
	bb := 200 * (fy - fz)
	return l, math.Sqrt(float64(a*a) + float64(bb*bb)), math.Atan2(bb, a)
}

// fromLCh converts lightness, chroma and hue back to sRGB, clamped to 0..1;
// ok is false when a channel is no number or infinite before companding.
func fromLCh(l, c, h float64) (float64, float64, float64, bool) {
	sin, cos := math.Sincos(h)
	a, b := c*cos, c*sin
	x := labFInv((l+16)/116.0+a/500.0) * whiteX
	y := labFInv((l + 16) / 116.0)
	z := labFInv((l+16)/116.0-b/200.0) * whiteZ
	rl := float64(x*3.2404542) + float64(y*-1.5371385) + float64(z*-0.4985314)
	gl := float64(x*-0.9692660) + float64(y*1.8760108) + float64(z*0.0415560)
	bl := float64(x*0.0556434) + float64(y*-0.2040259) + float64(z*1.0572252)
	r, ok1 := compress(rl)
	g, ok2 := compress(gl)
	bv, ok3 := compress(bl)
	return r, g, bv, ok1 && ok2 && ok3
}

// expand is sRGB's companding undone: a value to linear light.
func expand(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// compress is sRGB's companding, clamped to 0..1. color-operations' compiled
// code raises v to 1/2.4 through C's complex power, which is exp(log(v)/2.4)
// with the logarithm of a complex number's modulus: log1p of v²-1, halved,
// for v from 0.5 to 2. It fails on NaN and +Inf there, whose complex
// power has an imaginary part.
func compress(v float64) (float64, bool) {
	var out float64
	if v <= 0.0031308 {
		out = 12.92 * v
	} else {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return 0, false
		}
		out = float64(1.055*math.Exp(1/2.4*modulusLog(v))) - 0.055
	}
	return min(max(out, 0), 1), true
}

// modulusLog is the real part of glibc's clog for a positive real v.
func modulusLog(v float64) float64 {
	switch {
	case v == 1:
		return 0
	case v >= 0.5 && v < 2:
		return math.Log1p(float64((v-1)*(v+1))) / 2
	}
	return math.Log(v)
}

// labF is L*a*b*'s companding of a white-relative XYZ component.
func labF(t float64) float64 {
	if t > labT0 {
		return math.Pow(t, labThird)
	}
	return float64(labSlope*t) + labIntercept
}

// labFInv undoes labF.
func labFInv(t float64) float64 {
	if t > labDelta {
		return math.Pow(t, 3)
	}
	return labInvSlope * (t - labIntercept)
}
