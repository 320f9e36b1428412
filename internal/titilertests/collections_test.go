//go:build parity

package titilertests

import (
	"encoding/json"
	"math"
	"strings"
	"time"
)

// The collection mosaic routes: tests/test_collections.py.

const (
	collection = "/collections/noaa-emergency-response"
	// missingCollection is the collection id the suite asks for to get 404.
	missingCollection = "/collections/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	notFoundDetail    = "CollectionId `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` not found"
	maxar             = "/collections/MAXAR_BayofBengal_Cyclone_Mocha_May_23"
)

// aoi is the polygon of the statistics, feature and bbox tests, inside
// the shipped COG.
var aoi = map[string]any{
	"type":       "Feature",
	"properties": map[string]any{},
	"geometry": map[string]any{
		"type": "Polygon",
		"coordinates": [][][2]float64{{
			{-85.64065933227539, 36.16587374136926},
			{-85.64546585083008, 36.161716102717804},
			{-85.64443588256836, 36.158043338486344},
			{-85.64083099365234, 36.157904740240866},
			{-85.63679695129393, 36.15901351934466},
			{-85.6358528137207, 36.161577510965},
			{-85.63568115234375, 36.16441859292501},
			{-85.63902854919434, 36.16511152412467},
			{-85.64065933227539, 36.16587374136926},
		}},
	},
}

// aois is aoi in a FeatureCollection.
var aois = map[string]any{"type": "FeatureCollection", "features": []any{aoi}}

// aoiBBox is aoi's bbox, as the suite writes it in paths.
const aoiBBox = "-85.64546585083008,36.157904740240866,-85.63568115234375,36.16587374136926"

// itemKeys are the keys of an item in an /assets answer, in their order.
var itemKeys = []string{"id", "bbox", "assets", "collection"}

var collectionsPy = pyFile{"test_collections.py", []pyTest{
	{"test_assets_for_point_collections", testAssetsForPointCollections},
	{"test_assets_for_tile_collections", testAssetsForTileCollections},
	{"test_assets_for_bbox_collections", testAssetsForBBoxCollections},
	{"test_tilejson_collections", func(c *check) { tilejsonTests(c, collection, missingCollection, notFoundDetail) }},
	{"test_tiles_collections", testTilesCollections},
	{"test_wmts_collections", testWMTSCollections},
	{"test_statistics_collections", func(c *check) { statisticsTests(c, collection, missingCollection, notFoundDetail) }},
	{"test_map_collection", func(c *check) { mapTests(c, collection) }},
	{"test_feature_collection", func(c *check) { featureTests(c, collection) }},
	{"test_bbox_collection", func(c *check) { bboxTests(c, collection) }},
	{"test_query_point_collections", testQueryPointCollections},
	{"test_collections_render", testCollectionsRender},
	{"test_collections_additional_parameters", testCollectionsAdditionalParameters},
	{"test_collections_cql_filter", testCollectionsCQLFilter},
	{"test_datetime_validation", testDatetimeValidation},
	{"test_query_validation", testQueryValidation},
	{"test_query_json_content", testQueryJSONContent},
	{"test_filter_json_validation", testFilterJSONValidation},
	{"test_filter_text_validation", testFilterTextValidation},
	{"test_bbox_validation", testBBoxValidation},
	{"test_nullbyte_error", testNullbyteError},
}}

// wantItems asserts an /assets answer: 200 with n items, the first with
// the keys of itemKeys, and ids in that order when given.
func wantItems(c *check, a *answer, n int, ids ...string) {
	c.t.Helper()
	a.wantStatus(200)
	got := a.json()
	c.assert(got.len() == n, "%v: %d items, want %d", a, got.len(), n)
	if len(ids) > 0 {
		c.equal(a.req+" keys", got.at(0).keys(), itemKeys)
	}
	for i, id := range ids {
		c.equal(a.req+" id", got.at(i, "id").value(), id)
	}
}

// wantDetail asserts status and detail of an error.
func wantDetail(c *check, a *answer, status int, detail string) {
	c.t.Helper()
	a.wantStatus(status)
	c.equal(a.req+" detail", a.detail(), detail)
}

