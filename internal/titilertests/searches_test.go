//go:build parity

package titilertests

import (
	"math"
	"net/url"
	"regexp"
	"strings"
)

// The search routes: tests/test_searches.py.

const (
	missingSearch  = "/searches/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	searchNotFound = "SearchId `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` not found"
)

var searchesPy = pyFile{"test_searches.py", []pyTest{
	{"test_info", testInfo},
	{"test_assets_for_point", testAssetsForPoint},
	{"test_assets_for_tile", testAssetsForTile},
	{"test_tilejson", testTilejson},
	{"test_tiles", testTiles},
	{"test_wmts", func(c *check) { id := searchNoBBox(c); wmtsTests(c, "/searches/"+id, id) }},
	{"test_cql2", testCQL2},
	{"test_cql2_with_geometry", testCQL2WithGeometry},
	{"test_query_with_metadata", testQueryWithMetadata},
	{"test_statistics", testStatistics},
	{"test_mosaic_list", testMosaicList},
	{"test_map", func(c *check) { mapTests(c, "/searches/"+searchBBox(c)) }},
	{"test_feature", func(c *check) { featureTests(c, "/searches/"+searchNoBBox(c)) }},
	{"test_bbox", func(c *check) { bboxTests(c, "/searches/"+searchNoBBox(c)) }},
	{"test_query_point_searches", testQueryPointSearches},
	{"test_cache_middleware_settings", testCacheMiddlewareSettings},
	{"test_search_ids_parameter", testSearchIDsParameter},
}}

// register posts a search and returns its id, asserting 200 and links.
func register(c *check, query map[string]any) (string, node) {
	c.t.Helper()
	a := c.post("/searches/register", query)
	a.wantStatus(200)
	resp := a.json()
	c.assert(resp.at("id").truthy(), "%v: no id", a)
	c.assert(resp.at("links").truthy(), "%v: no links", a)
	return resp.at("id").str(), resp
}

// registered posts a search and returns its id, asserting 200 only.
func registered(c *check, query map[string]any) string {
	c.t.Helper()
	a := c.post("/searches/register", query)
	a.wantStatus(200)
	return a.json().at("id").str()
}

// registerMosaic is the fixtures' registration: the links' rels too.
func registerMosaic(c *check, query map[string]any) string {
	c.t.Helper()
	id, resp := register(c, query)
	var rels []string
	for _, l := range resp.at("links").list() {
		rels = append(rels, l.at("rel").str())
	}
	c.equal("register links", rels, []string{"metadata", "tilejson", "map", "wmts"})
	return id
}

// test_searches.py::search_no_bbox (a fixture)
func searchNoBBox(c *check) string {
	return registerMosaic(c, map[string]any{"collections": []string{noaa}})
}

// searchBBoxBounds is the bbox of search_bbox.
var searchBBoxBounds = []float64{-85.535, 36.137, -85.465, 36.179}

// test_searches.py::search_bbox (a fixture)
func searchBBox(c *check) string {
	return registerMosaic(c, map[string]any{"collections": []string{noaa}, "bbox": searchBBoxBounds})
}

// collectionFilter is the CQL2-JSON filter on the NOAA collection.
var collectionFilter = map[string]any{"op": "=", "args": []any{map[string]any{"property": "collection"}, noaa}}

// wantSearch asserts a search's /info: its search and metadata.
func wantSearch(c *check, id string, search, metadata map[string]any) node {
	c.t.Helper()
	a := c.get("/searches/" + id + "/info")
	a.wantStatus(200)
	resp := a.json()
	c.assert(resp.at("search").truthy(), "%v: no search", a)
	c.assert(resp.at("links").truthy(), "%v: no links", a)
	if search != nil {
		c.equal(a.req+" search", resp.at("search", "search").value(), search)
	}
	c.equal(a.req+" metadata", resp.at("search", "metadata").value(), metadata)
	return resp
}

