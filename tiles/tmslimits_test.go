package tiles_test

import (
	"math"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/tiles"
)

// demoBox is the demo RGB mosaic's extent.
var demoBox = [4]float64{-9.5, 40, 10.5, 50}

// slippy is the Web Mercator tile of lon/lat at zoom z, by the usual
// slippy-map formula (not the code under test).
func slippy(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	phi := lat * math.Pi / 180
	x := math.Floor((lon + 180) / 360 * n)
	y := math.Floor((1 - math.Log(math.Tan(phi)+1/math.Cos(phi))/math.Pi) / 2 * n)
	return int(x), int(y)
}

func TestWebMercatorLimitsAreTheSlippyTilesOfTheCorners(t *testing.T) {
	tms := mustTMS(t, "WebMercatorQuad")
	limits, err := tms.Limits(demoBox, 0, 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(limits) != 13 {
		t.Fatalf("%d zooms, want 13", len(limits))
	}
	for z, l := range limits {
		x0, y0 := slippy(demoBox[0], demoBox[3], z)
		x1, y1 := slippy(demoBox[2], demoBox[1], z)
		want := tiles.TileMatrixLimits{TileMatrix: tms.Matrices[z].ID, MinTileRow: y0, MaxTileRow: y1, MinTileCol: x0, MaxTileCol: x1}
		if l != want {
			t.Errorf("zoom %d: %+v, want %+v", z, l, want)
		}
	}
}

func TestCRS84LimitsAndZoomsCutToTheSet(t *testing.T) {
	tms := mustTMS(t, "WorldCRS84Quad")
	limits, err := tms.Limits(demoBox, -3, 99)
	if err != nil {
		t.Fatal(err)
	}
	if len(limits) != tms.MaxZoom()-tms.MinZoom()+1 || limits[0].TileMatrix != "0" {
		t.Fatalf("zooms %s..%s, want the set's %d..%d", limits[0].TileMatrix, limits[len(limits)-1].TileMatrix, tms.MinZoom(), tms.MaxZoom())
	}
	for z, l := range limits[:10] {
		size := 180 / math.Exp2(float64(z)) // degrees per tile
		want := tiles.TileMatrixLimits{
			TileMatrix: tms.Matrices[z].ID,
			MinTileRow: int((90 - 50) / size), MaxTileRow: int((90 - 40) / size),
			MinTileCol: int((180 - 9.5) / size), MaxTileCol: int((180 + 10.5) / size),
		}
		if l != want {
			t.Errorf("zoom %d: %+v, want %+v", z, l, want)
		}
	}
	if got, _ := tms.Limits(demoBox, 5, 4); len(got) != 0 {
		t.Errorf("minzoom above maxzoom gave %v", got)
	}
	world, _ := tms.Limits([4]float64{-180, -90, 180, 90}, 3, 3)
	if w := world[0]; w.MinTileCol != 0 || w.MinTileRow != 0 || w.MaxTileCol != 15 || w.MaxTileRow != 7 {
		t.Errorf("the whole world at zoom 3 is %+v, want every tile (clamped to the matrix)", w)
	}
}

// In a conic projection a lon/lat box bulges: its top edge reaches further
// north between the corners. Every point of the box, projected by GDAL,
// must fall in a tile the limits include.
func TestProjectedLimitsCoverTheWholeBox(t *testing.T) {
	for _, id := range []string{"EuropeanETRS89_LAEAQuad", "CanadianNAD83_LCC", "UTM31WGS84Quad"} {
		tms := mustTMS(t, id)
		box := demoBox
		if id == "CanadianNAD83_LCC" {
			box = [4]float64{-120, 45, -60, 60}
		}
		limits, err := tms.Limits(box, tms.MinZoom(), tms.MinZoom()+6)
		if err != nil {
			t.Fatal(err)
		}
		points := projectGrid(t, tms.SRS, box, 40)
		for i, l := range limits {
			z, m := tms.MinZoom()+i, tms.Matrices[i]
			lo, err1 := tms.Bounds(tiles.Tile{Z: z, X: l.MinTileCol, Y: l.MaxTileRow})
			hi, err2 := tms.Bounds(tiles.Tile{Z: z, X: l.MaxTileCol, Y: l.MinTileRow})
			if err1 != nil || err2 != nil {
				t.Fatalf("%s zoom %d: limits %+v outside the matrix: %v %v", id, z, l, err1, err2)
			}
			if l.MinTileCol == 0 && l.MaxTileCol == m.MatrixWidth-1 && l.MinTileRow == 0 && l.MaxTileRow == m.MatrixHeight-1 && z > tms.MinZoom()+3 {
				t.Errorf("%s zoom %d: limits are the whole matrix", id, z)
			}
			for _, p := range points {
				if p[0] < lo[0] || p[0] > hi[2] || p[1] < lo[1] || p[1] > hi[3] {
					if p[0] >= tms.BBox[0] && p[0] <= tms.BBox[2] && p[1] >= tms.BBox[1] && p[1] <= tms.BBox[3] {
						t.Fatalf("%s zoom %d: point %v of the box is outside the limits %+v (%v..%v)", id, z, p, l, lo, hi)
					}
				}
			}
		}
	}
}

// projectGrid projects an n×n grid of points of a lon/lat box into srs.
func projectGrid(t *testing.T, srs string, box [4]float64, n int) [][2]float64 {
	t.Helper()
	src, err := godal.NewSpatialRefFromEPSG(4326)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := godal.NewSpatialRef(srs)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	tr, err := godal.NewTransform(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var xs, ys []float64
	for i := 0; i <= n; i++ {
		for j := 0; j <= n; j++ {
			xs = append(xs, box[0]+(box[2]-box[0])*float64(i)/float64(n))
			ys = append(ys, box[1]+(box[3]-box[1])*float64(j)/float64(n))
		}
	}
	ok := make([]bool, len(xs))
	if err := tr.TransformEx(xs, ys, nil, ok); err != nil {
		t.Fatal(err)
	}
	var out [][2]float64
	for i := range xs {
		if ok[i] {
			out = append(out, [2]float64{xs[i], ys[i]})
		}
	}
	return out
}

func TestGeographicCRSIsTheDatumOfTheSet(t *testing.T) {
	for id, want := range map[string]string{
		"WebMercatorQuad":         "http://www.opengis.net/def/crs/EPSG/0/4326",
		"WorldCRS84Quad":          "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
		"WGS1984Quad":             "http://www.opengis.net/def/crs/EPSG/0/4326",
		"EuropeanETRS89_LAEAQuad": "http://www.opengis.net/def/crs/EPSG/0/4258",
		"CanadianNAD83_LCC":       "http://www.opengis.net/def/crs/EPSG/0/4269",
		"NZTM2000Quad":            "http://www.opengis.net/def/crs/EPSG/0/4167",
		"UTM31WGS84Quad":          "http://www.opengis.net/def/crs/EPSG/0/4326",
	} {
		if got := mustTMS(t, id).GeographicCRS(); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}

func TestBoundsInReprojectsAndRefusesWhatIsNotACRSName(t *testing.T) {
	const half = math.Pi * 6378137
	wantX0, wantX1 := -9.5/180*half, 10.5/180*half
	for _, crs := range []string{"EPSG:3857", "[EPSG:3857]", "http://www.opengis.net/def/crs/EPSG/0/3857", "urn:ogc:def:crs:EPSG::3857"} {
		b, uri, err := tiles.BoundsIn(demoBox, crs)
		if err != nil {
			t.Fatalf("%s: %v", crs, err)
		}
		if uri != "http://www.opengis.net/def/crs/EPSG/0/3857" || math.Abs(b[0]-wantX0) > 1e-6 || math.Abs(b[2]-wantX1) > 1e-6 {
			t.Errorf("%s: %v %s, want x %v..%v", crs, b, uri, wantX0, wantX1)
		}
		// Web Mercator's y of latitude 50, by the closed form.
		if y := math.Log(math.Tan((90+50)*math.Pi/360)) * 6378137; math.Abs(b[3]-y) > 1e-6 {
			t.Errorf("%s: north %v, want %v", crs, b[3], y)
		}
	}
	if b, uri, err := tiles.BoundsIn(demoBox, "OGC:CRS84"); err != nil || b != demoBox || uri != "http://www.opengis.net/def/crs/OGC/1.3/CRS84" {
		t.Errorf("CRS84: %v %s %v", b, uri, err)
	}
	for _, bad := range []string{"foo", "EPSG:abc", "EPSG:999999", "+proj=merc", "/etc/passwd", "http://example.com/crs.wkt", `GEOGCS["x"]`} {
		if _, _, err := tiles.BoundsIn(demoBox, bad); tilefunc.ErrorCode(err) != tilefunc.EINVALID {
			t.Errorf("%q: %v, want an EINVALID error", bad, err)
		}
	}
}

// A mosaic without a bbox covers the set's whole extent: every tile, in
// every set, even where the extent's edges leave the CRS's domain.
func TestLimitsOfTheWholeSetAreEveryTile(t *testing.T) {
	for _, id := range allSets {
		tms := mustTMS(t, id)
		for _, geo := range [][4]float64{tms.Geo, {-180, -90, 180, 90}} {
			limits, err := tms.Limits(geo, tms.MinZoom(), tms.MinZoom()+3)
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range limits {
				m := tms.Matrices[i]
				if l.MinTileCol != 0 || l.MinTileRow != 0 || l.MaxTileCol != m.MatrixWidth-1 || l.MaxTileRow != m.MatrixHeight-1 {
					t.Errorf("%s %v zoom %s: %+v, want the whole %dx%d matrix", id, geo, m.ID, l, m.MatrixWidth, m.MatrixHeight)
				}
			}
		}
	}
}
