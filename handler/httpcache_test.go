package handler_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"tilefunc/handler"
	"tilefunc/internal/fixtures"
	"tilefunc/internal/testenv"
)

// httpEnv serves the styled fixtures with titiler's Cache-Control, opts
// changing the server.
func httpEnv(t *testing.T, opts ...func(*handler.Server)) string {
	t.Helper()
	set, err := fixtures.Shared()
	if err != nil {
		t.Fatalf("write the fixture COGs: %v", err)
	}
	db := testenv.LoadDatabase(t, set.Load)
	url, _ := serve(t, db, nil, []string{set.Dir}, "public, max-age=3600", opts...)
	return url
}

const (
	tmsJSON  = "/tileMatrixSets/WebMercatorQuad" // a JSON answer of several KB
	itemTile = mixedItem + "/tiles/WebMercatorQuad/9/260/186"
)

// A GET 200 carries a strong ETag that is the same on every request, and
// a request naming it, alone, in a list, weakly or as "*", is a 304 with
// no body that keeps the validators and caching headers.
func TestAnswersCarryAnETagThatIfNoneMatchTurnsInto304(t *testing.T) {
	url := httpEnv(t)
	for _, path := range []string{tmsJSON, itemTile + ".png?assets=visual"} {
		first := request(t, http.MethodGet, url+path, "", map[string]string{"Accept-Encoding": "identity"})
		second := request(t, http.MethodGet, url+path, "", map[string]string{"Accept-Encoding": "identity"})
		tag := first.header.Get("ETag")
		if first.status != http.StatusOK || !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || len(tag) < 18 {
			t.Fatalf("%s: %d ETag %q", path, first.status, tag)
		}
		if second.header.Get("ETag") != tag {
			t.Fatalf("%s: ETag %q then %q", path, tag, second.header.Get("ETag"))
		}
		for _, inm := range []string{tag, `"other", ` + tag, "W/" + tag, "*"} {
			r := request(t, http.MethodGet, url+path, "", map[string]string{"Accept-Encoding": "identity", "If-None-Match": inm})
			if r.status != http.StatusNotModified || len(r.body) != 0 {
				t.Fatalf("%s If-None-Match %s: %d, %d bytes", path, inm, r.status, len(r.body))
			}
			if r.header.Get("ETag") != tag || r.header.Get("Cache-Control") != "public, max-age=3600" {
				t.Fatalf("%s If-None-Match %s: headers %v", path, inm, r.header)
			}
		}
		r := request(t, http.MethodGet, url+path, "", map[string]string{"Accept-Encoding": "identity", "If-None-Match": `"other"`})
		if r.status != http.StatusOK || !bytes.Equal(r.body, first.body) {
			t.Fatalf("%s with another ETag: %d", path, r.status)
		}
	}
	// Errors have no ETag.
	if r := get(t, url+"/collections/nope/items/nope/info"); r.status != http.StatusNotFound || r.header.Get("ETag") != "" {
		t.Fatalf("404: %d ETag %q", r.status, r.header.Get("ETag"))
	}
}

// JSON is compressed with the coding the client prefers, gzip among
// equals as titiler; both decode to the uncompressed answer, which is
// what a client accepting neither gets. Each coding has its own ETag.
func TestJSONIsCompressedAsTheClientAccepts(t *testing.T) {
	url := httpEnv(t)
	plain := request(t, http.MethodGet, url+tmsJSON, "", map[string]string{"Accept-Encoding": "identity"})
	if plain.header.Get("Content-Encoding") != "" || !json.Valid(plain.body) {
		t.Fatalf("identity: %q, %d bytes", plain.header.Get("Content-Encoding"), len(plain.body))
	}
	decode := map[string]func([]byte) ([]byte, error){
		"gzip": func(b []byte) ([]byte, error) {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(zr)
		},
		"zstd": func(b []byte) ([]byte, error) {
			zr, err := zstd.NewReader(nil)
			if err != nil {
				return nil, err
			}
			defer zr.Close()
			return zr.DecodeAll(b, nil)
		},
	}
	tags := map[string]bool{plain.header.Get("ETag"): true}
	for accept, want := range map[string]string{
		"gzip":                         "gzip",
		"gzip, deflate, br, zstd":      "gzip",
		"zstd":                         "zstd",
		"gzip;q=0.5, zstd":             "zstd",
		"zstd;q=0.2, gzip;q=0.9":       "gzip",
		"gzip;q=0, *":                  "zstd",
		"*":                            "gzip",
		"br, deflate":                  "",
		"gzip;q=0, zstd;q=0, br;q=1.0": "",
	} {
		r := request(t, http.MethodGet, url+tmsJSON, "", map[string]string{"Accept-Encoding": accept})
		if got := r.header.Get("Content-Encoding"); got != want {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, want %q", accept, got, want)
		}
		if !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("Accept-Encoding %q: Vary %q", accept, r.header.Get("Vary"))
		}
		if want == "" {
			continue
		}
		body, err := decode[want](r.body)
		if err != nil || !bytes.Equal(body, plain.body) {
			t.Fatalf("Accept-Encoding %q: %s body does not decode to the JSON (%v)", accept, want, err)
		}
		tags[r.header.Get("ETag")] = true
		// The coding's ETag is what If-None-Match matches.
		if nm := request(t, http.MethodGet, url+tmsJSON, "", map[string]string{"Accept-Encoding": accept, "If-None-Match": r.header.Get("ETag")}); nm.status != http.StatusNotModified || nm.header.Get("Vary") == "" {
			t.Fatalf("Accept-Encoding %q If-None-Match: %d Vary %q", accept, nm.status, nm.header.Get("Vary"))
		}
	}
	if len(tags) != 3 {
		t.Fatalf("ETags of identity, gzip, zstd: %v", tags)
	}
}

