package tiles_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"tilefunc"
	"tilefunc/tiles"
)

// allSets are the OGC sets morecantile ships, which titiler serves.
var allSets = []string{
	"CDB1GlobalGrid", "CanadianNAD83_LCC", "EuropeanETRS89_LAEAQuad", "GNOSISGlobalGrid",
	"LINZAntarticaMapTilegrid", "NZTM2000Quad", "UPSAntarcticWGS84Quad", "UPSArcticWGS84Quad",
	"UTM31WGS84Quad", "WGS1984Quad", "WebMercatorQuad", "WorldCRS84Quad", "WorldMercatorWGS84Quad",
}

func mustTMS(t testing.TB, id string) *tiles.TileMatrixSet {
	t.Helper()
	tms, ok := tiles.LookupTMS(id)
	if !ok {
		t.Fatalf("%s is not registered", id)
	}
	return tms
}

func TestEveryTileMatrixSetLoads(t *testing.T) {
	if got := tiles.TMSIDs(); !reflect.DeepEqual(got, allSets) {
		t.Fatalf("sets %v, want %v", got, allSets)
	}
	if err := tiles.CheckTMS(); err != nil {
		t.Fatal(err)
	}
	list := tiles.TMSList()
	if len(list) != len(allSets) {
		t.Fatalf("TMSList has %d sets", len(list))
	}
	for i, ref := range list {
		tms := mustTMS(t, ref.ID)
		if ref.ID != allSets[i] || ref.Title == "" || ref.Title != tms.Title || ref.CRS != tms.CRS {
			t.Errorf("list entry %+v does not match set %s", ref, tms.ID)
		}
		var doc struct {
			ID           string            `json:"id"`
			URI          string            `json:"uri"`
			TileMatrices []json.RawMessage `json:"tileMatrices"`
		}
		if err := json.Unmarshal(tms.JSON(), &doc); err != nil || doc.ID != tms.ID || doc.URI != ref.URI || len(doc.TileMatrices) != len(tms.Matrices) {
			t.Errorf("%s: JSON() is not its OGC document: %v", tms.ID, err)
		}
		if tms.MaxZoom()-tms.MinZoom()+1 != len(tms.Matrices) {
			t.Errorf("%s: zooms %d-%d for %d matrices", tms.ID, tms.MinZoom(), tms.MaxZoom(), len(tms.Matrices))
		}
		g := tms.Geo
		if !(g[0] >= -180 && g[0] < g[2] && g[2] <= 180 && g[1] >= -90 && g[1] < g[3] && g[3] <= 90) {
			t.Errorf("%s: Geo %v is not a longitude/latitude box", tms.ID, g)
		}
	}
}

// TestFirstTileIsTheFirstMatrixCorner checks tile 0/0 of the first zoom
// against values worked out by hand from each document: pointOfOrigin in
// the CRS's axis order (orderedAxes), tiles of cellSize × tileWidth.
func TestFirstTileIsTheFirstMatrixCorner(t *testing.T) {
	want := map[string]struct {
		zoom int
		b    [4]float64
	}{
		// Lat/Lon origin (90, -180); 1° tiles; row 0 merges 12 of them.
		"CDB1GlobalGrid": {-10, [4]float64{-180, 89, -168, 90}},
		// E/N origin.
		"CanadianNAD83_LCC": {0, [4]float64{-34655800, 39310000 - 38364.6600626534*256, -34655800 + 38364.6600626534*256, 39310000}},
		// Y/X origin (5500000, 2000000): easting 2000000.
		"EuropeanETRS89_LAEAQuad": {0, [4]float64{2000000, 1000000, 6500000, 5500000}},
		"GNOSISGlobalGrid":        {0, [4]float64{-180, 0, -90, 90}},
		// Y/X origin (6918457.73, -918457.73).
		"LINZAntarticaMapTilegrid": {0, [4]float64{-918457.73, 6918457.73 - 114687.99999999999*256, -918457.73 + 114687.99999999999*256, 6918457.73}},
		// Y/X origin (10438190.1652, -3260586.7284).
		"NZTM2000Quad":          {0, [4]float64{-3260586.7284, 10438190.1652 - 39135.75848201011*256, -3260586.7284 + 39135.75848201011*256, 10438190.1652}},
		"UPSAntarcticWGS84Quad": {0, [4]float64{-14440759.350252, 18440759.350252 - 128443.4324*256, -14440759.350252 + 128443.4324*256, 18440759.350252}},
		"UPSArcticWGS84Quad":    {0, [4]float64{-14440759.350252, 18440759.350252 - 128443.4324*256, -14440759.350252 + 128443.4324*256, 18440759.350252}},
		// Zooms start at 1.
		"UTM31WGS84Quad": {1, [4]float64{-9501965.72931276, 20003931.4586255 - 78140.3572602559*256, -9501965.72931276 + 78140.3572602559*256, 20003931.4586255}},
		// Lat/Lon origin (90, -180), two 180° tiles.
		"WGS1984Quad":            {0, [4]float64{-180, -90, 0, 90}},
		"WebMercatorQuad":        {0, [4]float64{-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244}},
		"WorldCRS84Quad":         {0, [4]float64{-180, -90, 0, 90}},
		"WorldMercatorWGS84Quad": {0, [4]float64{-20037508.3427892, 20037508.3427892 - 156543.033928041*256, -20037508.3427892 + 156543.033928041*256, 20037508.3427892}},
	}
	for _, id := range allSets {
		tms := mustTMS(t, id)
		w, ok := want[id]
		if !ok {
			t.Fatalf("no expectation for %s", id)
		}
		if tms.MinZoom() != w.zoom {
			t.Errorf("%s: min zoom %d, want %d", id, tms.MinZoom(), w.zoom)
		}
		b, err := tms.Bounds(tiles.Tile{Z: w.zoom})
		if err != nil || !near(b, w.b, 1e-9) {
			t.Errorf("%s: tile %d/0/0 = %v (%v), want %v", id, w.zoom, b, err, w.b)
		}
	}
}

