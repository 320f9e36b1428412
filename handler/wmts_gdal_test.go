package handler_test

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc/internal/testenv"
)

// GDAL's WMTS driver (what QGIS uses) reads the capabilities: one
// subdataset per layer, the layer in its set's CRS at the resolution of the
// zoom asked for, and pixels fetched through the template from this server
// equal to the source COGs'. The client is Debian's GDAL (gdalinfo and
// gdal_translate of gdal-bin): tilefunc's own GDAL has no WMTS driver.
func TestWMTSCapabilitiesReadByGDAL(t *testing.T) {
	// GDAL's WMS/WMTS tile cache (./gdalwmscache by default) would keep
	// tiles between runs: every pixel must come from this server.
	t.Setenv("GDAL_ENABLE_WMS_CACHE", "NO")
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	caps := e.url + "/searches/" + id + "/WMTSCapabilities.xml?assets=visual"

	// The document as a file: every layer is a subdataset.
	dir := t.TempDir()
	file := filepath.Join(dir, "WMTSCapabilities.xml")
	if err := os.WriteFile(file, get(t, caps).body, 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := testenv.DebianGDALInfo(file)
	if err != nil {
		t.Fatalf("GDAL cannot open the capabilities: %v", err)
	}
	sub := doc.Domain("SUBDATASETS")
	if doc.Driver != "WMTS" || len(sub) != 2*13 || !strings.Contains(sub["SUBDATASET_11_NAME"], "layer="+id+"_WebMercatorQuad_default") {
		t.Fatalf("driver %s, subdatasets %v", doc.Driver, sub)
	}

	// The Web Mercator layer at zoom 8, served by this server.
	layer := "WMTS:" + caps + ",layer=" + id + "_WebMercatorQuad_default,zoom_level=8"
	info, err := testenv.DebianGDALInfo(layer)
	if err != nil {
		t.Fatalf("GDAL cannot open the Web Mercator layer: %v", err)
	}
	if info.STAC.EPSG != 3857 {
		t.Fatalf("layer CRS EPSG:%d, want EPSG:3857\n%s", info.STAC.EPSG, info.CRS.WKT)
	}
	gt, sizeX, bands := info.GeoTransform, info.Size[0], len(info.Bands)
	const half = math.Pi * 6378137
	res := 2 * half / 256 / 256 // zoom 8
	west, east := -9.5/180*half, 10.5/180*half
	if math.Abs(gt[1]-res) > 1e-6 || math.Abs(gt[5]+res) > 1e-6 || bands != 4 {
		t.Fatalf("pixel size %v x %v with %d bands, want %v and RGBA", gt[1], gt[5], bands, res)
	}
	if math.Abs(gt[0]-west) > res || math.Abs(gt[0]+float64(sizeX)*gt[1]-east) > res {
		t.Fatalf("x extent %v..%v, want the mosaic's %v..%v", gt[0], gt[0]+float64(sizeX)*gt[1], west, east)
	}

	// A window across the seam between the two items, read through the
	// tile URLs: every 8th pixel equals its source pixel.
	col := int((0.5/180*half - gt[0]) / gt[1])
	x0, y0, w, h := col-200, 800, 400, 200
	window := filepath.Join(dir, "window.tif")
	if err := testenv.DebianGDALTranslate("-srcwin", strconv.Itoa(x0), strconv.Itoa(y0), strconv.Itoa(w), strconv.Itoa(h), layer, window); err != nil {
		t.Fatalf("GDAL could not read tiles through the template: %v", err)
	}
	buf := readWindow(t, window, w, h)
	exact, total, blues := 0, 0, map[uint8]int{}
	for j := 4; j < h; j += 8 {
		for i := 4; i < w; i += 8 {
			px := buf[(j*w+i)*4 : (j*w+i)*4+4]
			mx, my := gt[0]+(float64(x0+i)+0.5)*gt[1], gt[3]+(float64(y0+j)+0.5)*gt[5]
			lon, lat := mx/half*180, math.Atan(math.Sinh(my/6378137))*180/math.Pi
			src := readSource(t, e.catalog.Paths["rgb_west"], lon, lat)
			if !src.ok {
				src = readSource(t, e.catalog.Paths["rgb_east"], lon, lat)
			}
			got := []float64{float64(px[0]), float64(px[1]), float64(px[2])}
			ok, near := src.matches(got)
			if !src.ok || px[3] != 255 || !near {
				t.Fatalf("pixel %d,%d (%.4f,%.4f) = %v, source %v", x0+i, y0+j, lon, lat, px, src.center)
			}
			if ok {
				exact++
			}
			total++
			blues[px[2]]++
		}
	}
	if exact*10 < total*9 || blues[60] == 0 || blues[200] == 0 {
		t.Fatalf("%d of %d pixels exact, blues %v: want both items, nearly all exact", exact, total, blues)
	}
	t.Logf("GDAL read %dx%d pixels of the %dx%d layer: %d of %d samples exact", w, h, sizeX, info.Size[1], exact, total)
}

// readWindow reads the RGBA window gdal_translate wrote, pixel-interleaved.
func readWindow(t *testing.T, path string, w, h int) []uint8 {
	t.Helper()
	ds, err := godal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	buf := make([]uint8, w*h*4)
	if err := ds.Read(0, 0, buf, w, h); err != nil {
		t.Fatal(err)
	}
	return buf
}
