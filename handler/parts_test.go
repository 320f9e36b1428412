package handler_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/airbusgeo/godal"
)

// partPixels checks every step-th pixel of an image of bounds b (lon/lat)
// against the source COGs, as rgbTile does: where a raster covers the
// pixel's centre and inside(lon, lat) holds, the first raster in order gives
// the pixel; elsewhere it is transparent. Pixels within a pixel of an edge
// of the inside test are skipped (all_touched takes them either way). It
// returns the blue values seen.
func partPixels(t *testing.T, e *env, img image.Image, b [4]float64, step int, inside func(lon, lat, tol float64) (in, sure bool), rasters ...string) map[uint8]int {
	t.Helper()
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	rx, ry := (b[2]-b[0])/float64(w), (b[3]-b[1])/float64(h)
	blues := map[uint8]int{}
	exact, total := 0, 0
	for j := step / 2; j < h; j += step {
		for i := step / 2; i < w; i += step {
			lon, lat := b[0]+(float64(i)+0.5)*rx, b[3]-(float64(j)+0.5)*ry
			in, sure := inside(lon, lat, math.Max(rx, ry))
			if !sure {
				continue
			}
			src := source{}
			for _, name := range rasters {
				if src = readSource(t, e.catalog.Paths[name], lon, lat); src.ok {
					break
				}
			}
			c := nrgba(img, i, j)
			if !src.ok || !in {
				if c.A != 0 {
					t.Fatalf("pixel %d,%d (%.4f,%.4f) should be transparent, has %v", i, j, lon, lat, c)
				}
				continue
			}
			got := []float64{float64(c.R), float64(c.G), float64(c.B)}
			ok, near := src.matches(got)
			if c.A != 255 || !near {
				t.Fatalf("pixel %d,%d (%.4f,%.4f) = %v, source has %v", i, j, lon, lat, c, src.center)
			}
			if ok {
				exact++
			}
			total++
			blues[c.B]++
		}
	}
	if total == 0 || exact*100 < total*99 {
		t.Fatalf("only %d of %d pixels equal their source pixel exactly", exact, total)
	}
	return blues
}

func everywhere(_, _, _ float64) (bool, bool) { return true, true }

func TestBBoxImageAcrossTwoItemsMatchesSourcePixels(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	r := get(t, fmt.Sprintf("%s/searches/%s/bbox/-1,44,2,46.png?assets=visual", e.url, id))
	img := decodePNG(t, r)
	// The items' pixels are 0.01°: with no size the image is the native one.
	if got := img.Bounds().Size(); got != image.Pt(300, 200) {
		t.Fatalf("image is %v, want the native 300x200", got)
	}
	blues := partPixels(t, e, img, [4]float64{-1, 44, 2, 46}, 2, everywhere, "rgb_west", "rgb_east")
	if blues[60] != 75*100 || blues[200] != 75*100 {
		t.Errorf("want half the image from each item, got blues %v", blues)
	}
	if got := r.header.Get("Content-Bbox"); got != "-1,44,2,46" {
		t.Errorf("Content-Bbox %q", got)
	}
	if got := r.header.Get("Content-Crs"); got != "<http://www.opengis.net/def/crs/EPSG/0/4326>" {
		t.Errorf("Content-Crs %q", got)
	}
}

func TestBBoxImageSizes(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	base := fmt.Sprintf("%s/searches/%s/bbox/-1,44,2,46", e.url, id)
	for url, want := range map[string]image.Point{
		base + "/150x100.png?assets=visual":           {150, 100},
		base + ".png?assets=visual&max_size=120":      {120, 80},
		base + ".png?assets=visual&max_size=101":      {101, 68}, // ceil, as rio-tiler
		base + ".png?assets=visual&width=60":          {60, 40},
		base + ".png?assets=visual&height=50":         {75, 50},
		base + "/30x90.png?assets=visual&max_size=10": {30, 90}, // max_size yields to a size
	} {
		img := decodePNG(t, get(t, url))
		if got := img.Bounds().Size(); got != want {
			t.Errorf("%s: %v, want %v", strings.TrimPrefix(url, base), got, want)
		}
	}
	img := decodePNG(t, get(t, base+"/150x100.png?assets=visual"))
	partPixels(t, e, img, [4]float64{-1, 44, 2, 46}, 3, everywhere, "rgb_west", "rgb_east")
}

func TestBBoxImagePartlyOutsideIsTransparentThere(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	b := [4]float64{8, 48, 12, 52}
	img := decodePNG(t, get(t, fmt.Sprintf("%s/searches/%s/bbox/8,48,12,52.png?assets=visual", e.url, id)))
	blues := partPixels(t, e, img, b, 4, everywhere, "rgb_east")
	if blues[200] == 0 {
		t.Fatalf("no pixel of rgb_east: %v", blues)
	}
}

