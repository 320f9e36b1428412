//go:build parity

package titilertests

import (
	"path/filepath"
	"strings"
)

// The item routes: tests/test_items.py, tests/test_optional_endpoints.py
// and, over HTTP, tests/test_reader.py.

const (
	noaa = "noaa-emergency-response"
	// item is the item whose COG the suite ships.
	item = "/collections/noaa-emergency-response/items/20200307aC0853900w361030"
)

var itemsPy = pyFile{"test_items.py", []pyTest{
	{"test_stac_items", testStacItems},
}}

// test_items.py::test_stac_items
func testStacItems(c *check) {
	c.get(item + "/info").wantStatus(422)

	a := c.get(item + "/info?assets=:all:")
	a.wantStatus(200)
	c.assert(a.json().at("cog").truthy(), "%v: no cog", a)

	a = c.get(item + "/info?assets=cog")
	a.wantStatus(200)
	c.assert(a.json().at("cog").truthy(), "%v: no cog", a)

	a = c.get("/collections/noaa-emergency-response/items/20200307aC0853900w361/info")
	a.wantStatus(404)
	c.assert(strings.Contains(a.json().at("detail").str(), "No item '20200307aC0853900w361' found in 'noaa-emergency-response' collection"), "%v: detail", a)

	a = c.get(item+"/asset_statistics", "assets", "cog")
	a.wantStatus(200)
	c.assert(a.json().at("cog").truthy(), "%v: no cog", a)

	for _, tms := range []string{"WebMercatorQuad", "WGS1984Quad"} {
		a = c.get(item+"/"+tms+"/tilejson.json", "assets", "cog")
		a.wantStatus(200)
		c.assert(strings.Contains(a.json().at("tiles", 0).str(), "collections/noaa-emergency-response/items/20200307aC0853900w361030/tiles/"+tms), "%v: tiles", a)
	}

	c.get(item + "/WebMercatorQuad/map.html").wantStatus(422)
	c.get(item+"/WebMercatorQuad/map.html", "assets", "cog").wantStatus(200)
}

var optionalEndpointsPy = pyFile{"test_optional_endpoints.py", []pyTest{
	{"test_cog_assets", testCogAssets},
	{"test_external_cog", testExternalCog},
}}

// test_optional_endpoints.py::test_cog_assets
func testCogAssets(c *check) {
	a := c.get(item + "/assets/cog/info")
	a.wantStatus(200)
	c.assert(a.json().at("bounds").truthy(), "%v: no bounds", a)

	a = c.get(item + "/assets/cog/WebMercatorQuad/tilejson.json")
	a.wantStatus(200)
	c.assert(a.json().at("tilejson").truthy(), "%v: no tilejson", a)
}

// test_optional_endpoints.py::test_external_cog
func testExternalCog(c *check) {
	// The suite names the COG by a path relative to titiler's working
	// folder; tilefunc reads only absolute paths in its allowed folders.
	relative := "tests/fixtures/" + shippedCOG
	absolute := filepath.Join(c.srv.cat.fixtures, shippedCOG)
	for _, route := range []string{"/external/info", "/external/WebMercatorQuad/tilejson.json"} {
		field := "bounds"
		if strings.HasSuffix(route, "tilejson.json") {
			field = "tilejson"
		}
		a := c.get(route, "url", relative)
		if c.differs("D1") {
			a.wantStatus(403)
			a = c.get(route, "url", absolute)
		}
		a.wantStatus(200)
		c.assert(a.json().at(field).truthy(), "%v: no %s", a, field)
	}
}

var readerPy = pyFile{"test_reader.py", []pyTest{
	{"test_pgstac_reader", testPgstacReader},
}}

// test_reader.py::test_pgstac_reader, over HTTP: the item's reader lists
// one asset, cog, describes it and reads tile 14/4293/6424 of it.
func testPgstacReader(c *check) {
	a := c.get(item + "/assets")
	a.wantStatus(200)
	c.equal(a.req, a.json().value(), []string{"cog"})

	a = c.get(item+"/info", "assets", "cog")
	c.assert(a.json().at("cog").truthy(), "%v: no cog", a)

	c.get(item+"/tiles/WebMercatorQuad/14/4293/6424", "assets", "cog").wantStatus(200)
}
