package handler_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tilefunc/handler"
	"tilefunc/internal/testenv"
)

// serverTiming reads a Server-Timing value (name;dur=ms, ...) into each
// metric's duration; a metric without a duration of 0 or more, or named
// twice, fails the test. names are the metrics in their order.
func serverTiming(t *testing.T, value string) (durs map[string]float64, names []string) {
	t.Helper()
	durs = map[string]float64{}
	if value == "" {
		return durs, nil
	}
	for _, metric := range strings.Split(value, ",") {
		parts := strings.Split(strings.TrimSpace(metric), ";")
		name, dur := parts[0], -1.0
		for _, p := range parts[1:] {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "dur="); ok {
				d, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("Server-Timing %q: %s has dur %q", value, name, v)
				}
				dur = d
			}
		}
		if _, twice := durs[name]; twice || dur < 0 {
			t.Fatalf("Server-Timing %q: metric %q named twice or without dur >= 0", value, name)
		}
		durs[name], names = dur, append(names, name)
	}
	return durs, names
}

// Every image answer says in Server-Timing how long its stages took: the
// pgSTAC lookup, the reads, a mosaic's merge, the encoding, and the whole,
// which no stage exceeds. One item's images have no merge.
func TestImagesTimeTheirStagesInServerTiming(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	mosaic := []string{"catalog", "read", "merge", "encode", "total"}
	item := []string{"catalog", "read", "encode", "total"}
	const rgbWest = "/collections/demo-rgb/items/rgb_west"
	for _, c := range []struct {
		name, method, path, body string
		want                     []string
	}{
		{"z0 mosaic tile", http.MethodGet, "/searches/" + id + "/tiles/WebMercatorQuad/0/0/0.png?assets=visual", "", mosaic},
		{"collection tile", http.MethodGet, "/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual", "", mosaic},
		{"mosaic bbox", http.MethodGet, "/searches/" + id + "/bbox/-1,44,1,46.png?assets=visual", "", mosaic},
		{"mosaic feature", http.MethodPost, "/searches/" + id + "/feature.png?assets=visual", triangleBody, mosaic},
		{"item tile", http.MethodGet, rgbWest + "/tiles/WebMercatorQuad/8/124/92.png?assets=visual", "", item},
		{"item preview", http.MethodGet, rgbWest + "/preview.png?assets=visual&max_size=128", "", item},
		{"item bbox", http.MethodGet, rgbWest + "/bbox/-2,44,0,46.png?assets=visual", "", item},
	} {
		r := request(t, c.method, e.url+c.path, c.body, map[string]string{"Content-Type": "application/json"})
		okBody(t, r, "image/png")
		h := r.header.Get("Server-Timing")
		durs, names := serverTiming(t, h)
		if !slices.Equal(names, c.want) {
			t.Errorf("%s: Server-Timing %q, want the metrics %v", c.name, h, c.want)
		}
		for _, n := range names {
			if durs[n] > durs["total"] {
				t.Errorf("%s: %s took %.2f ms, more than the total %.2f ms", c.name, n, durs[n], durs["total"])
			}
		}
		t.Logf("%s: Server-Timing: %s", c.name, h)
	}
}

// An error carries no stage, which would be partial (its total alone);
// an answer that is not an image carries no Server-Timing outside debug
// mode.
func TestErrorsAndDocumentsCarryNoStageTimes(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	for _, path := range []string{
		"/collections/demo-rgb/items/rgb_west/tiles/WebMercatorQuad/8/0/0.png?assets=visual", // 404: the tile misses the item, after looking it up and checking
		"/searches/" + id + "/tiles/WebMercatorQuad/0/0/0.png",                               // 422: no assets
		"/searches/" + id + "/tiles/WebMercatorQuad/0/0/0.png?assets=visual&rescale=a",       // 422
	} {
		r := get(t, e.url+path)
		if r.status < 400 || r.status >= 500 {
			t.Fatalf("%s: status %d, want a 4xx", path, r.status)
		}
		if _, names := serverTiming(t, r.header.Get("Server-Timing")); !slices.Equal(names, []string{"total"}) {
			t.Errorf("%s: %d with Server-Timing %q, want its total alone", path, r.status, r.header.Get("Server-Timing"))
		}
	}
	r := get(t, e.url+"/searches/"+id+"/WebMercatorQuad/tilejson.json?assets=visual")
	if h := r.header.Get("Server-Timing"); r.status != 200 || h != "" {
		t.Errorf("TileJSON: %d with Server-Timing %q, want none", r.status, h)
	}
}

// In debug mode every answer carries its total, as titiler's
// TotalTimeMiddleware; images still carry their stages.
func TestDebugModeTimesEveryAnswer(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	debug, _ := serve(t, e.catalog.DatabaseURL, nil, []string{testenv.COGDir(t)}, "", func(s *handler.Server) { s.Debug = true })
	r := get(t, debug+"/searches/"+id+"/WebMercatorQuad/tilejson.json?assets=visual")
	if _, names := serverTiming(t, r.header.Get("Server-Timing")); r.status != 200 || !slices.Equal(names, []string{"total"}) {
		t.Errorf("debug TileJSON: %d with Server-Timing %q, want total", r.status, r.header.Get("Server-Timing"))
	}
	r = get(t, debug+"/searches/"+id+"/tiles/WebMercatorQuad/8/128/92.png?assets=visual")
	if _, names := serverTiming(t, r.header.Get("Server-Timing")); r.status != 200 || !slices.Equal(names, []string{"catalog", "read", "merge", "encode", "total"}) {
		t.Errorf("debug tile: %d with Server-Timing %q", r.status, r.header.Get("Server-Timing"))
	}
}

// A page of an allowed origin may read the timings (Timing-Allow-Origin,
// as the CORS origin is echoed); another origin's may not.
func TestAllowedOriginsMayReadTheTimings(t *testing.T) {
	e := newEnv(t, false)
	url, _ := serve(t, e.catalog.DatabaseURL, nil, []string{testenv.COGDir(t)}, "", func(s *handler.Server) {
		s.CORSOrigins = []string{"https://maps.example"}
	})
	tile := url + "/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual"
	r := request(t, http.MethodGet, tile, "", map[string]string{"Origin": "https://maps.example"})
	if r.status != 200 || r.header.Get("Timing-Allow-Origin") != "https://maps.example" || r.header.Get("Server-Timing") == "" {
		t.Errorf("allowed origin: %d, Timing-Allow-Origin %q, Server-Timing %q", r.status, r.header.Get("Timing-Allow-Origin"), r.header.Get("Server-Timing"))
	}
	r = request(t, http.MethodGet, tile, "", map[string]string{"Origin": "https://evil.example"})
	if h := r.header.Get("Timing-Allow-Origin"); r.status != 200 || h != "" {
		t.Errorf("other origin: %d, Timing-Allow-Origin %q, want none", r.status, h)
	}
}
