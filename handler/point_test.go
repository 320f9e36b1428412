package handler_test

import (
	"fmt"
	"math"
	"net/http"
	"reflect"
	"testing"
)

// pointAnswer is the JSON of a mosaic point.
type pointAnswer struct {
	Coordinates []float64
	Assets      []struct {
		Name             string
		Values           []*float64
		BandNames        []string `json:"band_names"`
		BandDescriptions []string `json:"band_descriptions"`
	}
}

func getPoint(t *testing.T, url string) pointAnswer {
	t.Helper()
	r := get(t, url)
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", url, r.status, r.body)
	}
	var p pointAnswer
	r.json(t, &p)
	return p
}

func TestPointValuesEqualTheSourcePixels(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	for _, c := range []struct {
		lon, lat float64
		item     string
	}{{-5.1234, 44.5678, "rgb_west"}, {0.4999, 49.0011, "rgb_west"}, {0.5071, 40.0032, "rgb_east"}, {9.87, 45.55, "rgb_east"}} {
		p := getPoint(t, fmt.Sprintf("%s/searches/%s/point/%g,%g?assets=visual", e.url, id, c.lon, c.lat))
		if len(p.Assets) != 1 || p.Assets[0].Name != "demo-rgb/"+c.item {
			t.Fatalf("%g,%g: want one value from demo-rgb/%s, got %+v", c.lon, c.lat, c.item, p)
		}
		src := readSource(t, e.catalog.Paths[c.item], c.lon, c.lat)
		a := p.Assets[0]
		if got := deref(a.Values); !reflect.DeepEqual(got, src.center) {
			t.Errorf("%g,%g: values %v, the source pixel is %v", c.lon, c.lat, got, src.center)
		}
		if !reflect.DeepEqual(a.BandNames, []string{"b1", "b2", "b3"}) || !reflect.DeepEqual(a.BandDescriptions, []string{"visual_b1", "visual_b2", "visual_b3"}) {
			t.Errorf("band names %v, descriptions %v", a.BandNames, a.BandDescriptions)
		}
		if !reflect.DeepEqual(p.Coordinates, []float64{c.lon, c.lat}) {
			t.Errorf("coordinates %v", p.Coordinates)
		}
	}
}

func TestPointInWebMercatorWithBandsSelected(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	lon, lat := 3.3333, 47.7777
	x := lon * math.Pi * 6378137 / 180
	y := math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 6378137
	p := getPoint(t, fmt.Sprintf("%s/searches/%s/point/%.6f,%.6f?assets=visual|bidx=3,1&coord_crs=EPSG:3857", e.url, id, x, y))
	src := readSource(t, e.catalog.Paths["rgb_east"], lon, lat)
	if len(p.Assets) != 1 {
		t.Fatalf("want one item, got %+v", p)
	}
	if got, want := deref(p.Assets[0].Values), []float64{src.center[2], src.center[0]}; !reflect.DeepEqual(got, want) {
		t.Errorf("bands 3,1 are %v, the source has %v", got, want)
	}
	if d := p.Assets[0].BandDescriptions; !reflect.DeepEqual(d, []string{"visual_b3", "visual_b1"}) {
		t.Errorf("descriptions %v", d)
	}
	if math.Abs(p.Coordinates[0]-x) > 1e-3 {
		t.Errorf("coordinates %v are not the request's", p.Coordinates)
	}
}

func TestPointOnNodataIsNull(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-elevation"]}`)
	p := getPoint(t, fmt.Sprintf("%s/searches/%s/point/-9.5,39.5?assets=elevation", e.url, id))
	if len(p.Assets) != 1 || len(p.Assets[0].Values) != 1 || p.Assets[0].Values[0] != nil {
		t.Fatalf("a nodata pixel should read null: %+v", p)
	}
	src := readSource(t, e.catalog.Paths["elevation"], 0.123, 35.456)
	p = getPoint(t, fmt.Sprintf("%s/searches/%s/point/0.123,35.456?assets=elevation", e.url, id))
	if got := deref(p.Assets[0].Values); !reflect.DeepEqual(got, src.center) || src.center[0] <= 0 {
		t.Errorf("elevation %v, the source has %v", got, src.center)
	}
	// nodata= overrides the raster's: the hill's value is now no data.
	p = getPoint(t, fmt.Sprintf("%s/searches/%s/point/0.123,35.456?assets=elevation&nodata=%g", e.url, id, src.center[0]))
	if p.Assets[0].Values[0] != nil {
		t.Errorf("with nodata=%g the pixel should read null, got %v", src.center[0], *p.Assets[0].Values[0])
	}
}

