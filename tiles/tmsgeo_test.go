package tiles_test

import (
	"math"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc/tiles"
)

// projector reprojects between a set's CRS and longitude/latitude with its
// own GDAL transformations, independently of the package's.
type projector struct {
	toLonLat, fromLonLat *godal.Transform
}

func newProjector(t testing.TB, srs string) *projector {
	t.Helper()
	src, err := godal.NewSpatialRef(srs)
	if err != nil {
		t.Fatal(err)
	}
	ll, err := godal.NewSpatialRefFromEPSG(4326) // longitude first in godal
	if err != nil {
		t.Fatal(err)
	}
	to, err := godal.NewTransform(src, ll)
	if err != nil {
		t.Fatal(err)
	}
	from, err := godal.NewTransform(ll, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { to.Close(); from.Close(); src.Close(); ll.Close() })
	return &projector{to, from}
}

func project(tr *godal.Transform, x, y float64) (float64, float64, bool) {
	xs, ys, ok := []float64{x}, []float64{y}, []bool{false}
	if tr.TransformEx(xs, ys, nil, ok) != nil || !ok[0] || math.IsInf(xs[0], 0) || math.IsNaN(xs[0]) || math.IsInf(ys[0], 0) {
		return 0, 0, false
	}
	return xs[0], ys[0], true
}

// tileAt returns the tile of zoom z holding lon/lat.
func tileAt(t testing.TB, tms *tiles.TileMatrixSet, p *projector, z int, lon, lat float64) tiles.Tile {
	t.Helper()
	x, y, ok := project(p.fromLonLat, lon, lat)
	if !ok {
		t.Fatalf("%s cannot hold %v,%v", tms.ID, lon, lat)
	}
	m, ok := tms.Matrix(z)
	if !ok {
		t.Fatalf("%s has no zoom %d", tms.ID, z)
	}
	w, h := m.CellSize*float64(m.TileWidth), m.CellSize*float64(m.TileHeight)
	row := math.Floor((m.Origin[1] - y) / h)
	if m.CornerOfOrigin == tiles.BottomLeft {
		row = math.Floor((y - m.Origin[1]) / h)
	}
	return tiles.Tile{Z: z, X: int(math.Floor((x - m.Origin[0]) / w)), Y: int(row)}
}

// places are a point inside each set's area, for deeper zooms.
var places = map[string][2]float64{
	"CDB1GlobalGrid": {2.35, 48.85}, "GNOSISGlobalGrid": {2.35, 48.85}, "WGS1984Quad": {2.35, 48.85},
	"WorldCRS84Quad": {2.35, 48.85}, "WebMercatorQuad": {2.35, 48.85}, "WorldMercatorWGS84Quad": {2.35, 48.85},
	"UTM31WGS84Quad": {2.35, 48.85}, "EuropeanETRS89_LAEAQuad": {2.35, 48.85},
	"CanadianNAD83_LCC": {-75.7, 45.4}, "NZTM2000Quad": {174.78, -41.29}, "LINZAntarticaMapTilegrid": {166.67, -77.85},
	"UPSArcticWGS84Quad": {-40, 80}, "UPSAntarcticWGS84Quad": {0, -80},
}

