package handler_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"tilefunc/handler"
	"tilefunc/internal/testenv"
)

func TestRegisterAnswersIDAndLinks(t *testing.T) {
	e := newEnv(t, false)
	r := post(t, e.url+"/searches/register", `{"collections":["demo-rgb"],"metadata":{"name":"west and east","minzoom":3,"maxzoom":12}}`)
	var out struct {
		ID    string
		Links []struct {
			Href, Rel, Title string
			Templated        bool
		}
	}
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	r.json(t, &out)
	if len(out.ID) != 32 {
		t.Fatalf("id %q is not an md5 hash", out.ID)
	}
	var rels []string
	for _, l := range out.Links {
		rels = append(rels, l.Rel)
	}
	if got := strings.Join(rels, ","); got != "metadata,tilejson,map,wmts" {
		t.Fatalf("link rels %s, want metadata,tilejson,map,wmts", got)
	}
	if want := e.url + "/searches/" + out.ID + "/{tileMatrixSetId}/tilejson.json"; out.Links[1].Href != want || !out.Links[1].Templated {
		t.Fatalf("tilejson link %+v, want templated %s", out.Links[1], want)
	}
	again := e.register(t, `{"collections":["demo-rgb"],"metadata":{"name":"west and east","minzoom":3,"maxzoom":12}}`)
	if again != out.ID {
		t.Fatalf("the same search registered twice got ids %s and %s", out.ID, again)
	}
}

func TestInfoShowsTheRegisteredSearch(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"bbox":[-5,40,5,50],"metadata":{"name":"demo","minzoom":3}}`)
	var info struct {
		Search struct {
			Hash     string
			Search   map[string]any
			UseCount int
			LastUsed string
			Metadata map[string]any
		}
		Links []struct{ Rel, Href string }
	}
	r := get(t, e.url+"/searches/"+id+"/info")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	r.json(t, &info)
	s := info.Search
	if s.Hash != id || s.Metadata["type"] != "mosaic" || s.Metadata["name"] != "demo" || s.Metadata["minzoom"] != 3.0 {
		t.Fatalf("info search = %+v", s)
	}
	if cols, _ := s.Search["collections"].([]any); len(cols) != 1 || cols[0] != "demo-rgb" {
		t.Fatalf("search body = %v", s.Search)
	}
	if s.LastUsed == "" || s.UseCount < 1 {
		t.Fatalf("want lastused and usecount filled, got %+v", s)
	}
	if strings.Contains(string(r.body), "null") { // titiler-pgstac leaves nulls (an empty _where) out
		t.Fatalf("info carries a null: %s", r.body)
	}
	if len(info.Links) != 4 || info.Links[0].Rel != "self" || info.Links[0].Href != e.url+"/searches/"+id+"/info" {
		t.Fatalf("links = %+v", info.Links)
	}
}

func TestTileJSONDescribesTheMosaic(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"bbox":[-9.5,40,10.5,50],"metadata":{"name":"demo rgb","minzoom":4,"maxzoom":10}}`)
	r := get(t, e.url+"/searches/"+id+"/WebMercatorQuad/tilejson.json?assets=visual&rescale=0,255&tile_format=png")
	var tj struct {
		TileJSON         string `json:"tilejson"`
		Name             string
		Tiles            []string
		MinZoom, MaxZoom int
		Bounds           []float64
		Center           []float64
	}
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	r.json(t, &tj)
	if tj.TileJSON != "3.0.0" || tj.Name != "" || tj.MinZoom != 4 || tj.MaxZoom != 10 { // no name, as titiler-pgstac's
		t.Fatalf("tilejson = %+v", tj)
	}
	if fmt.Sprint(tj.Bounds) != "[-9.5 40 10.5 50]" || fmt.Sprint(tj.Center) != "[0.5 45 4]" {
		t.Fatalf("bounds %v center %v", tj.Bounds, tj.Center)
	}
	want := e.url + "/searches/" + id + "/tiles/WebMercatorQuad/{z}/{x}/{y}.png?"
	if len(tj.Tiles) != 1 || !strings.HasPrefix(tj.Tiles[0], want) {
		t.Fatalf("tiles %v, want prefix %s", tj.Tiles, want)
	}
	for _, p := range []string{"assets=visual", "rescale=0%2C255", "tilesize=512"} {
		if !strings.Contains(tj.Tiles[0], p) {
			t.Fatalf("tile URL %s lacks %s", tj.Tiles[0], p)
		}
	}
	if strings.Contains(tj.Tiles[0], "tile_format") {
		t.Fatalf("tile URL %s carries tile_format", tj.Tiles[0])
	}
	// The URL the TileJSON gives serves a tile.
	url := strings.NewReplacer("{z}", "8", "{x}", "124", "{y}", "92").Replace(tj.Tiles[0])
	img := decodePNG(t, get(t, url))
	if img.Bounds().Dx() != 512 {
		t.Fatalf("tile from the TileJSON URL is %d px, want 512", img.Bounds().Dx())
	}
}