// Images, NumPy arrays and GeoTIFFs are never compressed, and small
// answers are not either (starlette-cramjam's 500-byte minimum).
func TestImagesAndSmallAnswersAreNotCompressed(t *testing.T) {
	url := httpEnv(t)
	for _, path := range []string{itemTile + ".png?assets=visual", itemTile + ".npy?assets=visual", itemTile + ".tif?assets=visual", itemTile + ".jpg?assets=visual", "/healthz"} {
		r := request(t, http.MethodGet, url+path, "", map[string]string{"Accept-Encoding": "gzip, zstd"})
		if r.status != http.StatusOK || r.header.Get("Content-Encoding") != "" || strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: %d Content-Type %q Content-Encoding %q Vary %q", path, r.status, r.header.Get("Content-Type"), r.header.Get("Content-Encoding"), r.header.Get("Vary"))
		}
	}
}

// HEAD on a GET route answers GET's headers, its length and ETag
// included, without a body.
func TestHeadAnswersGETsHeadersWithoutABody(t *testing.T) {
	url := httpEnv(t)
	for _, path := range []string{tmsJSON, itemTile + ".png?assets=visual", "/healthz"} {
		for _, enc := range []string{"identity", "gzip"} {
			h := map[string]string{"Accept-Encoding": enc}
			g := request(t, http.MethodGet, url+path, "", h)
			resp, err := func() (*http.Response, error) {
				req, err := http.NewRequest(http.MethodHead, url+path, nil)
				if err != nil {
					return nil, err
				}
				req.Header.Set("Accept-Encoding", enc)
				return http.DefaultClient.Do(req)
			}()
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != g.status || len(body) != 0 {
				t.Fatalf("HEAD %s: %d, %d bytes", path, resp.StatusCode, len(body))
			}
			for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "ETag", "Cache-Control", "Vary"} {
				if resp.Header.Get(k) != g.header.Get(k) {
					t.Fatalf("HEAD %s (%s): %s %q, GET has %q", path, enc, k, resp.Header.Get(k), g.header.Get(k))
				}
			}
		}
	}
	// A route that only takes POST does not take HEAD.
	if r := request(t, http.MethodHead, url+"/searches/register", "", nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("HEAD /searches/register: %d", r.status)
	}
}

// CORS as titiler-pgstac's Starlette middleware with credentials allowed:
// an allowed origin is echoed, a preflight lists the methods configured
// and mirrors the headers asked for, and other origins are refused.
func TestCORSAllowsTheConfiguredOriginsAndMethods(t *testing.T) {
	url := httpEnv(t, func(s *handler.Server) {
		s.CORSOrigins = []string{"https://maps.example", "https://other.example"}
		s.CORSMethods = []string{"GET", "OPTIONS"}
	})
	preflight := func(origin, method string) response {
		return request(t, http.MethodOptions, url+tmsJSON, "", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "X-Custom, Content-Type",
		})
	}
	r := preflight("https://maps.example", "GET")
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://maps.example",
		"Access-Control-Allow-Methods":     "GET, OPTIONS",
		"Access-Control-Allow-Headers":     "X-Custom, Content-Type",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Max-Age":           "600",
	}
	got := map[string]string{}
	for k := range want {
		got[k] = r.header.Get(k)
	}
	if r.status != http.StatusOK || !reflect.DeepEqual(got, want) || !strings.Contains(r.header.Get("Vary"), "Origin") {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	if r := preflight("https://evil.example", "GET"); r.status != http.StatusBadRequest || r.header.Get("Access-Control-Allow-Origin") != "" || string(r.body) != "Disallowed CORS origin" {
		t.Fatalf("preflight from another origin: %d %q %v", r.status, r.body, r.header)
	}
	if r := preflight("https://maps.example", "POST"); r.status != http.StatusBadRequest || string(r.body) != "Disallowed CORS method" {
		t.Fatalf("preflight for POST: %d %q", r.status, r.body)
	}

	r = request(t, http.MethodGet, url+tmsJSON, "", map[string]string{"Origin": "https://other.example"})
	if r.header.Get("Access-Control-Allow-Origin") != "https://other.example" || r.header.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(r.header.Get("Vary"), "Origin") {
		t.Fatalf("GET from an allowed origin: %v", r.header)
	}
	if r := request(t, http.MethodGet, url+tmsJSON, "", map[string]string{"Origin": "https://evil.example"}); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("GET from another origin: %v", r.header)
	}
}

