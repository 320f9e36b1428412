//go:build parity

package parity_test

import (
	"testing"

	"tilefunc/internal/fixtures"
)

// tilesetTemplate is why tilesets differ: their tile link.
const tilesetTemplate = "titiler percent-encodes the tile template of its tilesets ({z} as %7Bz%7D), which URI template clients do not expand; " +
	"tilefunc writes {z}/{x}/{y}"

// surfaceRows are the documents and statuses around the images: the
// service routes, a mosaic's TileJSON, tilesets and info, the filters and
// bodies titiler-pgstac refuses.
func surfaceRows() []styledRow {
	return []styledRow{
		get("/conformance"),
		get("/tileMatrixSets"),
		get("/tileMatrixSets/WorldCRS84Quad"),
		get("/?f=json").differing("tilefunc's title is its own, and it does not link titiler-pgstac's documentation", 200),
		get("/conformance?f=html").differing("tilefunc's HTML forms are one generic page", 200),

		// A collection mosaic's documents, its presets as raster_layers.
		get(u16 + "/WebMercatorQuad/tilejson.json?assets=nir"),
		get(ov + "/WorldCRS84Quad/tilejson.json?assets=value&tile_format=png&minzoom=5"),
		get(u8 + "/WebMercatorQuad/tilejson.json?assets=visual&rescale=0,255&tilesize=256"),
		get(u16+"/tiles").differing(tilesetTemplate, 200),
		get(u16+"/tiles/WebMercatorQuad").differing(tilesetTemplate, 200),
		// Each /info its own search, which no other row uses: usecount and
		// lastused are the shared row's, bumped by titiler-pgstac on every
		// (uncached) collection request and by tilefunc when it registers.
		get(u16 + "/info?datetime=2024-02-01T00:00:00Z"),
		get(f32 + "/info?bbox=3.0,43.5,3.6,44.0"),

		// Filters, as titiler-pgstac reads them.
		get(u8 + west + ".png?assets=visual&filter=id='u8-west'").with(exact),
		get(u8 + west + ".png?assets=visual&bbox=2.9,43.3,3.62,44.2").with(exact),
		get(u8 + west + ".png?assets=visual&bbox=2.9,43.3,0,3.62,44.2,100").with(exact),
		get(u8 + west + ".png?assets=visual&bbox=3.62,43.3,2.9,44.2"),
		get(u8 + west + ".png?assets=visual&filter-lang=cql3&filter=a"),
		get(u8 + west + ".png?assets=visual&filter=id="), // 422 from both, each naming the column
		get(u8+west+`.png?assets=visual&filter-lang=cql2-json&filter={"op":"nope","args":[]}`).differing(
			"titiler-pgstac lets pgSTAC fail on an operator CQL2 does not define (500); tilefunc answers 422 naming it", 422),

		get(u8 + west + `.png?assets=visual&query={"gsd":{"lt":10}}`),
		get(u8 + west + `.png?assets=visual&query={"gsd":10}`),
		get(u8 + west + `.png?assets=visual&query=[1]`),
		get(u8 + west + `.png?assets=visual&filter-lang=cql2-json&filter={"op":"lte","args":[{"property":"gsd"},10]}`),

		// The viewer takes the tile parameters.
		get(u8 + "/WebMercatorQuad/map.html"),
		get(u8+"/WebMercatorQuad/map.html?assets=visual").differing("tilefunc serves its own viewer page; the status and content type are compared", 200),
	}
}

// listRows read the registered searches, once every search above exists:
// titiler-pgstac's order, sortby keys and paging.
func listRows() []styledRow {
	return []styledRow{
		get("/searches/?limit=100"),
		get("/searches/?sortby=name&limit=100"),
		get("/searches/?sortby=-usecount,name&limit=100"),
		get("/searches/?limit=2&offset=1"),
		get("/searches/list?name=Mosaic%20for%20%27styled-uint16%27%20Collection").differing(
			"titiler-pgstac answers 500 (psycopg reads the % of a metadata filter value as a placeholder); tilefunc lists the search", 200),
	}
}

func TestSurfaceRequestsMatchTitilerPgstac(t *testing.T) {
	set, err := fixtures.Shared()
	if err != nil {
		t.Fatal(err)
	}
	// The lists come after: the rows before them register the searches
	// they show.
	compareTables(t, set, "surface", surfaceRows(), listRows())
}
