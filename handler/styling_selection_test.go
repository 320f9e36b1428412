package handler_test

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"

	"tilefunc/internal/fixtures"
)

// selectionPoint is a place of the styled-overlap planes and what each
// pixel selection method answers there, worked out by hand from the
// planes' values (rasters.go) and datetimes: ov-ramp (newest, its value
// growing east), ov-20 (with a hole), ov-80, ov-30, ov-10 (oldest). The
// lastband methods read the trio asset (value, value+100, decision) and
// answer its first two bands.
type selectionPoint struct {
	name     string
	tile     tileID
	lon, lat float64
	planes   []float64 // values under the point, newest first
	want     map[string][]float64
}

var selectionPoints = []selectionPoint{
	{"four planes", eastTile, 3.7, 43.9, []float64{20, 80, 30, 10}, map[string][]float64{
		"first": {20}, "highest": {80}, "lowest": {10}, "mean": {35}, "median": {25},
		// population deviation: mean 35, squares 225+2025+25+625 over 4
		"stdev": {math.Sqrt(725)}, "count": {4},
		// decisions 60, 40, 90, 50
		"lastbandhigh": {30, 130}, "lastbandlow": {80, 180}}},
	{"two planes", eastTile, 4.02, 43.7, []float64{30, 10}, map[string][]float64{
		"first": {30}, "highest": {30}, "lowest": {10}, "mean": {20}, "median": {20}, "stdev": {10}, "count": {2},
		"lastbandhigh": {30, 130}, "lastbandlow": {10, 110}}},
	{"three planes", eastTile, 3.95, 43.7, []float64{20, 30, 10}, map[string][]float64{
		"first": {20}, "highest": {30}, "lowest": {10}, "mean": {20}, "median": {20}, "stdev": {math.Sqrt(200.0 / 3)}, "count": {3},
		"lastbandhigh": {30, 130}, "lastbandlow": {10, 110}}},
	// ov-20's hole: the newer item has no data, so the older ones answer
	{"under a hole", westTile, 3.3, 43.8, []float64{80, 10}, map[string][]float64{
		"first": {80}, "highest": {80}, "lowest": {10}, "mean": {45}, "median": {45}, "stdev": {35}, "count": {2},
		"lastbandhigh": {10, 110}, "lastbandlow": {80, 180}}},
	// the ramp holds 105 at 3.5°E (1 + 249 × 0.25 / 0.6, rounded), its
	// decision 53; the mean 41.25 is cut to the bytes' 41
	{"the ramp on top", westTile, 3.5, 43.62, []float64{105, 20, 30, 10}, map[string][]float64{
		"first": {105}, "highest": {105}, "lowest": {10}, "mean": {41}, "median": {25},
		"stdev": {math.Sqrt((63.75*63.75 + 21.25*21.25 + 11.25*11.25 + 31.25*31.25) / 4)}, "count": {4},
		"lastbandhigh": {30, 130}, "lastbandlow": {10, 110}}},
	// no plane: no data, but a count of 0 (rio-tiler's count has no mask)
	{"no plane", eastTile, 4.15, 43.7, nil, map[string][]float64{"count": {0}}},
}

var selectionMethods = []string{"first", "highest", "lowest", "mean", "median", "stdev", "count", "lastbandhigh", "lastbandlow"}

// Every item is fed to the methods (skipcovered=false&exitwhenfull=false):
// otherwise pgSTAC hands over only the items not hidden by newer ones.
func TestPixelSelectionMethodsAnswerTheHandComputedValuesWherePlanesOverlap(t *testing.T) {
	e := newStylingEnv(t)
	for _, p := range selectionPoints {
		i, j := grid{p.tile, 256, 0}.pixel(p.lon, p.lat)
		lon, lat := grid{p.tile, 256, 0}.lonLat(i, j)
		values, clear := planesAt(t, e, lon, lat)
		if !clear || !reflect.DeepEqual(values, p.planes) {
			t.Fatalf("%s: the COGs hold %v under pixel %d,%d (clear: %v), the table says %v", p.name, values, i, j, clear, p.planes)
		}
	}
	for _, m := range selectionMethods {
		t.Run(m, func(t *testing.T) {
			asset, bands := "value", 1
			if m == "lastbandhigh" || m == "lastbandlow" {
				asset, bands = "trio", 2
			}
			arrays := map[tileID]npyAnswer{}
			for _, id := range []tileID{eastTile, westTile} {
				arrays[id] = decodeNPY(t, e.tile(t, ov, id, fmt.Sprintf(".npy?assets=%s&%s&pixel_selection=%s", asset, allItems, m)))
			}
			for _, p := range selectionPoints {
				a := arrays[p.tile]
				if a.shape[0] != bands+1 {
					t.Fatalf("%s: %d bands, want %d and the mask", m, a.shape[0]-1, bands)
				}
				top, bottom := typeRange(t, a.descr)
				i, j := grid{p.tile, 256, 0}.pixel(p.lon, p.lat)
				got := a.picture().px(i, j)
				want, ok := p.want[m]
				if !ok { // no data there
					if got[bands] != bottom {
						t.Errorf("%s at %s: %v, want it masked", m, p.name, got)
					}
					continue
				}
				for b := range want {
					if math.Abs(got[b]-want[b]) > 1e-9 {
						t.Errorf("%s at %s (planes %v): %v, want %v", m, p.name, p.planes, got[:bands], want)
						break
					}
				}
				if got[bands] != top {
					t.Errorf("%s at %s: mask %v, want %v (data)", m, p.name, got[bands], top)
				}
			}
		})
	}
}

// With pgSTAC's defaults the newest item covering the tile hides the
// rest: the first method then sees only what pgSTAC hands over.
func TestPixelSelectionWithoutAllItemsSeesOnlyTheItemsPgSTACKeeps(t *testing.T) {
	e := newStylingEnv(t)
	a := decodeNPY(t, e.tile(t, ov, fullTile, ".npy?assets=value&pixel_selection=count"))
	i, j := grid{fullTile, 256, 0}.pixel(3.7, 43.9)
	if got := a.picture().at(0, i, j); got >= 4 {
		t.Fatalf("count under four planes with pgSTAC's skipcovered and exitwhenfull: %v, want fewer than 4", got)
	}
	a = decodeNPY(t, e.tile(t, ov, fullTile, ".npy?assets=value&pixel_selection=count&"+allItems))
	if got := a.picture().at(0, i, j); got != 4 {
		t.Fatalf("count under four planes with every item: %v, want 4", got)
	}
}

// planesAt is the value of every styled-overlap item with data under
// lon/lat, newest first (pgSTAC's order), read from their COGs; clear is
// false when the point is near a pixel edge of any item where the values
// change.
func planesAt(t *testing.T, e *stylingEnv, lon, lat float64) ([]float64, bool) {
	t.Helper()
	var out []float64
	clear := true
	for _, o := range newestFirst() {
		r := e.raster(t, o.ID+"/value")
		s := r.at(lon, lat)
		clear = clear && (s.clear || r.steady(s))
		if r.valid(s) {
			out = append(out, s.values[0])
		}
	}
	return out, clear
}

// newestFirst are the styled-overlap items by datetime, newest first.
func newestFirst() []fixtures.OverlapItem {
	items := append([]fixtures.OverlapItem(nil), fixtures.OverlapItems...)
	sort.Slice(items, func(i, j int) bool { return items[i].Datetime > items[j].Datetime })
	return items
}
