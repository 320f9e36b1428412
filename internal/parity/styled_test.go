//go:build parity

package parity_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tilefunc/internal/fixtures"
	"tilefunc/internal/parity"
	"tilefunc/internal/testenv"
)

var (
	styledReport  = flag.String("styled-report", os.Getenv("TILEFUNC_STYLED_REPORT"), "write the styled table as markdown to this file, relative to the repository (default $TILEFUNC_STYLED_REPORT)")
	styledWorkers = flag.Int("styled-workers", 4, "styled requests in flight at once")
	styledOnly    = flag.String("styled-only", "", "run only the styled rows whose request contains this text")
	styledDump    = flag.String("styled-dump", "", "write both servers' answers into this folder, as NNN-titiler and NNN-tilefunc")
)

// The fixture collections, and tiles over them (internal/fixtures says
// what each pixel holds). At zoom 9 a tile pixel is finer than a fixture
// pixel: both servers read full resolution.
const (
	u8  = "/collections/styled-uint8"
	u16 = "/collections/styled-uint16"
	f32 = "/collections/styled-float32"
	ov  = "/collections/styled-overlap"

	// west: 2.81-3.52°E 43.58-44.09°N, every item's west edge inside;
	// the DEM in EPSG:4326 with its empty corner; ov-20's hole.
	west = "/tiles/WebMercatorQuad/9/260/186"
	// east: 3.52-4.22°E, the seam of the RGB items, the uint16 hole, the
	// UTM DEM, and the four overlapping planes.
	east = "/tiles/WebMercatorQuad/9/261/186"
	// full: 3.52-3.87°E 43.83-44.09°N, covered by every collection but
	// styled-float32 (and by the four planes).
	full = "/tiles/WebMercatorQuad/10/522/372"
	// crs84: 3.52-4.22°E 43.59-44.30°N in WorldCRS84Quad.
	crs84 = "/tiles/WorldCRS84Quad/8/261/65"
	// overview: zoom 7, the whole area from overviews.
	overview = "/tiles/WebMercatorQuad/7/65/46"

	rgb  = "assets=red&assets=green&assets=blue"
	all  = "skipcovered=false&exitwhenfull=false"
	ndvi = "assets=nir&assets=red&expression=(b1-b2)/(b1+b2)"

	// aoi is a triangle over the west vegetation patch and the water.
	aoi = `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[3.1,43.45],[3.7,43.45],[3.4,44.0],[3.1,43.45]]]}}`
	// aois are two features, one over the UTM DEM.
	aois = `{"type":"FeatureCollection","features":[` + aoi + `,{"type":"Feature","properties":{"name":"utm"},"geometry":{"type":"Polygon","coordinates":[[[3.7,43.7],[4.0,43.7],[4.0,43.95],[3.7,43.95],[3.7,43.7]]]}}]}`
)

// exact is the tolerance of rows whose values come from the files
// untouched (reads, masks, pixel selection of whole numbers), where
// parity.DefaultTolerance would let integers differ by 1. Warping is exact
// too: GDAL 3.6 (tilefunc) and 3.10 (rasterio's wheel) warp the UTM DEM to
// the same values with nearest and cubic resampling.
var exact = &parity.Tolerance{}

// styledRow is one request to both servers and what it expects.
type styledRow struct {
	req      string // path?query for GET; "POST path?query" with body
	body     string
	tol      *parity.Tolerance
	abs, rel float64 // JSON number tolerance; zero: parity.Judge's
	differs  string  // why tilefunc deliberately answers otherwise
	status   int     // tilefunc's deliberate status, with differs
}

func get(req string) styledRow { return styledRow{req: req} }

func post(req, body string) styledRow { return styledRow{req: "POST " + req, body: body} }

func (r styledRow) with(tol *parity.Tolerance) styledRow { r.tol = tol; return r }

