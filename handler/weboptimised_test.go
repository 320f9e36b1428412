package handler_test

import (
	"fmt"
	"image"
	"math"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc/internal/testenv"
)

// webMercatorHalf is half the width of EPSG:3857's world, in metres.
const webMercatorHalf = 20037508.342789244

// A web-optimised COG (EPSG:3857, its levels on WebMercatorQuad's tiles)
// needs no warp: a tile at one of its zooms is one of its internal tiles,
// read as stored (rio-tiler reads a raster in the tile's CRS the same way).
func TestWebOptimisedCOGTilesAreItsInternalTiles(t *testing.T) {
	dir := t.TempDir()
	cog := filepath.Join(dir, "rgb_west_webmercator.tif")
	writeWebOptimised(t, testenv.COGs(t)["rgb_west"], cog)
	cat := testenv.LoadCatalog(t, map[string]string{"rgb_west": cog})
	srv, _ := serve(t, cat.DatabaseURL, nil, []string{dir}, "")

	ds, err := godal.Open(cog)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	gt, err := ds.GeoTransform()
	if err != nil {
		t.Fatal(err)
	}
	native := int(math.Round(math.Log2(2 * webMercatorHalf / 256 / gt[1])))
	checked := 0
	for level := 0; level < 3; level++ {
		z := native - level
		res := gt[1] * math.Exp2(float64(level))
		col0 := (gt[0] + webMercatorHalf) / (256 * res)
		row0 := (webMercatorHalf - gt[3]) / (256 * res)
		if col0 != math.Round(col0) || row0 != math.Round(row0) {
			t.Fatalf("level %d: the COG's origin is at tile %g,%g of zoom %d, not on a tile's corner", level, col0, row0, z)
		}
		w, h := levelSize(t, ds, level)
		for ty := 0; ty < (h+255)/256; ty++ {
			for tx := 0; tx < (w+255)/256; tx++ {
				x, y := int(col0)+tx, int(row0)+ty
				path := fmt.Sprintf("/collections/demo-rgb/items/rgb_west/tiles/WebMercatorQuad/%d/%d/%d.png?assets=visual", z, x, y)
				r := get(t, srv+path)
				if r.status == http.StatusNotFound { // padding beyond the item's bbox, as titiler-pgstac answers
					continue
				}
				got := decodePNG(t, r)
				want := storedTile(t, ds, level, tx*256, ty*256)
				if diff := sameAsStored(got, want); diff != "" {
					t.Errorf("%s, internal tile %d,%d of level %d: %s", path, tx, ty, level, diff)
				}
				checked++
			}
		}
	}
	t.Logf("%d tiles of zooms %d-%d equal to the stored ones", checked, native-2, native)
	if checked < 4 {
		t.Fatalf("checked %d tiles: the COG has too few to show anything", checked)
	}
}

// writeWebOptimised makes src a web-optimised COG at dst, as
// rio cogeo --web-optimized would: GDAL's COG driver on WebMercatorQuad,
// every level aligned with its tiles, losslessly compressed.
func writeWebOptimised(t *testing.T, src, dst string) {
	t.Helper()
	in, err := godal.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := in.Translate(dst, []string{"-of", "COG", "-co", "TILING_SCHEME=GoogleMapsCompatible", "-co", "ALIGNED_LEVELS=3",
		"-co", "COMPRESS=DEFLATE", "-co", "RESAMPLING=NEAREST"})
	if err != nil {
		t.Fatalf("make a web-optimised COG: %v", err)
	}
	out.Close()
}

func levelSize(t *testing.T, ds *godal.Dataset, level int) (int, int) {
	t.Helper()
	if level == 0 {
		s := ds.Structure()
		return s.SizeX, s.SizeY
	}
	ovr := ds.Bands()[0].Overviews()
	if len(ovr) < level {
		t.Fatalf("the COG has %d overviews, want at least %d", len(ovr), level)
	}
	s := ovr[level-1].Structure()
	return s.SizeX, s.SizeY
}

// tileData is a 256×256 tile's RGB values and whether each pixel has data.
type tileData struct {
	rgb  [3][]byte
	data []bool
}

// storedTile is the COG's internal tile at (x0, y0) of level (0: full
// resolution), read band by band with its mask; beyond the raster's edge
// a pixel has no data.
func storedTile(t *testing.T, ds *godal.Dataset, level, x0, y0 int) tileData {
	t.Helper()
	bands := ds.Bands()
	pick := func(b godal.Band) godal.Band {
		if level == 0 {
			return b
		}
		return b.Overviews()[level-1]
	}
	w, h := levelSize(t, ds, level)
	cw, ch := min(256, w-x0), min(256, h-y0)
	read := func(b godal.Band) []byte {
		buf := make([]byte, cw*ch)
		if err := pick(b).Read(x0, y0, buf, cw, ch); err != nil {
			t.Fatal(err)
		}
		out := make([]byte, 256*256)
		for r := 0; r < ch; r++ {
			copy(out[r*256:r*256+cw], buf[r*cw:(r+1)*cw])
		}
		return out
	}
	var td tileData
	for i := 0; i < 3; i++ {
		td.rgb[i] = read(bands[i])
	}
	mask := read(bands[0].MaskBand())
	td.data = make([]bool, 256*256)
	for p := range mask {
		x, y := p%256, p/256
		td.data[p] = x < cw && y < ch && mask[p] > 0
	}
	return td
}

// sameAsStored says how the served tile differs from the stored one: every
// pixel with data must be opaque and of the stored colour, every other
// transparent.
func sameAsStored(got image.Image, want tileData) string {
	if b := got.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		return fmt.Sprintf("%dx%d, want 256x256", b.Dx(), b.Dy())
	}
	wrong := 0
	first := ""
	for p := range want.data {
		x, y := p%256, p/256
		r, g, b, a := got.At(x, y).RGBA()
		ok := a == 0
		if want.data[p] {
			ok = a == 0xffff && byte(r>>8) == want.rgb[0][p] && byte(g>>8) == want.rgb[1][p] && byte(b>>8) == want.rgb[2][p]
		}
		if !ok {
			if wrong == 0 {
				first = fmt.Sprintf("pixel %d,%d is %d,%d,%d alpha %d, stored %d,%d,%d with data %v", x, y, r>>8, g>>8, b>>8, a>>8,
					want.rgb[0][p], want.rgb[1][p], want.rgb[2][p], want.data[p])
			}
			wrong++
		}
	}
	if wrong > 0 {
		return fmt.Sprintf("%d pixels differ; the first: %s", wrong, first)
	}
	return ""
}
