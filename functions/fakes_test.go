package functions_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/pgstac"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// call is one call the handler made to its services, and the route that
// made it. mux keeps the route and its variables in the request's context,
// which the handler passes to every service call.
type call struct {
	Route string
	Vars  map[string]string
	Op    string
	Args  any
}

// recorder notes the calls of one request at a time. The contract test is
// about routing and parameter parsing, so the catalog and renderer are fakes
// that answer at once; the database tests are in handler/.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) add(ctx context.Context, op string, args any) {
	req := (&http.Request{}).WithContext(ctx)
	c := call{Vars: mux.Vars(req), Op: op, Args: args}
	if rt := mux.CurrentRoute(req); rt != nil {
		c.Route = rt.GetName()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *recorder) take() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// fakeMetrics answers a scrape with one fixed line: the request counts
// themselves are telemetry's, tested in cmd/handler.
type fakeMetrics struct{ rec *recorder }

func (m fakeMetrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.rec.add(r.Context(), "Metrics", nil)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Write([]byte("tilefunc_fake 1\n"))
}

func (fakeMetrics) Observe(function, route, method string, status int, d time.Duration) {}

// fakeCatalog knows one search, abc123, whose one item covers everything.
type fakeCatalog struct{ rec *recorder }

func (c fakeCatalog) Register(ctx context.Context, query, metadata json.RawMessage) (*tilefunc.Search, error) {
	c.rec.add(ctx, "Register", []string{string(query), string(metadata)})
	return &tilefunc.Search{Hash: "abc123", Search: query}, nil
}

func (c fakeCatalog) Search(ctx context.Context, hash string) (*tilefunc.Search, error) {
	c.rec.add(ctx, "Search", hash)
	if hash != "abc123" {
		return nil, tilefunc.Errorf(tilefunc.ENOTFOUND, "search %s not found", hash)
	}
	return &tilefunc.Search{Hash: hash, Search: json.RawMessage(`{"collections":["c"]}`), Metadata: tilefunc.SearchMetadata{Type: "mosaic", Name: "fake"}}, nil
}

func (c fakeCatalog) Items(ctx context.Context, hash string, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	c.rec.add(ctx, "Items", []any{hash, bbox, o})
	return []tilefunc.Item{{ID: "item", Collection: "c", BBox: []float64{-180, -90, 180, 90}}}, nil
}

func (c fakeCatalog) Version(ctx context.Context) (string, error) {
	c.rec.add(ctx, "Version", nil)
	return "0.9.11", nil
}

func (c fakeCatalog) Status() tilefunc.DatabaseStatus {
	return tilefunc.DatabaseStatus{Auth: "password"}
}

func (c fakeCatalog) Collection(ctx context.Context, id string) (json.RawMessage, error) {
	c.rec.add(ctx, "Collection", id)
	if id == "nope" {
		return nil, tilefunc.Errorf(tilefunc.ENOTFOUND, "CollectionId `%s` not found", id)
	}
	return json.RawMessage(`{"id":"` + id + `","extent":{"spatial":{"bbox":[[-10,40,10,50]]}}}`), nil
}

func (c fakeCatalog) EnsureSearch(ctx context.Context, query, metadata json.RawMessage) (string, bool, error) {
	c.rec.add(ctx, "EnsureSearch", string(query))
	return "abc123", true, nil
}

func (c fakeCatalog) SearchItems(ctx context.Context, query json.RawMessage, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	c.rec.add(ctx, "SearchItems", []any{string(query), bbox, o})
	return []tilefunc.Item{{ID: "item"}}, nil
}

func (c fakeCatalog) ListSearches(ctx context.Context, o pgstac.ListOptions) ([]tilefunc.Search, int, error) {
	c.rec.add(ctx, "ListSearches", o)
	return []tilefunc.Search{{Hash: "abc123", Search: json.RawMessage(`{}`)}}, 1, nil
}