// A bbox given in Web Mercator and drawn in Web Mercator: the GeoTIFF says
// where it is, and its pixels are the sources'.
func TestBBoxGeoTIFFInWebMercator(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	merc := func(lon, lat float64) (float64, float64) {
		return lon * math.Pi * 6378137 / 180, math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 6378137
	}
	x0, y0 := merc(-1, 44)
	x1, y1 := merc(2, 46)
	r := get(t, fmt.Sprintf("%s/searches/%s/bbox/%f,%f,%f,%f/256x256.tif?assets=visual&coord_crs=EPSG:3857&dst_crs=EPSG:3857", e.url, id, x0, y0, x1, y1))
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/tiff; application=geotiff" {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	path := filepath.Join(t.TempDir(), "bbox.tif")
	if err := os.WriteFile(path, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := godal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	st := ds.Structure()
	if st.SizeX != 256 || st.SizeY != 256 || st.NBands != 4 || st.DataType != godal.Byte {
		t.Fatalf("GeoTIFF %+v: want 256x256, RGB and mask, bytes", st)
	}
	sr := ds.SpatialRef()
	defer sr.Close()
	if sr.AuthorityCode("") != "3857" {
		t.Errorf("GeoTIFF CRS is EPSG:%s, want 3857", sr.AuthorityCode(""))
	}
	gt, _ := ds.GeoTransform()
	if math.Abs(gt[0]-x0) > 1e-3 || math.Abs(gt[3]-y1) > 1e-3 || math.Abs(gt[1]-(x1-x0)/256) > 1e-6 {
		t.Errorf("geotransform %v, want the bbox", gt)
	}
	buf := make([]float64, 4)
	near := 0
	for _, px := range [][2]int{{10, 10}, {100, 200}, {128, 128}, {250, 5}, {200, 240}} {
		if err := ds.Read(px[0], px[1], buf, 1, 1); err != nil {
			t.Fatal(err)
		}
		x, y := gt[0]+(float64(px[0])+0.5)*gt[1], gt[3]+(float64(px[1])+0.5)*gt[5]
		lon, lat := x/6378137*180/math.Pi, math.Atan(math.Sinh(y/6378137))*180/math.Pi
		src := readSource(t, e.catalog.Paths["rgb_west"], lon, lat)
		if !src.ok {
			src = readSource(t, e.catalog.Paths["rgb_east"], lon, lat)
		}
		if _, ok := src.matches(buf[:3]); ok && buf[3] == 255 {
			near++
		} else {
			t.Errorf("pixel %v (%.4f,%.4f) = %v, source %v", px, lon, lat, buf, src.center)
		}
	}
	if got := r.header.Get("Content-Crs"); got != "<http://www.opengis.net/def/crs/EPSG/0/3857>" {
		t.Errorf("Content-Crs %q", got)
	}
}

// npyArray is a decoded .npy file.
type npyArray struct {
	descr string
	shape []int
	data  []byte
}

// npyHeader is the header numpy itself writes, to the byte.
var npyHeader = regexp.MustCompile(`^\{'descr': '[^']+', 'fortran_order': False, 'shape': \(\d+, \d+, \d+\), \} *\n$`)

// readNPY reads a .npy file of version 1.0 whose header is numpy's own.
func readNPY(t *testing.T, b []byte) npyArray {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("not a .npy v1.0 file: % x", b[:min(10, len(b))])
	}
	h := npyFile(t, b)
	if !npyHeader.MatchString(h.Header) {
		t.Fatalf("header %q", h.Header)
	}
	return npyArray{descr: h.Descr, shape: h.Shape, data: h.Data}
}

func TestBBoxNumpyHoldsTheValuesAndTheMask(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-elevation"]}`)
	// Across the nodata corner: lon -8.5..-7.5, lat 37.5..38.5.
	r := get(t, fmt.Sprintf("%s/searches/%s/bbox/-8.5,37.5,-7.5,38.5.npy?assets=elevation", e.url, id))
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/x-binary" {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	a := readNPY(t, r.body)
	if a.descr != "<i2" || a.shape[0] != 2 || a.shape[1] != 100 || a.shape[2] != 100 || len(a.data) != 2*100*100*2 {
		t.Fatalf("npy %s %v (%d bytes): want int16 (2, 100, 100)", a.descr, a.shape, len(a.data))
	}
	at := func(band, row, col int) int16 {
		return int16(binary.LittleEndian.Uint16(a.data[2*(band*100*100+row*100+col):]))
	}
	masked := 0
	for row := 0; row < 100; row++ {
		for col := 0; col < 100; col++ {
			lon, lat := -8.5+(float64(col)+0.5)*0.01, 38.5-(float64(row)+0.5)*0.01
			src := readSource(t, e.catalog.Paths["elevation"], lon, lat)
			v, mask := at(0, row, col), at(1, row, col)
			// The mask is the int16 range, as titiler writes it.
			if src.center[0] == -9999 {
				masked++
				if mask != -32768 {
					t.Fatalf("nodata pixel %d,%d has mask %d", col, row, mask)
				}
				continue
			}
			if mask != 32767 || float64(v) != src.center[0] {
				t.Fatalf("pixel %d,%d = %d (mask %d), source %v", col, row, v, mask, src.center[0])
			}
		}
	}
	if masked != 50*50 {
		t.Errorf("%d masked pixels, want the 50x50 nodata corner", masked)
	}
}