// TestGeoBoundsHoldTheWholeTile reprojects a 5×5 grid of points inside
// tiles (centre included) on its own and checks that GeoBounds holds them:
// every tile of the first zooms, and tiles over a place at deeper zooms.
func TestGeoBoundsHoldTheWholeTile(t *testing.T) {
	for _, id := range allSets {
		tms := mustTMS(t, id)
		p := newProjector(t, tms.SRS)
		var sample []tiles.Tile
		for z := tms.MinZoom(); z <= tms.MinZoom()+3; z++ {
			m, _ := tms.Matrix(z)
			sx, sy := max(1, m.MatrixWidth/8), max(1, m.MatrixHeight/8)
			for y := 0; y < m.MatrixHeight; y += sy {
				for x := 0; x < m.MatrixWidth; x += sx {
					sample = append(sample, tiles.Tile{Z: z, X: x, Y: y})
				}
			}
		}
		place := places[id]
		for _, dz := range []int{6, 10, 16} {
			sample = append(sample, tileAt(t, tms, p, min(tms.MinZoom()+dz, tms.MaxZoom()), place[0], place[1]))
		}
		checked := 0
		for _, tile := range sample {
			b, err := tms.Bounds(tile)
			if err != nil {
				t.Fatalf("%s %v: %v", id, tile, err)
			}
			g, err := tms.GeoBounds(tile)
			if err != nil {
				t.Fatalf("%s %v: %v", id, tile, err)
			}
			for j := 0; j < 5; j++ {
				for i := 0; i < 5; i++ {
					x := b[0] + (float64(i)+0.5)/5*(b[2]-b[0])
					y := b[1] + (float64(j)+0.5)/5*(b[3]-b[1])
					lon, lat, ok := project(p.toLonLat, x, y)
					if !ok {
						continue // outside the CRS's domain
					}
					checked++
					const eps = 1e-9
					if lon < g[0]-eps || lon > g[2]+eps || lat < g[1]-eps || lat > g[3]+eps {
						t.Errorf("%s %v: point %d,%d at %.6f,%.6f is outside GeoBounds %v", id, tile, i, j, lon, lat, g)
					}
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: no point checked", id)
		}
	}
}

// TestGeoBoundsOfThePlaceTile: the tile over each place holds it and is
// small, so that pgSTAC gets a tight box.
func TestGeoBoundsOfThePlaceTile(t *testing.T) {
	for _, id := range allSets {
		tms := mustTMS(t, id)
		p := newProjector(t, tms.SRS)
		place := places[id]
		tile := tileAt(t, tms, p, tms.MinZoom()+12, place[0], place[1])
		g, err := tms.GeoBounds(tile)
		if err != nil {
			t.Fatal(err)
		}
		if place[0] < g[0] || place[0] > g[2] || place[1] < g[1] || place[1] > g[3] {
			t.Errorf("%s %v: %v is outside %v", id, tile, place, g)
		}
		if g[2]-g[0] > 1 || g[3]-g[1] > 1 {
			t.Errorf("%s %v: GeoBounds %v is too wide for a zoom %d tile", id, tile, g, tile.Z)
		}
	}
}

// TestPolarTilesReachThePole: a tile holding a pole reaches it at every
// longitude, though its edges stay far from it.
func TestPolarTilesReachThePole(t *testing.T) {
	for _, c := range []struct {
		id   string
		lat  float64
		zoom int
	}{
		{"UPSArcticWGS84Quad", 90, 1}, // the pole is the corner of the four zoom 1 tiles
		{"UPSArcticWGS84Quad", 90, 7},
		{"UPSAntarcticWGS84Quad", -90, 1},
		{"UPSAntarcticWGS84Quad", -90, 7},
		{"UTM31WGS84Quad", 90, 5},
		{"UTM31WGS84Quad", -90, 5},
		{"LINZAntarticaMapTilegrid", -90, 4},
	} {
		tms := mustTMS(t, c.id)
		p := newProjector(t, tms.SRS)
		tile := tileAt(t, tms, p, c.zoom, 0, c.lat)
		g, err := tms.GeoBounds(tile)
		reached := g[3] == 90
		if c.lat < 0 {
			reached = g[1] == -90
		}
		if err != nil || !reached || g[0] != -180 || g[2] != 180 {
			t.Errorf("%s %v holds the pole at %v: GeoBounds %v (%v)", c.id, tile, c.lat, g, err)
		}
	}
	arctic := mustTMS(t, "UPSArcticWGS84Quad")
	g, _ := arctic.GeoBounds(tiles.Tile{Z: 7, X: 70, Y: 70})
	if g[3] >= 89 || g[2]-g[0] > 90 {
		t.Errorf("a tile away from the pole reaches it: %v", g)
	}
}

// TestAntimeridianTilesSpanAllLongitudes: NZTM2000Quad's tiles over the
// Chatham Islands cross 180°; a box cannot wrap, so it spans the world.
func TestAntimeridianTilesSpanAllLongitudes(t *testing.T) {
	tms := mustTMS(t, "NZTM2000Quad")
	p := newProjector(t, tms.SRS)
	tile := tileAt(t, tms, p, 6, 180, -44)
	b, _ := tms.Bounds(tile)
	west, _, ok1 := project(p.toLonLat, b[0], (b[1]+b[3])/2)
	east, _, ok2 := project(p.toLonLat, b[2], (b[1]+b[3])/2)
	if !ok1 || !ok2 || west < 0 || east > 0 {
		t.Fatalf("tile %v should cross 180°: its west edge is at %v, its east at %v", tile, west, east)
	}
	g, err := tms.GeoBounds(tile)
	if err != nil || g[0] != -180 || g[2] != 180 || g[1] > -44 || g[3] < -44 {
		t.Fatalf("tile %v across 180°: GeoBounds %v (%v)", tile, g, err)
	}
}

func BenchmarkGeoBoundsWebMercator(b *testing.B) {
	tms := mustTMS(b, "WebMercatorQuad")
	tile := tiles.Tile{Z: 14, X: 8299, Y: 5635}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := tms.GeoBounds(tile); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeoBoundsProjected(b *testing.B) {
	tms := mustTMS(b, "EuropeanETRS89_LAEAQuad")
	tile := tileAt(b, tms, newProjector(b, tms.SRS), 10, 2.35, 48.85)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tms.GeoBounds(tile); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeoBoundsProjectedParallel(b *testing.B) {
	tms := mustTMS(b, "EuropeanETRS89_LAEAQuad")
	tile := tileAt(b, tms, newProjector(b, tms.SRS), 10, 2.35, 48.85)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tms.GeoBounds(tile); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