// test_collections.py::test_assets_for_point_collections
func testAssetsForPointCollections(c *check) {
	wantItems(c, c.get(collection+"/point/-85.5,36.1624/assets"), 2, "20200307aC0853130w361030", "20200307aC0853000w361030")
	wantItems(c, c.get(collection+"/point/-9517816.46282489,4322990.432036275/assets", "coord_crs", "epsg:3857"), 2)
	wantDetail(c, c.get(missingCollection+"/point/-85.5,36.1624/assets"), 404, notFoundDetail)
}

// test_collections.py::test_assets_for_tile_collections
func testAssetsForTileCollections(c *check) {
	wantItems(c, c.get(collection+"/tiles/WebMercatorQuad/15/8589/12849/assets"), 1, "20200307aC0853900w361030")
	wantItems(c, c.get(collection+"/tiles/WebMercatorQuad/15/8601/12849/assets"), 2)
	wantItems(c, c.get(collection+"/tiles/WGS1984Quad/14/8601/4901/assets"), 4)
	wantDetail(c, c.get(missingCollection+"/tiles/WebMercatorQuad/15/8589/12849/assets"), 404, notFoundDetail)
}

// test_collections.py::test_assets_for_bbox_collections
func testAssetsForBBoxCollections(c *check) {
	wantItems(c, c.get(collection+"/bbox/-86.0,36.0,-85.0,37.0/assets"), 61)
	const mercator = "-9573476,4300621,-9462156,4439106"
	wantItems(c, c.get(collection+"/bbox/"+mercator+"/assets", "coord_crs", "epsg:3857"), 61)
	wantDetail(c, c.get(missingCollection+"/bbox/"+mercator+"/assets"), 404, notFoundDetail)
}

// tilejsonTests are the TileJSON assertions test_tilejson_collections and
// test_searches.py::test_tilejson share, on mosaic prefix.
func tilejsonTests(c *check, prefix, missing, detail string) {
	c.get(prefix + "/WebMercatorQuad/tilejson.json").wantStatus(422)

	a := c.get(prefix + "/WebMercatorQuad/tilejson.json?assets=cog")
	a.wantType("application/json")
	a.wantStatus(200)
	tj := a.json()
	c.equal(a.req+" minzoom", tj.at("minzoom").value(), 0)
	c.equal(a.req+" maxzoom", tj.at("maxzoom").value(), 24)
	c.equal(a.req+" bounds[0]", math.Round(tj.at("bounds", 0).num()), -180)
	c.assert(strings.Contains(tj.at("tiles", 0).str(), "?assets=cog"), "%v: tiles", a)

	const limits = "?assets=cog&scan_limit=100&items_limit=1&time_limit=2&exitwhenfull=False&skipcovered=False"
	a = c.get(prefix + "/WebMercatorQuad/tilejson.json" + limits)
	a.wantType("application/json")
	a.wantStatus(200)
	c.assert(strings.Contains(a.json().at("tiles", 0).str(), limits), "%v: tiles", a)

	a = c.get(prefix + "/WebMercatorQuad/tilejson.json?assets=cog&expression=b1")
	a.wantStatus(200)
	c.assert(strings.Contains(a.json().at("tiles", 0).str(), "?assets=cog&expression=b1"), "%v: tiles", a)

	a = c.get(prefix + "/WorldCRS84Quad/tilejson.json?assets=cog")
	a.wantStatus(200)
	tj = a.json()
	c.equal(a.req+" minzoom", tj.at("minzoom").value(), 0)
	c.equal(a.req+" maxzoom", tj.at("maxzoom").value(), 23)
	for i, want := range []float64{-180, -90, 180, 90} {
		c.equal(a.req+" bounds", round5(tj.at("bounds", i).num()), want)
	}
	c.assert(strings.Contains(tj.at("tiles", 0).str(), "?assets=cog"), "%v: tiles", a)

	a = c.get(prefix + "/WebMercatorQuad/tilejson.json?assets=cog&tile_format=png")
	a.wantStatus(200)
	c.assert(strings.Contains(a.json().at("tiles", 0).str(), ".png?assets=cog"), "%v: tiles", a)

	wantDetail(c, c.get(missing+"/WebMercatorQuad/tilejson.json?assets=cog"), 404, detail)
}

