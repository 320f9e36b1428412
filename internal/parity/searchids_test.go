//go:build parity

package parity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/parity"
	"tilefunc/internal/testenv"
)

// Two collections to mosaic: alpha has item_assets whose keys jsonb
// reorders (shorter first) and renders titiler-pgstac rewrites or leaves
// out; beta has neither, and an integer extent.
var searchIDCollections = []string{
	`{"type":"Collection","stac_version":"1.0.0","id":"ids-alpha","description":"alpha","license":"proprietary","links":[],
	  "extent":{"spatial":{"bbox":[[-10.5,35,20,60.25]]},"temporal":{"interval":[["2021-01-01T00:00:00Z",null]]}},
	  "item_assets":{"visual":{"type":"image/tiff"},"nir":{},"red":{},"green":{},"blue":{},"B01_long_name":{},"aot":{},"scl":{}},
	  "renders":{"true_color":{"title":"True colour","assets":["red","green","blue"],"rescale":[[0,3000]],"minmax_zoom":[8,14],"tilematrixsets":{"WebMercatorQuad":[8,14]}},
	             "ndvi":{"expression":"(nir-red)/(nir+red)","rescale":[[-1.0,1.50]],"colormap_name":"rdylgn"},
	             "bad_zoom":{"assets":["red"],"minmax_zoom":3},"not_a_render":"x","empty_zoom":{"assets":["nir"],"minmax_zoom":[]}}}`,
	`{"type":"Collection","stac_version":"1.0.0","id":"ids-beta","description":"beta","license":"proprietary","links":[],
	  "extent":{"spatial":{"bbox":[[-180,-90,180,90]]},"temporal":{"interval":[[null,null]]}}}`,
}

// searchIDBodies are registration bodies that each exercise what
// titiler-pgstac's models add or rewrite (bbox and coordinates as floats,
// filter-lang added, sortby reduced, Python's numbers, nulls dropped).
var searchIDBodies = []string{
	`{"collections":["ids-alpha"]}`,
	`{"collections":["ids-alpha","ids-beta"],"metadata":{"name":"two","minzoom":2,"maxzoom":12.0,"bounds":[-10,40,10.5,50],
	  "assets":["visual","nir"],"defaults":{"true_color":{"assets":["red","green","blue"],"rescale":[[0,3000.0]]},
	  "ndvi":{"expression":"(nir-red)/(nir+red)","rescale":[[-1,1]],"colormap_name":"viridis"}},"project":{"owner":"x","weight":1.50},"nothing":null}}`,
	`{"collections":["ids-alpha"],"bbox":[-10,40,10.5,50]}`,
	`{"bbox":[-10,40,0,10,50,1000.5],"metadata":{"type":"search"}}`,
	`{"collections":["ids-beta"],"intersects":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10.5],[0,0]]],"properties":{}},"bbox":null}`,
	`{"collections":["ids-alpha"],"datetime":"2021-06-01T00:00:00Z"}`,
	`{"ids":["a","b"],"datetime":"2021-01-01T00:00:00Z/..","filter-lang":null}`,
	`{"collections":["ids-alpha"],"query":{"eo:cloud_cover":{"lt":10,"gte":0.50},"platform":{"eq":"sentinel-2a"}}}`,
	`{"collections":["ids-alpha"],"sortby":[{"field":"properties.datetime","direction":"desc"},{"field":"id","direction":"asc","nulls":"last"}]}`,
	`{"collections":["ids-alpha"],"filter-lang":"cql2-json","filter":{"op":"and","args":[
	  {"op":">=","args":[{"property":"eo:cloud_cover"},1.0]},{"op":"=","args":[{"property":"platform"},"sentinel-2a"]},
	  {"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[1,2]}]}]}}`,
	`{"intersects":{"type":"GeometryCollection","bbox":[0,0,1,1],"geometries":[{"type":"Point","coordinates":[0.5,0.5]},
	  {"type":"LineString","coordinates":[[0,0],[1,1]]}]},"metadata":{"minzoom":5.0,"tiny":1e-7,"small":0.0001,"huge":1e16,"exact":9999999999999998.0,"neg":-0.0}}`,
	`{"ids":["a"],"limit":10,"fields":{"include":["id"]},"conf":{"nohydrate":true},"custom":1E2,"big":12345678901234567890,"token":"next:abc"}`,
}

