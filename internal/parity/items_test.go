//go:build parity

package parity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tilefunc/internal/fixtures"
	"tilefunc/internal/parity"
	"tilefunc/internal/testenv"
)

// mixed is the styled-mixed item: uint8 RGB (visual), uint16 (nir) and
// float32 with nodata and statistics (dem) on one grid, 2.94-4.06°E
// 43.34-44.16°N, described with the projection extension and renders of
// its own.
const mixed = "/collections/styled-mixed/items/mixed"

// itemRows are every route of a single item, with their parameters and
// their errors.
func itemRows(set *fixtures.Set) []styledRow {
	dem := "/collections/styled-mixed/items/mixed/assets/dem"
	ext := "url=" + set.Paths["mixed/visual"]
	pageDiffers := "tilefunc serves its own viewer page; the status and content type are compared"
	template := tilesetTemplate
	renderLinks := "titiler-pgstac's render links carry url=<the Python repr of the item> and percent-encode {tileMatrixSetId}; tilefunc's carry neither"
	return []styledRow{
		// The item's description.
		get(mixed + "/assets"),
		get(mixed + "/info?assets=visual"),
		get(mixed + "/info?assets=visual&assets=nir&assets=dem"),
		get(mixed + "/info?assets=:all:"),
		get(mixed + "/info"),
		get(mixed + "/info?assets=nope"),
		get(mixed + "/info?assets=metadata"),
		get(mixed + "/info.geojson?assets=dem"),
		get(mixed + "/info.geojson?assets=:all:&crs=EPSG:3857"),
		get("/collections/styled-mixed/items/nope/info?assets=visual"),
		get("/collections/nope/items/mixed/info?assets=visual"),

		// Statistics: of each asset, of the stacked preview, of features.
		get(mixed + "/asset_statistics?assets=dem").stats(),
		get(mixed + "/asset_statistics?assets=visual|bidx=1,2").stats(),
		get(mixed + "/asset_statistics?assets=nir&max_size=128").stats(),
		get(mixed + "/asset_statistics?assets=:all:").stats(),
		get(mixed + "/asset_statistics?assets=dem&histogram_bins=5&p=10&p=90").stats(),
		get(mixed + "/asset_statistics"),
		get(mixed + "/statistics?assets=dem").stats(),
		get(mixed + "/statistics?assets=nir&assets=dem&expression=b1*0.0001;b2/3000").stats(),
		get(mixed + "/statistics?assets=visual&max_size=256").stats(),
		get(mixed + "/statistics?assets=:all:&categorical=true&c=0&c=60").stats(),
		get(mixed + "/statistics?assets=dem&algorithm=hillshade").stats(),
		post(mixed+"/statistics?assets=dem", aoi).stats(),
		post(mixed+"/statistics?assets=nir&assets=dem", aois).stats(),
		post(mixed+"/statistics?assets=dem&coord_crs=EPSG:4326&dst_crs=EPSG:3857", aoi).stats(),

		// Tilesets, TileJSON, viewer and WMTS.
		get(mixed+"/tiles").differing(template, 200),
		get(mixed+"/tiles?crs=EPSG:3857").differing(template, 200),
		get(mixed+"/tiles/WebMercatorQuad").differing(template, 200),
		get(mixed+"/tiles/WorldCRS84Quad?assets=dem").differing(template, 200),
		get(mixed + "/WebMercatorQuad/tilejson.json?assets=visual"),
		get(mixed + "/WorldCRS84Quad/tilejson.json?assets=dem&rescale=0,3000&tile_format=png"),
		get(mixed + "/WebMercatorQuad/tilejson.json?assets=dem&minzoom=4&maxzoom=12"),
		get(mixed+"/WebMercatorQuad/map.html?assets=visual").differing(pageDiffers, 200),
		get(mixed+"/WMTSCapabilities.xml?assets=visual").differing("tilefunc writes the document itself; the status and content type are compared", 200),

		// Tiles: every data type, with and without styling, and their errors.
		get(mixed + west + ".png?assets=visual").with(exact),
		get(mixed + east + ".npy?assets=visual&assets=nir&assets=dem").with(exact),
		get(mixed + west + ".png?assets=dem"), // rescaled by the asset's statistics
		get(mixed + west + ".png?assets=nir"),
		get(mixed + west + ".png?assets=dem&rescale=0,3000&colormap_name=terrain"),
		get(mixed + west + ".png?assets=nir&assets=dem&expression=b1/b2&rescale=0,10"),
		get(mixed + west + ".png?assets=dem&algorithm=hillshade&buffer=3"),
		get(mixed + west + "?assets=visual&tilesize=512"),
		get(mixed + crs84 + ".png?assets=visual").with(exact),
		get(mixed + overview + ".png?assets=nir&rescale=0,6000"),
		get(mixed + "/tiles/WebMercatorQuad/9/250/186.png?assets=visual"),
		get(mixed + west + ".png?assets=metadata"),
		get(mixed + west + ".png"),
		get(mixed + west + ".png?assets=dem&pixel_selection=highest&scan_limit=5"), // mosaic parameters: ignored by both

		// Points.
		get(mixed + "/point/3.5,43.75?assets=dem"),
		get(mixed + "/point/3.3,43.85?assets=visual&assets=nir"),
		get(mixed + "/point/3.3,43.85?assets=nir&expression=b1*0.0001"),
		get(mixed + "/point/2.95,43.75?assets=dem"), // nodata
		get(mixed + "/point/389600,5441000?assets=dem&coord_crs=EPSG:3857"),
		get(mixed+"/point/10,10?assets=dem").differing("titiler-pgstac answers 500 (rio-tiler's PointOutsideBounds); tilefunc answers 404, as for a tile outside the item", 404),

		// Previews.
		get(mixed + "/preview.png?assets=visual"),
		get(mixed + "/preview?assets=dem"),
		get(mixed + "/preview/128x64.png?assets=nir&rescale=0,6000"),
		get(mixed + "/preview.npy?assets=dem").with(exact),
		get(mixed + "/preview.png?assets=dem&dst_crs=EPSG:3857&max_size=256&rescale=0,3000"),
		get(mixed + "/preview.tif?assets=visual&max_size=100"),

		// Parts.
		get(mixed + "/bbox/3.0,43.5,3.6,44.0.png?assets=visual"),
		get(mixed + "/bbox/3.0,43.5,3.6,44.0/256x256.png?assets=dem&rescale=0,3000"),
		get(mixed + "/bbox/334000,5390000,400000,5460000.npy?assets=nir&coord_crs=EPSG:3857&dst_crs=EPSG:3857"),
		post(mixed+"/feature.png?assets=visual", aoi),
		post(mixed+"/feature/128x128.png?assets=dem&rescale=0,3000", aoi).differing("where the triangle's edge runs exactly through pixel corners, "+
			"titiler's ALL_TOUCHED rasterization (rasterio's GDAL 3.10) marks one more pixel every other row than tilefunc's (GDAL 3.6): "+
			"63 of 16384 mask pixels; mosaics show it too; not resolved yet", 200),
		post(mixed+"/feature/200x200.png?assets=dem&rescale=0,3000", aoi),
		post(mixed+"/feature?assets=dem", aoi),

		// Renders (the STAC render extension).
		get(mixed+"/renders").differing(renderLinks, 200),
		get(mixed+"/renders/visual").differing(renderLinks, 200),
		get(mixed+"/renders/height").differing(renderLinks, 200),
		get(mixed + "/renders/nope"),

		// One asset as a plain raster (TITILER_PGSTAC_API_ENABLE_ASSETS_ENDPOINTS).
		get(dem + "/info"),
		get(dem + "/info.geojson"),
		get(dem + "/statistics").stats(),
		get(dem + "/statistics?expression=b1/1000&max_size=200").stats(),
		post(dem+"/statistics", aoi).stats(),
		get(dem+"/tiles/WebMercatorQuad").differing(template, 200),
		get(dem + west + ".png"),
		get(dem + west + ".png?rescale=0,3000&colormap_name=viridis"),
		get(dem + west + ".npy?bidx=1").with(exact),
		get(dem + "/tiles/WebMercatorQuad/9/250/186.png"),
		get(dem + "/WebMercatorQuad/tilejson.json?rescale=0,3000"),
		get(dem + "/point/3.5,43.75"),
		get(dem + "/preview.png?max_size=128"),
		get(dem + "/bbox/3.0,43.5,3.6,44.0.png?rescale=0,3000"),
		post(dem+"/feature.png?rescale=0,3000", aoi),
		get("/collections/styled-mixed/items/mixed/assets/nope/info").differing("titiler-pgstac answers 500 (KeyError on the asset name); tilefunc answers 404 naming the item's assets", 404),

		// A raster at a URL (TITILER_PGSTAC_API_ENABLE_EXTERNAL_DATASET_ENDPOINTS).
		get("/external/info?" + ext),
		get("/external/statistics?bidx=1&bidx=3&" + ext).stats(),
		get("/external" + west + ".png?" + ext).with(exact),
		get("/external" + west + ".png?expression=b3;b2;b1&" + ext).with(exact),
		get("/external/point/3.5,43.75?" + ext),
		get("/external/WebMercatorQuad/tilejson.json?" + ext),
		get("/external/preview.png?max_size=100&" + ext),
		get("/external/info"),
	}
}