func round5(v float64) float64 { return math.Round(v*1e5) / 1e5 }

// wantImage asserts a 200 image answer of the content type, size and band
// count (alpha included; 0: not asserted).
func wantImage(c *check, a *answer, contentType string, width, height, count int) {
	c.t.Helper()
	a.wantStatus(200)
	a.wantType(contentType)
	img := a.image()
	c.equal(a.req+" width", img.Width, width)
	c.equal(a.req+" height", img.Height, height)
	if count > 0 {
		c.equal(a.req+" count", img.Count(), count)
	}
}

// wantGeoTIFF asserts a 200 GeoTIFF answer in EPSG:epsg, of the size
// when given.
func wantGeoTIFF(c *check, a *answer, epsg string, size ...int) {
	c.t.Helper()
	a.wantStatus(200)
	a.wantType("image/tiff; application=geotiff")
	img := a.image()
	c.equal(a.req+" crs", img.GDAL.EPSG, epsg)
	if len(size) == 2 {
		c.equal(a.req+" width", img.Width, size[0])
		c.equal(a.req+" height", img.Height, size[1])
	}
}

// tileTests are the tile assertions test_tiles_collections and
// test_searches.py::test_tiles share.
func tileTests(c *check, prefix string, debugHeaders bool) {
	const tile = "/tiles/WebMercatorQuad/15/8589/12849"
	c.get(prefix + tile).wantStatus(422)

	a := c.get(prefix + tile + "?assets=cog")
	wantImage(c, a, "image/jpeg", 256, 256, 0)
	if debugHeaders {
		// In debug mode, which both servers run in here.
		for _, h := range []string{"Server-Timing", "X-Assets"} {
			c.assert(a.header.Get(h) != "", "%v: header %s %q", a, h, a.header.Get(h))
		}
	}
	wantImage(c, c.get(prefix+tile+"?assets=cog&buffer=0.5"), "image/jpeg", 257, 257, 0)
	wantImage(c, c.get(prefix+tile+".png?assets=cog"), "image/png", 256, 256, 0)
	wantGeoTIFF(c, c.get(prefix+tile+".tif?assets=cog"), "3857", 256, 256)
	wantGeoTIFF(c, c.get(prefix+"/tiles/WorldCRS84Quad/18/137421/78424.tif?assets=cog"), "4326", 256, 256)
}

// test_collections.py::test_tiles_collections
func testTilesCollections(c *check) {
	tileTests(c, collection, true)
	wantDetail(c, c.get(missingCollection+"/tiles/WebMercatorQuad/0/0/0?assets=cog"), 404, notFoundDetail)
}

// noLayers is the detail of a WMTS request with no layer to describe.
const noLayers = "Could not find any valid layers in metadata or construct one from Query Parameters."

// wmtsTests are the WMTS assertions test_wmts_collections and
// test_searches.py::test_wmts share: id is the mosaic's search id.
func wmtsTests(c *check, prefix, id string) {
	wantDetail(c, c.get(prefix+"/WMTSCapabilities.xml"), 400, noLayers)

	a := c.get(prefix + "/WMTSCapabilities.xml?assets=cog")
	a.wantStatus(200)
	a.wantType("application/xml")
	caps := a.wmts()
	c.equal(a.req+" version", caps.Version, "1.0.0")
	c.equal(a.req+" layers", len(caps.Layers), 13)
	c.assert(caps.has(id+"_WebMercatorQuad_default"), "%v: no WebMercatorQuad layer", a)
	c.assert(caps.has(id+"_WorldCRS84Quad_default"), "%v: no WorldCRS84Quad layer", a)
	g := a.gdal(id + "_WebMercatorQuad_default")
	c.equal(a.req+" GDAL crs", g.crs, "")
	c.equal(a.req+" GDAL driver", g.driver, "WMTS")
	c.equal(a.req+" GDAL subdatasets", len(g.subdatasets), 13)
	c.equal(a.req+" GDAL layer crs", g.layerCRS, "EPSG:3857")
}