func TestMapPageLoadsTheTileJSON(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	r := get(t, e.url+"/searches/"+id+"/WebMercatorQuad/map.html?assets=visual")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d type %q", r.status, r.header.Get("Content-Type"))
	}
	want := `"` + e.url + `/searches/` + id + `/WebMercatorQuad/tilejson.json?assets=visual"`
	if !strings.Contains(string(r.body), strings.ReplaceAll(want, "/", `\/`)) && !strings.Contains(string(r.body), want) {
		t.Fatalf("page does not load %s", want)
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, false)
	var h struct {
		DatabaseOnline bool `json:"database_online"`
		Versions       map[string]string
	}
	r := get(t, e.url+"/healthz")
	r.json(t, &h)
	if r.status != 200 || !h.DatabaseOnline || h.Versions["pgstac"] == "" || h.Versions["gdal"] == "" {
		t.Fatalf("healthz = %d %s", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "" {
		t.Fatalf("healthz must not be cached, has Cache-Control %q", r.header.Get("Cache-Control"))
	}
}

// The Functions key (?code=, a key the host compares without case) reaches
// the handler with the query; it is a secret and must not be written into
// TileJSON tile URLs, the map page, tileset or search list links.
func TestFunctionKeyIsNotEchoed(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	for _, path := range []string{"/WebMercatorQuad/tilejson.json", "/WebMercatorQuad/map.html", "/tiles", "/tiles/WebMercatorQuad"} {
		for _, key := range []string{"code", "CODE", "Code"} {
			r := get(t, e.url+"/searches/"+id+path+"?assets=visual&"+key+"=SECRETKEY123")
			if r.status != 200 || strings.Contains(string(r.body), "SECRETKEY123") || !strings.Contains(string(r.body), "assets=visual") {
				t.Fatalf("%s with %s=: %d, echoes the key or drops the assets: %s", path, key, r.status, r.body)
			}
		}
	}
	if r := get(t, e.url+"/searches?Code=SECRETKEY123"); r.status != 200 || strings.Contains(string(r.body), "SECRETKEY123") {
		t.Fatalf("search list with Code=: %d %s", r.status, r.body)
	}
}

func TestTileMatrixSetsListAndDefinition(t *testing.T) {
	e := newEnv(t, false)
	var list struct {
		TileMatrixSets []struct {
			ID    string
			Links []struct{ Href, Rel string }
		}
	}
	get(t, e.url+"/tileMatrixSets").json(t, &list)
	ids := map[string]bool{}
	for _, s := range list.TileMatrixSets {
		ids[s.ID] = true
		if len(s.Links) != 1 || s.Links[0].Href != e.url+"/tileMatrixSets/"+s.ID {
			t.Fatalf("links of %s: %+v", s.ID, s.Links)
		}
	}
	for _, id := range []string{"WebMercatorQuad", "WorldCRS84Quad", "WorldMercatorWGS84Quad", "EuropeanETRS89_LAEAQuad",
		"CanadianNAD83_LCC", "UTM31WGS84Quad", "NZTM2000Quad", "UPSArcticWGS84Quad", "UPSAntarcticWGS84Quad",
		"LINZAntarticaMapTilegrid", "CDB1GlobalGrid", "GNOSISGlobalGrid"} {
		if !ids[id] {
			t.Errorf("/tileMatrixSets lacks %s", id)
		}
	}
	var def struct {
		ID           string
		CRS          string
		TileMatrices []struct{ ID string }
	}
	get(t, e.url+"/tileMatrixSets/WorldCRS84Quad").json(t, &def)
	if def.ID != "WorldCRS84Quad" || def.CRS != "http://www.opengis.net/def/crs/OGC/1.3/CRS84" || len(def.TileMatrices) < 18 {
		t.Fatalf("WorldCRS84Quad definition: %+v", def)
	}
	get(t, e.url+"/tileMatrixSets/Nope").detail(t, 422)
}

// metadata.defaults are render presets: each gets a TileJSON link when
// registered, TileJSON and map links in /info (titiler-pgstac's order:
// the presets as pgSTAC's jsonb orders keys, shorter names first).
func TestRenderPresetsGiveLinks(t *testing.T) {
	e := newEnv(t, false)
	body := `{"collections":["demo-rgb"],"metadata":{"defaults":{
		"true_color":{"assets":["visual"],"rescale":["0,255"]},
		"red":{"assets":["visual|bidx=1"],"colormap_name":"viridis"}}}}`
	var reg struct {
		ID    string
		Links []struct{ Href, Rel, Title string }
	}
	post(t, e.url+"/searches/register", body).json(t, &reg)
	if len(reg.Links) != 6 || reg.Links[4].Rel != "tilejson" || !strings.Contains(reg.Links[4].Title, "`red`") || !strings.Contains(reg.Links[5].Title, "`true_color`") {
		t.Fatalf("register links %+v", reg.Links)
	}
	if !strings.Contains(reg.Links[5].Href, "assets=visual") || !strings.Contains(reg.Links[5].Href, "rescale=0%2C255") {
		t.Fatalf("preset link %s", reg.Links[5].Href)
	}
	var info struct{ Links []struct{ Rel, Title string } }
	get(t, e.url+"/searches/"+reg.ID+"/info").json(t, &info)
	var rels []string
	for _, l := range info.Links {
		rels = append(rels, l.Rel)
	}
	if got := strings.Join(rels, ","); got != "self,tilejson,tilejson,tilejson,map,map,map,wmts" {
		t.Fatalf("info link rels %s", got)
	}
	// A preset's TileJSON link, filled in, serves a TileJSON whose tiles render.
	href := strings.Replace(reg.Links[5].Href, "{tileMatrixSetId}", "WebMercatorQuad", 1)
	var tj struct{ Tiles []string }
	get(t, href).json(t, &tj)
	tile := strings.NewReplacer("{z}", "8", "{x}", "124", "{y}", "92").Replace(tj.Tiles[0])
	if r := get(t, tile); r.status != 200 {
		t.Fatalf("preset tile: %d %s", r.status, r.body)
	}
}

// With MOSAIC_STRICT_ZOOM a tile outside the mosaic's metadata zooms is
// 400, as titiler's; without it (the default) the tile is drawn.
func TestZoomOutsideTheMosaicsRangeIs400WhenStrict(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"metadata":{"minzoom":6,"maxzoom":9}}`)
	if r := get(t, e.url+"/searches/"+id+"/tiles/WebMercatorQuad/10/500/370.png?assets=visual"); r.status != 200 && r.status != 204 {
		t.Fatalf("z 10, not strict: %d %s", r.status, r.body)
	}
	strict, _ := serve(t, e.catalog.DatabaseURL, nil, []string{testenv.COGDir(t)}, "", func(s *handler.Server) { s.StrictZoom = true })
	d := get(t, strict+"/searches/"+id+"/tiles/WebMercatorQuad/10/500/370.png?assets=visual").detail(t, 400)
	if d != "Invalid ZOOM level 10. Should be between 6 and 9" {
		t.Fatalf("detail %q", d)
	}
	get(t, strict+"/searches/"+id+"/tiles/WebMercatorQuad/5/15/11.png?assets=visual").detail(t, 400)
	if r := get(t, strict+"/searches/"+id+"/tiles/WebMercatorQuad/8/124/92.png?assets=visual"); r.status != 200 {
		t.Fatalf("z 8 inside the range: %d", r.status)
	}
}

// Registration takes CQL2-JSON filters, which pgSTAC applies; a filter
// pgSTAC cannot read is a 4xx, not a 500.
func TestRegisterWithCQL2Filter(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"filter-lang":"cql2-json","filter":{"op":"=","args":[{"property":"id"},"rgb_east"]}}`)
	blues := rgbTile(t, e, id, 8, 128, 92, "rgb_east")
	if blues[60] != 0 || blues[200] == 0 {
		t.Fatalf("filter id = rgb_east: want only the east item, got %v", blues)
	}
	r := post(t, e.url+"/searches/register", `{"collections":["demo-rgb"],"filter-lang":"cql2-json","filter":{"op":"nonsense","args":[]}}`)
	if r.status < 400 || r.status >= 500 {
		t.Fatalf("a bad CQL2 filter: want 4xx, got %d %s", r.status, r.body)
	}
}
