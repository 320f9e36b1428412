package handler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/jackc/pgx/v5"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"tilefunc/demo"
	"tilefunc/internal/testenv"

	"tilefunc/handler"
	"tilefunc/internal/fixtures"
)

// mixedItem is the styled-mixed item: uint8 RGB (visual), uint16 (nir)
// and float32 with nodata (dem) on one grid, plus an XML asset.
const mixedItem = "/collections/styled-mixed/items/mixed"

// An item's tile stacks its assets' pixels, each type kept (float32 holds
// them all), the mask last; a tile that misses the item is 404.
func TestItemTileStacksEachAssetsOwnPixels(t *testing.T) {
	e := newStylingEnv(t)
	id := westTile
	r := e.get(t, fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d.npy?assets=visual&assets=nir&assets=dem", mixedItem, id.z, id.x, id.y))
	pic := npyOf(t, r, "<f4", 6, 256, 256)
	visual, nir, dem := e.raster(t, "mixed/visual"), e.raster(t, "mixed/nir"), e.raster(t, "mixed/dem")
	g := grid{id, 256, 0}
	checked := 0
	tileSamples(t, g, dem, 3, 2000, func(i, j int, s sample) {
		lon, lat := g.lonLat(i, j)
		v, n := visual.at(lon, lat), nir.at(lon, lat) // one grid: as clearly inside their pixels
		want := append(append(append([]float64{}, v.values...), n.values...), s.values...)
		got := pic.px(i, j)
		for b, w := range want {
			if got[b] != w {
				t.Fatalf("pixel %d,%d band %d: %g, want %g (the source pixels %v)", i, j, b+1, got[b], w, want)
			}
		}
		// The mask, in the array's type: valid where any band is (the RGB
		// covers the whole tile), float32's largest value as numpy casts 255.
		if mask := got[5]; mask != math.MaxFloat32 {
			t.Fatalf("pixel %d,%d: mask %g, want float32's largest (valid)", i, j, mask)
		}
		checked++
	})
	if checked < 2000 {
		t.Fatalf("%d pixels compared, want 2000", checked)
	}
	r = e.get(t, mixedItem+"/tiles/WebMercatorQuad/9/250/186.png?assets=visual")
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "Tile(x=250, y=186, z=9) is outside bounds") {
		t.Errorf("tile west of the item: %d %s, want 404 outside bounds", r.status, r.body)
	}
}

// Without rescale, an item's float32 tile is stretched by the asset's
// raster:bands statistics (a mosaic's by the type's range): the hill top
// is white, the foot of the hill dark.
func TestItemTileIsRescaledByItsAssetStatistics(t *testing.T) {
	e := newStylingEnv(t)
	r := e.tile(t, mixedItem, westTile, ".png?assets=dem")
	pic := pngOf(t, r, 256, 256, 2)
	g := grid{westTile, 256, 0}
	i, j := g.pixel(3.5, 43.75)
	if v := pic.at(0, i, j); v < 250 {
		t.Errorf("hill top: %g, want about 255 (3000 m of a 0-3000 m range)", v)
	}
	i, j = g.pixel(3.05, 43.62)
	if v := pic.at(0, i, j); v > 60 {
		t.Errorf("foot of the hill: %g, want dark", v)
	}
}

// /assets lists the rasters, not the XML; /info describes each raster as
// GDAL reads it; an unknown asset is 404.
func TestItemAssetsAndInfoDescribeTheRasters(t *testing.T) {
	e := newStylingEnv(t)
	var names []string
	e.get(t, mixedItem+"/assets").json(t, &names)
	if !reflect.DeepEqual(names, []string{"dem", "nir", "visual"}) {
		t.Errorf("assets %v, want dem nir visual", names)
	}
	var info map[string]struct {
		DType       string    `json:"dtype"`
		Count       int       `json:"count"`
		NoDataType  string    `json:"nodata_type"`
		NoDataValue *float64  `json:"nodata_value"`
		ColorInterp []string  `json:"colorinterp"`
		Scales      []float64 `json:"scales"`
		Width       int       `json:"width"`
		Overviews   []int     `json:"overviews"`
	}
	e.get(t, mixedItem+"/info?assets=:all:").json(t, &info)
	if d := info["dem"]; d.DType != "float32" || d.NoDataType != "Nodata" || d.NoDataValue == nil || *d.NoDataValue != fixtures.DEMNoData {
		t.Errorf("dem info %+v", d)
	}
	if n := info["nir"]; n.DType != "uint16" || len(n.Scales) != 1 || n.Scales[0] != 0.0001 {
		t.Errorf("nir info %+v, want uint16 scaled by 0.0001", n)
	}
	if v := info["visual"]; v.DType != "uint8" || v.Count != 3 || len(v.ColorInterp) != 3 || v.Width != 280 || len(v.Overviews) == 0 {
		t.Errorf("visual info %+v", v)
	}
	for _, path := range []string{"/info?assets=metadata", "/info?assets=nope", "/tiles/WebMercatorQuad/9/260/186.png?assets=metadata"} {
		if r := e.get(t, mixedItem+path); r.status != http.StatusNotFound || !strings.Contains(string(r.body), "should be one of ['dem', 'nir', 'visual']") {
			t.Errorf("%s: %d %s, want 404 naming the assets", path, r.status, r.body)
		}
	}
	if r := e.get(t, "/collections/styled-mixed/items/nope/info?assets=dem"); r.status != http.StatusNotFound {
		t.Errorf("unknown item: %d %s", r.status, r.body)
	}
}