// searchIDRefusals are bodies both servers refuse with a 422.
var searchIDRefusals = []string{
	`{"bbox":[0,0,1,1],"intersects":{"type":"Point","coordinates":[0,0]}}`,
	`{"sortby":[{"field":"id","direction":"up"}]}`,
	`{"query":{"eo:cloud_cover":{"in":[1,2]}}}`,
	`{"filter-lang":"cql2-text","filter":"id='a'"}`,
	`{"metadata":{"type":"layer"}}`,
	`{"metadata":null}`,
	`{"bbox":[10,0,0,10]}`,
	`{"intersects":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}`,
}

// searchIDCollectionRequests are collection requests with their filters.
var searchIDCollectionRequests = []string{
	"/collections/ids-alpha/info",
	"/collections/ids-alpha/info?ids=a,b&bbox=-5,40,5,50.5",
	"/collections/ids-alpha/info?datetime=2021-01-01T00:00:00Z/2021-12-31T23:59:59Z&sortby=-datetime,+id,gsd",
	"/collections/ids-alpha/info?filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"<=","args":[{"property":"eo:cloud_cover"},10]}`),
	"/collections/ids-alpha/info?query=" + url.QueryEscape(`{"eo:cloud_cover":{"lt":20.0},"platform":{"eq":"s2+a"}}`),
	// CQL2 text, titiler-pgstac's default filter language, translated to
	// CQL2-JSON (numbers as floats) before it is hashed.
	"/collections/ids-alpha/info?filter=" + url.QueryEscape("eo:cloud_cover <= 10 AND id IN ('a', 'b')"),
	"/collections/ids-alpha/info?filter-lang=cql2-text&filter=" + url.QueryEscape("S_INTERSECTS(geometry, POLYGON((0 0, 10 0, 10 10, 0 0))) OR datetime > TIMESTAMP('2021-06-01T00:00:00Z')"),
	"/collections/ids-alpha/info?filter=" + url.QueryEscape("platform LIKE 's2%' AND NOT (eo:cloud_cover BETWEEN 5 AND 7.5)"),
	"/collections/ids-beta/info",
	"/collections/ids-beta/info?bbox=-10,40,0,10,50,100",
}

// The same registrations and collection requests through tilefunc and
// titiler-pgstac on one database: the same search ids, one row per search
// however often it is asked for, and the same /info answers.
func TestSearchIDsMatchTitilerPgstac(t *testing.T) {
	db := testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error {
		for _, c := range searchIDCollections {
			if _, err := conn.Exec(ctx, "SELECT pgstac.create_collection($1::jsonb)", c); err != nil {
				return err
			}
		}
		return nil
	})
	// Without their caches, every request computes its search again.
	t.Setenv("TITILER_PGSTAC_CACHE_DISABLE", "true")
	tf := startTilefunc(t, db, t.TempDir())
	ti := startTitiler(t, db)
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	t.Run("register", func(t *testing.T) {
		for i, body := range searchIDBodies {
			want, wantBody := registerOn(t, ti, body)
			got, gotBody := registerOn(t, tf, body)
			if got != want {
				t.Errorf("body %d: tilefunc id %s, titiler-pgstac id %s\n%s", i, got, want, body)
				continue
			}
			compareAnswers(t, "register "+body, gotBody, tf, wantBody, ti)
			compareInfo(t, tf, ti, "/searches/"+want+"/info")
		}
		if n := rowCount(t, conn); n != len(searchIDBodies) {
			t.Errorf("%d bodies registered through both servers left %d rows in pgstac.searches", len(searchIDBodies), n)
		}
	})
	t.Run("refuse", func(t *testing.T) {
		for _, body := range searchIDRefusals {
			a, b := postStatus(t, tf, body), postStatus(t, ti, body)
			if a != http.StatusUnprocessableEntity || b != http.StatusUnprocessableEntity {
				t.Errorf("tilefunc %d, titiler-pgstac %d, want 422 from both: %s", a, b, body)
			}
		}
	})
	t.Run("collections", func(t *testing.T) {
		before := rowCount(t, conn)
		for _, path := range searchIDCollectionRequests {
			want := infoHash(t, ti, path)
			for range 20 {
				if got := infoHash(t, tf, path); got != want {
					t.Fatalf("%s: tilefunc names search %s, titiler-pgstac %s", path, got, want)
				}
			}
			compareInfo(t, tf, ti, path)
		}
		if n := rowCount(t, conn) - before; n != len(searchIDCollectionRequests) {
			t.Errorf("%d collection requests, each 21 times, added %d rows to pgstac.searches", len(searchIDCollectionRequests), n)
		}
	})
}

