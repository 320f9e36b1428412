package functions_test

// The contract between the generated functions, host.json and the router:
// every route is reachable through the host, every function has a handler,
// and a request reaches the same handler with the same parameters whichever
// way the host passes it on.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"tilefunc"
	"tilefunc/functions"
	"tilefunc/handler"
	"tilefunc/pgstac"
	"tilefunc/tiles"
)

// publicHost is where clients send their requests: the function app.
const publicHost = "tiles.example.net"

// mode is how the host passes a request on to the handler. host.json turns
// both on: hosts that know proxying use it (it is checked first), older ones
// forward.
type mode string

const (
	proxying   mode = "proxying"   // enableProxyingHttpRequest: YARP, path and query as received
	forwarding mode = "forwarding" // enableForwardingHttpRequest: the query rebuilt (forwardedQuery)
)

var modes = []mode{proxying, forwarding}

// contract is the real router over fake services, and the functions the
// host would load from the generated folders.
type contract struct {
	t      *testing.T
	worker *httptest.Server
	rec    *recorder
	fns    []hostFunction
	prefix string
}

func newContract(t *testing.T) *contract {
	t.Helper()
	host, _ := loadHost(t)
	fns, err := functions.Generate(handler.Routes(), functions.DefaultWriteAuth)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := functions.Write(dir, fns); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv := &handler.Server{
		Catalog:      fakeCatalog{rec},
		Renderer:     fakeRenderer{rec},
		Search:       tilefunc.SearchOptions{ScanLimit: 10000, ItemsLimit: 100, TimeLimit: 5 * time.Second, ExitWhenFull: true, SkipCovered: true},
		CacheControl: handler.CachePolicy{Documents: "public, max-age=3600", Images: "public, max-age=3600", Service: "public, max-age=3600"},
		Version:      "test",
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		AssetRoutes:  true, ExternalRoutes: true,
		Metrics: fakeMetrics{rec},
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &contract{t: t, worker: ts, rec: rec, fns: loadFunctions(t, dir, host.routePrefix()), prefix: host.routePrefix()}
}

// public is the URL path and query a client uses for a route's path and
// query: the route prefix goes in front.
func (c *contract) public(target string) string {
	if c.prefix == "" {
		return target
	}
	return "/" + c.prefix + target
}

// trace is what became of one request: the function the host invoked, the
// mux route that served it and the calls it made, the answer, and the
// answers to the links the answer hands out, followed the same way.
type trace struct {
	Function    string
	Route       string
	Status      int
	ContentType string
	Calls       []call
	Body        any
	Follow      []trace
}

// imageBody is an image answer: its size, its first pixel, its bytes' hash.
type imageBody struct {
	Size  image.Point
	Pixel color.NRGBA
	SHA   string
}

// safePath is what a path may hold for the forwarding host's rebuilt URL
// (Uri.AbsolutePath, then UriBuilder) to be the path the client sent:
// unreserved characters, '@', and ',' (a sub-delimiter, which .NET's Uri
// leaves as it is in a path: point/{lon},{lat}).
var safePath = regexp.MustCompile(`^[A-Za-z0-9/._~@,-]*$`)

// do sends a client's request for target (a public path and raw query) to
// the host, in mode m: the host picks the function by its route template,
// then passes the request on to the handler. ok is false where no function
// takes the request and the host answers 404 itself.
func (c *contract) do(m mode, method, target, body string) (fn string, resp *http.Response, b []byte, ok bool) {
	t := c.t
	t.Helper()
	path, rawQuery, _ := strings.Cut(target, "?")
	fn, _, ok = route(c.fns, method, path)
	if !ok {
		return "", nil, nil, false
	}
	req, err := http.NewRequest(method, c.worker.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Azure-Functions-InvocationId", "00000000-0000-0000-0000-000000000001")
	req.Header.Set("X-Azure-Functions-HostVersion", "4.1000.0")
	switch m {
	case proxying:
		// YARP's default transforms: path and query as received, the
		// original host in X-Forwarded-Host, the worker's in Host.
		req.URL.RawQuery = rawQuery
		req.Header.Set("X-Forwarded-Host", publicHost)
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Ms-Invocation-Id", "00000000-0000-0000-0000-000000000001")
	case forwarding:
		// Every client header copied, Host included; the query rebuilt.
		if !safePath.MatchString(path) {
			t.Fatalf("path %q holds characters the forwarding host may re-encode: extend this simulation", path)
		}
		req.URL.RawQuery = forwardedQuery(rawQuery)
		req.Host = publicHost
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("User-Agent", "Azure-Functions-Host/4.1000.0")
	}
	resp, err = c.worker.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	return fn, resp, b, true
}

// send is do, and what became of the request.
func (c *contract) send(m mode, method, target, body string) trace {
	t := c.t
	t.Helper()
	fn, resp, b, ok := c.do(m, method, target, body)
	if !ok {
		return trace{Status: http.StatusNotFound}
	}
	tr := trace{Function: fn, Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Calls: c.rec.take()}
	for _, cl := range tr.Calls {
		if tr.Route != "" && cl.Route != tr.Route {
			t.Fatalf("%s %s: calls from two routes, %s and %s", method, target, tr.Route, cl.Route)
		}
		tr.Route = cl.Route
	}
	if method == http.MethodHead {
		tr.Body = fmt.Sprintf("%d bytes, Content-Length %s", len(b), resp.Header.Get("Content-Length"))
		return tr
	}
	c.readBody(m, &tr, b)
	return tr
}

// readBody keeps what an answer says that a client acts on. The links a
// TileJSON document or a map page hands out are followed in the same mode
// (their query text differs between modes, what they ask for must not).
func (c *contract) readBody(m mode, tr *trace, b []byte) {
	t := c.t
	t.Helper()
	switch ct := tr.ContentType; {
	case ct == "image/png":
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		sum := sha256.Sum256(b)
		tr.Body = imageBody{Size: img.Bounds().Size(), Pixel: color.NRGBAModel.Convert(img.At(0, 0)).(color.NRGBA), SHA: hex.EncodeToString(sum[:8])}
	case ct == "image/jpeg":
		sum := sha256.Sum256(b)
		tr.Body = hex.EncodeToString(sum[:8])
	case ct == "application/json" || ct == "application/geo+json":
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("not JSON: %s", b)
		}
		doc, ok := v.(map[string]any)
		if !ok { // a list (of items)
			tr.Body = v
			return
		}
		if tilesURLs, ok := doc["tiles"].([]any); ok {
			for _, u := range tilesURLs {
				tr.Follow = append(tr.Follow, c.follow(m, fillTile(u.(string))))
			}
			delete(doc, "tiles")
		}
		// A tileset's templated tile link.
		links, _ := doc["links"].([]any)
		for _, l := range links {
			if l, _ := l.(map[string]any); l["rel"] == "tile" {
				tr.Follow = append(tr.Follow, c.follow(m, fillTile(l["href"].(string))))
			}
		}
		tr.Body = doc
	case ct == "application/xml":
		tr.Body = c.readWMTS(m, tr, b)
	case strings.HasPrefix(ct, "application/vnd.oai.openapi+json"):
		var doc struct {
			OpenAPI string
			Paths   map[string]any
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("not JSON: %.200s", b)
		}
		tr.Body = fmt.Sprintf("OpenAPI %s, %d paths", doc.OpenAPI, len(doc.Paths))
	case strings.HasPrefix(ct, "text/html") && bytes.Contains(b, []byte("SwaggerUIBundle")):
		// The API documentation: Swagger UI reading the document.
		m1 := regexp.MustCompile(`data-spec="(.*?)"`).FindSubmatch(b)
		if m1 == nil {
			t.Fatalf("Swagger UI page without the document's URL")
		}
		tr.Follow = append(tr.Follow, c.follow(m, string(m1[1])))
		tr.Body = "API documentation"
	case strings.HasPrefix(ct, "text/html"):
		m1 := regexp.MustCompile(`"tilejson":("(?:[^"\\]|\\.)*")`).FindSubmatch(b) // the viewer's config
		if m1 == nil {
			t.Fatalf("map page without a TileJSON URL: %s", b)
		}
		var tj string
		if err := json.Unmarshal(m1[1], &tj); err != nil {
			t.Fatal(err)
		}
		tr.Follow = append(tr.Follow, c.follow(m, tj))
		tr.Body = "map page"
	default:
		tr.Body = string(b)
	}
}

// fillTile fills a tile URL template with tile 8/124/92.
func fillTile(u string) string {
	return strings.NewReplacer("{z}", "8", "{x}", "124", "{y}", "92", "{TileMatrix}", "8", "{TileCol}", "124", "{TileRow}", "92").Replace(u)
}

// readWMTS keeps what a WMTS client acts on: each layer's set, format and
// zooms (its URLs hold the query as each mode passed it, so they are
// followed, not compared), and the sets' ids. The Web Mercator layers'
// tile templates are followed.
func (c *contract) readWMTS(m mode, tr *trace, b []byte) []string {
	var doc struct {
		Layers []struct {
			ID       string   `xml:"Identifier"`
			Set      string   `xml:"TileMatrixSetLink>TileMatrixSet"`
			Zooms    []string `xml:"TileMatrixSetLink>TileMatrixSetLimits>TileMatrixLimits>TileMatrix"`
			Resource struct {
				Format   string `xml:"format,attr"`
				Template string `xml:"template,attr"`
			} `xml:"ResourceURL"`
		} `xml:"Contents>Layer"`
		Sets []string `xml:"Contents>TileMatrixSet>Identifier"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		c.t.Fatalf("not XML: %v", err)
	}
	var out []string
	for _, l := range doc.Layers {
		out = append(out, fmt.Sprintf("%s in %s as %s, zooms %v", l.ID, l.Set, l.Resource.Format, l.Zooms))
		if l.Set == "WebMercatorQuad" {
			tr.Follow = append(tr.Follow, c.follow(m, fillTile(l.Resource.Template)))
		}
	}
	return append(out, fmt.Sprintf("sets %v", doc.Sets))
}

// follow requests a link the handler handed out, as a client would: it must
// point at the public host.
func (c *contract) follow(m mode, link string) trace {
	c.t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" || u.Host != publicHost {
		c.t.Fatalf("link %q does not point at https://%s", link, publicHost)
	}
	return c.send(m, http.MethodGet, u.RequestURI(), "")
}

// sample is a request a client sends, the function that must serve it, and
// what the handler must make of it.
type sample struct {
	name   string
	fn     string
	method string
	target string // path (without the route prefix) and raw query, as a client writes it
	body   string
	check  func(t *testing.T, tr trace)
	// refused is set where the handler answers before it calls a service,
	// so no call names the route that ran; check must show which did.
	refused bool
}

const tile = "/searches/abc123/tiles/WebMercatorQuad/8/124/92"

// item is the fake catalog's one item.
const item = "/collections/world/items/item1"

var samples = []sample{
	{name: "health", fn: "healthz", target: "/healthz?timeout=2", check: func(t *testing.T, tr trace) {
		if doc := tr.Body.(map[string]any); doc["database_online"] != true {
			t.Errorf("healthz says %v", doc)
		}
	}},
	{name: "metrics", fn: "metrics", target: "/metrics", check: func(t *testing.T, tr trace) {
		if tr.Status != http.StatusOK || tr.Body != "tilefunc_fake 1\n" {
			t.Errorf("metrics: %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "register", fn: "search_register", method: http.MethodPost, target: "/searches/register", body: `{"collections":["c"],"metadata":{"name":"n"}}`, check: func(t *testing.T, tr trace) {
		if len(tr.Calls) != 1 || tr.Calls[0].Op != "Register" || !strings.Contains(fmt.Sprint(tr.Calls[0].Args), `"collections":["c"]`) {
			t.Errorf("register calls %+v", tr.Calls)
		}
	}},
	{name: "tile matrix sets", fn: "tilematrixsets", target: "/tileMatrixSets", refused: true, check: status(http.StatusOK)},
	{name: "one tile matrix set", fn: "tilematrixset", target: "/tileMatrixSets/WorldCRS84Quad", refused: true, check: func(t *testing.T, tr trace) {
		if doc, ok := tr.Body.(map[string]any); !ok || doc["id"] != "WorldCRS84Quad" {
			t.Errorf("tileMatrixSets/WorldCRS84Quad answered %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "one tile matrix set, HEAD", fn: "tilematrixset", method: http.MethodHead, target: "/tileMatrixSets/WorldCRS84Quad", refused: true, check: headOnly},
	{name: "conformance", fn: "conformance", target: "/conformance", refused: true, check: status(http.StatusOK)},
	{name: "API definition", fn: "openapi", target: "/api", refused: true, check: func(t *testing.T, tr trace) {
		if tr.Status != http.StatusOK || !strings.HasPrefix(fmt.Sprint(tr.Body), "OpenAPI 3.1.0,") {
			t.Errorf("api answered %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "API documentation", fn: "openapi_html", target: "/api.html", refused: true, check: func(t *testing.T, tr trace) {
		if tr.Status != http.StatusOK || len(tr.Follow) != 1 || tr.Follow[0].Function != "openapi" || tr.Follow[0].Status != http.StatusOK {
			t.Errorf("api.html answered %d %v, following %+v", tr.Status, tr.Body, tr.Follow)
		}
	}},
	{name: "colormaps", fn: "colormaps", target: "/colorMaps", refused: true, check: status(http.StatusOK)},
	{name: "one colormap", fn: "colormap", target: "/colorMaps/viridis?f=json", refused: true, check: func(t *testing.T, tr trace) {
		if doc, ok := tr.Body.(map[string]any); !ok || len(doc) != 256 {
			t.Errorf("colorMaps/viridis answered %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "algorithms", fn: "algorithms", target: "/algorithms", refused: true, check: status(http.StatusOK)},
	{name: "one algorithm", fn: "algorithm", target: "/algorithms/hillshade", refused: true, check: func(t *testing.T, tr trace) {
		if doc, ok := tr.Body.(map[string]any); !ok || doc["title"] != "Hillshade" {
			t.Errorf("algorithms/hillshade answered %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "collection tile with filters", fn: "collection_tile",
		target: "/collections/world/tiles/WebMercatorQuad/3/4/2.png?assets=visual&datetime=2024-01-01T00:00:00Z/..&ids=a,b&sortby=-datetime", check: func(t *testing.T, tr trace) {
			q := fmt.Sprint(callOf(t, tr, "EnsureSearch").Args)
			for _, want := range []string{`"collections":["world"]`, `"ids":["a","b"]`, `"datetime":"2024-01-01T00:00:00Z/.."`, `"direction":"desc"`} {
				if !strings.Contains(q, want) {
					t.Errorf("collection search %s lacks %s", q, want)
				}
			}
		}},
	{name: "collection info", fn: "collection_info", target: "/collections/world/info?ids=a", check: func(t *testing.T, tr trace) {
		if doc, _ := tr.Body.(map[string]any); tr.Status != 200 || doc["search"] == nil {
			t.Errorf("collection info %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "unknown collection", fn: "collection_tile", target: "/collections/nope/tiles/WebMercatorQuad/3/4/2.png?assets=visual", check: status(http.StatusNotFound)},
	{name: "collection tilejson", fn: "collection_tilejson", target: "/collections/world/WebMercatorQuad/tilejson.json?assets=visual"},
	{name: "collection map", fn: "collection_map", target: "/collections/world/WebMercatorQuad/map.html?assets=visual"},
	{name: "item info", fn: "item_info", target: item + "/info?assets=visual", check: func(t *testing.T, tr trace) {
		if doc, _ := tr.Body.(map[string]any); tr.Status != 200 || doc["visual"] == nil {
			t.Errorf("item info %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "item info as GeoJSON", fn: "item_info_geojson", target: item + "/info.geojson?assets=:all:", check: status(http.StatusOK)},
	{name: "item assets", fn: "item_assets", target: item + "/assets", check: func(t *testing.T, tr trace) {
		if l, _ := tr.Body.([]any); len(l) != 1 || l[0] != "visual" {
			t.Errorf("item assets %d %v", tr.Status, tr.Body)
		}
	}},
	{name: "item asset statistics", fn: "item_asset_statistics", target: item + "/asset_statistics?assets=visual|bidx=1,2", check: status(http.StatusOK)},
	{name: "item statistics", fn: "item_statistics", target: item + "/statistics?assets=visual&max_size=64", check: status(http.StatusOK)},
	{name: "item statistics of a feature", fn: "item_statistics_feature", method: http.MethodPost, target: item + "/statistics?assets=visual", body: triangle, check: status(http.StatusOK)},
	{name: "item tilesets", fn: "item_tilesets", target: item + "/tiles", check: status(http.StatusOK)},
	{name: "item tileset", fn: "item_tileset", target: item + "/tiles/WebMercatorQuad?assets=visual", check: status(http.StatusOK)},
	{name: "item tile", fn: "item_tile", target: item + "/tiles/WebMercatorQuad/3/4/2.png?assets=visual|bidx=1,2&rescale=0,10&rescale=5,50", check: status(http.StatusOK)},
	{name: "item tile, HEAD", fn: "item_tile", method: http.MethodHead, target: item + "/tiles/WebMercatorQuad/3/4/2.png?assets=visual", check: headOnly},
	{name: "unknown item", fn: "item_tile", target: "/collections/world/items/nope/tiles/WebMercatorQuad/3/4/2.png?assets=visual", check: status(http.StatusNotFound)},
	{name: "item tilejson", fn: "item_tilejson", target: item + "/WebMercatorQuad/tilejson.json?assets=visual", check: status(http.StatusOK)},
	{name: "item map", fn: "item_map", target: item + "/WebMercatorQuad/map.html?assets=visual", check: status(http.StatusOK)},
	{name: "item WMTS", fn: "item_wmts", target: item + "/WMTSCapabilities.xml?assets=visual", check: status(http.StatusOK)},
	{name: "item point", fn: "item_point", target: item + "/point/10,45?assets=visual", check: status(http.StatusOK)},
	{name: "item preview", fn: "item_preview", target: item + "/preview?assets=visual", check: status(http.StatusOK)},
	{name: "item preview as PNG", fn: "item_preview_format", target: item + "/preview.png?assets=visual", check: status(http.StatusOK)},
	{name: "item preview, sized", fn: "item_preview_size", target: item + "/preview/64x32.png?assets=visual", check: status(http.StatusOK)},
	{name: "item bbox", fn: "item_bbox", target: item + "/bbox/0,40,10,50.png?assets=visual", check: status(http.StatusOK)},
	{name: "item bbox, sized", fn: "item_bbox_size", target: item + "/bbox/0,40,10,50/64x32.png?assets=visual", check: status(http.StatusOK)},
	{name: "item feature", fn: "item_feature", method: http.MethodPost, target: item + "/feature?assets=visual", body: triangle, check: status(http.StatusOK)},
	{name: "item feature as PNG", fn: "item_feature_format", method: http.MethodPost, target: item + "/feature.png?assets=visual", body: triangle, check: status(http.StatusOK)},
	{name: "item feature, sized", fn: "item_feature_size", method: http.MethodPost, target: item + "/feature/64x32.png?assets=visual", body: triangle, check: status(http.StatusOK)},
	{name: "item renders", fn: "item_renders", target: item + "/renders", check: status(http.StatusOK)},
	{name: "item render, unknown", fn: "item_render", target: item + "/renders/nope", check: status(http.StatusNotFound)},
	{name: "list, filtered on metadata", fn: "search_list", target: "/searches?limit=5&offset=0&sortby=-lastused&name=demo", check: func(t *testing.T, tr trace) {
		o := callOf(t, tr, "ListSearches").Args.(pgstac.ListOptions)
		if o.Limit != 5 || len(o.Sort) != 1 || o.Sort[0] != (pgstac.ListSort{Key: "lastused", Desc: true}) || o.Metadata["name"] != "demo" {
			t.Errorf("list options %+v", o)
		}
	}},
	{name: "list, deprecated path", fn: "search_list_deprecated", target: "/searches/list"},
	{name: "info", fn: "search_info", target: "/searches/abc123/info"},
	{name: "info of an unknown search", fn: "search_info", target: "/searches/nope/info", check: status(http.StatusNotFound)},
	{name: "tile, one asset", fn: "search_tile", target: tile + ".png?assets=visual", check: tileIs(256, pixel(5, 30, 100), tiles.AssetSpec{Name: "visual"})},
	{name: "tile, bidx lists and rescale ranges repeated", fn: "search_tile",
		target: tile + ".png?assets=red|bidx=1,2&assets=nir|bidx=3&rescale=0,10&rescale=5,50&rescale=0,200",
		check:  tileIs(256, pixel(127, 141, 127), tiles.AssetSpec{Name: "red", Bidx: []int{1, 2}}, tiles.AssetSpec{Name: "nir", Bidx: []int{3}})},
	{name: "tile, percent-encoded, bracketed ranges, every parameter, a function key", fn: "search_tile",
		target: tile + "@2x.png?assets=red%7Cbidx%3D1%2C2&assets=nir&rescale=%5B0%2C10%5D&rescale=[5,50]&rescale=[0,200]&nodata=0&reproject=bilinear&return_mask=false" +
			"&scan_limit=5&items_limit=7&time_limit=3&exitwhenfull=false&skipcovered=false&code=k3y%3D%3D",
		check: func(t *testing.T, tr trace) {
			tileIs(512, pixel(127, 141, 127), tiles.AssetSpec{Name: "red", Bidx: []int{1, 2}}, tiles.AssetSpec{Name: "nir"})(t, tr)
			d := specOf(t, tr).Dataset
			if d.NoData == nil || *d.NoData != 0 || d.Reproject != "bilinear" {
				t.Errorf("dataset options %+v, want nodata 0 and bilinear", d)
			}
			want := tilefunc.SearchOptions{ScanLimit: 5, ItemsLimit: 7, TimeLimit: 3 * time.Second}
			if o := callOf(t, tr, "Items").Args.([]any)[2]; o != want {
				t.Errorf("search options %+v, want %+v", o, want)
			}
		}},
	{name: "tile, pgSTAC limits above the server's bounds", fn: "search_tile",
		target: tile + ".png?assets=visual&scan_limit=999999999&items_limit=1000000&time_limit=999999999999",
		check: func(t *testing.T, tr trace) {
			want := tilefunc.SearchOptions{ScanLimit: 100000, ItemsLimit: 1000, TimeLimit: 25 * time.Second, ExitWhenFull: true, SkipCovered: true}
			if o := callOf(t, tr, "Items").Args.([]any)[2]; o != want {
				t.Errorf("search options %+v, want the bounds %+v", o, want)
			}
		}},
	{name: "tile, no format", fn: "search_tile", target: tile + "?assets=visual&tilesize=128", check: func(t *testing.T, tr trace) {
		if tr.ContentType != "image/jpeg" || callOf(t, tr, "Mosaic").Args.([]any)[1].(tiles.Window).Width != 128 {
			t.Errorf("want a 128 px JPEG: %+v", tr)
		}
	}},
	{name: "tile, an expression with commas in an asset", fn: "search_tile",
		target: tile + ".png?assets=red|expression=where(b1>0,b1,0)&assets=nir",
		check: func(t *testing.T, tr trace) {
			// The split leaves the expression's commas alone: two assets,
			// the first with its expression.
			a := layerOf(t, tr).Assets
			if len(a) != 2 || a[0].Name != "red" || a[0].Expression == nil || a[1].Name != "nir" || a[1].Expression != nil {
				t.Errorf("assets %+v, want red with its expression, then nir", a)
			}
		}},
	{name: "tilejson", fn: "search_tilejson",
		target: "/searches/abc123/WebMercatorQuad/tilejson.json?assets=red|bidx=1,2&assets=nir&rescale=0,10&rescale=5,50&rescale=0,200&tile_format=png&minzoom=2&maxzoom=9",
		check: func(t *testing.T, tr trace) {
			if doc := tr.Body.(map[string]any); doc["minzoom"] != 2.0 || doc["maxzoom"] != 9.0 || len(tr.Follow) != 1 {
				t.Fatalf("tilejson %v", doc)
			}
			tileIs(512, pixel(127, 141, 127), tiles.AssetSpec{Name: "red", Bidx: []int{1, 2}}, tiles.AssetSpec{Name: "nir"})(t, tr.Follow[0])
		}},
	{name: "point", fn: "search_point", target: mosaic + "/point/-9.5,45.25?assets=visual|bidx=1,2&exitwhenfull=true&skipcovered=true&items_limit=7",
		check: func(t *testing.T, tr trace) {
			items := callOf(t, tr, "Items").Args.([]any)
			if items[1] != [4]float64{-9.5, 45.25, -9.5, 45.25} {
				t.Errorf("point search box %v, want the point", items[1])
			}
			if o := items[2].(tilefunc.SearchOptions); o.ExitWhenFull || o.SkipCovered || o.ItemsLimit != 7 {
				t.Errorf("point search options %+v: want exitwhenfull and skipcovered off, items_limit 7", o)
			}
			pt := callOf(t, tr, "Point").Args.([]any)
			if l := pt[4].(tiles.Spec).Layer; !reflect.DeepEqual(l.Assets, []tiles.AssetSpec{{Name: "visual", Bidx: []int{1, 2}}}) || pt[3].(tiles.CRS) != tiles.WGS84 {
				t.Errorf("point read %v", pt)
			}
			want := map[string]any{"coordinates": []any{-9.5, 45.25}, "assets": []any{map[string]any{
				"name": "c/item", "values": []any{5.0, 30.0, 100.0}, "band_names": []any{"b1", "b2", "b3"},
				"band_descriptions": []any{"visual_b1", "visual_b2", "visual_b3"}}}}
			if !reflect.DeepEqual(tr.Body, want) {
				t.Errorf("point answered %v, want %v", tr.Body, want)
			}
		}},
	{name: "point in Web Mercator", fn: "search_point", target: mosaic + "/point/-1057535.16254,5621521.48619?assets=visual&coord_crs=EPSG:3857",
		check: func(t *testing.T, tr trace) {
			if b := callOf(t, tr, "Items").Args.([]any)[1].([4]float64); math.Abs(b[0]+9.5) > 1e-6 || math.Abs(b[1]-45) > 1e-6 {
				t.Errorf("point search at %v, want -9.5,45", b)
			}
		}},
	{name: "point, not a number", fn: "search_point", target: mosaic + "/point/east,45?assets=visual", refused: true, check: status(http.StatusUnprocessableEntity)},
	{name: "point assets", fn: "search_point_assets", target: mosaic + "/point/-9.5,45.25/assets", check: itemsListed},
	{name: "bbox, sized by the items", fn: "search_bbox", target: mosaic + "/bbox/-10.5,40,0.5,50.png?assets=visual&max_size=64",
		check: func(t *testing.T, tr trace) {
			want := tiles.Window{Bounds: [4]float64{-10.5, 40, 0.5, 50}, BoundsCRS: "EPSG:4326", CRS: "EPSG:4326", MaxSize: 64}
			if win := callOf(t, tr, "Mosaic").Args.([]any)[1]; win != want {
				t.Errorf("window %+v, want %+v", win, want)
			}
			if img, ok := tr.Body.(imageBody); !ok || img.Size != image.Pt(100, 100) {
				t.Errorf("want the fake's 100 px PNG, got %s %v", tr.ContentType, tr.Body)
			}
		}},
	{name: "bbox, sized, into Web Mercator, GeoTIFF", fn: "search_bbox_size", target: mosaic + "/bbox/-10.5,40,0.5,50/256x128.tif?assets=visual&dst_crs=EPSG:3857",
		check: func(t *testing.T, tr trace) {
			win := callOf(t, tr, "Mosaic").Args.([]any)[1].(tiles.Window)
			if win.CRS != "EPSG:3857" || win.BoundsCRS != "EPSG:4326" || win.Width != 256 || win.Height != 128 || win.Bounds[0] != -10.5 {
				t.Errorf("window %+v", win)
			}
			if tr.ContentType != "image/tiff; application=geotiff" {
				t.Errorf("Content-Type %q", tr.ContentType)
			}
		}},
	{name: "bbox assets", fn: "search_bbox_assets", target: mosaic + "/bbox/-10.5,40,0.5,50/assets", check: itemsListed},
	{name: "bbox, not numbers", fn: "search_bbox", target: mosaic + "/bbox/-10.5,40,x,50.png?assets=visual", refused: true, check: status(http.StatusUnprocessableEntity)},
	{name: "feature", fn: "search_feature", method: http.MethodPost, target: mosaic + "/feature?assets=visual", body: triangle,
		check: func(t *testing.T, tr trace) {
			// Outside the triangle is masked, so titiler's default is PNG.
			if img, ok := tr.Body.(imageBody); !ok || img.Pixel.A != 0 || callOf(t, tr, "Mosaic").Args.([]any)[1].(tiles.Window).Bounds != [4]float64{0, 40, 10, 50} {
				t.Errorf("want a PNG of the triangle's box, transparent at its top-left corner: %s %v", tr.ContentType, tr.Body)
			}
		}},
	{name: "feature as npy", fn: "search_feature_format", method: http.MethodPost, target: mosaic + "/feature.npy?assets=visual", body: triangle,
		check: func(t *testing.T, tr trace) {
			if body, _ := tr.Body.(string); tr.ContentType != "application/x-binary" || !strings.HasPrefix(body, "\x93NUMPY") {
				t.Errorf("want .npy, got %s", tr.ContentType)
			}
		}},
	{name: "feature, sized", fn: "search_feature_size", method: http.MethodPost, target: mosaic + "/feature/64x32.jpg?assets=visual", body: triangle,
		check: func(t *testing.T, tr trace) {
			if win := callOf(t, tr, "Mosaic").Args.([]any)[1].(tiles.Window); win.Width != 64 || win.Height != 32 || tr.ContentType != "image/jpg" {
				t.Errorf("want a 64x32 JPEG: %+v %s", win, tr.ContentType)
			}
		}},
	{name: "feature, not GeoJSON", fn: "search_feature", method: http.MethodPost, target: mosaic + "/feature?assets=visual", body: `{"type":"Feature"}`,
		refused: true, check: status(http.StatusUnprocessableEntity)},
	{name: "statistics, repeated percentiles", fn: "search_statistics", method: http.MethodPost,
		target: mosaic + "/statistics?assets=visual&p=5&p=95&histogram_bins=4", body: `{"type":"FeatureCollection","features":[` + triangle + `]}`,
		check: func(t *testing.T, tr trace) {
			doc, _ := tr.Body.(map[string]any)
			features, _ := doc["features"].([]any)
			if tr.ContentType != "application/geo+json" || len(features) != 1 {
				t.Fatalf("want a FeatureCollection of one: %s %v", tr.ContentType, tr.Body)
			}
			props := features[0].(map[string]any)["properties"].(map[string]any)
			b1 := props["statistics"].(map[string]any)["b1"].(map[string]any)
			hist := b1["histogram"].([]any)
			if b1["min"] != 5.0 || b1["percentile_5"] != 5.0 || b1["percentile_95"] != 5.0 || len(hist[0].([]any)) != 4 || props["name"] != "triangle" {
				t.Errorf("statistics %v", props)
			}
		}},
	{name: "tileset list", fn: "search_tilesets", target: "/searches/abc123/tiles?assets=visual&crs=EPSG:3857&code=k3y", check: func(t *testing.T, tr trace) {
		sets, _ := tr.Body.(map[string]any)["tilesets"].([]any)
		if tr.Status != 200 || len(sets) != 13 || strings.Contains(dump(sets), "k3y") {
			t.Fatalf("tilesets %d %s", tr.Status, dump(tr.Body))
		}
		if bb := sets[0].(map[string]any)["boundingBox"].(map[string]any); bb["crs"] != "http://www.opengis.net/def/crs/EPSG/0/3857" {
			t.Errorf("bounding box %v", bb)
		}
	}},
	{name: "tileset", fn: "search_tileset", target: "/searches/abc123/tiles/WebMercatorQuad?assets=red|bidx=1,2&rescale=0,10&minzoom=2&maxzoom=9",
		check: func(t *testing.T, tr trace) {
			if limits, _ := tr.Body.(map[string]any)["tileMatrixSetLimits"].([]any); len(limits) != 8 || len(tr.Follow) != 1 {
				t.Fatalf("tileset %d %s", tr.Status, dump(tr.Body))
			}
			if got := layerOf(t, tr.Follow[0]).Assets; !reflect.DeepEqual(got, []tiles.AssetSpec{{Name: "red", Bidx: []int{1, 2}}}) {
				t.Errorf("the tileset's tile link reads %+v", got)
			}
		}},
	// The host prefers the literal segment (tiles/{tms} over {tms}/tilejson.json);
	// mux must pick the same route.
	{name: "tileset named like a TileJSON", fn: "search_tileset", target: "/searches/abc123/tiles/tilejson.json?assets=visual", refused: true,
		check: func(t *testing.T, tr trace) {
			if d, _ := tr.Body.(map[string]any)["detail"].(string); tr.Status != 422 || !strings.Contains(d, `"tilejson.json"`) {
				t.Errorf("want the tileset route's 422 about tile matrix set \"tilejson.json\", got %d %v", tr.Status, tr.Body)
			}
		}},
	{name: "tile assets", fn: "search_tile_assets", target: tile + "/assets?scan_limit=5&items_limit=7&exitwhenfull=false", check: func(t *testing.T, tr trace) {
		items, _ := tr.Body.([]any)
		want := tilefunc.SearchOptions{ScanLimit: 5, ItemsLimit: 7, TimeLimit: 5 * time.Second, SkipCovered: true}
		if tr.Status != 200 || len(items) != 1 || callOf(t, tr, "Items").Args.([]any)[2] != want {
			t.Errorf("assets %d %v, calls %+v", tr.Status, tr.Body, tr.Calls)
		}
	}},
	{name: "tile assets, y with a format", fn: "search_tile_assets", target: tile + ".png/assets", refused: true, check: status(http.StatusUnprocessableEntity)},
	{name: "wmts", fn: "search_wmts",
		target: "/searches/abc123/WMTSCapabilities.xml?assets=red|bidx=1,2&assets=nir&rescale=0,10&rescale=5,50&rescale=0,200&zooms=WebMercatorQuad::2,9&zooms=WorldCRS84Quad::0,3&code=k3y",
		check: func(t *testing.T, tr trace) {
			layers, _ := tr.Body.([]string)
			if tr.Status != 200 || len(layers) != 14 || len(tr.Follow) != 1 || !strings.Contains(dump(layers), "abc123_WebMercatorQuad_default in WebMercatorQuad as image/png, zooms [2 3 4 5 6 7 8 9]") ||
				!strings.Contains(dump(layers), "abc123_WorldCRS84Quad_default in WorldCRS84Quad as image/png, zooms [0 1 2 3]") {
				t.Fatalf("wmts %d %s", tr.Status, dump(tr.Body))
			}
			tileIs(256, pixel(127, 141, 127), tiles.AssetSpec{Name: "red", Bidx: []int{1, 2}}, tiles.AssetSpec{Name: "nir"})(t, tr.Follow[0])
		}},
	{name: "map", fn: "search_map",
		target: "/searches/abc123/WebMercatorQuad/map.html?assets=red|bidx=1,2&assets=nir&rescale=0,10&rescale=5,50&rescale=0,200&tile_format=png",
		check: func(t *testing.T, tr trace) {
			if len(tr.Follow) != 1 || tr.Follow[0].Function != "search_tilejson" || len(tr.Follow[0].Follow) != 1 {
				t.Fatalf("the map page's TileJSON: %+v", tr.Follow)
			}
			tileIs(512, pixel(127, 141, 127), tiles.AssetSpec{Name: "red", Bidx: []int{1, 2}}, tiles.AssetSpec{Name: "nir"})(t, tr.Follow[0].Follow[0])
		}},
}

const mosaic = "/searches/abc123"

// Collections get the same per-mosaic routes from the same factory: each
// sample of a point, bbox, feature or statistics route is sent to the
// collection prefix too.
func init() {
	var more []sample
	for _, s := range samples {
		if !strings.HasPrefix(s.target, mosaic+"/") || !strings.HasPrefix(s.fn, "search_") {
			continue
		}
		rest := strings.TrimPrefix(s.target, mosaic)
		for _, part := range []string{"/point/", "/bbox/", "/feature", "/statistics", "/tiles", "/WMTSCapabilities.xml"} {
			if strings.HasPrefix(rest, part) {
				c := s
				c.name = "collection " + s.name
				c.fn = "collection_" + strings.TrimPrefix(s.fn, "search_")
				c.target = "/collections/world" + rest
				more = append(more, c)
			}
		}
	}
	samples = append(samples, more...)
	samples = append(samples, rasterSamples()...)
}

// rasterSamples send the item samples of the routes one raster shares
// with an item to an asset's prefix and to /external (with its url), the
// layer as bidx instead of assets.
func rasterSamples() []sample {
	var out []sample
	shared := []string{"/statistics", "/tiles", "/WebMercatorQuad/", "/WMTSCapabilities.xml", "/point/", "/preview", "/bbox/", "/feature"}
	for _, s := range samples {
		if !strings.HasPrefix(s.fn, "item_") || !strings.HasPrefix(s.target, item+"/") || s.check != nil && strings.Contains(s.name, "unknown") {
			continue
		}
		rest := strings.TrimPrefix(s.target, item)
		ok := false
		for _, p := range shared {
			ok = ok || strings.HasPrefix(rest, p)
		}
		if !ok {
			continue
		}
		rest = strings.NewReplacer("assets=visual|bidx=1,2", "bidx=1&bidx=2", "assets=visual", "bidx=1", "assets=:all:", "bidx=1").Replace(rest)
		sep := "?"
		if strings.Contains(rest, "?") {
			sep = "&"
		}
		a, e := s, s
		a.name, a.fn, a.target = "asset "+s.name, "asset_"+strings.TrimPrefix(s.fn, "item_"), item+"/assets/visual"+rest
		e.name, e.fn, e.target = "external "+s.name, "external_"+strings.TrimPrefix(s.fn, "item_"), "/external"+rest+sep+"url=/data/world.tif"
		out = append(out, a, e)
	}
	return append(out,
		sample{name: "asset info", fn: "asset_info", target: item + "/assets/visual/info", check: status(http.StatusOK)},
		sample{name: "asset info as GeoJSON", fn: "asset_info_geojson", target: item + "/assets/visual/info.geojson", check: status(http.StatusOK)},
		sample{name: "unknown asset", fn: "asset_info", target: item + "/assets/nope/info", check: status(http.StatusNotFound)},
		sample{name: "external info", fn: "external_info", target: "/external/info?url=/data/world.tif", check: status(http.StatusOK)},
		sample{name: "external info as GeoJSON", fn: "external_info_geojson", target: "/external/info.geojson?url=/data/world.tif", check: status(http.StatusOK)},
		sample{name: "external without url", fn: "external_info", target: "/external/info", refused: true, check: status(http.StatusUnprocessableEntity)},
	)
}

// triangle is a GeoJSON Feature: a triangle from 0,40 to 10,50, its
// top-left corner outside.
const triangle = `{"type":"Feature","properties":{"name":"triangle"},"geometry":{"type":"Polygon","coordinates":[[[0,40],[10,40],[10,50],[0,40]]]}}`

// itemsListed checks an /assets answer: the fake catalog's one item.
func itemsListed(t *testing.T, tr trace) {
	list, ok := tr.Body.([]any)
	if !ok || len(list) != 1 || list[0].(map[string]any)["id"] != "item" {
		t.Errorf("want the one item, got %d %v", tr.Status, tr.Body)
	}
}

func status(want int) func(*testing.T, trace) {
	return func(t *testing.T, tr trace) {
		if tr.Status != want {
			t.Errorf("status %d, want %d: %v", tr.Status, want, tr.Body)
		}
	}
}

// headOnly checks a HEAD answer: 200, GET's length, no body.
func headOnly(t *testing.T, tr trace) {
	if s, _ := tr.Body.(string); tr.Status != http.StatusOK || !strings.HasPrefix(s, "0 bytes, ") || strings.HasSuffix(s, "Length ") || strings.HasSuffix(s, "Length 0") {
		t.Errorf("HEAD: status %d, %v", tr.Status, tr.Body)
	}
}

func pixel(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 255} }

// tileIs checks a PNG tile: its size, first pixel (the fake renderer paints
// 5, 30, 100, so the pixel shows the rescale ranges) and the assets read.
func tileIs(size int, px color.NRGBA, assets ...tiles.AssetSpec) func(*testing.T, trace) {
	return func(t *testing.T, tr trace) {
		t.Helper()
		img, ok := tr.Body.(imageBody)
		if tr.Status != http.StatusOK || !ok {
			t.Fatalf("want a PNG tile, got %d %s %v", tr.Status, tr.ContentType, tr.Body)
		}
		if img.Size != image.Pt(size, size) || img.Pixel != px {
			t.Errorf("tile %v with first pixel %v, want %d px and %v", img.Size, img.Pixel, size, px)
		}
		if got := layerOf(t, tr).Assets; !reflect.DeepEqual(got, assets) {
			t.Errorf("assets read %+v, want %+v", got, assets)
		}
	}
}

func callOf(t *testing.T, tr trace, op string) call {
	t.Helper()
	for _, c := range tr.Calls {
		if c.Op == op {
			return c
		}
	}
	t.Fatalf("no %s call in %+v", op, tr.Calls)
	return call{}
}

func specOf(t *testing.T, tr trace) tiles.Spec {
	t.Helper()
	return callOf(t, tr, "Mosaic").Args.([]any)[2].(tiles.Spec)
}

func layerOf(t *testing.T, tr trace) tiles.Layer { t.Helper(); return specOf(t, tr).Layer }

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// host.json holds the keys the functions and the handler rely on.
func TestHostJSONHasTheKeysTheFunctionsNeed(t *testing.T) {
	h, path := loadHost(t)
	if h.routePrefix() != "" {
		t.Errorf("%s: extensions.http.routePrefix is %q, want \"\": the router serves /searches/..., not /api/searches/...", path, h.routePrefix())
	}
	if !h.CustomHandler.EnableProxyingHttpRequest {
		t.Errorf("%s: customHandler.enableProxyingHttpRequest must be true: hosts that know it pass path and query as received", path)
	}
	if !h.CustomHandler.EnableForwardingHttpRequest {
		t.Errorf("%s: customHandler.enableForwardingHttpRequest must be true: hosts without proxying would otherwise send the JSON invocation payload", path)
	}
}

// The (method, route) pairs the functions declare are the pairs the router
// serves, function name for route name. One route is left out on purpose:
// GET /, which the host polls on the handler itself to see that it is up,
// and which no function can take (a route template cannot be empty).
func TestFunctionsAndRouterServeTheSameRoutes(t *testing.T) {
	c := newContract(t)
	var declared, served []string
	for _, f := range c.fns {
		for _, m := range f.trigger.Methods {
			declared = append(declared, fmt.Sprintf("%s %s %s", f.name, strings.ToUpper(m), f.trigger.Route))
		}
	}
	for _, r := range handler.Routes() {
		if r.Path == "/" {
			continue // the host's ping; see above
		}
		tmpl, err := functions.Template(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		served = append(served, fmt.Sprintf("%s %s %s", r.Name, r.Method, tmpl))
		if r.Method == http.MethodGet { // the router answers HEAD on every GET route
			served = append(served, fmt.Sprintf("%s %s %s", r.Name, http.MethodHead, tmpl))
		}
	}
	sort.Strings(declared)
	sort.Strings(served)
	if !reflect.DeepEqual(declared, served) {
		t.Fatalf("functions declare:\n  %s\nthe router serves:\n  %s", strings.Join(declared, "\n  "), strings.Join(served, "\n  "))
	}
	// The host tries routes in a fixed order; two routes that tie in it
	// would make the function a request reaches depend on chance. Routes
	// that take different methods do not compete: the host matches the
	// method too (an item's GET and POST /statistics).
	for i, a := range c.fns {
		for _, b := range c.fns[i+1:] {
			if routeComparison(a.template, b.template) == 0 && shareMethod(a.trigger.Methods, b.trigger.Methods) {
				t.Errorf("functions %s and %s tie in the host's route order", a.name, b.name)
			}
		}
	}
}

// shareMethod says whether two triggers take a method in common (none
// listed: every method).
func shareMethod(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, m := range a {
		for _, n := range b {
			if strings.EqualFold(m, n) {
				return true
			}
		}
	}
	return false
}

// Every request reaches the function and route that serve it, and the
// handler reads the same parameters from it in both modes, including
// repeated keys whose values hold commas.
func TestRequestsReachTheirHandlerAlikeInBothModes(t *testing.T) {
	c := newContract(t)
	covered := map[string]bool{}
	for _, s := range samples {
		covered[s.fn] = true
		t.Run(s.name, func(t *testing.T) {
			c.t = t
			method := s.method
			if method == "" {
				method = http.MethodGet
			}
			traces := map[mode]trace{}
			for _, m := range modes {
				tr := c.send(m, method, c.public(s.target), s.body)
				route := tr.Route
				if s.refused && route == "" {
					route = s.fn
				}
				if tr.Function != s.fn || route != s.fn {
					t.Fatalf("%s: the host invoked function %q and the router ran route %q (answer %d %v), want %s", m, tr.Function, tr.Route, tr.Status, tr.Body, s.fn)
				}
				if s.check != nil {
					s.check(t, tr)
				}
				traces[m] = tr
			}
			if !reflect.DeepEqual(traces[proxying], traces[forwarding]) {
				t.Errorf("the handler read the request differently:\nproxying:\n%s\nforwarding:\n%s", dump(traces[proxying]), dump(traces[forwarding]))
			}
		})
	}
	c.t = t
	for _, r := range handler.Routes() {
		if r.Path != "/" && !covered[r.Name] {
			t.Errorf("route %s has no sample request: add one", r.Name)
		}
	}
}

// The host polls GET / on the handler itself (not through a function) until
// it answers; the answer must not wait for the database.
func TestHostPingIsAnsweredWithoutTheCatalog(t *testing.T) {
	c := newContract(t)
	if fn, _, ok := route(c.fns, http.MethodGet, "/"); ok {
		t.Errorf("function %s takes GET /, which only the host's ping uses", fn)
	}
	resp, err := http.Get(c.worker.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(c.rec.take()) != 0 {
		t.Fatalf("GET / answered %d after calling the catalog", resp.StatusCode)
	}
}

// The host checks that z and x are integers before it invokes the tile
// function, so a malformed tile address gets the host's 404, where the
// handler alone answers 422 as titiler-pgstac does.
func TestHostRefusesTileAddressesThatAreNotIntegers(t *testing.T) {
	c := newContract(t)
	for _, p := range []string{"a/124/92.png", "8/b/92.png", "8.5/124/92"} {
		if tr := c.send(proxying, http.MethodGet, c.public("/searches/abc123/tiles/WebMercatorQuad/"+p+"?assets=visual"), ""); tr.Status != http.StatusNotFound || tr.Function != "" {
			t.Errorf("%s reached function %q (%d)", p, tr.Function, tr.Status)
		}
	}
	if tr := c.send(proxying, http.MethodGet, c.public("/searches/abc123/tiles/WebMercatorQuad/8/-1/92.png?assets=visual"), ""); tr.Function != "search_tile" || tr.Status != http.StatusNotFound {
		t.Errorf("a negative column is an integer: it must reach the handler, which says it is outside the set; got %q %d", tr.Function, tr.Status)
	}
}

// What forwarding mode loses and no rule recovers, shown exactly.
func TestForwardingModeLimits(t *testing.T) {
	c := newContract(t)
	target := c.public(tile + ".png?assets=a|bidx=1&assets=2")
	// An all-digit asset name after a bidx list reads as one more band.
	p, f := c.send(proxying, http.MethodGet, target, ""), c.send(forwarding, http.MethodGet, target, "")
	if got, want := layerOf(t, p).Assets, []tiles.AssetSpec{{Name: "a", Bidx: []int{1}}, {Name: "2"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("proxying: assets %+v, want %+v", got, want)
	}
	if got, want := layerOf(t, f).Assets, []tiles.AssetSpec{{Name: "a", Bidx: []int{1, 2}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("forwarding: assets %+v, want %+v (if this now passes through, update docs/architecture.md and params.go)", got, want)
	}
	// ASP.NET Core groups keys without regard to case: Assets and assets
	// arrive as one key spelled Assets, which the handler does not read.
	target = c.public(tile + ".png?Assets=a&assets=b")
	if p, f := c.send(proxying, http.MethodGet, target, ""), c.send(forwarding, http.MethodGet, target, ""); p.Status != http.StatusOK || f.Status != http.StatusUnprocessableEntity {
		t.Errorf("mixed-case keys: proxying %d, forwarding %d; want 200 and 422", p.Status, f.Status)
	}
}

// documented are the query parameters of DESIGN.md section 4 and the
// tilejson, healthz and search-list parameters, with values that hold what
// such values hold: commas, bars, semicolons, JSON, colons, slashes, spaces,
// quotes.
var documented = [][2]string{
	{"assets", "red|bidx=1,2"}, {"expression", "b1/b2;(b1+b2)*0.5"},
	{"asset_as_band", "true"}, {"bidx", "1"}, {"nodata", "nan"}, {"unscale", "false"},
	{"resampling", "cubic_spline"}, {"reproject", "bilinear"}, {"rescale", "0,1000"},
	{"color_formula", "Gamma RGB 3.5 Saturation 1.7 Sigmoidal RGB 15 0.35"},
	{"colormap", `{"0":"#000000","255":[255,255,255,255]}`}, {"colormap_name", "viridis"},
	{"return_mask", "true"}, {"algorithm", "hillshade"}, {"algorithm_params", `{"azimuth":45,"angle_altitude":45.0}`},
	{"buffer", "0.5"}, {"padding", "1"}, {"tilesize", "512"}, {"pixel_selection", "first"},
	{"scan_limit", "10000"}, {"items_limit", "100"}, {"time_limit", "5"}, {"exitwhenfull", "true"},
	{"skipcovered", "true"}, {"max_size", "1024"}, {"width", "256"}, {"height", "256"},
	{"coord_crs", "EPSG:4326"}, {"dst_crs", "EPSG:3857"}, {"histogram_bins", "0,10,20,50"},
	{"histogram_range", "0,1000"}, {"categorical", "true"}, {"c", "1"}, {"p", "98"},
	{"ids", "a,b,c"}, {"bbox", "-10.5,40,-9,41.25"}, {"datetime", "2020-01-01T00:00:00Z/.."},
	{"query", `{"eo:cloud_cover":{"lt":10}}`}, {"sortby", "-gsd,+datetime"},
	{"filter", "eo:cloud_cover < 10 AND collection = 'sentinel-2'"}, {"filter-lang", "cql2-text"},
	{"timeout", "2"}, {"limit", "10"}, {"offset", "0"}, {"code", "k3y=="},
}

// lightEscape writes a value as a browser does: only what would break the
// query is escaped, so bars, commas, semicolons, braces and quotes go as
// they are.
func lightEscape(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23", " ", "%20").Replace(s)
}

// Every documented parameter sent once reaches the handler with its value in
// both modes, however the client escaped it. The TileJSON route shows what
// the handler read: it hands every parameter but its own on to the tile URL.
func TestEveryDocumentedParameterSentOnceSurvives(t *testing.T) {
	c := newContract(t)
	want := url.Values{}
	for _, kv := range documented {
		want.Set(kv[0], kv[1])
	}
	for name, escape := range map[string]func(string) string{"escaped": url.QueryEscape, "as browsers send it": lightEscape} {
		var parts []string
		for _, kv := range documented {
			parts = append(parts, kv[0]+"="+escape(kv[1]))
		}
		target := c.public("/searches/abc123/WebMercatorQuad/tilejson.json?" + strings.Join(parts, "&"))
		for _, m := range modes {
			_, resp, b, ok := c.do(m, http.MethodGet, target, "")
			if !ok || resp.StatusCode != http.StatusOK {
				t.Fatalf("%s, %s: %v %s", name, m, ok, b)
			}
			var tj struct{ Tiles []string }
			if err := json.Unmarshal(b, &tj); err != nil || len(tj.Tiles) != 1 {
				t.Fatalf("%s, %s: %s", name, m, b)
			}
			u, err := url.Parse(tj.Tiles[0])
			if err != nil {
				t.Fatal(err)
			}
			got, err := url.ParseQuery(u.RawQuery)
			if err != nil {
				t.Fatalf("%s, %s: tile URL %s: %v", name, m, tj.Tiles[0], err)
			}
			if got.Has("code") {
				t.Errorf("%s, %s: the function key (code) was echoed into the tile URL", name, m)
			}
			for k := range want {
				if k == "code" { // a secret: the handler never echoes it
					continue
				}
				if !reflect.DeepEqual(got[k], want[k]) {
					t.Errorf("%s, %s: %s=%q reached the handler as %q", name, m, k, want[k], got[k])
				}
			}
		}
	}
}

// A repeated key arrives as one value, the values joined with commas. For
// the repeatable parameters this is what the handler has to undo: rescale
// (2n numbers are n ranges) and assets (splitAssets) in handler/params.go;
// bidx, c and p are numbers, so a comma split undoes them.
func TestForwardingJoinsRepeatedKeys(t *testing.T) {
	for key, values := range map[string][]string{
		"assets":  {"red|bidx=1,2", "nir"},
		"rescale": {"0,10", "5,50"},
		"bidx":    {"1", "2", "3"},
		"c":       {"1", "2.5"},
		"p":       {"2", "98"},
	} {
		q := url.Values{key: values}
		got, err := url.ParseQuery(forwardedQuery(q.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(values, ","); len(got[key]) != 1 || got[key][0] != want {
			t.Errorf("%s=%q arrives as %q, want one value %q", key, values, got[key], want)
		}
	}
}