// test_searches.py::test_info
func testInfo(c *check) {
	wantSearch(c, searchNoBBox(c), map[string]any{"collections": []string{noaa}, "filter-lang": "cql2-json"}, map[string]any{"type": "mosaic"})
	wantDetail(c, c.get(missingSearch+"/info"), 404, searchNotFound)
}

// test_searches.py::test_assets_for_point
func testAssetsForPoint(c *check) {
	noBBox, bbox := "/searches/"+searchNoBBox(c), "/searches/"+searchBBox(c)
	wantItems(c, c.get(noBBox+"/point/-85.6358,36.1624/assets"), 1, "20200307aC0853900w361030")
	wantItems(c, c.get(bbox+"/point/-85.5,36.1624/assets"), 2)
	wantItems(c, c.get(bbox+"/point/-9517816.46282489,4322990.432036275/assets", "coord_crs", "epsg:3857"), 2)
	wantItems(c, c.get(bbox+"/point/-85.6358,36.1624/assets"), 0)
	wantDetail(c, c.get(missingSearch+"/point/-85.5,36.1624/assets"), 404, searchNotFound)
}

// test_searches.py::test_assets_for_tile
func testAssetsForTile(c *check) {
	noBBox, bbox := "/searches/"+searchNoBBox(c), "/searches/"+searchBBox(c)
	wantItems(c, c.get(noBBox+"/tiles/WebMercatorQuad/15/8589/12849/assets"), 1, "20200307aC0853900w361030")
	wantItems(c, c.get(bbox+"/tiles/WebMercatorQuad/15/8601/12849/assets"), 2)
	wantItems(c, c.get(bbox+"/tiles/WGS1984Quad/14/8601/4901/assets"), 4)
	wantItems(c, c.get(bbox+"/tiles/WebMercatorQuad/15/8589/12849/assets"), 0)
	wantDetail(c, c.get(missingSearch+"/tiles/WebMercatorQuad/15/8589/12849/assets"), 404, searchNotFound)
}

// test_searches.py::test_tilejson
func testTilejson(c *check) {
	noBBox, bbox := "/searches/"+searchNoBBox(c), "/searches/"+searchBBox(c)
	tilejsonTests(c, noBBox, missingSearch, searchNotFound)

	a := c.get(bbox + "/WebMercatorQuad/tilejson.json?assets=cog")
	a.wantType("application/json")
	a.wantStatus(200)
	tj := a.json()
	c.equal(a.req+" minzoom", tj.at("minzoom").value(), 0)
	c.equal(a.req+" maxzoom", tj.at("maxzoom").value(), 24)
	c.equal(a.req+" bounds", tj.at("bounds").value(), searchBBoxBounds)
	c.assert(strings.Contains(tj.at("tiles", 0).str(), "?assets=cog"), "%v: tiles", a)
}

// test_searches.py::test_tiles
func testTiles(c *check) {
	noBBox, bbox := "/searches/"+searchNoBBox(c), "/searches/"+searchBBox(c)
	tileTests(c, noBBox, false)
	// The tile is outside the search's bbox.
	c.get(bbox+"/tiles/WebMercatorQuad/15/8589/12849", "assets", "cog").wantStatus(404, 204)
	wantDetail(c, c.get(missingSearch+"/tiles/WebMercatorQuad/0/0/0?assets=cog"), 404, searchNotFound)
}