// A point reads each asset's pixel there; a preview is the whole item at
// most 1024 pixels a side; statistics are of the preview's valid pixels.
func TestItemPointPreviewAndStatisticsReadTheWholeItem(t *testing.T) {
	e := newStylingEnv(t)
	var pt struct {
		Values    []*float64 `json:"values"`
		BandNames []string   `json:"band_names"`
	}
	e.get(t, mixedItem+"/point/3.301,43.851?assets=nir&assets=dem").json(t, &pt)
	nir, dem := e.raster(t, "mixed/nir").at(3.301, 43.851), e.raster(t, "mixed/dem").at(3.301, 43.851)
	if len(pt.Values) != 2 || pt.Values[0] == nil || *pt.Values[0] != nir.values[0] || pt.Values[1] == nil || *pt.Values[1] != dem.values[0] ||
		!reflect.DeepEqual(pt.BandNames, []string{"b1", "b2"}) {
		t.Errorf("point %+v, want nir %v and dem %v", pt, nir.values, dem.values)
	}
	e.get(t, mixedItem+"/point/2.95,43.75?assets=dem").json(t, &pt)
	if len(pt.Values) != 1 || pt.Values[0] != nil {
		t.Errorf("point over nodata: %v, want [null]", pt.Values)
	}
	if r := e.get(t, mixedItem+"/point/10,10?assets=dem"); r.status != http.StatusNotFound {
		t.Errorf("point outside: %d %s, want 404", r.status, r.body)
	}

	pic := npyOf(t, e.get(t, mixedItem+"/preview.npy?assets=dem"), "<f4", 2, 280, 205)
	src := e.raster(t, "mixed/dem")
	for _, p := range [][2]int{{140, 100}, {10, 10}, {270, 200}} {
		if got, want := pic.at(0, p[0], p[1]), src.value(0, p[0], p[1]); got != want {
			t.Errorf("preview pixel %v: %g, want the raster's %g", p, got, want)
		}
	}

	var stats map[string]struct {
		Min, Max     float64
		ValidPercent float64 `json:"valid_percent"`
	}
	e.get(t, mixedItem+"/statistics?assets=dem").json(t, &stats)
	b1 := stats["b1"]
	// West of 3.0°E (15 of 280 columns) holds no data.
	if b1.Max < 2999 || b1.Max > 3000 || b1.Min < 0 || math.Abs(b1.ValidPercent-100*265.0/280) > 0.5 {
		t.Errorf("dem statistics %+v, want max about 3000, %.1f%% valid", b1, 100*265.0/280)
	}
}

// The item's renders are listed with their parameters and, where the tile
// route takes them, links to their TileJSON; TileJSON carries them as
// raster_layers and the zooms of the item's grid.
func TestItemRendersAndTileJSON(t *testing.T) {
	e := newStylingEnv(t)
	var list struct {
		Renders map[string]struct {
			Valid bool `json:"valid"`
			Links []struct {
				Href, Rel string
			} `json:"links"`
		} `json:"renders"`
	}
	e.get(t, mixedItem+"/renders").json(t, &list)
	h := list.Renders["height"]
	if !h.Valid || len(h.Links) != 3 || !strings.Contains(h.Links[1].Href, "/WebMercatorQuad/tilejson.json") && !strings.Contains(h.Links[1].Href, "{tileMatrixSetId}/tilejson.json?") ||
		!strings.Contains(h.Links[1].Href, "colormap_name=terrain") {
		t.Errorf("height render %+v", h)
	}
	if r := e.get(t, mixedItem+"/renders/nope"); r.status != http.StatusNotFound {
		t.Errorf("unknown render: %d", r.status)
	}
	var tj struct {
		MinZoom      int                        `json:"minzoom"`
		MaxZoom      int                        `json:"maxzoom"`
		Tiles        []string                   `json:"tiles"`
		RasterLayers map[string]json.RawMessage `json:"raster_layers"`
	}
	e.get(t, mixedItem+"/WebMercatorQuad/tilejson.json?assets=visual").json(t, &tj)
	// A 0.004° pixel (~445 m at the equator, in WebMercator metres) is
	// nearest zoom 8; 280 pixels fit one 256-pixel tile at zoom 8.
	if tj.MinZoom != 8 || tj.MaxZoom != 8 || len(tj.RasterLayers) != 2 || !strings.Contains(tj.Tiles[0], mixedItem+"/tiles/WebMercatorQuad/{z}/{x}/{y}?assets=visual") {
		t.Errorf("tilejson %+v", tj)
	}
}