func TestBBoxAssetsAreTheItemsInIt(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	var items []struct{ ID string }
	get(t, fmt.Sprintf("%s/searches/%s/bbox/-1,44,2,46/assets", e.url, id)).json(t, &items)
	if len(items) != 2 || items[0].ID != "rgb_west" || items[1].ID != "rgb_east" {
		t.Fatalf("want both items in order, got %+v", items)
	}
	r := get(t, fmt.Sprintf("%s/searches/%s/bbox/20,20,21,21/assets", e.url, id))
	if r.status != http.StatusOK || string(r.body) != "[]" {
		t.Fatalf("want [] outside every item, got %d %s", r.status, r.body)
	}
}

func TestBBoxRefusesMalformedRequests(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	base := fmt.Sprintf("%s/searches/%s/bbox/", e.url, id)
	for _, path := range []string{
		"-1,44,2,46.gif?assets=visual", "-1,44,x,46.png?assets=visual", "2,44,-1,46.png?assets=visual",
		"-1,44,2,46.png", "-1,44,2,46/0x10.png?assets=visual", "-1,44,2,46/5000x10.png?assets=visual",
		"-1,44,2,46.png?assets=visual&max_size=0", "-1,44,2,46.png?assets=visual&dst_crs=nowhere", "-1,44,2,46/axb.png?assets=visual",
		"-1,44,2,46.png?assets=visual&width=100000", "x,44,2,46/assets",
	} {
		e.checkDetail(t, get(t, base+path), http.StatusUnprocessableEntity, path)
	}
	e.checkDetail(t, get(t, base+"-1,44,2.png?assets=visual"), http.StatusNotFound, "three numbers match no route, as in titiler")
	r := get(t, base+"20,20,21,21.png?assets=visual")
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("outside every item: want 204 with no body, got %d %s", r.status, r.body)
	}
}

// triangleBody is a Feature: the triangle (-1,44), (2,44), (2,46), across
// the seam of the two RGB items; its box is -1,44,2,46.
const triangleBody = `{"type":"Feature","id":"t1","properties":{"name":"triangle"},
	"geometry":{"type":"Polygon","coordinates":[[[-1,44],[2,44],[2,46],[-1,44]]]}}`

// inTriangle says whether lon/lat is under the triangle's slanted side,
// and whether that is sure: more than a pixel and a half from it.
func inTriangle(lon, lat, tol float64) (bool, bool) {
	edge := 44 + (lon+1)*2/3
	return lat < edge, math.Abs(lat-edge) > 1.5*tol
}

func TestFeatureImageMasksOutsideTheTriangle(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	r := post(t, fmt.Sprintf("%s/searches/%s/feature?assets=visual", e.url, id), triangleBody)
	img := decodePNG(t, r) // masked pixels: titiler's default is PNG
	if got := img.Bounds().Size(); got != image.Pt(300, 200) {
		t.Fatalf("image is %v, want the native 300x200 of the triangle's box", got)
	}
	blues := partPixels(t, e, img, [4]float64{-1, 44, 2, 46}, 3, inTriangle, "rgb_west", "rgb_east")
	if blues[60] == 0 || blues[200] == 0 {
		t.Errorf("want both items inside the triangle, got %v", blues)
	}
	clear := 0
	for j := 0; j < 200; j++ {
		for i := 0; i < 300; i++ {
			if nrgba(img, i, j).A == 0 {
				clear++
			}
		}
	}
	// Above the slanted side is half the box, less what all_touched adds.
	if clear < 300*200/2-2*300 || clear > 300*200/2 {
		t.Errorf("%d transparent pixels, want about half of %d", clear, 300*200)
	}
	if got := r.header.Get("Content-Bbox"); got != "-1,44,2,46" {
		t.Errorf("Content-Bbox %q", got)
	}
}