// test_searches.py::test_cql2
func testCQL2(c *check) {
	id, _ := register(c, map[string]any{"filter": collectionFilter})
	wantSearch(c, id, map[string]any{"filter": collectionFilter, "filter-lang": "cql2-json"}, map[string]any{"type": "mosaic"})
	mosaic := "/searches/" + id
	wantItems(c, c.get(mosaic+"/point/-85.6358,36.1624/assets"), 1, "20200307aC0853900w361030")
	wantItems(c, c.get(mosaic+"/tiles/WebMercatorQuad/15/8589/12849/assets"), 1, "20200307aC0853900w361030")

	a := c.get(mosaic + "/WebMercatorQuad/tilejson.json?assets=cog")
	a.wantType("application/json")
	a.wantStatus(200)
	tj := a.json()
	c.equal(a.req+" minzoom", tj.at("minzoom").value(), 0)
	c.equal(a.req+" maxzoom", tj.at("maxzoom").value(), 24)
	c.equal(a.req+" bounds[0]", math.Round(tj.at("bounds", 0).num()), -180)
	c.assert(strings.Contains(tj.at("tiles", 0).str(), mosaic+"/tiles/WebMercatorQuad/{z}/{x}/{y}?assets=cog"), "%v: tiles", a)

	wantImage(c, c.get(mosaic+"/tiles/WebMercatorQuad/15/8589/12849?assets=cog"), "image/jpeg", 256, 256, 0)
	wantImage(c, c.get(mosaic+"/tiles/WebMercatorQuad/15/8589/12849?assets=cog&tilesize=512"), "image/jpeg", 512, 512, 0)
}

// test_searches.py::test_cql2_with_geometry
func testCQL2WithGeometry(c *check) {
	w, s, e, n := searchBBoxBounds[0], searchBBoxBounds[1], searchBBoxBounds[2], searchBBoxBounds[3]
	polygon := map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{w, s}, {w, n}, {e, n}, {e, s}, {w, s}}}}
	id, _ := register(c, map[string]any{"filter": map[string]any{"op": "and", "args": []any{
		collectionFilter,
		map[string]any{"op": "s_intersects", "args": []any{map[string]any{"property": "geometry"}, polygon}},
	}}})
	wantSearch(c, id, nil, map[string]any{"type": "mosaic"})
	mosaic := "/searches/" + id
	wantItems(c, c.get(mosaic+"/tiles/WebMercatorQuad/15/8601/12849/assets"), 2)
	wantItems(c, c.get(mosaic+"/point/-85.6358,36.1624/assets"), 0)
	wantItems(c, c.get(mosaic+"/tiles/WebMercatorQuad/15/8601/12849/assets"), 2)
	wantItems(c, c.get(mosaic+"/tiles/WebMercatorQuad/15/8589/12849/assets"), 0)
	c.get(mosaic+"/tiles/WebMercatorQuad/15/8589/12849", "assets", "cog").wantStatus(404, 204)
}