// stats is the JSON tolerance of statistics: rio-tiler weighs pixels by
// their coverage of the shape in float32, so counts, sums and means agree
// to about 1e-5 relatively, not to the last digit.
func (r styledRow) stats() styledRow { r.abs, r.rel = 1e-9, 1e-4; return r }

func (r styledRow) differing(why string, status int) styledRow {
	r.differs, r.status = why, status
	return r
}

// colormaps are named colour maps a row each, over the uint16 nir band
// rescaled to 0-255: water (10), bare ground (76) and vegetation (up to
// 255) fall on entries far apart.
var colormaps = []string{
	"viridis", "viridis_r", "magma", "inferno", "plasma_r", "cividis", "terrain", "terrain_r", "rdylgn", "rdylgn_r",
	"spectral", "coolwarm", "jet", "gist_earth", "greys_r", "blues", "ylgn", "cfastie", "rplumbo", "schwarzwald",
	"ocean", "twilight", "tab20", "turbo_r",
}

// boolean is the difference of an expression that yields booleans.
const boolean = "titiler-pgstac answers 500 (rio-tiler knows no value range for a boolean array: KeyError 'bool'); " +
	"tilefunc answers 400 and says to wrap the comparison in where()"

// server500 is the difference where titiler-pgstac lets an error of the
// request through as a 500 and tilefunc answers 400.
func server500(what string) string {
	return "titiler-pgstac answers 500 (" + what + "); tilefunc answers 400: the request asks what the data cannot give"
}

