package handler_test

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"testing"

	"github.com/airbusgeo/godal"
)

// bandStats is one band of a statistics answer.
type bandStats struct {
	Min, Max, Mean, Count, Sum, Std, Median, Majority, Minority, Unique float64
	Histogram                                                           [2][]float64
	ValidPercent                                                        float64 `json:"valid_percent"`
	MaskedPixels                                                        float64 `json:"masked_pixels"`
	ValidPixels                                                         float64 `json:"valid_pixels"`
	Description                                                         string
	P2                                                                  float64  `json:"percentile_2"`
	P98                                                                 float64  `json:"percentile_98"`
	P25                                                                 *float64 `json:"percentile_25"`
}

type statsFeature struct {
	Type       string
	ID         string
	Properties struct {
		Name       string
		Statistics map[string]bandStats
		UsedAssets []string `json:"used_assets"`
	}
}

// elevationWindow reads the elevation COG's pixels in columns c0..c1 and
// rows r0..r1 and returns those that are not nodata.
func elevationWindow(t *testing.T, e *env, c0, r0, c1, r1 int) []float64 {
	t.Helper()
	ds, err := godal.Open(e.catalog.Paths["elevation"])
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	w, h := c1-c0, r1-r0
	buf := make([]float64, w*h)
	if err := ds.Read(c0, r0, buf, w, h); err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, v := range buf {
		if v != -9999 {
			out = append(out, v)
		}
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// The rectangle -9,37.5 to -7,39.5 is columns 100-300 and rows 50-250 of
// the elevation COG (0.01° pixels from -10,40), a quarter of it in the
// nodata corner (columns and rows below 200).
const rectangle = `{"type":"Feature","id":"r1","properties":{"name":"rectangle"},
	"geometry":{"type":"Polygon","coordinates":[[[-9,37.5],[-7,37.5],[-7,39.5],[-9,39.5],[-9,37.5]]]}}`

func TestStatisticsOfARectangleEqualTheSourcePixels(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-elevation"]}`)
	r := post(t, fmt.Sprintf("%s/searches/%s/statistics?assets=elevation&p=2&p=98&p=25", e.url, id), rectangle)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var f statsFeature
	r.json(t, &f)
	if f.Type != "Feature" || f.ID != "r1" || f.Properties.Name != "rectangle" || len(f.Properties.UsedAssets) != 1 || f.Properties.UsedAssets[0] != "demo-elevation/elevation" {
		t.Fatalf("want the feature back with its id and properties, and the item used: %s", r.body)
	}
	got, ok := f.Properties.Statistics["b1"]
	if !ok || len(f.Properties.Statistics) != 1 {
		t.Fatalf("want statistics of b1: %s", r.body)
	}
	vals := elevationWindow(t, e, 100, 50, 300, 250)
	n := float64(len(vals))
	if n != 200*200-100*150 {
		t.Fatalf("the window has %v valid pixels: the demo raster changed", n)
	}
	sort.Float64s(vals)
	sum := 0.0
	for _, v := range vals {
		sum += v
	}
	mean, variance := sum/n, 0.0
	for _, v := range vals {
		variance += (v - mean) * (v - mean)
	}
	quantile := func(q float64) float64 { return vals[int(math.Ceil(q*n))-1] }
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"min", got.Min, vals[0]}, {"max", got.Max, vals[len(vals)-1]}, {"count", got.Count, n}, {"sum", got.Sum, sum},
		{"mean", got.Mean, mean}, {"std", got.Std, math.Sqrt(variance / n)}, {"median", got.Median, quantile(0.5)},
		{"percentile_2", got.P2, quantile(0.02)}, {"percentile_98", got.P98, quantile(0.98)},
		{"valid_pixels", got.ValidPixels, n}, {"masked_pixels", got.MaskedPixels, 40000 - n},
		{"valid_percent", got.ValidPercent, math.Round(n/40000*100*100) / 100},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, the COG says %v", c.name, c.got, c.want)
		}
	}
	if got.P25 == nil || *got.P25 != quantile(0.25) {
		t.Errorf("percentile_25 = %v, want %v", got.P25, quantile(0.25))
	}
	counted := 0.0
	for _, c := range got.Histogram[0] {
		counted += c
	}
	if len(got.Histogram[0]) != 10 || len(got.Histogram[1]) != 11 || counted != n || got.Histogram[1][0] != vals[0] || got.Histogram[1][10] != vals[len(vals)-1] {
		t.Errorf("histogram %v: want 10 bins from min to max counting every valid pixel", got.Histogram)
	}
	if got.Description != "elevation_b1" {
		t.Errorf("description %q", got.Description)
	}
}