// test_searches.py::test_query_with_metadata
func testQueryWithMetadata(c *check) {
	id, _ := register(c, map[string]any{"filter": collectionFilter, "metadata": map[string]any{"name": "mymosaic", "minzoom": 1, "maxzoom": 2}})
	wantSearch(c, id, map[string]any{"filter": collectionFilter, "filter-lang": "cql2-json"},
		map[string]any{"type": "mosaic", "name": "mymosaic", "minzoom": 1, "maxzoom": 2})
	a := c.get("/searches/" + id + "/WebMercatorQuad/tilejson.json?assets=cog")
	a.wantStatus(200)
	c.equal(a.req+" minzoom", a.json().at("minzoom").value(), 1)
	c.equal(a.req+" maxzoom", a.json().at("maxzoom").value(), 2)

	// Layers in the metadata's defaults make TileJSON links (titiler also
	// warns, server side, of bad_layer, which has no assets).
	a = c.post("/searches/register", map[string]any{"filter": collectionFilter, "metadata": map[string]any{
		"name": "mymosaic", "minzoom": 1, "maxzoom": 2,
		"defaults": map[string]any{
			"one_band":    map[string]any{"assets": []string{"cog"}, "asset_bidx": []string{"cog|1"}},
			"three_bands": map[string]any{"assets": []string{"cog"}, "asset_bidx": []string{"cog|1,2,3"}},
			"rescale":     map[string]any{"assets": []string{"cog"}, "asset_bidx": []string{"cog|1"}, "rescale": [][]float64{{-1, 1}}},
			"colormap":    map[string]any{"assets": []string{"cog"}, "asset_bidx": []string{"cog|1"}, "colormap": map[string]any{"1": []int{0, 0, 0, 255}, "1000": []int{255, 255, 255, 255}}},
			"bad_layer":   map[string]any{"asset_bidx": []string{"cog|1,2,3"}},
		},
	}})
	a.wantStatus(200)
	resp := a.json()
	withLayers := resp.at("id").str()
	c.assert(withLayers != "", "%v: no id", a)
	c.equal(a.req+" links", resp.at("links").len(), 8)
	link := resp.at("links", -2)
	c.equal("register links[-2] title", link.at("title").value(), "TileJSON link for `one_band` layer (Template URL).")
	// titiler passes the layer's asset_bidx on as it is; tilefunc writes
	// it as a 3.x asset option, as titiler's own /info links do.
	c.assert(strings.Contains(link.at("href").str(), pick(c, "D5", "asset_bidx=cog%7C1", "assets=cog%7Cbidx%3D1")), "register links[-2] href %s", link.at("href").str())
	c.assert(strings.Contains(link.at("href").str(), "assets=cog"), "register links[-2] href %s", link.at("href").str())

	// WMTS: 1. neither assets nor layers in the metadata.
	mosaic := "/searches/" + id
	wantDetail(c, c.get(mosaic+"/WMTSCapabilities.xml"), 400, noLayers)

	// 2. assets and no layers.
	a = c.get(mosaic+"/WMTSCapabilities.xml", "assets", "cog")
	a.wantStatus(200)
	a.wantType("application/xml")
	caps := a.wmts()
	c.equal(a.req+" version", caps.Version, "1.0.0")
	c.equal(a.req+" layers", len(caps.Layers), 13)
	c.assert(caps.has(id+"_WebMercatorQuad_default"), "%v: no WebMercatorQuad layer", a)
	c.assert(caps.has(id+"_WorldCRS84Quad_default"), "%v: no WorldCRS84Quad layer", a)
	g := a.gdal(id + "_WebMercatorQuad_default")
	c.equal(a.req+" GDAL driver", g.driver, "WMTS")
	c.equal(a.req+" GDAL subdatasets", len(g.subdatasets), 13)
	c.equal(a.req+" GDAL layer crs", g.layerCRS, "EPSG:3857")

	// 3. layers and no assets.
	layered := "/searches/" + withLayers
	a = c.get(layered + "/WMTSCapabilities.xml")
	a.wantStatus(200)
	a.wantType("application/xml")
	caps = a.wmts()
	c.equal(a.req+" version", caps.Version, "1.0.0")
	c.equal(a.req+" layers", len(caps.Layers), 4*13)
	c.assert(caps.has(withLayers+"_WebMercatorQuad_one_band"), "%v: no WebMercatorQuad one_band layer", a)
	c.assert(caps.has(withLayers+"_WorldCRS84Quad_one_band"), "%v: no WorldCRS84Quad one_band layer", a)
	g = a.gdal(withLayers + "_WebMercatorQuad_one_band")
	c.equal(a.req+" GDAL driver", g.driver, "WMTS")
	c.equal(a.req+" GDAL subdatasets", len(g.subdatasets), 4*13)
	c.equal(a.req+" GDAL layer driver", g.layerDriver, "WMTS")
	c.equal(a.req+" GDAL layer crs", g.layerCRS, "EPSG:3857")
	c.equal(a.req+" GDAL layer subdatasets", g.layerSubs, 0)

	// 4. assets and layers.
	a = c.get(layered+"/WMTSCapabilities.xml", "assets", "cog")
	caps = a.wmts()
	c.equal(a.req+" version", caps.Version, "1.0.0")
	c.equal(a.req+" layers", len(caps.Layers), 5*13)
	c.assert(caps.has(withLayers+"_WebMercatorQuad_default"), "%v: no WebMercatorQuad layer", a)
	c.assert(caps.has(withLayers+"_WorldCRS84Quad_default"), "%v: no WorldCRS84Quad layer", a)

	a = c.get(layered + "/info")
	a.wantStatus(200)
	info := a.json()
	c.equal(a.req+" hash", info.at("search", "hash").value(), withLayers)
	c.equal(a.req+" links", info.at("links").len(), 12)
	c.equal(a.req+" links[1] title", info.at("links", 1, "title").value(), "TileJSON link (Template URL).")
	c.equal(a.req+" links[2] title", info.at("links", 2, "title").value(), "TileJSON link for `rescale` layer (Template URL).")
	c.equal(a.req+" links[3] title", info.at("links", 3, "title").value(), "TileJSON link for `colormap` layer (Template URL).")
	href, _ := url.Parse(info.at("links", 2, "href").str())
	c.equal(a.req+" links[2] assets", href.Query()["assets"], []string{"cog|bidx=1"})
}