// styledRows is the table: every rendering parameter, format, source data
// type and image route, and the errors titiler-pgstac answers with 4xx.
func styledRows() []styledRow {
	rows := []styledRow{
		// Plain reads: no styling at all.
		get(u8 + west + ".png?assets=visual").with(exact),
		get(u8 + east + ".png?assets=visual").with(exact),
		get(u8 + west + "?assets=visual").with(exact), // masked: PNG
		get(u8 + full + "?assets=visual"),             // opaque: JPEG
		get(u8 + west + ".jpeg?assets=visual"),
		get(u8 + west + ".jpg?assets=visual"),
		get(u8 + west + ".webp?assets=visual"),
		get(u8 + west + ".tif?assets=visual").with(exact),
		get(u8 + west + ".tiff?assets=visual").with(exact),
		get(u8 + west + ".jp2?assets=visual"),
		get(u8 + west + ".npy?assets=visual").with(exact),
		get(u8 + west + ".pngraw?assets=visual").with(exact),
		get(u8 + crs84 + ".png?assets=visual").with(exact),
		get(u8 + overview + ".png?assets=visual"),
		get(u8 + west + ".png?assets=visual&return_mask=false").with(exact),
		get(u8 + west + ".npy?assets=visual&return_mask=false").with(exact),
		get(u8 + west + ".png?assets=visual&tilesize=512").with(exact),
		get(u8 + crs84 + ".png?assets=visual&tilesize=512").with(exact),

		// uint16 without rescale: titiler keeps 16 bits in PNG and GeoTIFF
		// and rescales from the type's range (0-65535) for 8-bit formats.
		get(u16 + west + ".png?assets=nir").with(exact),
		get(u16 + west + "?assets=nir"),
		get(u16 + west + ".jpeg?assets=nir"),
		get(u16 + west + ".webp?assets=nir"),
		get(u16 + west + ".tif?assets=nir").with(exact),
		get(u16 + west + ".npy?assets=nir").with(exact),
		get(u16 + west + ".jp2?assets=nir"),
		// float32 without rescale: from the type's range, all but flat
		get(f32 + west + ".png?assets=dem"),
		get(f32 + west + "?assets=dem"),
		get(f32 + west + ".tif?assets=dem"),
		// rescale: one range for every band, and one per band
		get(u16 + west + ".png?assets=nir&rescale=0,6000"),
		get(u16 + full + "?assets=nir&rescale=0,6000"),
		get(u16 + east + ".png?" + rgb + "&rescale=0,2000"),
		get(u16 + east + ".png?" + rgb + "&rescale=0,1500&rescale=0,2000&rescale=300,1200"),
		get(u16 + east + ".jpeg?" + rgb + "&rescale=0,2000"),
		get(u16 + crs84 + ".png?" + rgb + "&rescale=0,2000"),

		// Per-asset options and asset_as_band.
		get(u8 + west + ".png?assets=visual|bidx=1").with(exact),
		get(u8 + west + ".png?assets=visual|bidx=3,2,1").with(exact),
		get(u8 + west + ".npy?assets=visual|expression=b1*2"),
		get(u16 + east + ".npy?assets=stack|bands=nir,red").with(exact),
		get(u16 + east + ".png?assets=stack|bidx=3,2,1&rescale=0,2000"),
		get(u16 + east + ".png?assets=stack|bands=red,green,blue&rescale=0,2000"),
		get(u16 + east + ".npy?assets=nir|expression=b1/2&assets=red"),
		get(u16 + east + ".png?" + rgb + "&asset_as_band=true&rescale=0,2000"),

		// expression: NDVI, several outputs, where(), comparisons
		get(u16 + west + ".npy?" + ndvi),
		get(u16 + west + ".tif?" + ndvi),
		get(u16 + west + ".png?" + ndvi),
		get(u16 + west + ".png?" + ndvi + "&rescale=-1,1"),
		get(u16 + east + ".png?" + ndvi + "&rescale=-1,1&colormap_name=rdylgn"),
		// The request of issue 8, a blank 200 before the pipeline.
		get(u16 + west + ".png?" + ndvi + "&rescale=-1,1&colormap_name=viridis"),
		get(u16 + east + ".npy?assets=stack&expression=(b4-b3)/(b4+b3)"),
		get(u16 + east + ".npy?assets=nir&assets=red&assets=green&expression=b1;b2;b3"),
		get(u16 + east + ".png?assets=nir&assets=red&assets=green&expression=b1;b2*2;b3&rescale=0,6000"),
		get(u16 + west + ".npy?assets=nir&assets=red&expression=where(b1>b2*2,1,0)"),
		get(u16 + west + ".png?assets=nir&assets=red&expression=where((b1-b2)/(b1+b2)>0.5,255,0)&rescale=0,255"),
		get(u16+west+".npy?assets=nir&expression=b1>3000").differing(boolean, 400),
		get(u16+west+".npy?assets=nir&expression=(b1>=1800)&(b1<=2000)").differing(boolean, 400),
		get(f32 + west + ".npy?assets=dem&expression=b1/1000;sqrt(b1)"),

		// nodata, unscale, resampling, reproject
		get(u16 + west + ".png?assets=nir&nodata=1800&rescale=0,6000"),
		get(u16 + west + ".npy?assets=nir&nodata=1800"),
		get(f32 + west + ".npy?assets=dem&nodata=nan"),
		get(u16 + west + ".npy?assets=nir&unscale=true"),
		get(u16 + west + ".png?assets=nir&unscale=true&rescale=0,0.6"),
		get(u16 + west + ".png?assets=nir&rescale=0,6000&resampling=bilinear"),
		get(u16 + west + ".png?assets=nir&rescale=0,6000&reproject=bilinear"),
		get(f32 + east + ".npy?assets=dem&reproject=cubic"),
		get(f32 + east + ".npy?assets=dem&resampling=average&reproject=bilinear"),

		// color_formula
		get(u8 + west + ".png?assets=visual&color_formula=gamma rgb 1.8"),
		get(u8 + west + ".png?assets=visual&color_formula=sigmoidal rgb 10 0.5"),
		get(u8 + west + ".png?assets=visual&color_formula=saturation 1.6"),
		get(u8 + east + ".jpeg?assets=visual&color_formula=gamma b 1.3, sigmoidal rgb 6 0.4, saturation 1.2"),
		get(u16 + east + ".png?" + rgb + "&rescale=0,2000&color_formula=gamma rgb 2"),

		// colormap: JSON discrete, intervals, hex colours with alpha
		get(ov + east + `.png?assets=value&colormap={"10":"#ff0000","20":"#00ff00","30":[0,0,255,255],"80":"#ffff0080"}`),
		get(ov + east + `.png?assets=value&pixel_selection=highest&colormap=[[[0,15],"#ff0000"],[[15,50],[0,255,0,255]],[[50,256],"#0000ff"]]`),
		get(f32 + west + `.png?assets=dem&colormap=[[[0,1000],"#1a9850"],[[1000,2000],"#fee08b"],[[2000,3001],"#d73027"]]`),
		get(f32 + west + ".png?assets=dem&rescale=0,3000&colormap_name=terrain"),
		get(u16 + west + ".png?assets=nir&colormap_name=viridis"), // uint16 without rescale: cast to uint8
		get(u16 + west + ".jpeg?assets=nir&rescale=0,6000&colormap_name=viridis"),

		// buffer, padding, tilesize
		get(u8 + west + ".png?assets=visual&buffer=0.5").with(exact),
		get(u8 + west + ".png?assets=visual&buffer=1").with(exact),
		get(u8 + west + ".png?assets=visual&buffer=3").with(exact),
		get(u8 + west + ".png?assets=visual&padding=2").with(exact),
		get(u8 + west + ".png?assets=visual&tilesize=512&buffer=1").with(exact),
		get(f32 + west + ".npy?assets=dem&buffer=3"),
		get(f32 + west + ".npy?assets=dem&tilesize=256"),

		// algorithms, on the DEM, the bands, the RGB
		get(f32+west+".png?assets=dem&algorithm=hillshade").differing(
			"titiler crops hillshade's 3-pixel buffer from the tile and answers 250x250; tilefunc reads the tile with the buffer around it and answers 256x256", 0),
		get(f32 + west + ".png?assets=dem&algorithm=hillshade&buffer=3"),
		get(f32 + east + ".png?assets=dem&algorithm=hillshade&buffer=3"),
		get(f32 + west + `.png?assets=dem&algorithm=hillshade&buffer=3&algorithm_params={"azimuth":315,"angle_altitude":30,"buffer":3,"z_exaggeration":2}`),
		get(f32 + west + ".npy?assets=dem&algorithm=slope&buffer=3"),
		get(f32 + west + `.png?assets=dem&algorithm=slope&buffer=2&algorithm_params={"buffer":2}&rescale=0,5`),
		get(f32 + west + ".png?assets=dem&algorithm=contours"),
		get(f32 + west + `.png?assets=dem&algorithm=contours&algorithm_params={"increment":250,"thickness":2,"minz":0,"maxz":3000}`),
		get(f32 + west + ".png?assets=dem&algorithm=terrarium"),
		get(f32 + west + `.png?assets=dem&algorithm=terrarium&algorithm_params={"nodata_height":0}`),
		get(f32 + west + ".png?assets=dem&algorithm=terrainrgb"),
		get(f32 + east + `.png?assets=dem&algorithm=terrainrgb&algorithm_params={"interval":1,"baseval":0}`),
		get(u16 + west + ".npy?assets=red&assets=nir&algorithm=normalizedIndex"),
		get(u16 + west + ".png?assets=red&assets=nir&algorithm=normalizedIndex&rescale=-1,1&colormap_name=rdylgn"),
		get(f32 + west + ".npy?assets=dem&expression=b1/20&algorithm=cast"),
		get(f32 + west + ".npy?assets=dem&expression=b1/20&algorithm=ceil"),
		get(f32 + west + ".npy?assets=dem&expression=b1/20&algorithm=floor"),
		get(u16 + east + ".npy?assets=stack&algorithm=min"),
		get(u16 + east + ".npy?assets=stack&algorithm=max"),
		get(u16 + east + ".npy?assets=stack&algorithm=median"),
		get(u16 + east + ".npy?assets=stack&algorithm=mean"),
		get(u16 + east + ".png?assets=stack&algorithm=mean&rescale=0,3000"),
		get(u16 + east + ".npy?assets=stack&algorithm=std"),
		get(u16 + east + ".npy?assets=stack&algorithm=var"),
		get(u16 + east + ".npy?assets=stack&algorithm=sum"),
		get(u8 + west + ".png?assets=visual&algorithm=grayscale"),
		get(u8 + west + ".png?assets=visual&algorithm=bitonal"),
		get(ov + west + ".png?assets=value&algorithm=bitonal"),

		// pixel_selection, where the four planes overlap. pgSTAC skips items
		// under others and stops once a shape is covered (skipcovered,
		// exitwhenfull): without all, the mosaic sees only some planes.
		get(ov + east + ".npy?assets=value").with(exact), // first, as pgSTAC hands items over
		get(ov + east + ".npy?assets=value&pixel_selection=highest").with(exact),
		get(ov + east + ".npy?assets=value&" + all + "&pixel_selection=first").with(exact),
		get(ov + east + ".npy?assets=value&" + all + "&pixel_selection=highest").with(exact),
		get(ov + east + ".npy?assets=value&" + all + "&pixel_selection=lowest").with(exact),
		get(ov + east + ".npy?assets=value&" + all + "&pixel_selection=mean").with(exact),
		get(ov + east + ".npy?assets=value&" + all + "&pixel_selection=median").with(exact),
		get(ov + east + ".npy?assets=value&" + all + "&pixel_selection=stdev"),
		get(ov + east + ".npy?assets=value&" + all + "&pixel_selection=count").with(exact),
		get(ov + east + ".npy?assets=trio&" + all + "&pixel_selection=lastbandhigh").with(exact),
		get(ov + east + ".npy?assets=trio&" + all + "&pixel_selection=lastbandlow").with(exact),
		get(ov + west + ".npy?assets=value&" + all + "&pixel_selection=mean").with(exact), // the ramp and ov-20's hole
		get(ov + west + ".npy?assets=value&" + all + "&pixel_selection=median").with(exact),
		get(ov + east + ".png?assets=value&" + all + "&pixel_selection=highest&rescale=0,100&colormap_name=viridis"),
		get(ov + east + ".png?assets=value&" + all + "&pixel_selection=stdev"),
		get(ov + east + ".png?assets=value&" + all + "&pixel_selection=stdev&rescale=0,40"),
		get(ov + east + ".png?assets=value&" + all + "&pixel_selection=count&rescale=0,4"),

		// bbox images, POST feature, statistics, points
		get(u8 + "/bbox/3.0,43.5,3.8,44.0.png?assets=visual").with(exact),
		get(u8 + "/bbox/3.0,43.5,3.8,44.0/300x200.png?assets=visual").with(exact),
		get(u16 + "/bbox/3.0,43.5,3.8,44.0/256x160.png?" + ndvi + "&rescale=-1,1&colormap_name=rdylgn"),
		get(f32 + "/bbox/3.6,43.6,4.1,44.0.tif?assets=dem"),
		get(f32+"/bbox/3.6,43.6,4.1,44.0/200x160.npy?assets=dem&algorithm=hillshade&buffer=3").differing(
			"bbox images take no buffer: titiler crops hillshade's 3-pixel buffer from the 200x160 asked for and answers 194x154; tilefunc reads the pixels around and answers 200x160", 0),
		get(ov + "/bbox/3.4,43.7,3.95,44.1.npy?assets=value&pixel_selection=median").with(exact), // ov-20 covers it: pgSTAC hands over ov-20 alone
		get(ov + "/bbox/3.4,43.7,3.95,44.1.npy?assets=value&" + all + "&pixel_selection=median").with(exact),
		post(u16+"/feature.png?assets=nir&rescale=0,6000", aoi),
		post(u16+"/feature?assets=nir&rescale=0,6000", aoi),
		post(u16+"/feature/200x200.png?"+ndvi+"&rescale=-1,1&colormap_name=rdylgn", aoi),
		post(u16+"/statistics?assets=nir", aoi).stats(),
		post(u16+"/statistics?"+ndvi, aoi).stats(),
		post(u16+"/statistics?assets=red&assets=nir&algorithm=normalizedIndex", aoi).stats(),
		post(f32+"/statistics?assets=dem&histogram_bins=5", aois).stats(),
		post(ov+"/statistics?assets=value&"+all+"&pixel_selection=highest&categorical=true", aoi).stats(),
		get(u16 + "/point/3.3,43.85?assets=nir&assets=red"),
		get(u16 + "/point/3.3,43.85?" + ndvi),
		get(u16 + "/point/3.3,43.85?assets=nir&expression=~b1"), // points carry no statistics to refuse it with
		get(u16 + "/point/3.3,43.85?" + rgb + "&asset_as_band=true"),
		get(u16 + "/point/3.77,44.01?assets=nir"), // the nodata hole
		get(f32 + "/point/3.85,43.8?assets=dem"),
		get(ov + "/point/3.7,43.9?assets=value"),

		// Errors titiler-pgstac answers with 4xx; where it answers 500,
		// tilefunc says which parameter is at fault instead.
		get(u16 + west + ".png?assets=nir&assets=red&expression=(b1-b2"),
		get(u16 + west + ".png?assets=nir&expression=b1+"),
		get(u16 + west + ".png?assets=nir&colormap_name=not_a_colormap"),
		get(u16 + west + ".png?assets=nir&colormap={not json"),
		get(u16 + west + ".png?assets=nir&rescale=0,1,2"),
		get(u16 + west + ".png?assets=nir&rescale=a,b"),
		get(u16 + west + ".png?assets=nir&color_formula=sepia 3"),
		get(f32 + west + ".png?assets=dem&algorithm=not_an_algorithm"),
		get(f32 + west + `.png?assets=dem&algorithm=hillshade&algorithm_params={"azimuth":999}`),
		get(f32 + west + ".png?assets=dem&algorithm=hillshade&algorithm_params={azimuth"),
		get(u8+west+".png?assets=visual&buffer=0.3").differing(
			"titiler-pgstac answers 500 (rio-tiler's InvalidBufferSize is no client error there); tilefunc rejects the parameter", 422),
		get(u8 + west + ".png?assets=visual&buffer=-1"),
		get(u8 + west + ".png?assets=visual&padding=-2"),
		get(ov + east + ".png?assets=value&pixel_selection=not_a_method"),
		get(u8 + west + ".png?assets=visual&colormap_name=viridis"),
		get(u16 + west + ".png?assets=not_an_asset"),
		get(u16+west+".png?assets=stack|bands=swir").differing(
			"titiler-pgstac answers 500 (a ValueError); tilefunc answers 400, as for a band index the asset does not have", 400),
		get(u16 + west + ".png?assets=nir&expression=b3"),
		get(ov+east+".png?assets=value&pixel_selection=lastbandlow").differing(
			"titiler-pgstac drops the only band and answers a one-band PNG of the mask; tilefunc answers 400: lastbandlow needs two bands or more", 400),
		get(u8 + west + ".png?assets=visual&nodata=abc"),
		get(u8 + west + ".png?assets=visual&resampling=not_a_method"),
		get(u8 + west + ".gif?assets=visual"),
		get(u8 + west + ".png?assets=visual&tilesize=0"),
		get(u16+west+".png?assets=stack|bidx=5").differing(server500("rasterio's IndexError"), 400),
		get(u16+west+".png?assets=nir&nodata=nan").differing(server500("numpy cannot make NaN a uint16 fill value"), 400),
		get(u16+west+".png?assets=stack&asset_as_band=true").differing(server500("AssetAsBandError"), 400),
		get(u16+west+".png?assets=nir&algorithm=grayscale").differing(server500("a ValueError: one band, grayscale wants three"), 400),
		get(u16+west+".png?assets=nir&algorithm=normalizedIndex").differing(server500("an IndexError: one band, the index wants two"), 400),
	}
	for _, name := range colormaps {
		rows = append(rows, get(u16+west+".png?assets=nir&rescale=0,6000&colormap_name="+name))
	}
	return rows
}