// test_collections.py::test_wmts_collections
func testWMTSCollections(c *check) {
	id := c.get(collection+"/info").json().at("search", "hash").str()
	wmtsTests(c, collection, id)

	for _, zooms := range []string{"WebMercatorQuad::0,1", "*::0,1"} {
		a := c.get(collection+"/WMTSCapabilities.xml?assets=cog", "zooms", zooms)
		caps := a.wmts()
		c.equal(a.req+" version", caps.Version, "1.0.0")
		c.equal(a.req+" layers", len(caps.Layers), 13)
		c.assert(caps.has(id+"_WebMercatorQuad_default"), "%v: no WebMercatorQuad layer", a)
		c.assert(caps.has(id+"_WorldCRS84Quad_default"), "%v: no WorldCRS84Quad layer", a)
		c.equal(a.req+" WebMercatorQuad limits", caps.limits(id+"_WebMercatorQuad_default", "WebMercatorQuad"), []string{"0", "1"})
		if zooms == "*::0,1" {
			c.equal(a.req+" WorldCRS84Quad limits", caps.limits(id+"_WorldCRS84Quad_default", "WorldCRS84Quad"), []string{"0", "1"})
		}
	}
}

// statisticsTests are the statistics assertions test_statistics_collections
// and test_searches.py::test_statistics share.
func statisticsTests(c *check, prefix, missing, detail string) {
	c.post(prefix+"/statistics", aois, "max_size", "1024").wantStatus(422)

	a := c.post(prefix+"/statistics", aois, "assets", "cog", "max_size", "1024")
	a.wantStatus(200)
	a.wantType("application/geo+json")
	b1 := a.json().at("features", 0, "properties", "statistics", "b1")
	c.assert(b1.truthy(), "%v: no b1", a)
	c.equal(a.req+" b1 description", b1.at("description").value(), "cog_b1")

	a = c.post(prefix+"/statistics", aoi, "assets", "cog", "max_size", "1024")
	a.wantStatus(200)
	a.wantType("application/geo+json")
	c.assert(a.json().at("properties", "statistics", "b1").truthy(), "%v: no b1", a)

	wantDetail(c, c.post(missing+"/statistics", aois, "assets", "cog", "max_size", "1024"), 404, detail)
}

// mapTests are the viewer assertions of test_map_collection and
// test_searches.py::test_map.
func mapTests(c *check, prefix string) {
	c.get(prefix + "/WebMercatorQuad/map.html").wantStatus(422)
	c.get(prefix+"/WebMercatorQuad/map.html", "assets", "cog").wantStatus(200)
}

// featureTests are the assertions test_feature_collection and
// test_searches.py::test_feature share.
func featureTests(c *check, prefix string) {
	c.post(prefix+"/feature", aoi, "max_size", "1024").wantStatus(422)
	wantImage(c, c.post(prefix+"/feature", aoi, "assets", "cog", "max_size", "1024"), "image/png", 725, 591, 4)
	wantImage(c, c.post(prefix+"/feature.jpeg", aoi, "assets", "cog", "max_size", "1024"), "image/jpeg", 725, 591, 3)
	wantImage(c, c.post(prefix+"/feature/300x400.jpeg", aoi, "assets", "cog", "max_size", "1024"), "image/jpeg", 300, 400, 3)
	wantGeoTIFF(c, c.post(prefix+"/feature/300x400.tif", aoi, "assets", "cog", "max_size", "1024"), "4326")
	wantGeoTIFF(c, c.post(prefix+"/feature/300x400.tif", aoi, "assets", "cog", "max_size", "1024", "dst_crs", "epsg:3857"), "3857")
}

// bboxTests are the assertions test_bbox_collection and
// test_searches.py::test_bbox share.
func bboxTests(c *check, prefix string) {
	path := prefix + "/bbox/" + aoiBBox
	c.get(path+".png", "max_size", "1024").wantStatus(422)
	wantImage(c, c.get(path+".png", "assets", "cog", "max_size", "1024"), "image/png", 725, 591, 4)
	wantImage(c, c.get(path+".jpeg", "assets", "cog", "max_size", "1024"), "image/jpeg", 725, 591, 3)
	wantImage(c, c.get(path+"/300x400.jpeg", "assets", "cog", "max_size", "1024"), "image/jpeg", 300, 400, 3)
	wantGeoTIFF(c, c.get(path+".tif", "assets", "cog", "max_size", "1024"), "4326")
	wantGeoTIFF(c, c.get(path+".tif", "assets", "cog", "max_size", "1024", "dst_crs", "epsg:3857"), "3857")
}