// test_searches.py::test_statistics
func testStatistics(c *check) {
	noBBox := "/searches/" + searchNoBBox(c)
	searchBBox(c)
	statisticsTests(c, noBBox, missingSearch, searchNotFound)

	a := c.post(noBBox+"/statistics", aois, "assets", "cog|bidx=1,2", "max_size", "1024", "algorithm", "normalizedIndex")
	a.wantStatus(200)
	a.wantType("application/geo+json")
	c.equal(a.req+" b1 description", a.json().at("features", 0, "properties", "statistics", "b1", "description").value(), "(cog_b2 - cog_b1) / (cog_b2 + cog_b1)")
}

// lastUsed is how a search's lastused reads (%Y-%m-%dT%H:%M:%S.%fZ).
var lastUsed = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}Z$`)

// test_searches.py::test_mosaic_list
func testMosaicList(c *check) {
	// titiler's suite lists the searches its earlier tests registered:
	// register them here, so that this test stands alone.
	searchNoBBox(c)
	searchBBox(c)

	for _, q := range []struct {
		query string
		n     int // searches; 0: any but none
		links int // at least
	}{{"", 0, 1}, {"?limit=1", 1, 2}, {"?limit=1&offset=1", 1, 3}} {
		a := c.get("/searches/list" + q.query)
		a.wantStatus(200)
		resp := a.json()
		c.equal(a.req+" keys", resp.keys(), []string{"searches", "links", "context"})
		if q.n == 0 {
			c.assert(resp.at("searches").len() > 0, "%v: no searches", a)
		} else {
			c.equal(a.req+" searches", resp.at("searches").len(), q.n)
		}
		c.assert(resp.at("links").len() >= q.links, "%v: %d links, want %d or more", a, resp.at("links").len(), q.links)
	}

	for _, num := range []int{2, 1, 3} {
		c.post("/searches/register", map[string]any{"filter": collectionFilter, "metadata": map[string]any{"data": "noaa", "num": num}})
	}
	nums := func(a *answer) []any {
		var out []any
		for _, s := range a.json().at("searches").list() {
			out = append(out, s.at("search", "metadata", "num").value())
		}
		return out
	}
	a := c.get("/searches/list?data=noaa")
	a.wantStatus(200)
	c.equal(a.req+" keys", a.json().keys(), []string{"searches", "links", "context"})
	c.equal(a.req+" context", a.json().at("context").value(), map[string]any{"returned": 3, "limit": 10, "matched": 3})
	c.equal(a.req+" searches", a.json().at("searches").len(), 3)
	c.equal(a.req+" nums", nums(a), []int{2, 1, 3})
	for _, q := range []struct {
		sortby string
		want   []int
	}{{"%2Bnum", []int{1, 2, 3}}, {"num", []int{1, 2, 3}}, {"-num", []int{3, 2, 1}}} {
		a := c.get("/searches/list?data=noaa&sortby=" + q.sortby)
		a.wantStatus(200)
		c.equal(a.req+" nums", nums(a), q.want)
	}

	for _, sortby := range []string{"lastused", "-lastused"} {
		a := c.get("/searches/list?sortby=" + sortby)
		a.wantStatus(200)
		c.assert(a.json().at("context").truthy(), "%v: no context", a)
		var dates []string
		for _, s := range a.json().at("searches").list() {
			d := s.at("search", "lastused").str()
			c.assert(lastUsed.MatchString(d), "%v: lastused %q", a, d)
			dates = append(dates, d)
		}
		if len(dates) < 2 {
			c.assert(false, "%v: %d searches", a, len(dates))
			continue
		}
		// Same layout and zone: the strings sort as the dates do, but for
		// the fraction's digits, which pgSTAC writes in full.
		first, last := dates[0], dates[len(dates)-1]
		if sortby == "lastused" {
			c.assert(first < last, "%v: first %s, last %s", a, first, last)
		} else {
			c.assert(first > last, "%v: first %s, last %s", a, first, last)
		}
	}
}

// test_searches.py::test_query_point_searches
func testQueryPointSearches(c *check) {
	noBBox, bbox := "/searches/"+searchNoBBox(c), "/searches/"+searchBBox(c)
	a := c.get(noBBox+"/point/-85.5,36.1624", "assets", "cog")
	a.wantStatus(200)
	values := a.json().at("assets")
	c.equal(a.req+" assets", values.len(), 2)
	c.equal(a.req+" name", values.at(0, "name").value(), "noaa-emergency-response/20200307aC0853130w361030")
	c.equal(a.req+" band_names", values.at(0, "band_names").value(), []string{"b1", "b2", "b3"})

	a = c.get(noBBox+"/point/-9517816.46282489,4322990.432036275", "assets", "cog", "coord_crs", "epsg:3857")
	a.wantStatus(200)
	c.equal(a.req+" assets", a.json().at("assets").len(), 2)

	wantDetail(c, c.get(missingSearch+"/point/-85.5,36.1624", "assets", "cog"), 404, searchNotFound)
	c.get(bbox+"/point/-86.0,35.0", "assets", "cog").wantStatus(204)
}

// test_searches.py::test_cache_middleware_settings
func testCacheMiddlewareSettings(c *check) {
	noBBox := "/searches/" + searchNoBBox(c)
	for _, path := range []string{"/searches/list", "/searches/list?limit=1", "/searches", "/searches?limit=1"} {
		a := c.get(path)
		a.wantStatus(200)
		c.assert(a.header.Get("Cache-Control") == "", "%v: Cache-Control %q", a, a.header.Get("Cache-Control"))
	}
	a := c.get(noBBox+"/point/-85.5,36.1624", "assets", "cog")
	a.wantStatus(200)
	c.assert(a.header.Get("Cache-Control") != "", "%v: no Cache-Control", a)
}

// test_searches.py::test_search_ids_parameter
func testSearchIDsParameter(c *check) {
	const one = "20200307aC0853130w361030"
	id := registered(c, map[string]any{"collections": []string{noaa}})
	a := c.get("/searches/" + id + "/point/-85.5,36.1624/assets")
	a.wantStatus(200)
	c.assert(a.json().len() >= 1, "%v: no items", a)

	for _, q := range []map[string]any{
		{"collections": []string{noaa}, "ids": []string{one}},
		{"collections": []string{noaa}, "ids": []string{one}, "filter-lang": "cql2-json"},
		{"filter": map[string]any{"op": "and", "args": []any{
			collectionFilter,
			map[string]any{"op": "=", "args": []any{map[string]any{"property": "id"}, one}},
		}}, "filter-lang": "cql2-json"},
	} {
		id := registered(c, q)
		wantItems(c, c.get("/searches/"+id+"/point/-85.5,36.1624/assets"), 1, one)
	}
}