// By default (titiler's "*" with credentials) any origin is echoed and a
// preflight allows GET, POST and OPTIONS.
func TestCORSDefaultsAllowAnyOrigin(t *testing.T) {
	url := httpEnv(t)
	r := request(t, http.MethodOptions, url+"/searches/register", "", map[string]string{"Origin": "https://a.example", "Access-Control-Request-Method": "POST"})
	if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "https://a.example" || r.header.Get("Access-Control-Allow-Methods") != "GET, POST, OPTIONS" {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	r = request(t, http.MethodGet, url+"/healthz", "", map[string]string{"Origin": "https://b.example"})
	if r.header.Get("Access-Control-Allow-Origin") != "https://b.example" {
		t.Fatalf("GET: %v", r.header)
	}
}

// Each class of answer carries its own Cache-Control: images, documents
// and service documents theirs, a 404 the documents' (as titiler-pgstac
// caches it), health, the search list and POSTs none.
func TestEachClassOfAnswerCarriesItsCacheControl(t *testing.T) {
	url := httpEnv(t, func(s *handler.Server) {
		s.CacheControl = handler.CachePolicy{Documents: "public, max-age=60", Images: "public, max-age=86400", Service: "public, max-age=604800, immutable"}
	})
	for _, c := range []struct{ method, path, want string }{
		{"GET", itemTile + ".png?assets=visual", "public, max-age=86400"},
		{"HEAD", itemTile + ".png?assets=visual", "public, max-age=86400"},
		{"GET", mixedItem + "/point/3.301,43.851?assets=nir", "public, max-age=86400"},
		{"GET", mixedItem + "/WebMercatorQuad/tilejson.json?assets=visual", "public, max-age=60"},
		{"GET", "/collections/styled-uint8/WMTSCapabilities.xml?assets=visual", "public, max-age=60"},
		{"GET", "/collections/nope/info", "public, max-age=60"},
		{"GET", tmsJSON, "public, max-age=604800, immutable"},
		{"GET", "/colorMaps/viridis", "public, max-age=604800, immutable"},
		{"GET", "/api", "public, max-age=604800, immutable"},
		{"GET", "/healthz", ""},
		{"GET", "/searches", ""},
		{"GET", "/searches/list", ""},
		{"POST", mixedItem + "/statistics?assets=dem", ""},
	} {
		body := ""
		if c.method == http.MethodPost {
			body = `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[3.3,43.85]}}`
		}
		r := request(t, c.method, url+c.path, body, map[string]string{"Content-Type": "application/json"})
		if r.status >= 500 {
			t.Fatalf("%s %s: %d", c.method, c.path, r.status)
		}
		if got := r.header.Get("Cache-Control"); got != c.want {
			t.Errorf("%s %s (%d): Cache-Control %q, want %q", c.method, c.path, r.status, got, c.want)
		}
	}
}

// A request past its deadline answers 503 with Retry-After and a detail,
// logged as a warning rather than a failure; the next request with time
// enough is served.
func TestARequestPastItsDeadlineIs503WithRetryAfter(t *testing.T) {
	set, err := fixtures.Shared()
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.LoadDatabase(t, set.Load)
	url, logs := serve(t, db, nil, []string{set.Dir}, "", func(s *handler.Server) { s.RequestTimeout = time.Millisecond })
	r := request(t, http.MethodGet, url+mixedItem+"/preview.png?assets=visual&max_size=1024", "", nil)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), `"detail"`) {
		t.Fatalf("past the deadline: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if strings.Contains(logs.String(), "request failed") || !strings.Contains(logs.String(), "request deadline") {
		t.Fatalf("the deadline should be a warning, not a failure:\n%s", logs)
	}
	url, _ = serve(t, db, nil, []string{set.Dir}, "", func(s *handler.Server) { s.RequestTimeout = time.Minute })
	if r := request(t, http.MethodGet, url+mixedItem+"/preview.png?assets=visual", "", nil); r.status != http.StatusOK {
		t.Fatalf("with time enough: %d %s", r.status, r.body)
	}
}
