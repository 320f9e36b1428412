package colorformula_test

import (
	"testing"

	"tilefunc"
	"tilefunc/tiles/colorformula"
	"tilefunc/tiles/raster"
)

// FuzzParseAndApply: any text either parses or fails with EINVALID; what
// parses reads back the same from its String, and applies to images of one
// and three bands, uint8 and uint16, giving bytes or failing with
// EBADREQUEST, never a panic.
func FuzzParseAndApply(f *testing.F) {
	for _, s := range []string{
		"gamma rgb 1.3, sigmoidal rgb 22 0.1, saturation 1.2",
		"Gamma RGB 3.5 Saturation 1.7 Sigmoidal RGB 15 0.35",
		"gamma  -1", "gamma ", "gamma rgb", "sigmoidal rgb 10", "saturation nan",
		"saturation 1e308", "sigmoidal rgb -inf 0.5", "gamma 1_2 1e1_0", "gamma ١ ١.٥",
		"", " ", ",", "gamma", "foo rgb 1", "gamma q 1", "gamma rgb 0x10", "gamma rgb 1 ",
		"rgb gamma rgb 1", "gamma\trgb 1", "gamma rgb 1\t", "saturation rgb 1",
	} {
		f.Add(s)
	}
	small := raster.New(3, 2, 3, raster.Uint8)
	small.Bands = [][]float64{{0, 1, 127, 128, 254, 255}, {255, 0, 30, 200, 7, 255}, {9, 99, 199, 0, 255, 128}}
	one := raster.New(3, 1, 1, raster.Uint16)
	one.Bands[0] = []float64{0, 257, 65535}
	f.Fuzz(func(t *testing.T, s string) {
		formula, err := colorformula.Parse(s)
		if err != nil {
			if tilefunc.ErrorCode(err) != tilefunc.EINVALID {
				t.Fatalf("%q: %v has code %s", s, err, tilefunc.ErrorCode(err))
			}
			return
		}
		again, err := colorformula.Parse(formula.String())
		if err != nil || again.String() != formula.String() {
			t.Fatalf("%q reads as %q, which reads as %q, %v", s, formula.String(), again.String(), err)
		}
		for _, img := range []*raster.Image{small, one} {
			out, err := formula.Apply(img)
			if err != nil {
				if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST {
					t.Fatalf("%q: %v has code %s", s, err, tilefunc.ErrorCode(err))
				}
				continue
			}
			for _, band := range out.Bands {
				for _, v := range band {
					if out.Type != raster.Uint8 || v < 0 || v > 255 || v != float64(uint8(v)) {
						t.Fatalf("%q: %v in a %s image", s, v, out.Type)
					}
				}
			}
		}
	})
}