func TestPointOutsideEveryItemIs204(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	r := get(t, fmt.Sprintf("%s/searches/%s/point/50,10?assets=visual", e.url, id))
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("want 204 with no body, got %d %s", r.status, r.body)
	}
}

func TestPointRefusesMalformedRequests(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	base := fmt.Sprintf("%s/searches/%s/point/", e.url, id)
	for _, path := range []string{"east,45?assets=visual", "1,2,3?assets=visual", "1,NaN?assets=visual", "-5,45", "-5,45?assets=visual&coord_crs=EPSG:999999",
		"-5,45?assets=visual&coord_crs=/etc/passwd", "-5,45?assets=visual&exitwhenfull=maybe"} {
		e.checkDetail(t, get(t, base+path), http.StatusUnprocessableEntity, path)
	}
	e.checkDetail(t, get(t, base+"-5,45?assets=nope"), http.StatusNotFound, "unknown asset")
	e.checkDetail(t, get(t, base+"-5,45?assets=visual|bidx=4"), http.StatusBadRequest, "band 4")
	e.checkDetail(t, get(t, e.url+"/searches/0000/point/-5,45?assets=visual"), http.StatusNotFound, "unknown search")
}

func TestPointAssetsAreTheItemsThere(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	var items []map[string]any
	get(t, fmt.Sprintf("%s/searches/%s/point/-5,45/assets", e.url, id)).json(t, &items)
	if len(items) != 1 || items[0]["id"] != "rgb_west" || items[0]["collection"] != "demo-rgb" || items[0]["assets"] == nil || items[0]["bbox"] == nil {
		t.Fatalf("want rgb_west as pgSTAC has it, got %v", items)
	}
	r := get(t, fmt.Sprintf("%s/searches/%s/point/50,10/assets", e.url, id))
	if r.status != http.StatusOK || string(r.body) != "[]" {
		t.Fatalf("outside every item: want 200 [], got %d %s", r.status, r.body)
	}
}

// checkDetail checks a JSON error, naming the case.
func (e *env) checkDetail(t *testing.T, r response, want int, what string) {
	t.Helper()
	if r.status != want {
		t.Errorf("%s: status %d, want %d: %s", what, r.status, want, r.body)
		return
	}
	r.detail(t, want)
}

func deref(vs []*float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		if v == nil {
			out[i] = math.NaN()
			continue
		}
		out[i] = *v
	}
	return out
}

// Points, parts and statistics read blobs through the same VSI handler as
// tiles.
func TestPointAndBBoxFromAzuriteBlobs(t *testing.T) {
	e := newEnv(t, true)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	if href := e.catalog.Hrefs["rgb_east"]; href[:7] != "http://" {
		t.Fatalf("the item should point at Azurite, has %q", href)
	}
	p := getPoint(t, fmt.Sprintf("%s/searches/%s/point/6.789,41.234?assets=visual", e.url, id))
	src := readSource(t, e.catalog.Paths["rgb_east"], 6.789, 41.234)
	if len(p.Assets) != 1 || !reflect.DeepEqual(deref(p.Assets[0].Values), src.center) {
		t.Fatalf("values %+v, the source pixel is %v", p, src.center)
	}
	img := decodePNG(t, get(t, fmt.Sprintf("%s/searches/%s/bbox/0,45,1,46.png?assets=visual", e.url, id)))
	partPixels(t, e, img, [4]float64{0, 45, 1, 46}, 5, everywhere, "rgb_west", "rgb_east")
}
