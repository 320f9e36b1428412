package handler_test

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
)

// tileSetDoc is an OGC tileset as a client reads it.
type tileSetDoc struct {
	Title    string
	DataType string
	CRS      string
	Links    []struct {
		Href, Rel, Type, Title string
		Templated              bool
	}
	TileMatrixSetLimits []struct {
		TileMatrix                                     string
		MinTileRow, MaxTileRow, MinTileCol, MaxTileCol int
	}
	BoundingBox struct {
		LowerLeft, UpperRight []float64
		CRS                   string
	}
}

func (d tileSetDoc) link(t *testing.T, rel string) string {
	t.Helper()
	for _, l := range d.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	t.Fatalf("no %q link in %+v", rel, d.Links)
	return ""
}

// slippy is the Web Mercator tile of lon/lat at zoom z (the usual formula).
func slippy(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	phi := lat * math.Pi / 180
	return int(math.Floor((lon + 180) / 360 * n)), int(math.Floor((1 - math.Log(math.Tan(phi)+1/math.Cos(phi))/math.Pi) / 2 * n))
}

// demoRGB is a search over the RGB items with their extent as its bbox.
const demoRGB = `{"collections":["demo-rgb"],"bbox":[-9.5,40,10.5,50]}`

func TestTilesetListNamesEverySetWithLinksThatWork(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	var list struct{ Tilesets []tileSetDoc }
	r := get(t, e.url+"/searches/"+id+"/tiles?assets=visual&code=SECRETKEY123")
	r.json(t, &list)
	if r.status != 200 || len(list.Tilesets) != 13 || strings.Contains(string(r.body), "SECRETKEY123") {
		t.Fatalf("%d, %d tilesets, key echoed: %v", r.status, len(list.Tilesets), strings.Contains(string(r.body), "SECRETKEY123"))
	}
	for _, ts := range list.Tilesets {
		if ts.DataType != "map" || ts.CRS == "" || ts.BoundingBox.CRS != "http://www.opengis.net/def/crs/EPSG/0/4326" ||
			fmt.Sprint(ts.BoundingBox.LowerLeft, ts.BoundingBox.UpperRight) != "[-9.5 40] [10.5 50]" {
			t.Errorf("tileset %+v", ts)
		}
		if len(ts.TileMatrixSetLimits) != 0 {
			t.Errorf("the list gives no limits, %s has %d", ts.Title, len(ts.TileMatrixSetLimits))
		}
		scheme := ts.link(t, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme")
		var def struct{ ID, CRS string }
		get(t, scheme).json(t, &def)
		if !strings.HasSuffix(scheme, "/tileMatrixSets/"+def.ID) || def.CRS != ts.CRS || ts.Title != "tileset tiled using "+def.ID+" TileMatrixSet" {
			t.Errorf("tileset %q (crs %s) links to the definition of %s (crs %s)", ts.Title, ts.CRS, def.ID, def.CRS)
		}
		if self := ts.link(t, "self"); self != e.url+"/searches/"+id+"/tiles/"+def.ID+"?assets=visual" {
			t.Errorf("self link %s", self)
		}
		if def.ID == "WebMercatorQuad" {
			tile := strings.NewReplacer("{z}", "8", "{x}", "124", "{y}", "92").Replace(ts.link(t, "tile"))
			decodePNG(t, get(t, strings.Replace(tile, "/92?", "/92.png?", 1)))
		}
	}
}

func TestTilesetListBoundsInAnotherCRS(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	var list struct{ Tilesets []tileSetDoc }
	get(t, e.url+"/searches/"+id+"/tiles?crs=EPSG:3857").json(t, &list)
	bb := list.Tilesets[0].BoundingBox
	const half = math.Pi * 6378137
	if bb.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" || math.Abs(bb.LowerLeft[0]-(-9.5/180*half)) > 1e-3 || math.Abs(bb.UpperRight[0]-10.5/180*half) > 1e-3 {
		t.Fatalf("bounding box in EPSG:3857: %+v", bb)
	}
	if self := list.Tilesets[0].link(t, "self"); strings.Contains(self, "crs=") {
		t.Errorf("the crs parameter is the list's own, not the tileset's: %s", self)
	}
	get(t, e.url+"/searches/"+id+"/tiles?crs=/etc/passwd").detail(t, 422)

	// A search without a bbox covers what the default set covers.
	all := e.register(t, `{"collections":["demo-rgb"]}`)
	get(t, e.url+"/searches/"+all+"/tiles").json(t, &list)
	if bb := list.Tilesets[0].BoundingBox; bb.LowerLeft[0] != -180 || math.Abs(bb.UpperRight[1]-85.0511287798) > 1e-6 {
		t.Fatalf("bounding box of a search without a bbox: %+v", bb)
	}
}