// fakeRenderer paints every pixel with the values 5, 30 and 100 (so the
// rescale ranges show in the encoded tile) and notes what it was asked for.
type fakeRenderer struct{ rec *recorder }

func (r fakeRenderer) Image(ctx context.Context, items []tilefunc.Item, win tiles.Window, spec tiles.Spec) (*raster.Image, error) {
	r.rec.add(ctx, "Mosaic", []any{len(items), win, spec})
	if win.Width == 0 { // a part sized by the items: the fake's are 100 px
		win.Width = 100
	}
	if win.Height == 0 {
		win.Height = 100
	}
	img := raster.New(win.Width, win.Height, 3, raster.Uint8)
	img.Bounds, img.CRS, img.Assets = win.Bounds, win.CRS, []string{"item"}
	img.Descriptions = []string{"visual_b1", "visual_b2", "visual_b3"}
	for b, v := range []float64{5, 30, 100} {
		for i := range img.Bands[b] {
			img.Bands[b][i], img.Valid[b][i] = v, true
		}
	}
	if win.Shape != nil { // the real renderer cuts features to their shape
		if err := win.Shape.Mask(img); err != nil {
			return nil, err
		}
	}
	return img, nil
}

// Point answers 5, 30 and 100 for every item.
func (r fakeRenderer) Point(ctx context.Context, items []tilefunc.Item, x, y float64, crs tiles.CRS, spec tiles.Spec) ([]tiles.PointValues, error) {
	r.rec.add(ctx, "Point", []any{len(items), x, y, crs, spec})
	var out []tiles.PointValues
	for _, it := range items {
		img := raster.New(1, 1, 3, raster.Uint8)
		img.Descriptions = []string{"visual_b1", "visual_b2", "visual_b3"}
		for b, v := range []float64{5, 30, 100} {
			img.Bands[b][0], img.Valid[b][0] = v, true
		}
		out = append(out, tiles.PointValues{Item: it, Image: img})
	}
	return out, nil
}

// Item is the one item of the world collection, item1.
func (c fakeCatalog) Item(ctx context.Context, collection, id string) (*tilefunc.Item, error) {
	c.rec.add(ctx, "Item", []any{collection, id})
	if collection != "world" || id != "item1" {
		return nil, tilefunc.Errorf(tilefunc.ENOTFOUND, "No item '%s' found in '%s' collection", id, collection)
	}
	return &tilefunc.Item{ID: "item1", Collection: "world", BBox: []float64{-180, -85, 180, 85},
		Assets: map[string]tilefunc.Asset{"visual": {Href: "/data/world.tif", Type: "image/tiff"}}}, nil
}

// Item paints one item as Image paints a mosaic.
func (r fakeRenderer) Item(ctx context.Context, item tilefunc.Item, win tiles.Window, spec tiles.Spec) (*raster.Image, error) {
	return r.Image(ctx, []tilefunc.Item{item}, win, spec)
}

// ItemPoint answers 5, 30 and 100.
func (r fakeRenderer) ItemPoint(ctx context.Context, item tilefunc.Item, x, y float64, crs tiles.CRS, spec tiles.Spec) (*raster.Image, error) {
	v, err := r.Point(ctx, []tilefunc.Item{item}, x, y, crs, spec)
	if err != nil {
		return nil, err
	}
	return v[0].Image, nil
}

// Info describes every asset as a 100-pixel byte raster.
func (r fakeRenderer) Info(ctx context.Context, item tilefunc.Item, assets []string) ([]tiles.AssetInfo, error) {
	r.rec.add(ctx, "Info", assets)
	out := make([]tiles.AssetInfo, len(assets))
	for i := range out {
		out[i] = tiles.AssetInfo{Bounds: [4]float64{-180, -85, 180, 85}, CRS: "http://www.opengis.net/def/crs/EPSG/0/4326", DType: "uint8", Count: 3, Width: 100, Height: 100}
	}
	return out, nil
}
