package handler_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tilefunc/handler"
	"tilefunc/internal/testenv"
	"tilefunc/storage"
	"tilefunc/tiles"
)

// An allowed https host is read in range requests that follow redirects
// on allowed hosts only: one that sends the server on to another place
// (here a loopback listener) is refused with a 4xx, and the other place
// sees no request.
func TestAllowedHostRedirectingElsewhereIsRefused(t *testing.T) {
	elsewhere := newCounter(t)
	cog := testenv.COGs(t)["rgb_west"]
	var allowedHits atomic.Int64
	allowed := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowedHits.Add(1)
		switch r.URL.Path {
		case "/cog.tif":
			http.ServeFile(w, r, cog)
		case "/moved.tif": // on the same host: followed
			http.Redirect(w, r, "/cog.tif", http.StatusFound)
		default: // to a host that is not allowed
			http.Redirect(w, r, elsewhere.URL+"/x.tif", http.StatusFound)
		}
	}))
	t.Cleanup(allowed.Close)
	host := strings.TrimPrefix(allowed.URL, "https://")
	cat := testenv.LoadCatalog(t, map[string]string{
		"rgb_west": allowed.URL + "/cog.tif", "rgb_east": allowed.URL + "/x.tif?sig=SECRETSAS", "elevation": allowed.URL + "/moved.tif",
	})
	// The test server's certificate is trusted through its transport; the
	// reader's redirect rule and timeout are its own.
	resolver := storage.NewResolver(nil, "", nil, []string{host}, storage.HTTPSTransport(allowed.Client().Transport))
	srv, _ := serve(t, cat.DatabaseURL, nil, nil, "", func(s *handler.Server) { s.Renderer = tiles.NewRenderer(resolver, 4) })

	for _, path := range []string{"/collections/demo-rgb/items/rgb_west/info?assets=visual", "/collections/demo-elevation/items/elevation/info?assets=elevation"} {
		if r := get(t, srv+path); r.status != http.StatusOK {
			t.Errorf("%s: %d %s, want 200 (a COG on the allowed host)", path, r.status, r.body)
		}
	}
	item := "/collections/demo-rgb/items/rgb_east"
	for _, path := range []string{"/info?assets=visual", "/assets/visual/info", "/tiles/WebMercatorQuad/5/16/11.png?assets=visual",
		"/preview.png?assets=visual", "/point/5,45?assets=visual", "/external/info?url=" + url.QueryEscape(allowed.URL+"/y.tif")} {
		if !strings.HasPrefix(path, "/external") {
			path = item + path
		}
		r := get(t, srv+path)
		if d := string(r.body); r.status != http.StatusForbidden || !strings.Contains(d, "redirected") || strings.Contains(d, "SECRETSAS") {
			t.Errorf("%s: %d %s, want 403 naming the redirect, not the query", path, r.status, d)
		}
	}
	if n := elsewhere.hits.Load(); n != 0 {
		t.Errorf("the host redirected to got %d requests, want 0", n)
	}
	if allowedHits.Load() == 0 {
		t.Error("the allowed host got no request")
	}
}

// What an allowed https host answers other than a GeoTIFF in byte ranges
// is a 4xx, or a 503 to come back after when the host fails or stalls;
// never a 500 or a hang, and never the URL's query.
func TestAllowedHostFailuresAreClearAnswers(t *testing.T) {
	cog := testenv.COGs(t)["rgb_west"]
	host := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cog.tif":
			http.ServeFile(w, r, cog)
		case "/text.tif": // there, in ranges, but not a GeoTIFF
			http.ServeContent(w, r, "text.tif", time.Time{}, strings.NewReader(strings.Repeat("not a raster ", 100)))
		case "/whole.tif": // no byte ranges
			w.Write([]byte("II*\x00"))
		case "/failing.tif":
			http.Error(w, "down", http.StatusBadGateway)
		case "/stalled.tif":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(host.Close)
	resolver := storage.NewResolver(nil, "", nil, []string{strings.TrimPrefix(host.URL, "https://")},
		storage.HTTPSTransport(host.Client().Transport), storage.HTTPSTimeout(time.Second))
	srv, _ := serve(t, testenv.Database(t), nil, nil, "", func(s *handler.Server) { s.Renderer = tiles.NewRenderer(resolver, 4) })

	for file, want := range map[string]struct {
		status int
		says   string
	}{
		"/cog.tif":     {http.StatusOK, `"dtype":"uint8"`},
		"/missing.tif": {http.StatusNotFound, "not found"},
		"/text.tif":    {http.StatusBadRequest, "GeoTIFF"},
		"/whole.tif":   {http.StatusBadRequest, "byte ranges"},
		"/failing.tif": {http.StatusServiceUnavailable, "HTTP 502"},
		"/stalled.tif": {http.StatusServiceUnavailable, "in time"},
	} {
		start := time.Now()
		r := get(t, srv+"/external/info?url="+url.QueryEscape(host.URL+file+"?sig=SECRETSAS"))
		if b := string(r.body); r.status != want.status || !strings.Contains(b, want.says) || strings.Contains(b, "SECRETSAS") {
			t.Errorf("%s: %d %.200s, want %d saying %q, without the query", file, r.status, b, want.status, want.says)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: answered after %s", file, took)
		}
	}
}
