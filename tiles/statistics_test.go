package tiles_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// numpyStats are rio-tiler's get_array_statistics of the image below, as
// numpy 2.4 computes them (float64 data and coverage), one list of bands
// per case of options.
var numpyStats = map[string]string{
	"default":     `[{"min":0.0,"max":9.0,"mean":3.621323529411765,"count":13.6,"sum":49.25,"std":2.323154172045718,"median":4.0,"majority":1.0,"minority":3.0,"unique":9.0,"percentile_2":0.0,"percentile_98":7.0,"histogram":[[2,3,2,1,3,1,2,2,0,1],[0.0,0.9,1.8,2.7,3.6,4.5,5.4,6.3,7.2,8.1,9.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47},{"min":10.0,"max":105.0,"mean":54.13602941176471,"count":13.6,"sum":736.25,"std":29.2976589427986,"median":55.0,"majority":10.0,"minority":10.0,"unique":17.0,"percentile_2":10.0,"percentile_98":105.0,"histogram":[[2,2,2,1,2,1,2,2,1,2],[10.0,19.5,29.0,38.5,48.0,57.5,67.0,76.5,86.0,95.5,105.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47}]`,
	"percentiles": `[{"min":0.0,"max":9.0,"mean":3.621323529411765,"count":13.6,"sum":49.25,"std":2.323154172045718,"median":4.0,"majority":1.0,"minority":3.0,"unique":9.0,"percentile_5":0.0,"percentile_50":4.0,"percentile_95":7.0,"histogram":[[3,4,4],[2.0,4.0,6.0,8.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47},{"min":10.0,"max":105.0,"mean":54.13602941176471,"count":13.6,"sum":736.25,"std":29.2976589427986,"median":55.0,"majority":10.0,"minority":10.0,"unique":17.0,"percentile_5":15.0,"percentile_50":55.0,"percentile_95":105.0,"histogram":[[0,0,0],[2.0,4.0,6.0,8.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47}]`,
	"edges":       `[{"min":0.0,"max":9.0,"mean":3.621323529411765,"count":13.6,"sum":49.25,"std":2.323154172045718,"median":4.0,"majority":1.0,"minority":3.0,"unique":9.0,"percentile_2":0.0,"percentile_98":7.0,"histogram":[[7,4,6],[0.0,2.5,5.0,9.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47},{"min":10.0,"max":105.0,"mean":54.13602941176471,"count":13.6,"sum":736.25,"std":29.2976589427986,"median":55.0,"majority":10.0,"minority":10.0,"unique":17.0,"percentile_2":10.0,"percentile_98":105.0,"histogram":[[0,0,0],[0.0,2.5,5.0,9.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47}]`,
	"categorical": `[{"min":0.0,"max":9.0,"mean":3.621323529411765,"count":13.6,"sum":49.25,"std":2.323154172045718,"median":4.0,"majority":1.0,"minority":3.0,"unique":9.0,"percentile_2":0.0,"percentile_98":7.0,"histogram":[[2,3,0],[7.0,4.0,11.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47},{"min":10.0,"max":105.0,"mean":54.13602941176471,"count":13.6,"sum":736.25,"std":29.2976589427986,"median":55.0,"majority":10.0,"minority":10.0,"unique":17.0,"percentile_2":10.0,"percentile_98":105.0,"histogram":[[0,0,0],[7.0,4.0,11.0]],"valid_pixels":17.0,"masked_pixels":3.0,"valid_percent":89.47}]`,
	"flat":        `[{"min":0.0,"max":0.0,"mean":0.0,"count":16.0,"sum":0.0,"std":0.0,"median":0.0,"majority":0.0,"minority":0.0,"unique":1.0,"percentile_2":0.0,"percentile_98":0.0,"histogram":[[0,0,0,0,0,16,0,0,0,0],[-0.5,-0.4,-0.3,-0.19999999999999996,-0.09999999999999998,0.0,0.10000000000000009,0.20000000000000007,0.30000000000000004,0.4,0.5]],"valid_pixels":16.0,"masked_pixels":0.0,"valid_percent":100.0}]`,
}