func TestFeatureImageFormatsAndSizes(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	base := fmt.Sprintf("%s/searches/%s/feature", e.url, id)
	img := decodePNG(t, post(t, base+"/150x100.png?assets=visual", triangleBody))
	if got := img.Bounds().Size(); got != image.Pt(150, 100) {
		t.Fatalf("image is %v, want 150x100", got)
	}
	partPixels(t, e, img, [4]float64{-1, 44, 2, 46}, 2, inTriangle, "rgb_west", "rgb_east")
	square := `{"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[[[1,44],[2,44],[2,45],[1,45],[1,44]]]}}`
	if r := post(t, base+"?assets=visual", square); r.status != http.StatusOK || r.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("a feature with no masked pixel should default to JPEG, got %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := post(t, base+".jpg?assets=visual&max_size=50", triangleBody); r.status != http.StatusOK || r.header.Get("Content-Type") != "image/jpg" {
		t.Errorf("feature.jpg: %d %s", r.status, r.header.Get("Content-Type"))
	}
	r := post(t, base+".webp?assets=visual", triangleBody)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/webp" || !bytes.HasPrefix(r.body, []byte("RIFF")) || !bytes.Contains(r.body[:16], []byte("WEBP")) {
		t.Errorf("feature.webp: %d %s % x", r.status, r.header.Get("Content-Type"), r.body[:min(16, len(r.body))])
	}
}

func TestFeatureRefusesMalformedBodies(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	url := fmt.Sprintf("%s/searches/%s/feature?assets=visual", e.url, id)
	ring := func(coords string) string {
		return `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":` + coords + `}}`
	}
	for what, body := range map[string]string{
		"empty":              ``,
		"not JSON":           `{"type":`,
		"a list":             `[]`,
		"a collection":       `{"type":"FeatureCollection","features":[` + triangleBody + `]}`,
		"no geometry":        `{"type":"Feature","properties":{}}`,
		"null geometry":      `{"type":"Feature","properties":{},"geometry":null}`,
		"unknown type":       `{"type":"Feature","properties":{},"geometry":{"type":"Circle","coordinates":[0,0]}}`,
		"open ring":          ring(`[[[-1,44],[2,44],[2,46],[-1,45]]]`),
		"short ring":         ring(`[[[-1,44],[2,44],[-1,44]]]`),
		"strings":            ring(`[[["a",44],[2,44],[2,46],["a",44]]]`),
		"flat":               ring(`[-1,44,2,46]`),
		"a point":            `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,45]}}`,
		"properties not obj": `{"type":"Feature","properties":3,"geometry":{"type":"Polygon","coordinates":[[[-1,44],[2,44],[2,46],[-1,44]]]}}`,
		"trailing data":      triangleBody + `{}`,
	} {
		e.checkDetail(t, post(t, url, body), http.StatusUnprocessableEntity, what)
	}
	e.checkDetail(t, post(t, strings.Replace(url, "feature?", "feature.gif?", 1), triangleBody), http.StatusUnprocessableEntity, "unknown format")
	e.checkDetail(t, post(t, strings.Replace(url, "?assets=visual", "", 1), triangleBody), http.StatusUnprocessableEntity, "no assets")
	far := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[20,20],[21,20],[21,21],[20,20]]]}}`
	if r := post(t, url, far); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("a feature outside every item: want 204 with no body, got %d %s", r.status, r.body)
	}
}

// A feature drawn in Web Mercator: the geometry is carried into the
// output CRS before it masks the image.
func TestFeatureGeoTIFFInWebMercatorMasksTheTriangle(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	r := post(t, fmt.Sprintf("%s/searches/%s/feature/200x200.tif?assets=visual&dst_crs=EPSG:3857", e.url, id), triangleBody)
	if r.status != http.StatusOK || r.header.Get("Content-Crs") != "<http://www.opengis.net/def/crs/EPSG/0/3857>" {
		t.Fatalf("%d %v %s", r.status, r.header, r.body)
	}
	path := filepath.Join(t.TempDir(), "feature.tif")
	if err := os.WriteFile(path, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := godal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	alpha := make([]uint8, 200*200)
	if err := ds.Bands()[3].Read(0, 0, alpha, 200, 200); err != nil {
		t.Fatal(err)
	}
	// The slanted side runs from the bottom-left to the top-right corner
	// (a straight line in lon/lat, nearly straight in Web Mercator).
	if alpha[0] != 0 || alpha[199*200+199] != 255 || alpha[10*200+190] != 255 || alpha[190*200+10] != 255 || alpha[20*200+30] != 0 {
		t.Errorf("alpha at the corners: top-left %d, bottom-right %d, near top-right %d, near bottom-left %d, above the side %d",
			alpha[0], alpha[199*200+199], alpha[10*200+190], alpha[190*200+10], alpha[20*200+30])
	}
}
