package tiles_test

import (
	"context"
	"math"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/demo"
	"tilefunc/storage"
	"tilefunc/tiles"
)

// TestTilesOfOtherSetsMatchSourcePixels warps the demo gradient (EPSG:4326,
// lon -9.5..0.5, lat 40..50) into tiles of geographic and projected sets
// and checks every 8th pixel against the source pixel under its centre,
// reprojected on its own.
func TestTilesOfOtherSetsMatchSourcePixels(t *testing.T) {
	dir := t.TempDir()
	rgb := demo.Rasters[0]
	path, err := demo.WriteCOG(dir, rgb)
	if err != nil {
		t.Fatal(err)
	}
	r := tiles.NewRenderer(storage.NewResolver(nil, "", []string{dir}, nil), 2)
	items := []tilefunc.Item{{ID: rgb.Name, Assets: map[string]tilefunc.Asset{"visual": {Href: path}}}}
	spec := tiles.Spec{Layer: tiles.Layer{Assets: []tiles.AssetSpec{{Name: "visual"}}}}
	for _, c := range []struct {
		id       string
		z        int
		lon, lat float64 // a point the tile holds
		partial  bool    // the tile reaches past the raster, at a zoom where GDAL reads an overview
	}{
		{"WorldCRS84Quad", 6, -4, 46, false}, // 6/62/15: lon -5.625..-2.8125, lat 45..47.8125
		{"WGS1984Quad", 6, -4, 46, false},    // the same tile, Lat/Lon in its document
		{"EuropeanETRS89_LAEAQuad", 5, -4, 46, false},
		{"EuropeanETRS89_LAEAQuad", 3, -4, 46, true},
		{"UTM31WGS84Quad", 8, -4, 46, false},
		{"UTM31WGS84Quad", 6, -4, 46, true},
	} {
		tms := mustTMS(t, c.id)
		p := newProjector(t, tms.SRS)
		tile := tileAt(t, tms, p, c.z, c.lon, c.lat)
		win, err := tms.Window(tile, 256)
		if err != nil {
			t.Fatal(err)
		}
		img, err := r.Image(context.Background(), items, win, spec)
		if err != nil {
			t.Fatalf("%s %v: %v", c.id, tile, err)
		}
		inside, outside, exact := 0, 0, 0
		for j := 4; j < win.Height; j += 8 {
			for i := 4; i < win.Width; i += 8 {
				x := win.Bounds[0] + (float64(i)+0.5)/float64(win.Width)*(win.Bounds[2]-win.Bounds[0])
				y := win.Bounds[3] - (float64(j)+0.5)/float64(win.Height)*(win.Bounds[3]-win.Bounds[1])
				lon, lat, ok := project(p.toLonLat, x, y)
				if !ok {
					t.Fatalf("%s: pixel %d,%d does not reproject", c.id, i, j)
				}
				src := sourceAt(t, path, lon, lat)
				px := i + j*win.Width
				if src == nil {
					if img.AnyValid(px) {
						t.Fatalf("%s %v: pixel %d,%d (%.4f,%.4f) is outside the raster but valid", c.id, tile, i, j, lon, lat)
					}
					outside++
					continue
				}
				if !img.AnyValid(px) {
					t.Fatalf("%s %v: pixel %d,%d (%.4f,%.4f) is inside the raster but not valid", c.id, tile, i, j, lon, lat)
				}
				got := [3]float64{float64(img.Bands[0][px]), float64(img.Bands[1][px]), float64(img.Bands[2][px])}
				e, ok := src.matches(got)
				if !ok && c.partial {
					// An overview pixel (nearest, every 2nd or 4th source
					// pixel) is a few pixels of the gradient away.
					ok = src.within(got, 4)
				}
				if !ok {
					t.Fatalf("%s %v: pixel %d,%d (%.4f,%.4f) = %v, source has %v", c.id, tile, i, j, lon, lat, got, src[4])
				}
				if e {
					exact++
				}
				inside++
			}
		}
		if inside == 0 || (outside > 0) != c.partial {
			t.Fatalf("%s %v: %d pixels inside the raster, %d outside", c.id, tile, inside, outside)
		}
		if !c.partial && exact*10 < inside*9 {
			t.Fatalf("%s %v: only %d of %d pixels equal their source pixel exactly", c.id, tile, exact, inside)
		}
	}
}

// neighbourhood is a source pixel and its 8 neighbours (index 4 is the
// pixel): nearest-neighbour warping may pick either side of an edge.
type neighbourhood [9][3]float64

// within says whether got is at most d from the pixel in every channel.
func (n *neighbourhood) within(got [3]float64, d float64) bool {
	for c := range got {
		if math.Abs(got[c]-n[4][c]) > d {
			return false
		}
	}
	return true
}

func (n *neighbourhood) matches(got [3]float64) (exact, near bool) {
	if n[4] == got {
		return true, true
	}
	for _, v := range n {
		if v == got {
			return false, true
		}
	}
	return false, false
}

// sourceAt reads the demo raster around lon/lat; nil outside it.
func sourceAt(t *testing.T, path string, lon, lat float64) *neighbourhood {
	t.Helper()
	ds, err := godal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	gt, _ := ds.GeoTransform()
	st := ds.Structure()
	col := int(math.Floor((lon - gt[0]) / gt[1]))
	row := int(math.Floor((lat - gt[3]) / gt[5]))
	if col < 0 || row < 0 || col >= st.SizeX || row >= st.SizeY {
		return nil
	}
	var n neighbourhood
	for k := range n {
		c := max(0, min(st.SizeX-1, col+k%3-1))
		r := max(0, min(st.SizeY-1, row+k/3-1))
		buf := make([]float64, 3)
		if err := ds.Read(c, r, buf, 1, 1); err != nil {
			t.Fatal(err)
		}
		n[k] = [3]float64{buf[0], buf[1], buf[2]}
	}
	return &n
}