// controls pair titiler-pgstac's answer to one request with tilefunc's
// answer to another that draws something else: the comparison must call
// each a mismatch, or it is blind to that kind of difference. A request
// paired with itself, on titiler-pgstac's side only, must match.
var controls = []struct{ ref, got string }{
	{u8 + west + ".png?assets=visual", u8 + east + ".png?assets=visual"},                             // another tile
	{u8 + west + ".png?assets=visual", u8 + west + ".png?assets=visual&return_mask=false"},           // another mask
	{u8 + west + ".png?assets=visual|bidx=1,2,3", u8 + west + ".png?assets=visual|bidx=3,2,1"},       // bands swapped
	{u16 + east + ".png?" + rgb + "&rescale=0,2000", u16 + east + ".png?" + rgb + "&rescale=0,1940"}, // another rescale, by 3%
	{u8 + west + ".jpeg?assets=visual", u8 + east + ".jpeg?assets=visual"},                           // lossy, another tile
	{u16 + west + ".tif?assets=nir", u16 + west + ".tif?assets=nir&tilesize=512"},                    // another size
}

func TestStyledRequestsMatchTitilerPgstac(t *testing.T) {
	set, err := fixtures.Shared()
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.LoadDatabase(t, set.Load)
	ctx := context.Background()
	tf := startTilefunc(t, db, set.Dir)
	ti := startTitiler(t, db)

	var rows []styledRow
	for _, r := range styledRows() {
		if strings.Contains(r.req, *styledOnly) {
			rows = append(rows, r)
		}
	}
	start := time.Now()
	outcomes := runStyled(ctx, ti, tf, rows)
	elapsed := time.Since(start)
	var lines []string
	for i, o := range outcomes {
		lines = append(lines, o.Line(i))
	}
	t.Logf("styled requests, titiler-pgstac vs tilefunc:\n%s", strings.Join(lines, "\n"))
	t.Logf("%d requests in %v (%d in flight): %v", len(rows), elapsed.Round(time.Millisecond), *styledWorkers, parity.Verdicts(outcomes))
	if report := *styledReport; report != "" {
		if !filepath.IsAbs(report) {
			report = filepath.Join(testenv.RepoRoot(t), report)
		}
		md := fmt.Sprintf("%d styled requests to titiler-pgstac and tilefunc, %v: %v\n\n%s", len(rows), elapsed.Round(time.Second), parity.Verdicts(outcomes), parity.Markdown(outcomes))
		if err := os.WriteFile(report, []byte(md), 0o644); err != nil {
			t.Error(err)
		}
	}
	if *styledDump != "" {
		dump(t, *styledDump, outcomes)
	}
	checkControls(ctx, t, ti, tf)
	checkPlaneAnswers(t, outcomes)
	failed := 0
	for _, o := range outcomes {
		if o.Failed() {
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d styled requests answered otherwise than titiler-pgstac (MISMATCH above)", failed, len(rows))
	}
}

// runStyled sends every row to both servers, a few rows at a time, and
// judges tilefunc's answer against titiler-pgstac's.
func runStyled(ctx context.Context, ti, tf string, rows []styledRow) []parity.Outcome {
	client := parity.Client(*styledWorkers)
	out := make([]parity.Outcome, len(rows))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(*styledWorkers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := rows[i]
				req := parity.ParseRequest(r.req)
				req.Body = r.body
				ref, got := parity.Send(ctx, client, ti, req), parity.Send(ctx, client, tf, req)
				out[i] = parity.Judge(req, ref, got, parity.Check{Tol: r.tol, JSONAbs: r.abs, JSONRel: r.rel, Differs: r.differs, Status: r.status})
			}
		}()
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func checkControls(ctx context.Context, t *testing.T, ti, tf string) {
	client := parity.Client(1)
	for _, c := range controls {
		ref := parity.Send(ctx, client, ti, parity.ParseRequest(c.ref))
		other := parity.Send(ctx, client, tf, parity.ParseRequest(c.got))
		if o := parity.Judge(parity.ParseRequest(c.ref), ref, other, parity.Check{}); o.Match {
			t.Errorf("control: titiler-pgstac's %s and tilefunc's %s pass as the same answer", c.ref, c.got)
		} else {
			t.Logf("control: titiler-pgstac's %s vs tilefunc's %s: %s", c.ref, c.got, o.Problem)
		}
		again := parity.Send(ctx, client, ti, parity.ParseRequest(c.ref))
		if o := parity.Judge(parity.ParseRequest(c.ref), ref, again, parity.Check{}); !o.Match {
			t.Errorf("control: titiler-pgstac's %s twice: %s", c.ref, o.Problem)
		}
	}
}

// dump writes each row's two answers into dir, named by row number, server
// and the format of the bytes, for a closer look.
func dump(t *testing.T, dir string, outcomes []parity.Outcome) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, o := range outcomes {
		for server, r := range map[string]parity.Response{"titiler": o.Ref, "tilefunc": o.Got} {
			ext := parity.Sniff(r.Body)
			if ext == "" {
				ext = "txt"
			}
			name := filepath.Join(dir, fmt.Sprintf("%03d-%s.%s", i+1, server, ext))
			if err := os.WriteFile(name, r.Body, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
}

// checkPlaneAnswers reads titiler-pgstac's pixel selection tiles at
// 3.7°E 43.9°N: each method must give the fixture's answer there, or the
// rows compare tilefunc with something else than the fixture promises.
func checkPlaneAnswers(t *testing.T, outcomes []parity.Outcome) {
	seen := 0
	for _, o := range outcomes {
		q := o.Request.Query()
		m := q.Get("pixel_selection")
		if !strings.HasPrefix(o.Request.Path, ov+east+".npy") || q.Get("skipcovered") != "false" || o.Ref.Status != 200 {
			continue
		}
		img, err := parity.Decode(o.Ref.Body, true)
		if err != nil {
			t.Errorf("%s: %v", o.Request, err)
			continue
		}
		col, row := mercatorPixel(9, 261, 186, 3.7, 43.9)
		got := img.Bands[0][row*img.Width+col]
		if want := fixtures.PlaneAnswers[m]; math.Abs(got-want) > 0.01 {
			t.Errorf("titiler-pgstac's %s at 3.7°E 43.9°N: %g, the fixture says %g", m, got, want)
		}
		seen++
	}
	if seen < len(fixtures.PlaneAnswers) {
		t.Errorf("%d pixel selection methods checked against the fixture, want %d", seen, len(fixtures.PlaneAnswers))
	}
}

// mercatorPixel is the column and row of lon, lat in WebMercatorQuad tile
// z/x/y of 256 pixels.
func mercatorPixel(z, x, y int, lon, lat float64) (int, int) {
	n := math.Exp2(float64(z))
	fx := (lon + 180) / 360 * n
	phi := lat * math.Pi / 180
	fy := (1 - math.Log(math.Tan(phi)+1/math.Cos(phi))/math.Pi) / 2 * n
	return int((fx - float64(x)) * 256), int((fy - float64(y)) * 256)
}
