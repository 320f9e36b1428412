package algorithm_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/tiles/algorithm"
	"tilefunc/tiles/raster"
)

// goldenNumber is a value of the fixture: a number, or "nan", "inf", "-inf".
type goldenNumber float64

func (n *goldenNumber) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"nan"`:
		*n = goldenNumber(math.NaN())
	case `"inf"`:
		*n = goldenNumber(math.Inf(1))
	case `"-inf"`:
		*n = goldenNumber(math.Inf(-1))
	default:
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*n = goldenNumber(f)
	}
	return nil
}

// goldenImage is an ImageData as scripts/algorithms_golden.py records it.
type goldenImage struct {
	Dtype         string
	Width, Height int
	Bounds        [4]float64
	Descriptions  []string
	Bands         [][]goldenNumber
	Masks         []string // per band, "1" where numpy's mask is set
}

type goldenCase struct {
	Input, Algorithm, Params string
	Output                   *goldenImage
	Error                    string
}

func loadGolden(t *testing.T) (map[string]goldenImage, []goldenCase) {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Inputs map[string]goldenImage
		Cases  []goldenCase
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g.Inputs, g.Cases
}

// image is a fixture's input as the pipeline hands it over.
func (g goldenImage) image() *raster.Image {
	img := raster.New(g.Width, g.Height, len(g.Bands), raster.DataType(g.Dtype))
	for b, band := range g.Bands {
		for p, v := range band {
			img.Bands[b][p] = float64(v)
			img.Valid[b][p] = g.Masks[b][p] == '0'
		}
	}
	img.Descriptions = g.Descriptions
	img.Bounds = g.Bounds
	img.Assets = []string{"collection/item"}
	return img
}

// transcendental are the algorithms whose numbers go through numpy's own
// trigonometry (SIMD code for float32): within 1e-6 relative, or 1e-9
// absolute near 0; every other number must be equal.
var transcendental = map[string]bool{"hillshade": true, "slope": true}

func close(got, want float64, loose bool) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case got == want:
		return true
	case !loose:
		return false
	}
	return math.Abs(got-want) <= 1e-6*math.Abs(want) || math.Abs(got-want) <= 1e-9
}

// Every algorithm, with its defaults and other parameters, gives titiler's
// numbers (masked pixels' included), masks, type, size, bounds and band
// descriptions, on DEMs, bytes, reflectances and band stacks; where titiler
// fails (a 500), tilefunc answers 400 naming the algorithm.
func TestAlgorithmsMatchTitiler(t *testing.T) {
	inputs, cases := loadGolden(t)
	for _, c := range cases {
		t.Run(c.Algorithm+"/"+c.Input+"/"+c.Params, func(t *testing.T) {
			a, err := algorithm.New(c.Algorithm, c.Params)
			if err != nil {
				if c.Error != "" && tilefunc.ErrorCode(err) == tilefunc.EBADREQUEST {
					return // tilefunc refuses at New what titiler refuses when applying
				}
				t.Fatalf("New: %v", err)
			}
			if c.Output != nil && c.Output.Width*c.Output.Height == 0 {
				// A buffer as wide as the image: titiler returns an empty
				// image, which nothing can encode; tilefunc answers 400.
				c.Error = "an empty image"
			}
			in := inputs[c.Input].image()
			before := in.Clone()
			out, err := a.Apply(in)
			if c.Error != "" {
				if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST || !strings.Contains(err.Error(), c.Algorithm) {
					t.Fatalf("titiler fails with %q; tilefunc: %v (code %s), want a 400 naming the algorithm", c.Error, err, tilefunc.ErrorCode(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if diff := compareImage(out, *c.Output, transcendental[c.Algorithm]); diff != "" {
				t.Fatal(diff)
			}
			if !equalImages(in, before) {
				t.Fatal("Apply changed its input")
			}
		})
	}
}

func compareImage(got *raster.Image, want goldenImage, loose bool) string {
	switch {
	case string(got.Type) != want.Dtype:
		return fmt.Sprintf("type %s, want %s", got.Type, want.Dtype)
	case got.Width != want.Width || got.Height != want.Height || got.Count() != len(want.Bands):
		return fmt.Sprintf("%dx%dx%d, want %dx%dx%d", got.Width, got.Height, got.Count(), want.Width, want.Height, len(want.Bands))
	case got.Bounds != want.Bounds:
		return fmt.Sprintf("bounds %v, want %v", got.Bounds, want.Bounds)
	case strings.Join(got.Descriptions, "|") != strings.Join(want.Descriptions, "|"):
		return fmt.Sprintf("descriptions %q, want %q", got.Descriptions, want.Descriptions)
	case strings.Join(got.Names, ",") != strings.Join(raster.DefaultNames(got.Count()), ","):
		return fmt.Sprintf("names %q, want b1..", got.Names)
	case got.Alpha != nil:
		return "an alpha band: titiler's algorithms drop it"
	}
	var diffs []string
	for b := range want.Bands {
		for p, w := range want.Bands[b] {
			masked := want.Masks[b][p] == '1'
			if got.Valid[b][p] == masked {
				diffs = append(diffs, fmt.Sprintf("band %d pixel %d: valid %v, want %v", b, p, got.Valid[b][p], !masked))
			}
			if !close(got.Bands[b][p], float64(w), loose) {
				diffs = append(diffs, fmt.Sprintf("band %d pixel %d (masked %v): %v, want %v", b, p, masked, got.Bands[b][p], float64(w)))
			}
		}
	}
	if len(diffs) > 0 {
		return fmt.Sprintf("%d differences, first: %s", len(diffs), strings.Join(diffs[:min(len(diffs), 8)], "; "))
	}
	return ""
}

func equalImages(a, b *raster.Image) bool {
	for i := range a.Bands {
		for p := range a.Bands[i] {
			if a.Valid[i][p] != b.Valid[i][p] || math.Float64bits(a.Bands[i][p]) != math.Float64bits(b.Bands[i][p]) {
				return false
			}
		}
	}
	return a.Width == b.Width && a.Height == b.Height && a.Bounds == b.Bounds
}
