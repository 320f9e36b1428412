package expression

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// golden is testdata/golden.json, which scripts/expression_fixtures.py
// writes by running rio-tiler's apply_expression on small images of every
// input type.
type golden struct {
	Size         [2]int                   `json:"size"`
	Inputs       map[string][][]jsonFloat `json:"inputs"`
	Masks        [][]int                  `json:"masks"`
	Descriptions []string                 `json:"descriptions"`
	Stats        map[string][][2]float64  `json:"stats"`
	Points       map[string][]jsonFloat   `json:"points"`
	PointMask    []bool                   `json:"point_mask"`
	Cases        []goldenCase             `json:"cases"`
}

type goldenCase struct {
	Expression   string       `json:"expression"`
	Input        string       `json:"input"` // the input type
	Stats        bool         `json:"stats"` // the image has dataset statistics
	Point        bool         `json:"point"` // a point (PointData) rather than an image
	ULP          int          `json:"ulp"`
	Error        string       `json:"error"` // why titiler refused it
	OutType      string       `json:"out_dtype"`
	Values       [][]float64  `json:"values"`
	Valid        []bool       `json:"valid"`
	Descriptions []string     `json:"descriptions"`
	OutStats     [][2]float64 `json:"out_stats"`
}

// jsonFloat reads numbers and the strings "nan", "inf", "-inf".
type jsonFloat float64

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, err := strconv.ParseFloat(s, 64)
		*f = jsonFloat(v)
		return err
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*f = jsonFloat(v)
	return err
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func (g *golden) image(c goldenCase) *raster.Image {
	t := raster.DataType(c.Input)
	if c.Point {
		im := raster.New(1, 1, 3, t)
		for b, v := range g.Points[c.Input] {
			im.Bands[b][0] = t.Cast(float64(v))
			im.Valid[b][0] = !g.PointMask[b]
		}
		im.Descriptions = append([]string(nil), g.Descriptions...)
		return im
	}
	im := raster.New(g.Size[1], g.Size[0], 3, t)
	for b, band := range g.Inputs[c.Input] {
		for p, v := range band {
			im.Bands[b][p] = t.Cast(float64(v))
			im.Valid[b][p] = g.Masks[b][p] == 0
		}
	}
	im.Descriptions = append([]string(nil), g.Descriptions...)
	if c.Stats {
		im.Stats = g.Stats[c.Input]
	}
	return im
}

// TestGolden evaluates every case of testdata/golden.json and compares it
// with what rio-tiler gave: the output type, every value (exactly, or
// within the case's ulp for functions glibc and Go compute differently),
// the mask, the descriptions and the statistics. A case titiler refused
// must be refused with a 400.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		name := fmt.Sprintf("%q/%s", c.Expression, c.Input)
		switch {
		case c.Point:
			name += "/point"
		case c.Stats:
			name += "/stats"
		}
		got, err := apply(c.Expression, g.image(c))
		if why := refusedOnPurpose(c); why != "" {
			var te *tilefunc.Error
			if !errors.As(err, &te) || te.Code != tilefunc.EBADREQUEST {
				t.Errorf("%s: tilefunc refuses it (%s); got %v", name, why, err)
			}
			continue
		}
		if c.Error != "" {
			var te *tilefunc.Error
			if !errors.As(err, &te) || te.Code != tilefunc.EBADREQUEST {
				t.Errorf("%s: titiler refused it (%s); got %v, %v", name, c.Error, describeImage(got), err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if msg := c.compare(got); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
}

// refusedOnPurpose says why tilefunc refuses a case titiler accepts.
func refusedOnPurpose(c goldenCase) string {
	if c.Expression == "conj(b1)" && c.Stats && c.Error == "" {
		return "the statistics are computed in float64, where conj() is complex"
	}
	return ""
}

func apply(expr string, im *raster.Image) (*raster.Image, error) {
	e, err := Parse(expr)
	if err != nil {
		return nil, err
	}
	return e.Apply(im)
}

func describeImage(im *raster.Image) string {
	if im == nil {
		return "no image"
	}
	return fmt.Sprintf("%s image %v", im.Type, im.Bands)
}

func (c goldenCase) compare(got *raster.Image) string {
	if string(got.Type) != c.OutType {
		return fmt.Sprintf("type %s, want %s", got.Type, c.OutType)
	}
	if len(got.Bands) != len(c.Values) {
		return fmt.Sprintf("%d bands, want %d", len(got.Bands), len(c.Values))
	}
	for b, want := range c.Values {
		for p, w := range want {
			if !close(got.Bands[b][p], w, got.Type, c.ULP) {
				return fmt.Sprintf("band %d pixel %d = %v, want %v", b+1, p, got.Bands[b][p], w)
			}
			if got.Valid[b][p] != c.Valid[p] {
				return fmt.Sprintf("band %d pixel %d valid %v, want %v", b+1, p, got.Valid[b][p], c.Valid[p])
			}
		}
	}
	if fmt.Sprint(got.Descriptions) != fmt.Sprint(c.Descriptions) {
		return fmt.Sprintf("descriptions %q, want %q", got.Descriptions, c.Descriptions)
	}
	if (got.Stats == nil) != (c.OutStats == nil) {
		return fmt.Sprintf("stats %v, want %v", got.Stats, c.OutStats)
	}
	for b, s := range c.OutStats {
		if !close(got.Stats[b][0], s[0], raster.Float64, c.ULP) || !close(got.Stats[b][1], s[1], raster.Float64, c.ULP) {
			return fmt.Sprintf("stats %v, want %v", got.Stats, c.OutStats)
		}
	}
	return ""
}

// close says whether got and want are equal, or within ulp units in the
// last place of the type.
func close(got, want float64, t raster.DataType, ulp int) bool {
	if got == want || ulp == 0 {
		return got == want
	}
	if t == raster.Float32 {
		return ulps(int64(math.Float32bits(float32(got))), int64(math.Float32bits(float32(want))), math.Signbit(got) != math.Signbit(want)) <= int64(ulp)
	}
	if t != raster.Float64 {
		return false
	}
	return ulps(int64(math.Float64bits(got)), int64(math.Float64bits(want)), math.Signbit(got) != math.Signbit(want)) <= int64(ulp)
}

func ulps(a, b int64, signs bool) int64 {
	if signs {
		return math.MaxInt64
	}
	if a > b {
		return a - b
	}
	return b - a
}