func registerOn(t *testing.T, base, body string) (string, []byte) {
	t.Helper()
	status, b := fetchJSON(t, http.MethodPost, base+"/searches/register", body)
	var out struct{ ID string }
	if status != http.StatusOK || json.Unmarshal(b, &out) != nil {
		t.Fatalf("%s register: %d %s\n%s", base, status, b, body)
	}
	return out.ID, b
}

func postStatus(t *testing.T, base, body string) int {
	status, _ := fetchJSON(t, http.MethodPost, base+"/searches/register", body)
	return status
}

func infoHash(t *testing.T, base, path string) string {
	t.Helper()
	status, b := fetchJSON(t, http.MethodGet, base+path, "")
	var out struct{ Search struct{ Hash string } }
	if status != http.StatusOK || json.Unmarshal(b, &out) != nil {
		t.Fatalf("%s%s: %d %s", base, path, status, b)
	}
	return out.Search.Hash
}

// compareInfo compares the /info answers of both servers.
func compareInfo(t *testing.T, tf, ti, path string) {
	t.Helper()
	_, b := fetchJSON(t, http.MethodGet, ti+path, "")
	_, a := fetchJSON(t, http.MethodGet, tf+path, "")
	compareAnswers(t, path, a, tf, b, ti)
}

// compareAnswers compares two JSON answers field by field, each server's
// base URL written as {base} and link queries in one order (titiler-pgstac
// writes a preset's parameters in the dict's order, tilefunc sorted).
func compareAnswers(t *testing.T, what string, a []byte, aBase string, b []byte, bBase string) {
	t.Helper()
	d, err := parity.CompareJSON(normaliseLinks(t, a, aBase), normaliseLinks(t, b, bBase), 0, 0)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(d.Diffs) > 0 {
		t.Errorf("%s: tilefunc vs titiler-pgstac:\n  %s\ntilefunc: %s\ntitiler-pgstac: %s", what, strings.Join(d.Diffs, "\n  "), a, b)
	}
}

func normaliseLinks(t *testing.T, body []byte, base string) []byte {
	var info map[string]any
	if err := json.Unmarshal(bytes.ReplaceAll(body, []byte(base), []byte("{base}")), &info); err != nil {
		t.Fatalf("info: %v: %s", err, body)
	}
	links, _ := info["links"].([]any)
	for _, l := range links {
		l := l.(map[string]any)
		href, _ := l["href"].(string)
		if p, q, ok := strings.Cut(href, "?"); ok {
			v, _ := url.ParseQuery(q)
			l["href"] = p + "?" + v.Encode()
		}
	}
	out, _ := json.Marshal(info)
	return out
}

func fetchJSON(t *testing.T, method, u, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func rowCount(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pgstac.searches").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