// statsImage is two bands of 5x4 pixels, three pixels masked, ties in the
// first band's counts (1 and 4 three times each; 3, 5 and 9 once), and the
// coverage of each pixel (one pixel not covered at all).
func statsImage() (*raster.Image, []float32) {
	b1 := []float64{1, 2, 2, 3, 3, 5, 7, 7, 7, 9, 1, 1, 4, 4, 4, 8, 0, 0, 6, 6}
	b2 := []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 15, 25, 35, 45, 55, 65, 75, 85, 95, 105}
	masked := map[int]bool{3: true, 8: true, 15: true}
	img := raster.New(5, 4, 2, raster.Float64)
	img.Bands = [][]float64{b1, b2}
	for b := range img.Valid {
		for i := range img.Valid[b] {
			img.Valid[b][i] = !masked[i]
		}
	}
	cov := []float32{0.5, 1, 1, 1, 0.25, 1, 1, 1, 1, 0, 1, 1, 0.75, 1, 1, 1, 0.1, 1, 1, 1}
	return img, cov
}

func TestStatisticsMatchNumpy(t *testing.T) {
	img, cov := statsImage()
	flat := raster.New(4, 4, 1, raster.Float64)
	for i := range flat.Valid[0] {
		flat.Valid[0][i] = true
	}
	for name, c := range map[string]struct {
		img *raster.Image
		cov []float32
		o   tiles.StatsOptions
	}{
		"default":     {img, cov, tiles.StatsOptions{}},
		"percentiles": {img, cov, tiles.StatsOptions{Percentiles: []int{5, 50, 95}, Bins: 3, Range: &[2]float64{2, 8}}},
		"edges":       {img, cov, tiles.StatsOptions{Edges: []float64{0, 2.5, 5, 9}}},
		"categorical": {img, cov, tiles.StatsOptions{Categorical: true, Categories: []float64{7, 4, 11}}},
		"flat":        {flat, nil, tiles.StatsOptions{}},
	} {
		b, err := json.Marshal(tiles.Statistics(c.img, c.cov, c.o))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %s", name, b)
		}
		var want []map[string]any
		json.Unmarshal([]byte(numpyStats[name]), &want)
		if len(got) != len(want) {
			t.Fatalf("%s: %d bands, want %d", name, len(got), len(want))
		}
		for i, w := range want {
			g := got["b"+string(rune('1'+i))]
			delete(g, "description")
			if !sameNumbers(g, w) {
				t.Errorf("%s band %d:\n got %v\nwant %v", name, i+1, g, w)
			}
		}
	}
}

// sameNumbers compares decoded JSON, numbers to 1e-8 relative (coverage
// is float32, as rio-tiler's; the reference used float64).
func sameNumbers(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Abs(x-y) <= 1e-8*math.Max(1, math.Abs(y))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameNumbers(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !sameNumbers(x[k], y[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// The fields come in titiler's order (the model's, then the percentiles),
// and what numpy leaves NaN is null, as titiler's JSON writes it.
func TestStatisticsJSONOrderAndNulls(t *testing.T) {
	img := raster.New(2, 1, 1, raster.Float64)
	img.Bands[0], img.Descriptions = []float64{1, 2}, []string{"cog_b1"}
	b, err := json.Marshal(tiles.Statistics(img, nil, tiles.StatsOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"b1":{"min":null,"max":null,"mean":null,"count":0,"sum":0,"std":null,"median":null,"majority":null,"minority":null,` +
		`"unique":0,"histogram":[[0,0,0,0,0,0,0,0,0,0],[0,0.1,0.2,0.30000000000000004,0.4,0.5,0.6000000000000001,0.7000000000000001,0.8,0.9,1]],` +
		`"valid_percent":0,"masked_pixels":2,"valid_pixels":0,"description":"cog_b1","percentile_2":null,"percentile_98":null}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	many := raster.New(1, 1, 11, raster.Float64)
	for i := range many.Bands {
		many.Bands[i][0], many.Valid[i][0] = float64(i), true
	}
	b, _ = json.Marshal(tiles.Statistics(many, nil, tiles.StatsOptions{}))
	if i, j := strings.Index(string(b), `"b2"`), strings.Index(string(b), `"b10"`); i < 0 || j < i {
		t.Errorf("bands out of order: %s", b)
	}
}