// The limits name the tiles that hold the mosaic: the corner tiles render,
// the tiles just outside them are empty.
func TestTilesetLimitsAreTheTilesOfTheMosaic(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	var ts tileSetDoc
	r := get(t, e.url+"/searches/"+id+"/tiles/WebMercatorQuad?assets=visual")
	r.json(t, &ts)
	if r.status != 200 || len(ts.TileMatrixSetLimits) != 25 || ts.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" {
		t.Fatalf("%d: %d limits, crs %s", r.status, len(ts.TileMatrixSetLimits), ts.CRS)
	}
	if bb := ts.BoundingBox; bb.CRS != "http://www.opengis.net/def/crs/EPSG/0/4326" || fmt.Sprint(bb.LowerLeft, bb.UpperRight) != "[-9.5 40] [10.5 50]" {
		t.Errorf("bounding box %+v", bb)
	}
	for z, l := range ts.TileMatrixSetLimits {
		x0, y0 := slippy(-9.5, 50, z)
		x1, y1 := slippy(10.5, 40, z)
		if l.TileMatrix != fmt.Sprint(z) || l.MinTileCol != x0 || l.MaxTileCol != x1 || l.MinTileRow != y0 || l.MaxTileRow != y1 {
			t.Errorf("zoom %d: %+v, want cols %d..%d rows %d..%d", z, l, x0, x1, y0, y1)
		}
	}
	tile := ts.link(t, "tile")
	if !strings.HasSuffix(tile, "/tiles/WebMercatorQuad/{z}/{x}/{y}?assets=visual") {
		t.Fatalf("tile link %s", tile)
	}
	at := func(x, y int) response {
		return get(t, strings.NewReplacer("{z}", "8", "{x}", fmt.Sprint(x), "{y}", fmt.Sprint(y)).Replace(tile))
	}
	l := ts.TileMatrixSetLimits[8]
	for _, c := range [][2]int{{l.MinTileCol, l.MinTileRow}, {l.MaxTileCol, l.MaxTileRow}} {
		if r := at(c[0], c[1]); r.status != http.StatusOK {
			t.Errorf("corner tile 8/%d/%d of the limits: %d", c[0], c[1], r.status)
		}
	}
	for _, c := range [][2]int{{l.MinTileCol - 1, l.MinTileRow}, {l.MaxTileCol + 1, l.MaxTileRow}, {l.MinTileCol, l.MinTileRow - 1}, {l.MaxTileCol, l.MaxTileRow + 1}} {
		if r := at(c[0], c[1]); r.status != http.StatusNoContent {
			t.Errorf("tile 8/%d/%d outside the limits: %d, want 204", c[0], c[1], r.status)
		}
	}
	if m := ts.link(t, "data"); !strings.HasSuffix(m, "/WebMercatorQuad/map.html?assets=visual") || get(t, m).status != 200 {
		t.Errorf("map link %s", m)
	}
}

func TestTilesetZoomsFromMetadataOrQuery(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"metadata":{"minzoom":3,"maxzoom":9}}`)
	zooms := func(query string) string {
		var ts tileSetDoc
		get(t, e.url+"/searches/"+id+"/tiles/WorldCRS84Quad"+query).json(t, &ts)
		if len(ts.TileMatrixSetLimits) == 0 {
			return "none"
		}
		return ts.TileMatrixSetLimits[0].TileMatrix + ".." + ts.TileMatrixSetLimits[len(ts.TileMatrixSetLimits)-1].TileMatrix
	}
	for query, want := range map[string]string{"": "3..9", "?minzoom=5": "5..9", "?maxzoom=99": "3..23", "?minzoom=-2&maxzoom=1": "0..1"} {
		if got := zooms(query); got != want {
			t.Errorf("%q: zooms %s, want %s", query, got, want)
		}
	}
	var ts tileSetDoc
	get(t, e.url+"/searches/"+id+"/tiles/EuropeanETRS89_LAEAQuad").json(t, &ts)
	if ts.BoundingBox.CRS != "http://www.opengis.net/def/crs/EPSG/0/4258" {
		t.Errorf("the LAEA tileset's bounding box is in %s, want ETRS89 (EPSG:4258)", ts.BoundingBox.CRS)
	}
}

func TestTilesetErrors(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	unknown := e.url + "/searches/0123456789abcdef0123456789abcdef"
	for _, c := range []struct {
		url    string
		status int
	}{
		{e.url + "/searches/" + id + "/tiles/NoSuchTMS", 422},
		{e.url + "/searches/" + id + "/tiles/WebMercatorQuad?minzoom=low", 422},
		{e.url + "/searches/" + id + "/tiles?crs=EPSG:999999", 422},
		{unknown + "/tiles", 404},
		{unknown + "/tiles/WebMercatorQuad", 404},
	} {
		get(t, c.url).detail(t, c.status)
	}
}