// near compares boxes with a tolerance relative to their size.
func near(a, b [4]float64, rel float64) bool {
	tol := rel * math.Max(math.Abs(b[2]-b[0]), math.Abs(b[3]-b[1]))
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func TestTilesOutsideASetAreNotFound(t *testing.T) {
	for _, id := range allSets {
		tms := mustTMS(t, id)
		z := tms.MinZoom() + 1
		m, _ := tms.Matrix(z)
		for _, tile := range []tiles.Tile{
			{Z: tms.MinZoom() - 1}, {Z: tms.MaxZoom() + 1},
			{Z: z, X: -1}, {Z: z, Y: -1}, {Z: z, X: m.MatrixWidth}, {Z: z, Y: m.MatrixHeight},
		} {
			_, err1 := tms.Bounds(tile)
			_, err2 := tms.GeoBounds(tile)
			_, err3 := tms.Window(tile, 256)
			_, err4 := tms.Canonical(tile)
			for _, err := range []error{err1, err2, err3, err4} {
				if tilefunc.ErrorCode(err) != tilefunc.ENOTFOUND {
					t.Errorf("%s %v: want not found, got %v", id, tile, err)
				}
			}
		}
		if _, err := tms.Bounds(tiles.Tile{Z: z, X: m.MatrixWidth - 1, Y: m.MatrixHeight - 1}); err != nil {
			t.Errorf("%s: the last tile of zoom %d: %v", id, z, err)
		}
	}
}

func TestWebMercatorQuadBounds(t *testing.T) {
	tms := mustTMS(t, "WebMercatorQuad")
	if tms.SRS != "EPSG:3857" || tms.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" || tms.MaxZoom() != 24 {
		t.Fatalf("WebMercatorQuad is %s %s zooms %d-%d", tms.SRS, tms.CRS, tms.MinZoom(), tms.MaxZoom())
	}
	b, err := tms.Bounds(tiles.Tile{Z: 0})
	if err != nil || math.Abs(b[0]+20037508.3427892) > 1e-6 || math.Abs(b[3]-20037508.3427892) > 1e-6 {
		t.Fatalf("z0 bounds %v, %v", b, err)
	}
	g, _ := tms.GeoBounds(tiles.Tile{Z: 1, X: 1, Y: 0})
	if g[0] != 0 || g[1] != 0 || g[2] != 180 || math.Abs(g[3]-85.0511287798) > 1e-9 {
		t.Fatalf("1/1/0 geographic bounds %v", g)
	}
	if want := [4]float64{-180, -85.0511287798066, 180, 85.0511287798066}; !near(tms.Geo, want, 1e-12) {
		t.Fatalf("Geo %v, want %v", tms.Geo, want)
	}
}

// TestGeographicSetsGiveLongitudeFirst: WorldCRS84Quad (CRS84, Lon/Lat)
// and WGS1984Quad (EPSG:4326, Lat/Lon in its document) have the same
// tiles, and both give longitude first, as gdalwarp -te wants.
func TestGeographicSetsGiveLongitudeFirst(t *testing.T) {
	for _, c := range []struct {
		tile tiles.Tile
		want [4]float64
	}{
		{tiles.Tile{Z: 0, X: 1, Y: 0}, [4]float64{0, -90, 180, 90}}, // 2×1 tiles of 180°
		{tiles.Tile{Z: 1, X: 1, Y: 0}, [4]float64{-90, 0, 0, 90}},   // 4×2 tiles of 90°
		{tiles.Tile{Z: 1, X: 3, Y: 1}, [4]float64{90, -90, 180, 0}},
		{tiles.Tile{Z: 6, X: 62, Y: 15}, [4]float64{-5.625, 45, -2.8125, 47.8125}}, // 2.8125° tiles
	} {
		for _, id := range []string{"WorldCRS84Quad", "WGS1984Quad"} {
			tms := mustTMS(t, id)
			b, err := tms.Bounds(c.tile)
			g, err2 := tms.GeoBounds(c.tile)
			if err != nil || err2 != nil || b != c.want || g != c.want {
				t.Errorf("%s %v: bounds %v, geo %v (%v, %v), want %v", id, c.tile, b, g, err, err2, c.want)
			}
		}
	}
	if s := mustTMS(t, "WorldCRS84Quad"); s.SRS != "OGC:CRS84" || s.CRS != "http://www.opengis.net/def/crs/OGC/1.3/CRS84" {
		t.Errorf("WorldCRS84Quad CRS %s, SRS %s", s.CRS, s.SRS)
	}
	if s := mustTMS(t, "WGS1984Quad"); s.SRS != "EPSG:4326" || s.OrderedAxes[0] != "Lat" || s.Matrices[0].Origin != [2]float64{-180, 90} || s.Matrices[0].PointOfOrigin != [2]float64{90, -180} {
		t.Errorf("WGS1984Quad: SRS %s, axes %v, origin %v", s.SRS, s.OrderedAxes, s.Matrices[0].Origin)
	}
}