// An external raster is read only where the asset policy allows (here the
// fixture folder): a file elsewhere or another host is refused before GDAL
// opens anything; an asset route reads the item's own asset only.
func TestExternalAndAssetRoutesReadOnlyWhatThePolicyAllows(t *testing.T) {
	e := newStylingEnv(t)
	r := e.get(t, "/external/point/3.5,43.75?url="+e.set.Paths["mixed/dem"])
	var pt struct{ Values []float64 }
	r.json(t, &pt)
	if want := e.raster(t, "mixed/dem").at(3.5, 43.75).values[0]; r.status != http.StatusOK || len(pt.Values) != 1 || pt.Values[0] != want {
		t.Errorf("external point: %d %s, want [%g]", r.status, r.body, want)
	}
	for _, url := range []string{"/etc/passwd", "http://169.254.169.254/metadata/instance", "https://example.com/a.tif", "/vsicurl/https://example.com/a.tif"} {
		if r := e.get(t, "/external/info?url="+url); r.status != http.StatusForbidden {
			t.Errorf("external %s: %d %s, want 403", url, r.status, r.body)
		}
	}
	if r := e.get(t, "/external/info"); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "url") {
		t.Errorf("external without url: %d %s, want 422 naming url", r.status, r.body)
	}
	var info struct{ DType string }
	e.get(t, mixedItem+"/assets/nir/info").json(t, &info)
	if info.DType != "uint16" {
		t.Errorf("asset info dtype %q, want uint16", info.DType)
	}
	if r := e.get(t, mixedItem+"/assets/metadata/info"); r.status != http.StatusNotFound {
		t.Errorf("the XML asset: %d %s, want 404", r.status, r.body)
	}
}

// Without their settings the optional routes are not served, as
// titiler-pgstac leaves them out.
func TestOptionalRoutesAreOffByDefault(t *testing.T) {
	ts := httptest.NewServer((&handler.Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	defer ts.Close()
	for _, path := range []string{"/external/info?url=/data/a.tif", mixedItem + "/assets/dem/info", mixedItem + "/assets/dem/tiles/WebMercatorQuad/9/260/186.png"} {
		if r := get(t, ts.URL+path); r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.status)
		}
	}
}

// :all: stands for every raster asset, but no more than one request may
// name: an item of more assets is refused before anything is read.
func TestAllAssetsIsCapped(t *testing.T) {
	set, err := fixtures.Shared()
	if err != nil {
		t.Fatal(err)
	}
	// The mixed item again, as "many", its dem asset 40 times over.
	var many map[string]any
	for _, it := range set.Items {
		if it["id"] == "mixed" {
			b, _ := json.Marshal(it)
			json.Unmarshal(b, &many)
		}
	}
	assets := many["assets"].(map[string]any)
	for i := range 40 {
		assets[fmt.Sprintf("dem%02d", i)] = assets["dem"]
	}
	many["id"] = "many"
	db := testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error {
		if err := set.Load(ctx, conn); err != nil {
			return err
		}
		return demo.Load(ctx, conn, nil, []map[string]any{many})
	})
	url, _ := serve(t, db, nil, []string{set.Dir}, "")
	if r := get(t, url+mixedItem+"/info?assets=:all:"); r.status != http.StatusOK {
		t.Fatalf("three assets: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/info?assets=:all:", "/asset_statistics?assets=:all:", "/statistics?assets=:all:"} {
		d := get(t, url+"/collections/styled-mixed/items/many"+path).detail(t, http.StatusUnprocessableEntity)
		if !strings.Contains(d, "43 assets is above the 32 limit") {
			t.Errorf("%s: %q", path, d)
		}
	}
}
