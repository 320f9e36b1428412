package handler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestCollectionTileIsAMosaicOfItsItems(t *testing.T) {
	e := newEnv(t, false)
	blues := rgbTileIn(t, e, "/collections/demo-rgb", "WebMercatorQuad", 8, 128, 92, "", "rgb_west", "rgb_east")
	if blues[60] == 0 || blues[200] == 0 {
		t.Fatalf("want both items of the collection, got %v", blues)
	}
}

func TestCollectionFiltersNarrowTheMosaic(t *testing.T) {
	e := newEnv(t, false)
	blues := rgbTileIn(t, e, "/collections/demo-rgb", "WebMercatorQuad", 8, 128, 92, "&ids=rgb_east", "rgb_east")
	if blues[60] != 0 || blues[200] == 0 {
		t.Fatalf("ids=rgb_east should leave only the east item (blue 200), got %v", blues)
	}
	r := get(t, e.url+"/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual&datetime=2030-01-01T00:00:00Z/..")
	if r.status != 204 {
		t.Fatalf("a datetime filter no item meets should give 204, got %d %s", r.status, r.body)
	}
	get(t, e.url+"/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual&bbox=1,2,3").detail(t, 422)
	// CQL2 text, titiler-pgstac's default filter language, and CQL2-JSON.
	for _, f := range []string{"filter=id%3D%27rgb_east%27", "filter=id%3D%27rgb_east%27&filter-lang=cql2-text",
		`filter={"op":"=","args":[{"property":"id"},"rgb_east"]}&filter-lang=cql2-json`} {
		blues := rgbTileIn(t, e, "/collections/demo-rgb", "WebMercatorQuad", 8, 128, 92, "&"+f, "rgb_east")
		if blues[60] != 0 || blues[200] == 0 {
			t.Fatalf("%s should leave only the east item (blue 200), got %v", f, blues)
		}
	}
	base := e.url + "/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual&"
	for q, want := range map[string]string{
		"filter=id%3D": "filter: at column 4: ",
		`filter={"op":"nope","args":[]}&filter-lang=cql2-json`: `filter: unknown operator "nope"`,
		`filter={"op":"=","args":[1]}&filter-lang=cql2-json`:   "filter",
		"filter=id%3D1&filter-lang=cql3":                       "filter-lang",
	} {
		if d := get(t, base+q).detail(t, 422); !strings.HasPrefix(d, want) {
			t.Errorf("%s: %q, want it to start with %q", q, d, want)
		}
	}
}

func TestUnknownCollectionIs404(t *testing.T) {
	e := newEnv(t, false)
	d := get(t, e.url+"/collections/nope/tiles/WebMercatorQuad/8/128/92.png?assets=visual").detail(t, 404)
	if d != "CollectionId `nope` not found" {
		t.Fatalf("detail %q", d)
	}
}

func TestCollectionTileJSONUsesTheCollectionExtent(t *testing.T) {
	e := newEnv(t, false)
	var tj struct {
		Name         *string
		Bounds       []float64
		Tiles        []string
		RasterLayers map[string]any `json:"raster_layers"`
	}
	get(t, e.url+"/collections/demo-rgb/WebMercatorQuad/tilejson.json?assets=visual").json(t, &tj)
	// titiler-pgstac's mosaic TileJSON has no name, and raster_layers ({}
	// for a collection without renders).
	if tj.Name != nil || tj.RasterLayers == nil || fmt.Sprint(tj.Bounds) != "[-9.5 40 10.5 50]" {
		t.Fatalf("tilejson %+v", tj)
	}
	if !strings.HasPrefix(tj.Tiles[0], e.url+"/collections/demo-rgb/tiles/WebMercatorQuad/{z}/{x}/{y}?") {
		t.Fatalf("tile URL %s", tj.Tiles[0])
	}
}

// A read-only pgSTAC (pgstac.readonly(), the seed's Option A on a replica)
// still serves collection mosaics, where titiler-pgstac answers 500 because
// it must register a search per collection; registration is refused.
func TestReadOnlyPgSTACServesCollectionsAndRefusesRegistration(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.catalog.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "UPDATE pgstac.pgstac_settings SET value = 'true' WHERE name = 'readonly'"); err != nil {
		t.Fatal(err)
	}
	before := countSearches(t, conn)
	blues := rgbTileIn(t, e, "/collections/demo-rgb", "WebMercatorQuad", 8, 128, 92, "", "rgb_west", "rgb_east")
	if blues[60] == 0 || blues[200] == 0 {
		t.Fatalf("read-only collection mosaic: want both items, got %v", blues)
	}
	rgbTileIn(t, e, "/collections/demo-rgb", "WebMercatorQuad", 8, 128, 92, "&ids=rgb_west", "rgb_west")
	if r := get(t, e.url+"/collections/demo-rgb/point/-5,45?assets=visual"); r.status != 200 || !strings.Contains(string(r.body), "rgb_west") {
		t.Fatalf("read-only collection point: %d %s", r.status, r.body)
	}
	if r := get(t, e.url+"/collections/demo-rgb/bbox/-1,44,2,46/64x32.png?assets=visual"); r.status != 200 {
		t.Fatalf("read-only collection bbox: %d %s", r.status, r.body)
	}
	if after := countSearches(t, conn); after != before {
		t.Fatalf("serving a read-only collection wrote %d searches", after-before)
	}
	d := post(t, e.url+"/searches/register", `{"collections":["demo-rgb"]}`).detail(t, 403)
	if !strings.Contains(d, "read-only") {
		t.Fatalf("detail %q", d)
	}
}

func countSearches(t *testing.T, conn *pgx.Conn) int {
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pgstac.searches").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCollectionInfoShowsItsSearch(t *testing.T) {
	e := newEnv(t, false)
	var info struct {
		Search struct {
			Hash     string
			Search   map[string]any
			Metadata map[string]any
		}
		Links []struct{ Rel, Href string }
	}
	r := get(t, e.url+"/collections/demo-rgb/info?ids=rgb_east")
	r.json(t, &info)
	if r.status != 200 || len(info.Search.Hash) != 32 || info.Search.Metadata["name"] != "Mosaic for 'demo-rgb' Collection" {
		t.Fatalf("collection info %d %s", r.status, r.body)
	}
	if ids, _ := info.Search.Search["ids"].([]any); len(ids) != 1 || ids[0] != "rgb_east" {
		t.Fatalf("the info's search should carry the filter: %v", info.Search.Search)
	}
	if info.Links[0].Rel != "self" || info.Links[0].Href != e.url+"/collections/demo-rgb/info" {
		t.Fatalf("links %+v", info.Links)
	}
	get(t, e.url+"/collections/nope/info").detail(t, 404)
}
