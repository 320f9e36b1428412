package handler_test

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/airbusgeo/godal"
)

// A tile as GeoTIFF is georeferenced with the tile's bounds in its set's
// CRS, and holds the source values with the mask as alpha.
func TestTileGeoTIFFIsGeoreferenced(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	const z, x, y = 8, 124, 92
	r := get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/%d/%d/%d.tif?assets=visual&tilesize=256", e.url, id, z, x, y))
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/tiff; application=geotiff" {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	path := filepath.Join(t.TempDir(), "tile.tif")
	if err := os.WriteFile(path, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := godal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if st := ds.Structure(); st.SizeX != 256 || st.SizeY != 256 || st.NBands != 4 {
		t.Fatalf("GeoTIFF %+v: want 256x256 RGB and alpha", st)
	}
	const half = math.Pi * 6378137
	size := 2 * half / (1 << z)
	gt, _ := ds.GeoTransform()
	if math.Abs(gt[0]-(-half+float64(x)*size)) > 1e-6 || math.Abs(gt[3]-(half-float64(y)*size)) > 1e-6 || math.Abs(gt[1]-size/256) > 1e-9 {
		t.Errorf("geotransform %v, want the tile's", gt)
	}
	buf := make([]float64, 4)
	if err := ds.Read(100, 60, buf, 1, 1); err != nil {
		t.Fatal(err)
	}
	lon, lat := pixelLonLat(z, x, y, 100, 60, 256)
	if _, ok := readSource(t, e.catalog.Paths["rgb_west"], lon, lat).matches(buf[:3]); !ok || buf[3] != 255 {
		t.Errorf("pixel 100,60 = %v, source %v", buf, readSource(t, e.catalog.Paths["rgb_west"], lon, lat).center)
	}
}