func TestItemRequestsMatchTitilerPgstac(t *testing.T) {
	set, err := fixtures.Shared()
	if err != nil {
		t.Fatal(err)
	}
	compareTables(t, set, "item", itemRows(set))
}

// compareTables serves the fixtures from both servers and sends them the
// rows of each table in turn (a table's rows a few at a time), judging
// tilefunc's answers against titiler-pgstac's; -styled-only picks rows.
func compareTables(t *testing.T, set *fixtures.Set, name string, tables ...[]styledRow) {
	db := testenv.LoadDatabase(t, set.Load)
	tf := startTilefunc(t, db, set.Dir)
	ti := startTitiler(t, db)
	start := time.Now()
	var outcomes []parity.Outcome
	for _, table := range tables {
		var rows []styledRow
		for _, r := range table {
			if strings.Contains(r.req, *styledOnly) {
				rows = append(rows, r)
			}
		}
		outcomes = append(outcomes, runStyled(context.Background(), ti, tf, rows)...)
	}
	var lines []string
	failed := 0
	for i, o := range outcomes {
		lines = append(lines, o.Line(i))
		if o.Failed() {
			failed++
		}
	}
	t.Logf("%s requests, titiler-pgstac vs tilefunc:\n%s", name, strings.Join(lines, "\n"))
	t.Logf("%d requests in %v: %v", len(outcomes), time.Since(start).Round(time.Millisecond), parity.Verdicts(outcomes))
	if *styledDump != "" {
		dump(t, *styledDump, outcomes)
	}
	if failed > 0 {
		t.Errorf("%d of %d %s requests answered otherwise than titiler-pgstac (MISMATCH above)", failed, len(outcomes), name)
	}
}
