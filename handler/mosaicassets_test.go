package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"tilefunc/demo"
)

// tileItems reads a tile's assets answer: the items, and each item's keys
// in the order written.
func tileItems(t *testing.T, r response) ([]map[string]any, [][]string) {
	t.Helper()
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var raw []json.RawMessage
	r.json(t, &raw)
	var items []map[string]any
	var keys [][]string
	for _, it := range raw {
		var m map[string]any
		json.Unmarshal(it, &m)
		items = append(items, m)
		dec := json.NewDecoder(bytes.NewReader(it))
		dec.Token()
		var ks []string
		for dec.More() {
			k, _ := dec.Token()
			ks = append(ks, k.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		keys = append(keys, ks)
	}
	return items, keys
}

func TestTileAssetsAreTheItemsUnderTheTile(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	base := e.url + "/searches/" + id + "/tiles/WebMercatorQuad/8/"
	items, keys := tileItems(t, get(t, base+"128/92/assets"))
	if len(items) != 2 || items[0]["id"] != "rgb_west" || items[1]["id"] != "rgb_east" {
		t.Fatalf("items across the seam: %v", items)
	}
	for i, it := range items {
		if !reflect.DeepEqual(keys[i], []string{"id", "bbox", "assets", "collection"}) {
			t.Errorf("keys %v, want titiler-pgstac's id, bbox, assets, collection", keys[i])
		}
		asset := it["assets"].(map[string]any)["visual"].(map[string]any)
		if it["collection"] != "demo-rgb" || asset["href"] != e.catalog.Hrefs[it["id"].(string)] || len(it["bbox"].([]any)) != 4 {
			t.Errorf("item %v", it)
		}
	}
	if items, _ := tileItems(t, get(t, base+"124/92/assets")); len(items) != 1 || items[0]["id"] != "rgb_west" {
		t.Errorf("a tile inside rgb_west: %v", items)
	}
	// A tile with no item is an empty list (titiler-pgstac), not a 204.
	if r := get(t, base+"10/10/assets"); r.status != 200 || string(bytes.TrimSpace(r.body)) != "[]" {
		t.Errorf("no item: %d %s", r.status, r.body)
	}
	// The search options reach pgSTAC: one item at most.
	if items, _ := tileItems(t, get(t, base+"128/92/assets?items_limit=1")); len(items) != 1 {
		t.Errorf("items_limit=1 gave %d items", len(items))
	}
	// Other sets address other tiles: a WorldCRS84Quad tile across the seam.
	crs84 := e.url + "/searches/" + id + "/tiles/WorldCRS84Quad/7/128/32/assets"
	if items, _ := tileItems(t, get(t, crs84)); len(items) != 2 {
		t.Errorf("WorldCRS84Quad 7/128/32: %d items", len(items))
	}
}

// Assets are shown as the catalog holds them, every key kept.
func TestTileAssetsKeepEveryAssetField(t *testing.T) {
	e := newEnv(t, false)
	r := demo.Rasters[0]
	item := demo.Item(r, e.catalog.Hrefs[r.Name])
	item["id"], item["collection"] = "rich", "demo-elevation"
	asset := item["assets"].(map[string]any)[r.Asset].(map[string]any)
	asset["title"] = "Visual"
	asset["raster:bands"] = []any{map[string]any{"data_type": "uint8", "nodata": 0}}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.catalog.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := demo.Load(ctx, conn, nil, []map[string]any{item}); err != nil {
		t.Fatal(err)
	}
	id := e.register(t, `{"ids":["rich"]}`)
	items, _ := tileItems(t, get(t, e.url+"/searches/"+id+"/tiles/WebMercatorQuad/8/124/92/assets"))
	if len(items) != 1 {
		t.Fatalf("items %v", items)
	}
	got := items[0]["assets"].(map[string]any)[r.Asset].(map[string]any)
	want := map[string]any{"href": e.catalog.Hrefs[r.Name], "type": asset["type"], "roles": []any{"data"}, "title": "Visual",
		"raster:bands": []any{map[string]any{"data_type": "uint8", "nodata": 0.0}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("asset %v\nwant %v", got, want)
	}
}

func TestTileAssetsErrors(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	base := e.url + "/searches/" + id + "/tiles/"
	for _, c := range []struct {
		url    string
		status int
	}{
		{base + "NoSuchTMS/8/124/92/assets", 422},
		{base + "WebMercatorQuad/8/124/92.png/assets", 422},
		{base + "WebMercatorQuad/8/124/92@2x/assets", 422},
		{base + "WebMercatorQuad/8/999/92/assets", 404},
		{base + "WebMercatorQuad/30/0/0/assets", 404},
		{base + "WebMercatorQuad/8/124/92/assets?items_limit=many", 422},
		{e.url + "/searches/0123456789abcdef0123456789abcdef/tiles/WebMercatorQuad/8/124/92/assets", 404},
	} {
		get(t, c.url).detail(t, c.status)
	}
}