// TestURNCRSBecomesAnHTTPURI: the LINZ sets name their CRS by URN; the
// Content-Crs header gets the http form.
func TestURNCRSBecomesAnHTTPURI(t *testing.T) {
	for id, want := range map[string]string{"NZTM2000Quad": "2193", "LINZAntarticaMapTilegrid": "5482"} {
		s := mustTMS(t, id)
		if s.CRS != "http://www.opengis.net/def/crs/EPSG/0/"+want || s.SRS != "EPSG:"+want || s.URI != "" {
			t.Errorf("%s: CRS %s, SRS %s, URI %q", id, s.CRS, s.SRS, s.URI)
		}
	}
}

// TestCoalescedTilesCoverTheirGroup: in a variable-width row every column
// of a group addresses the whole group (OGC TMS 2.0 §6.1.5), its first
// column is canonical, and the image is as many tiles wide.
func TestCoalescedTilesCoverTheirGroup(t *testing.T) {
	gnosis := mustTMS(t, "GNOSISGlobalGrid")
	cdb := mustTMS(t, "CDB1GlobalGrid")
	for _, c := range []struct {
		tms       *tiles.TileMatrixSet
		tile      tiles.Tile
		bounds    [4]float64
		canonical int
		width     int
	}{
		// GNOSIS zoom 1: 8×4 tiles of 45°, rows 0 and 3 merge pairs.
		{gnosis, tiles.Tile{Z: 1, X: 0, Y: 0}, [4]float64{-180, 45, -90, 90}, 0, 512},
		{gnosis, tiles.Tile{Z: 1, X: 1, Y: 0}, [4]float64{-180, 45, -90, 90}, 0, 512},
		{gnosis, tiles.Tile{Z: 1, X: 3, Y: 0}, [4]float64{-90, 45, 0, 90}, 2, 512},
		{gnosis, tiles.Tile{Z: 1, X: 1, Y: 1}, [4]float64{-135, 0, -90, 45}, 1, 256},
		{gnosis, tiles.Tile{Z: 1, X: 7, Y: 3}, [4]float64{90, -90, 180, -45}, 6, 512},
		// GNOSIS zoom 2: row 0 merges 4, row 1 merges 2.
		{gnosis, tiles.Tile{Z: 2, X: 6, Y: 0}, [4]float64{-90, 67.5, 0, 90}, 4, 1024},
		{gnosis, tiles.Tile{Z: 2, X: 7, Y: 1}, [4]float64{-45, 45, 0, 67.5}, 6, 512},
		// CDB1 zoom -10: 1° tiles, row 0 merges 12, rows 1-9 merge 6.
		{cdb, tiles.Tile{Z: -10, X: 13, Y: 0}, [4]float64{-168, 89, -156, 90}, 12, 12 * 256},
		{cdb, tiles.Tile{Z: -10, X: 359, Y: 179}, [4]float64{168, -90, 180, -89}, 348, 12 * 256},
		{cdb, tiles.Tile{Z: -10, X: 5, Y: 9}, [4]float64{-180, 80, -174, 81}, 0, 6 * 256},
		{cdb, tiles.Tile{Z: -10, X: 5, Y: 90}, [4]float64{-175, -1, -174, 0}, 5, 256},
	} {
		b, err := c.tms.Bounds(c.tile)
		if err != nil || !near(b, c.bounds, 1e-12) {
			t.Errorf("%s %v: bounds %v (%v), want %v", c.tms.ID, c.tile, b, err, c.bounds)
		}
		can, _ := c.tms.Canonical(c.tile)
		if can != (tiles.Tile{Z: c.tile.Z, X: c.canonical, Y: c.tile.Y}) {
			t.Errorf("%s %v: canonical %v, want x=%d", c.tms.ID, c.tile, can, c.canonical)
		}
		win, _ := c.tms.Window(c.tile, 256)
		if win.Width != c.width || win.Height != 256 || win.Bounds != b || win.CRS != "EPSG:4326" {
			t.Errorf("%s %v: window %+v, want %dx256", c.tms.ID, c.tile, win, c.width)
		}
	}
}
