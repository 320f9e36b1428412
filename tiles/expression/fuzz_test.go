package expression

import (
	"errors"
	"math"
	"testing"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// seeds are expressions that reach every part of the parser and builder.
var seeds = []string{
	"b1", "(b2-b1)/(b2+b1)", "b1;b2;b3", "where(b1>b2, b1, 0.5)", "b1**2.5", "b1**-2.0",
	"-~+b1", "1<2<b1", "b1<b2<b3", "2**70*b1", "b1/0.0", "sqrt(4)*b1", "abs(-3)+b1",
	"fmod(b1, 3) % 2 // 1", "b1 & 3 | b2 ^ 1", "isnan(b1/b2)", "maximum(b1, 2**63)",
	"b1 # comment", "(b1\n+b2)", "b1 \\\n+ b2", " b1", "b1.real", "b1[0]", "lambda: b1",
	"1.5_0*b1", "0x1f+0o7+0b1+1_0+1e3+.5+5.", "b1*1j", "'a'", "sum(b1)", "conj(b1)",
	"where(1, b1, b9)", "9**9**9", "b1**b2**b3", "copy(b1)+ones_like(b2)", "round(b1/3)",
	"arctan2(b1, b2)+hypot(b1, b2)+nextafter(b1, b2)+copysign(b1, b2)",
	"sin(b1)+cos(b1)+tan(b1)+arcsin(b1)+arccos(b1)+arctan(b1)+sinh(b1)+cosh(b1)+tanh(b1)",
	"arcsinh(b1)+arccosh(b1)+arctanh(b1)+log(b1)+log1p(b1)+log10(b1)+log2(b1)+exp(b1)+expm1(b1)",
	"ceil(b1)+floor(b1)+trunc(b1)+sign(b1)+signbit(b1)+isinf(b1)+isfinite(b1)+real(b1)+imag(b1)",
}

// FuzzParse: any text is parsed or refused with a 400, never a panic,
// and what parses answers every question about itself.
func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			requireBadRequest(t, s, err)
			return
		}
		if e.Outputs() < 1 || e.Outputs() > MaxOutputs || len(e.Blocks()) != e.Outputs() {
			t.Fatalf("%q: %d outputs", s, e.Outputs())
		}
		e.Names()
		if _, err := e.Indexes(); err != nil {
			requireBadRequest(t, s, err)
		}
	})
}

// FuzzApply: any expression applied to a small image of any type, with or
// without statistics, gives an image of its outputs or a 400.
func FuzzApply(f *testing.F) {
	for i, s := range seeds {
		f.Add(s, uint8(i), float64(i)-3, true)
	}
	types := []raster.DataType{raster.Bool, raster.Uint8, raster.Int8, raster.Uint16, raster.Int16,
		raster.Uint32, raster.Int32, raster.Uint64, raster.Int64, raster.Float32, raster.Float64}
	f.Fuzz(func(t *testing.T, s string, typ uint8, v float64, stats bool) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		dt := types[int(typ)%len(types)]
		im := raster.New(3, 2, 3, dt)
		for b := range im.Bands {
			for p := range im.Bands[b] {
				im.Bands[b][p] = dt.Cast(v * float64(p-b))
				im.Valid[b][p] = p != b
			}
		}
		if stats {
			im.Stats = [][2]float64{{v, 2 * v}, {-v, math.Abs(v)}, {0, 1}}
		}
		out, err := e.Apply(im)
		if err != nil {
			requireBadRequest(t, s, err)
			return
		}
		if out.Count() != e.Outputs() || out.Pixels() != im.Pixels() || !out.Type.Known() {
			t.Fatalf("%q on %s: %s image of %d bands, %d pixels", s, dt, out.Type, out.Count(), out.Pixels())
		}
		for b := range out.Bands {
			for _, x := range out.Bands[b] {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("%q on %s: %v after nan_to_num", s, dt, x)
				}
			}
		}
	})
}

func requireBadRequest(t *testing.T, s string, err error) {
	t.Helper()
	var te *tilefunc.Error
	if !errors.As(err, &te) || te.Code != tilefunc.EBADREQUEST {
		t.Fatalf("%q: %v is not a 400", s, err)
	}
}
