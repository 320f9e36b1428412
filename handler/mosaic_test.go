package handler_test

import (
	"fmt"
	"image"
	"image/color"
	"net/http"
	"strings"
	"testing"
	"tilefunc/handler"
	"tilefunc/internal/testenv"
)

// rgbTile checks every 8th pixel of a 256 px PNG tile against the source
// COGs: where a raster covers the pixel, the first in order gives its value
// and the pixel is opaque; elsewhere it is transparent. It returns the blue
// values seen (they tell the demo rasters apart).
func rgbTile(t *testing.T, e *env, search string, z, x, y int, rasters ...string) map[uint8]int {
	return rgbTileIn(t, e, "/searches/"+search, "WebMercatorQuad", z, x, y, "", rasters...)
}

// rgbTileIn is rgbTile for any mosaic path (/searches/ID, /collections/ID),
// in a WebMercatorQuad or WorldCRS84Quad tile, with extra query parameters.
func rgbTileIn(t *testing.T, e *env, mosaic, tms string, z, x, y int, extra string, rasters ...string) map[uint8]int {
	t.Helper()
	r := get(t, fmt.Sprintf("%s%s/tiles/%s/%d/%d/%d.png?assets=visual&tilesize=256%s", e.url, mosaic, tms, z, x, y, extra))
	img := decodePNG(t, r)
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("tile is %dx%d, want 256x256", b.Dx(), b.Dy())
	}
	blues := map[uint8]int{}
	exact, total := 0, 0
	for j := 4; j < 256; j += 8 {
		for i := 4; i < 256; i += 8 {
			lon, lat := pixelLonLat(z, x, y, i, j, 256)
			if tms == "WorldCRS84Quad" {
				lon, lat = pixelCRS84(z, x, y, i, j, 256)
			}
			c := nrgba(img, i, j)
			src := source{}
			for _, name := range rasters {
				if src = readSource(t, e.catalog.Paths[name], lon, lat); src.ok {
					break
				}
			}
			if !src.ok {
				if c.A != 0 {
					t.Fatalf("pixel %d,%d (%.4f,%.4f) is outside every item but has alpha %d", i, j, lon, lat, c.A)
				}
				continue
			}
			if c.A != 255 {
				t.Fatalf("pixel %d,%d (%.4f,%.4f) is inside an item but has alpha %d", i, j, lon, lat, c.A)
			}
			got := []float64{float64(c.R), float64(c.G), float64(c.B)}
			ok, near := src.matches(got)
			if !near {
				t.Fatalf("pixel %d,%d (%.4f,%.4f) = %v, source has %v", i, j, lon, lat, got, src.center)
			}
			if ok {
				exact++
			}
			total++
			blues[c.B]++
		}
	}
	if total > 0 && exact*10 < total*9 {
		t.Fatalf("only %d of %d pixels equal their source pixel exactly", exact, total)
	}
	return blues
}

func TestTileInsideOneItemMatchesSourcePixels(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	blues := rgbTile(t, e, id, 8, 124, 92, "rgb_west", "rgb_east")
	if len(blues) != 1 || blues[60] == 0 {
		t.Fatalf("want only rgb_west (blue 60) in the tile, got blues %v", blues)
	}
}

func TestWorldCRS84QuadTileMatchesSourcePixels(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	blues := rgbTileIn(t, e, "/searches/"+id, "WorldCRS84Quad", 7, 128, 32, "", "rgb_west", "rgb_east")
	if blues[60] == 0 || blues[200] == 0 {
		t.Fatalf("want both items in the CRS84 tile across the seam, got %v", blues)
	}
	r := get(t, fmt.Sprintf("%s/searches/%s/tiles/WorldCRS84Quad/7/128/32.png?assets=visual", e.url, id))
	if got := r.header.Get("Content-Crs"); got != "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>" {
		t.Fatalf("Content-Crs = %q", got)
	}
}

func TestTileAcrossTwoItemsIsAMosaic(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	blues := rgbTile(t, e, id, 8, 128, 92, "rgb_west", "rgb_east")
	if blues[60] == 0 || blues[200] == 0 {
		t.Fatalf("want pixels of both rgb_west (blue 60) and rgb_east (blue 200), got %v", blues)
	}
}

func TestTilePartlyOutsideIsTransparentThere(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	r := get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/124/86.png?assets=visual&tilesize=256", e.url, id))
	img := decodePNG(t, r)
	clear, opaque := 0, 0
	for j := 0; j < 256; j++ {
		for i := 0; i < 256; i++ {
			switch nrgba(img, i, j).A {
			case 0:
				clear++
			case 255:
				opaque++
			}
		}
	}
	if clear == 0 || opaque == 0 || clear+opaque != 256*256 {
		t.Fatalf("want a tile part transparent, part opaque: %d clear, %d opaque", clear, opaque)
	}
	rgbTile(t, e, id, 8, 124, 86, "rgb_west")
}

func TestTileFromAzuriteBlobMatchesSourcePixels(t *testing.T) {
	e := newEnv(t, true)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	if href := e.catalog.Hrefs["rgb_west"]; href[:7] != "http://" {
		t.Fatalf("the item should point at Azurite, has %q", href)
	}
	blues := rgbTile(t, e, id, 8, 128, 92, "rgb_west", "rgb_east")
	if blues[60] == 0 || blues[200] == 0 {
		t.Fatalf("want pixels of both blobs, got %v", blues)
	}
}

