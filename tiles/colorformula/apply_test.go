package colorformula_test

import (
	"math"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/tiles/colorformula"
	"tilefunc/tiles/raster"
)

func TestApplyGivesRioTilersBytes(t *testing.T) {
	p := peerData(t)
	var values, off, cases, failures int
	for _, c := range p.Cases {
		f, err := colorformula.Parse(c.Formula)
		if err != nil {
			t.Errorf("%q: %v", c.Formula, err)
			continue
		}
		cases++
		got, err := f.Apply(p.Images[c.Image].image())
		if c.Error != "" {
			failures++
			if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST {
				t.Errorf("%q on %s: %v (code %s); rio-tiler raises %s, want %s", c.Formula, c.Image, err, tilefunc.ErrorCode(err), c.Error, tilefunc.EBADREQUEST)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q on %s: %v", c.Formula, c.Image, err)
			continue
		}
		n, d := compare(t, c.Formula+" on "+c.Image, got, c.peerImage)
		values, off = values+n, off+d
	}
	t.Logf("%d cases (%d fail in rio-tiler too), %d values: %d exact, %d one step off", cases, failures, values, values-off, off)
}

// compare checks img against the peer's output: type, mask and alpha
// exactly, values exactly or, with saturation, within one step. It returns
// how many values it compared and how many were one step off.
func compare(t *testing.T, what string, img *raster.Image, want peerImage) (int, int) {
	t.Helper()
	if string(img.Type) != want.Dtype || img.Count() != len(want.Bands) {
		t.Errorf("%s: %d bands of %s, want %d of %s", what, img.Count(), img.Type, len(want.Bands), want.Dtype)
		return 0, 0
	}
	tolerance := 0.0
	if strings.Contains(strings.ToLower(what), "saturation") {
		tolerance = 1
	}
	n, off := 0, 0
	for b := range want.Bands {
		for p, v := range want.Bands[b] {
			n++
			switch d := math.Abs(img.Bands[b][p] - v); {
			case d > tolerance:
				t.Errorf("%s: band %d pixel %d is %v, want %v", what, b+1, p, img.Bands[b][p], v)
			case d > 0:
				off++
			}
			if img.Valid[b][p] != (want.Mask[b][p] == '0') {
				t.Errorf("%s: band %d pixel %d valid %v, want the mask kept", what, b+1, p, img.Valid[b][p])
			}
		}
	}
	if len(img.Alpha) != len(want.Alpha) {
		t.Errorf("%s: alpha of %d values, want %d", what, len(img.Alpha), len(want.Alpha))
	}
	for p := range want.Alpha {
		if p < len(img.Alpha) && img.Alpha[p] != want.Alpha[p] {
			t.Errorf("%s: alpha %d is %v, want %v", what, p, img.Alpha[p], want.Alpha[p])
		}
	}
	return n, off
}

func TestApplyKeepsWhatDescribesTheBandsAndDropsStats(t *testing.T) {
	img := raster.New(2, 1, 4, raster.Uint16)
	img.Bands = [][]float64{{0, 65535}, {257, 514}, {1000, 2000}, {65535, 0}}
	for b := range img.Valid {
		img.Valid[b] = []bool{true, b != 0}
	}
	img.Descriptions = []string{"red", "green", "blue", "nir"}
	img.Stats = [][2]float64{{0, 1}, {0, 1}, {0, 1}, {0, 1}}
	img.Assets = []string{"item-1"}
	f, _ := colorformula.Parse("gamma r 1")
	out, err := f.Apply(img)
	if err != nil {
		t.Fatal(err)
	}
	if out.Type != raster.Uint8 || out.Stats != nil || out.Descriptions[3] != "nir" || out.Names[3] != "b4" || out.Assets[0] != "item-1" {
		t.Errorf("type %s, stats %v, descriptions %v, names %v, assets %v", out.Type, out.Stats, out.Descriptions, out.Names, out.Assets)
	}
	// Bands the formula does not name are still brought to bytes.
	if out.Bands[3][0] != 255 || out.Bands[1][0] != 1 || out.Valid[0][1] || !out.Valid[1][1] {
		t.Errorf("bands %v valid %v", out.Bands, out.Valid)
	}
	if img.Type != raster.Uint16 || img.Bands[0][1] != 65535 {
		t.Error("the input changed")
	}
}

func TestApplyAnswers400WhereTitilerAnswers500(t *testing.T) {
	three := raster.New(2, 2, 3, raster.Uint8)
	for _, c := range []struct {
		formula string
		img     *raster.Image
		want    string
	}{
		{"gamma rgb 1.5", raster.New(2, 2, 3, raster.Float32), "the image is float32"},
		{"gamma rgb 1.5", raster.New(2, 2, 3, raster.Bool), "the image is bool"},
		{"gamma rgb 1.5", raster.New(2, 2, 1, raster.Uint8), `operation 1 "gamma rgb 1.5": there is no band 3; the image has 1`},
		{"gamma r 1, saturation 1.2", raster.New(2, 2, 2, raster.Uint8), `operation 2 "saturation 1.2": saturation needs three bands`},
		{"gamma rgb", three, "gamma needs g"},
		{"sigmoidal rgb 10", three, "sigmoidal needs contrast and bias"},
		{"gamma rgb 0", three, "gamma must be greater than 0, not 0"},
		{"gamma rgb nan", three, "gamma must be greater than 0, not NaN"},
		{"sigmoidal rgb 10 1.01", three, "bias must be between 0 and 1, not 1.01"},
		{"saturation inf", three, "saturation +Inf overflows"},
	} {
		f, err := colorformula.Parse(c.formula)
		if err != nil {
			t.Fatalf("%q: %v", c.formula, err)
		}
		_, err = f.Apply(c.img)
		if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST || !strings.Contains(tilefunc.ErrorMessage(err), c.want) {
			t.Errorf("%q: %v (code %s), want %s saying %q", c.formula, err, tilefunc.ErrorCode(err), tilefunc.EBADREQUEST, c.want)
		}
	}
}

func TestAnOperationOnNoBandOnlyConvertsToBytes(t *testing.T) {
	// Two spaces leave the band selector empty: color-operations then calls
	// nothing, so not even a gamma of -1 fails.
	f, err := colorformula.Parse("gamma  -1")
	if err != nil {
		t.Fatal(err)
	}
	img := raster.New(3, 1, 1, raster.Int16)
	img.Bands[0] = []float64{-5, 16384, 32767}
	out, err := f.Apply(img)
	if err != nil || out.Bands[0][0] != 0 || out.Bands[0][1] != 127 || out.Bands[0][2] != 255 {
		t.Errorf("%v, %v", out, err)
	}
}