func TestStatisticsHistogramAndCategories(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-elevation"]}`)
	vals := elevationWindow(t, e, 100, 50, 300, 250)
	var f statsFeature
	get := func(query string) bandStats {
		t.Helper()
		r := post(t, fmt.Sprintf("%s/searches/%s/statistics?assets=elevation&%s", e.url, id, query), rectangle)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		r.json(t, &f)
		return f.Properties.Statistics["b1"]
	}
	// Four bins over 0-3000: 750 m each, 3000 in the last.
	want := make([]float64, 4)
	for _, v := range vals {
		if v >= 0 && v <= 3000 {
			want[min(3, int(v/750))]++
		}
	}
	h := get("histogram_bins=4&histogram_range=0,3000").Histogram
	if fmt.Sprint(h[0]) != fmt.Sprint(want) || fmt.Sprint(h[1]) != "[0 750 1500 2250 3000]" {
		t.Errorf("histogram %v, want %v over [0 750 1500 2250 3000]", h, want)
	}
	// Bin edges: the values 1000 and up, in two bins.
	want = []float64{0, 0}
	for _, v := range vals {
		switch {
		case v >= 1000 && v < 2000:
			want[0]++
		case v >= 2000 && v <= 3000:
			want[1]++
		}
	}
	if h := get("histogram_bins=1000,2000,3000").Histogram; fmt.Sprint(h[0]) != fmt.Sprint(want) {
		t.Errorf("histogram %v, want %v", h, want)
	}
	// Categories: how many pixels hold each value asked for.
	counts := map[float64]float64{}
	for _, v := range vals {
		counts[v]++
	}
	var common float64
	for v, c := range counts {
		if c > counts[common] || c == counts[common] && v < common {
			common = v
		}
	}
	s := get(fmt.Sprintf("categorical=true&c=%g&c=-1", common))
	if fmt.Sprint(s.Histogram) != fmt.Sprintf("[[%g 0] [%g -1]]", counts[common], common) || s.Majority != common || s.Unique != float64(len(counts)) {
		t.Errorf("categorical histogram %v, majority %v, unique %v; want %v pixels of %v, %d values", s.Histogram, s.Majority, s.Unique, counts[common], common, len(counts))
	}
}

// Edge pixels count by the share of them inside the geometry: a box whose
// sides cut pixels in half.
func TestStatisticsWeighEdgePixelsByCoverage(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-elevation"]}`)
	box := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
		"geometry":{"type":"Polygon","coordinates":[[[-2.505,35.105],[-2.295,35.105],[-2.295,35.295],[-2.505,35.295],[-2.505,35.105]]]}}]}`
	r := post(t, fmt.Sprintf("%s/searches/%s/statistics?assets=elevation", e.url, id), box)
	var fc struct {
		Type     string
		Features []statsFeature
	}
	r.json(t, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1 {
		t.Fatalf("want a FeatureCollection back: %s", r.body)
	}
	s := fc.Features[0].Properties.Statistics["b1"]
	// 21 x 19 pixels of area, touched pixels 22 x 20.
	if s.ValidPixels != 22*20 || s.MaskedPixels != 0 {
		t.Errorf("valid %v masked %v, want the 22x20 pixels the box touches", s.ValidPixels, s.MaskedPixels)
	}
	if s.Count < 21*19 || s.Count > 21*19+0.1*(2*21+2*19)+1e-6 {
		t.Errorf("count %v, want the box's area in pixels, %d (edge cells may add a tenth)", s.Count, 21*19)
	}
	if !(s.Mean > s.Min && s.Mean < s.Max) {
		t.Errorf("mean %v outside %v..%v", s.Mean, s.Min, s.Max)
	}
}

func TestStatisticsRefusesMalformedRequests(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-elevation"]}`)
	url := fmt.Sprintf("%s/searches/%s/statistics?assets=elevation", e.url, id)
	for what, c := range map[string][2]string{
		"not JSON":          {"", `{"type":"Feature",`},
		"not a feature":     {"", `{"type":"Polygon","coordinates":[[[-9,37.5],[-7,37.5],[-7,39.5],[-9,37.5]]]}`},
		"features not list": {"", `{"type":"FeatureCollection","features":{}}`},
		"bad feature":       {"", `{"type":"FeatureCollection","features":[` + rectangle + `,{"type":"Feature"}]}`},
		"percentile 101":    {"&p=101", rectangle},
		"percentile 2.5":    {"&p=2.5", rectangle},
		"range reversed":    {"&histogram_range=5,1", rectangle},
		"bins not numbers":  {"&histogram_bins=a", rectangle},
		"bins decreasing":   {"&histogram_bins=3,2,1", rectangle},
		"category":          {"&categorical=true&c=x", rectangle},
		"cover_scale":       {"&cover_scale=1001", rectangle},
		"cover_scale fine":  {"&cover_scale=1000", rectangle},
	} {
		e.checkDetail(t, post(t, url+c[0], c[1]), http.StatusUnprocessableEntity, what)
	}
	e.checkDetail(t, post(t, url[:len(url)-len("?assets=elevation")], rectangle), http.StatusUnprocessableEntity, "no assets")
	e.checkDetail(t, post(t, e.url+"/searches/0000/statistics?assets=elevation", rectangle), http.StatusNotFound, "unknown search")
	far := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[50,0],[51,0],[51,1],[50,0]]]}}`
	if r := post(t, url, far); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("a feature outside every item: want 204 with no body, got %d %s", r.status, r.body)
	}
}