// test_collections.py::test_query_point_collections
func testQueryPointCollections(c *check) {
	a := c.get(collection+"/point/-85.5,36.1624", "assets", "cog")
	a.wantStatus(200)
	values := a.json().at("assets")
	c.equal(a.req+" assets", values.len(), 2)
	c.equal(a.req+" name", values.at(0, "name").value(), "noaa-emergency-response/20200307aC0853130w361030")
	c.equal(a.req+" band_names", values.at(0, "band_names").value(), []string{"b1", "b2", "b3"})
	// titiler's suite reads NOAA's file here: [27, 34, 42].
	c.standIn("S1")
	c.equal(a.req+" values", values.at(0, "values").value(), pixel(c.t, c.srv.cat.files["20200307aC0853130w361030"], -85.5, 36.1624))
	c.equal(a.req+" name", values.at(1, "name").value(), "noaa-emergency-response/20200307aC0853000w361030")

	a = c.get(collection+"/point/-9517816.46282489,4322990.432036275", "assets", "cog", "coord_crs", "epsg:3857")
	a.wantStatus(200)
	c.equal(a.req+" assets", a.json().at("assets").len(), 2)

	wantDetail(c, c.get(missingCollection+"/point/-85.5,36.1624", "assets", "cog"), 404, notFoundDetail)

	c.get(collection+"/point/-86.0,-35.0", "assets", "cog").wantStatus(204)
}