func TestSingleBandTileIsRescaledWithNodataTransparent(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-elevation"]}`)
	const z, x, y = 8, 122, 97
	r := get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/%d/%d/%d.png?assets=elevation&rescale=0,3000&tilesize=256", e.url, id, z, x, y))
	img := decodePNG(t, r)
	nodata, data := 0, 0
	for j := 4; j < 256; j += 8 {
		for i := 4; i < 256; i += 8 {
			lon, lat := pixelLonLat(z, x, y, i, j, 256)
			src := readSource(t, e.catalog.Paths["elevation"], lon, lat)
			c := nrgba(img, i, j)
			if src.center[0] == -9999 {
				nodata++
				if c.A != 0 {
					t.Fatalf("nodata pixel %d,%d has alpha %d", i, j, c.A)
				}
				continue
			}
			data++
			want := float64(int(src.center[0]*255/3000 + 0.5))
			if c.A != 255 || c.R != c.G || c.G != c.B || abs(float64(c.R)-want) > 1 {
				t.Fatalf("pixel %d,%d = %v, want gray %v from elevation %v", i, j, c, want, src.center[0])
			}
		}
	}
	if nodata == 0 || data == 0 {
		t.Fatalf("want the tile to cross the nodata edge: %d nodata, %d data pixels", nodata, data)
	}
}

// nrgba is the non-premultiplied colour of a pixel, whatever PNG colour
// type the encoder chose.
func nrgba(img image.Image, i, j int) color.NRGBA {
	return color.NRGBAModel.Convert(img.At(i, j)).(color.NRGBA)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestTileWithNoItemIsEmpty204(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	r := get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/10/10.png?assets=visual", e.url, id))
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("want 204 with no body, got %d (%d bytes)", r.status, len(r.body))
	}
}

func TestTileDefaultFormatAndHeaders(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	inside := get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/124/92?assets=visual", e.url, id))
	if ct := inside.header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("a full tile without a format should be JPEG, got %q", ct)
	}
	edge := get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/124/86?assets=visual", e.url, id))
	if ct := edge.header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("a tile with transparent pixels should be PNG, got %q", ct)
	}
	if got := inside.header.Get("Content-Crs"); got != "<http://www.opengis.net/def/crs/EPSG/0/3857>" {
		t.Errorf("Content-Crs = %q", got)
	}
	if inside.header.Get("Content-Bbox") == "" || inside.header.Get("Cache-Control") != "public, max-age=3600" {
		t.Errorf("want Content-Bbox and Cache-Control, got %v", inside.header)
	}
	retina := decodePNG(t, get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/124/92@2x.png?assets=visual", e.url, id)))
	if retina.Bounds().Dx() != 512 {
		t.Errorf("@2x tile is %d px wide, want 512", retina.Bounds().Dx())
	}
	jpg := get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/124/92.jpg?assets=visual", e.url, id))
	if jpg.status != 200 || jpg.header.Get("Content-Type") != "image/jpg" || len(jpg.body) < 100 {
		t.Errorf("jpg tile: %d %q", jpg.status, jpg.header.Get("Content-Type"))
	}
}

// The viewer takes the tile parameters: without assets it is 422, as
// titiler-pgstac's map.html.
func TestViewerWithoutAssetsIs422(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	if d := get(t, e.url+"/searches/"+id+"/WebMercatorQuad/map.html").detail(t, 422); !strings.Contains(d, "assets") {
		t.Errorf("detail %q does not name assets", d)
	}
	if r := get(t, e.url+"/searches/"+id+"/WebMercatorQuad/map.html?assets=visual"); r.status != 200 {
		t.Errorf("with assets: %d", r.status)
	}
}

// In debug mode (TITILER_PGSTAC_API_DEBUG) a mosaic tile names the items
// it was made of, as titiler-pgstac's X-Assets; not otherwise.
func TestDebugModeNamesTheItemsOfATile(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	tile := "/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual"
	if h := get(t, e.url+tile).header.Get("X-Assets"); h != "" {
		t.Errorf("X-Assets %q outside debug mode", h)
	}
	debug, _ := serve(t, e.catalog.DatabaseURL, nil, []string{testenv.COGDir(t)}, "", func(s *handler.Server) { s.Debug = true })
	r := get(t, debug+tile)
	if h := r.header.Get("X-Assets"); r.status != 200 || !strings.HasPrefix(h, "demo-rgb/rgb_") {
		t.Errorf("debug tile: %d, X-Assets %q, want demo-rgb/<item>,...", r.status, h)
	}
	if h := r.header.Get("Server-Timing"); !strings.Contains(h, "total;dur=") {
		t.Errorf("debug tile: Server-Timing %q, want total;dur=...", h)
	}
	r = get(t, debug+"/searches/"+id+"/bbox/-1,44,1,46.png?assets=visual")
	if h := r.header.Get("X-Assets"); r.status != 200 || !strings.Contains(h, "demo-rgb/") {
		t.Errorf("debug bbox: %d, X-Assets %q", r.status, h)
	}
}
