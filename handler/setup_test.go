package handler_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/handler"
	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
	"tilefunc/storage"
	"tilefunc/tiles"
)

// env is a running tilefunc over a real pgSTAC database holding the demo
// catalog, with its assets local or in Azurite.
type env struct {
	url     string
	catalog *testenv.Catalog
	logs    *bytes.Buffer
}

var defaults = tilefunc.SearchOptions{ScanLimit: 10000, ItemsLimit: 100, TimeLimit: 5e9, ExitWhenFull: true, SkipCovered: true}

func newEnv(t *testing.T, blob bool) *env {
	t.Helper()
	cat := testenv.DemoCatalog(t, blob)
	var b *storage.Blob
	if blob {
		var err error
		if b, err = storage.NewBlobFromConnectionString(testenv.Azurite(t), 16); err != nil {
			t.Fatal(err)
		}
		if err := b.Register(); err != nil {
			t.Fatal(err)
		}
	}
	url, logs := serve(t, cat.DatabaseURL, b, []string{testenv.COGDir(t)}, "public, max-age=3600")
	return &env{url: url, catalog: cat, logs: logs}
}

// serve runs tilefunc over the pgSTAC database at dbURL, reading assets
// from blob (when not nil) and the local folders dirs, its answers
// carrying cacheControl. It returns the server's URL and its log, shown
// when the test fails.
func serve(t *testing.T, dbURL string, blob *storage.Blob, dirs []string, cacheControl string, opts ...func(*handler.Server)) (string, *bytes.Buffer) {
	t.Helper()
	pg, err := pgstac.Open(dbURL, pgstac.Options{MinConns: 0, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	logs := &bytes.Buffer{}
	srv := &handler.Server{
		Catalog:      pg,
		Renderer:     tiles.NewRenderer(storage.NewResolver(blob, "", dirs, nil), 4),
		Search:       defaults,
		CacheControl: handler.CachePolicy{Documents: cacheControl, Images: cacheControl, Service: cacheControl},
		Version:      "test",
		Logger:       slog.New(slog.NewTextHandler(testenv.ServerLog(t, logs), nil)),
		AssetRoutes:  true, ExternalRoutes: true,
	}
	for _, o := range opts {
		o(srv)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	return ts.URL, logs
}

// register posts a search body and returns the new search id.
func (e *env) register(t *testing.T, body string) string {
	t.Helper()
	resp := post(t, e.url+"/searches/register", body)
	if resp.status != http.StatusOK {
		t.Fatalf("register %s: %d %s", body, resp.status, resp.body)
	}
	var out struct{ ID string }
	resp.json(t, &out)
	return out.ID
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.body)
	}
}

func get(t *testing.T, url string) response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

// request sends a request with the headers given.
func request(t *testing.T, method, url, body string, headers map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func post(t *testing.T, url, body string) response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// detail checks a JSON error: its status and that it carries a detail.
func (r response) detail(t *testing.T, want int) string {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var e struct{ Detail string }
	r.json(t, &e)
	if e.Detail == "" {
		t.Fatalf("no detail in %s", r.body)
	}
	return e.Detail
}

// okBody is the body of a 200 answer of the Content-Type.
func okBody(t *testing.T, r response, contentType string) []byte {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != contentType {
		t.Fatalf("Content-Type %q, want %s", ct, contentType)
	}
	return r.body
}

func decodePNG(t *testing.T, r response) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(okBody(t, r, "image/png")))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// pixelLonLat is the centre of pixel (i, j) of a WebMercatorQuad tile of
// size px, in longitude/latitude.
func pixelLonLat(z, x, y, i, j, px int) (float64, float64) {
	return grid{tileID{z, x, y}, px, 0}.lonLat(i, j)
}

// pixelCRS84 is the centre of pixel (i, j) of a WorldCRS84Quad tile.
func pixelCRS84(z, x, y, i, j, px int) (float64, float64) {
	tile := 180.0 / float64(int(1)<<z)
	return -180 + (float64(x)+(float64(i)+0.5)/float64(px))*tile, 90 - (float64(y)+(float64(j)+0.5)/float64(px))*tile
}

// source reads the full-resolution values of a COG around lon/lat: the
// pixel itself and its 8 neighbours (nearest-neighbour warping may pick
// either side of a pixel edge). ok is false outside the raster.
type source struct {
	center []float64
	around [][]float64
	ok     bool
}

// readSource reads the source around lon/lat from the COG at path, loaded
// whole once per test binary (loadRaster).
func readSource(t *testing.T, path string, lon, lat float64) source {
	t.Helper()
	r := loadRaster(t, path)
	c := r.at(lon, lat)
	if !c.inside {
		return source{}
	}
	at := func(col, row int) []float64 {
		col = max(0, min(r.width-1, col))
		row = max(0, min(r.height-1, row))
		v := make([]float64, len(r.bands))
		for b := range v {
			v[b] = r.value(b, col, row)
		}
		return v
	}
	s := source{center: at(c.col, c.row), ok: true}
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			s.around = append(s.around, at(c.col+dc, c.row+dr))
		}
	}
	return s
}

// matches says whether got equals the centre value, or failing that a
// neighbour's.
func (s source) matches(got []float64) (exact, near bool) {
	eq := func(v []float64) bool {
		for i := range got {
			if v[i] != got[i] {
				return false
			}
		}
		return true
	}
	if eq(s.center) {
		return true, true
	}
	for _, v := range s.around {
		if eq(v) {
			return false, true
		}
	}
	return false, false
}