// test_collections.py::test_collections_render
func testCollectionsRender(c *check) {
	id := c.get(maxar+"/info").json().at("search", "hash").str()

	a := c.get(maxar + "/WMTSCapabilities.xml")
	a.wantStatus(200)
	a.wantType("application/xml")
	caps := a.wmts()
	c.equal(a.req+" version", caps.Version, "1.0.0")
	c.equal(a.req+" layers", len(caps.Layers), 3*13)
	c.assert(caps.has(id+"_WebMercatorQuad_color"), "%v: no WebMercatorQuad color layer", a)
	c.assert(caps.has(id+"_WorldCRS84Quad_color"), "%v: no WorldCRS84Quad color layer", a)
	g := a.gdal(id + "_WebMercatorQuad_color")
	c.equal(a.req+" GDAL crs", g.crs, "")
	c.equal(a.req+" GDAL driver", g.driver, "WMTS")
	c.equal(a.req+" GDAL subdatasets", len(g.subdatasets), 3*13)
	for _, l := range []string{"color", "visualr"} {
		c.assert(contains(g.subdatasets, id+"_WebMercatorQuad_"+l), "%v: no subdataset %s", a, l)
	}
	c.equal(a.req+" GDAL layer crs", g.layerCRS, "EPSG:3857")
	c.equal(a.req+" GDAL layer driver", g.layerDriver, "WMTS")

	a = c.get(maxar + "/info")
	a.wantStatus(200)
	c.equal(a.req+" links", a.json().at("links").len(), 10)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// test_collections.py::test_collections_additional_parameters
func testCollectionsAdditionalParameters(c *check) {
	a := c.get(collection+"/info", "bbox", "-87.0251,36.1749,-86.9999,36.2001")
	a.wantStatus(200)
	bbox := []float64{-87.0251, 36.1749, -86.9999, 36.2001}
	c.equal(a.req+" search bbox", a.json().at("search", "search", "bbox").value(), bbox)
	c.equal(a.req+" metadata bounds", a.json().at("search", "metadata", "bounds").value(), bbox)

	a = c.get(collection+"/info", "ids", "20200307aC0853130w361030")
	a.wantStatus(200)
	c.equal(a.req+" ids", a.json().at("search", "search", "ids").value(), []string{"20200307aC0853130w361030"})

	wantItems(c, c.get(collection+"/point/-85.5,36.1624/assets", "ids", "20200307aC0853130w361030"), 1, "20200307aC0853130w361030")

	for _, dt := range []string{"2020-03-07T00:00:00Z", "../2020-03-07T00:00:00Z"} {
		a = c.get(collection+"/info", "datetime", dt)
		a.wantStatus(200)
		c.equal(a.req+" datetime", a.json().at("search", "search", "datetime").value(), dt)
	}

	a = c.get(collection+"/info", "query", `{"eo:cloud_cover": {"gte": 95}}`)
	a.wantStatus(200)
	c.equal(a.req+" query", a.json().at("search", "search", "query").value(), map[string]any{"eo:cloud_cover": map[string]any{"gte": 95}})

	a = c.get(collection+"/info", "sortby", "-gsd,+datetime,cloud")
	a.wantStatus(200)
	c.equal(a.req+" sortby", a.json().at("search", "search", "sortby").value(), []map[string]string{
		{"direction": "desc", "field": "gsd"}, {"direction": "asc", "field": "datetime"}, {"direction": "asc", "field": "cloud"},
	})
}

// test_collections.py::test_collections_cql_filter, both parameter sets.
func testCollectionsCQLFilter(c *check) {
	jsonFilter, _ := json.Marshal(map[string]any{"op": "=", "args": []any{map[string]any{"property": "value"}, "1"}})
	for _, f := range [][2]string{{string(jsonFilter), "cql2-json"}, {"(value = '1')", "cql2-text"}} {
		wantItems(c, c.get(collection+"/point/-85.5,36.1624/assets", "filter", f[0], "filter-lang", f[1]), 1, "20200307aC0853000w361030")
	}
}

// test_collections.py::test_datetime_validation
func testDatetimeValidation(c *check) {
	c.get(collection+"/tiles", "datetime", time.Now().UTC().Format("2006-01-02T15:04:05.000000-07:00")).wantStatus(200)
	c.get(collection+"/tiles", "datetime", "this is not a valid datetime string").wantStatus(422)
}

// test_collections.py::test_query_validation
func testQueryValidation(c *check) {
	c.get(collection+"/tiles", "query", `{"eo:cloud_cover": {"gte": 95}}`).wantStatus(200)
	c.get(collection+"/tiles", "query", "this is not a valid query string").wantStatus(422)
}

// test_collections.py::test_query_json_content
func testQueryJSONContent(c *check) {
	c.get(collection+"/tiles", "query", `{"this": "is not a valid query"}`).wantStatus(422)
}

// test_collections.py::test_filter_json_validation
func testFilterJSONValidation(c *check) {
	c.get(collection+"/tiles", "filter", `{"op": "lte", "args": [{"property": "gsd"}, 10]}`, "filter-lang", "cql2-json").wantStatus(200)
	c.get(collection+"/tiles", "filter", `{"this": "is invalid content"}`).wantStatus(422)
	c.get(collection+"/tiles", "filter", "this is not a valid JSON string", "filter-lang", "cql2-json").wantStatus(422)
}

// test_collections.py::test_filter_text_validation
func testFilterTextValidation(c *check) {
	c.get(collection+"/tiles", "filter", "id=irrelevant-value", "filter-lang", "cql2-text").wantStatus(200)
	c.get(collection+"/tiles", "filter", "this is not a valid filter string", "filter-lang", "cql2-text").wantStatus(422)
}

// test_collections.py::test_bbox_validation
func testBBoxValidation(c *check) {
	c.get(collection+"/tiles", "bbox", "-180,-90,-1,180,90,1").wantStatus(200)
	c.get(collection+"/tiles", "bbox", "-180,-90,180,90").wantStatus(200)
	c.get(collection+"/tiles", "bbox", "invalid bbox string").wantStatus(422)
	c.get(collection+"/tiles", "bbox", "-180,-90,180").wantStatus(422)
	c.get(collection+"/tiles", "bbox", "180,-90,-180,90").wantStatus(422)
}

// test_collections.py::test_nullbyte_error
func testNullbyteError(c *check) {
	c.get(collection + "%00/info").wantStatus(pick(c, "D6", 500, 422))
	c.get(collection + "/tiles/WebMercatorQuad/15/8589/12849/assets?sortby=-gsd%00").wantStatus(pick(c, "D6", 500, 422))
}
