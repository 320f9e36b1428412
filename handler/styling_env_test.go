package handler_test

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc/internal/fixtures"
	"tilefunc/internal/testenv"
)

// The styling tests run tilefunc over the styled fixtures of
// internal/fixtures (rasters.go says what every pixel holds) and check the
// pictures it draws against values computed here from the COGs' own
// pixels, read with GDAL, or against the numpy values of
// testdata/styling_golden.json (scripts/styling_golden.py): never against
// tilefunc's own code.

// Collections of the fixtures.
const (
	u8  = "/collections/styled-uint8"
	u16 = "/collections/styled-uint16"
	f32 = "/collections/styled-float32"
	ov  = "/collections/styled-overlap"

	// every item counted by the pixel selection methods
	allItems = "skipcovered=false&exitwhenfull=false"
)

// zoom-9 WebMercatorQuad tiles over the fixtures: a tile pixel (~300 m) is
// finer than a fixture pixel (0.004°, ~440 m), so tiles read full
// resolution.
var (
	// westTile is 2.81-3.52°E 43.58-44.09°N: every item's west edge inside,
	// the EPSG:4326 DEM with its empty corner, ov-20's hole.
	westTile = tileID{9, 260, 186}
	// eastTile is 3.52-4.22°E 43.58-44.09°N: the RGB seam, the uint16
	// hole, the UTM DEM, the four overlapping planes.
	eastTile = tileID{9, 261, 186}
	// fullTile is 3.52-3.87°E 43.83-44.09°N, inside every collection but
	// styled-float32.
	fullTile = tileID{10, 522, 372}
)

// stylingEnv is tilefunc over a fresh pgSTAC database holding the styled
// fixtures, their COGs read from local files.
type stylingEnv struct {
	url string
	set *fixtures.Set
}

func newStylingEnv(t *testing.T) *stylingEnv {
	t.Helper()
	set, err := fixtures.Shared()
	if err != nil {
		t.Fatalf("write the fixture COGs: %v", err)
	}
	db := testenv.LoadDatabase(t, set.Load)
	url, _ := serve(t, db, nil, []string{set.Dir}, "")
	return &stylingEnv{url: url, set: set}
}

// get requests a path of the server.
func (e *stylingEnv) get(t *testing.T, path string) response {
	t.Helper()
	return get(t, e.url+path)
}

// tile requests a WebMercatorQuad tile of a collection, path ending the
// tile (".png?assets=...").
func (e *stylingEnv) tile(t *testing.T, collection string, id tileID, rest string) response {
	t.Helper()
	return e.get(t, fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d%s", collection, id.z, id.x, id.y, rest))
}

// raster is a fixture COG by item/asset ("u16/nir").
func (e *stylingEnv) raster(t *testing.T, key string) *sourceRaster {
	t.Helper()
	p, ok := e.set.Paths[key]
	if !ok {
		t.Fatalf("no fixture %q", key)
	}
	return loadRaster(t, p)
}

// tileID is a WebMercatorQuad tile.
type tileID struct{ z, x, y int }

// grid is a tile's pixel grid of size pixels a side, buffer pixels added
// around it.
type grid struct {
	tile   tileID
	size   int
	buffer float64
}

// lonLat is the centre of pixel (i, j) of the grid.
func (g grid) lonLat(i, j int) (float64, float64) {
	const half = math.Pi * 6378137
	tile := 2 * half / float64(int(1)<<g.tile.z)
	res := tile / float64(g.size)
	mx := -half + float64(g.tile.x)*tile + (float64(i)+0.5-g.buffer)*res
	my := half - float64(g.tile.y)*tile - (float64(j)+0.5-g.buffer)*res
	return mx / half * 180, math.Atan(math.Sinh(my/6378137)) * 180 / math.Pi
}

// pixel is the pixel of the grid under lon/lat.
func (g grid) pixel(lon, lat float64) (int, int) {
	const half = math.Pi * 6378137
	tile := 2 * half / float64(int(1)<<g.tile.z)
	res := tile / float64(g.size)
	mx := lon / 180 * half
	my := math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 6378137
	i := (mx-(-half+float64(g.tile.x)*tile))/res + g.buffer
	j := ((half-float64(g.tile.y)*tile)-my)/res + g.buffer
	return int(math.Floor(i)), int(math.Floor(j))
}

// sourceRaster is a fixture COG read whole with GDAL: its grid, nodata
// and every band's full-resolution values.
type sourceRaster struct {
	path          string
	gt            [6]float64
	width, height int
	bands         [][]float64
	nodata        *float64
	scale         float64
	// toCRS carries lon/lat into the raster's CRS when it is projected;
	// it lives as long as the test binary.
	toCRS *godal.Transform
}

var (
	rastersMu sync.Mutex
	rasters   = map[string]*sourceRaster{}
)

// loadRaster reads a COG once per test binary.
func loadRaster(t *testing.T, path string) *sourceRaster {
	t.Helper()
	rastersMu.Lock()
	defer rastersMu.Unlock()
	if r, ok := rasters[path]; ok {
		return r
	}
	ds, err := godal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	gt, err := ds.GeoTransform()
	if err != nil {
		t.Fatal(err)
	}
	st := ds.Structure()
	r := &sourceRaster{path: path, gt: gt, width: st.SizeX, height: st.SizeY}
	for _, b := range ds.Bands() {
		buf := make([]float64, st.SizeX*st.SizeY)
		if err := b.Read(0, 0, buf, st.SizeX, st.SizeY); err != nil {
			t.Fatal(err)
		}
		r.bands = append(r.bands, buf)
		if nd, ok := b.NoData(); ok && r.nodata == nil {
			r.nodata = &nd
		}
		if r.scale == 0 {
			r.scale = b.Structure().Scale
		}
	}
	sr := ds.SpatialRef()
	defer sr.Close()
	if !sr.Geographic() {
		wgs84, err := godal.NewSpatialRefFromEPSG(4326)
		if err != nil {
			t.Fatal(err)
		}
		defer wgs84.Close()
		if r.toCRS, err = godal.NewTransform(wgs84, sr); err != nil {
			t.Fatal(err)
		}
	}
	rasters[path] = r
	return r
}

// sample is what a raster holds under a point.
type sample struct {
	values   []float64 // every band
	col, row int
	inside   bool
	// clear: the point is more than a fifth of a pixel from its pixel's
	// edges, so any nearest-neighbour warp (GDAL approximates transforms
	// to an eighth of a pixel) picks this pixel.
	clear bool
}

// at is the raster's pixel under lon/lat.
func (r *sourceRaster) at(lon, lat float64) sample {
	x, y := lon, lat
	if r.toCRS != nil {
		xs, ys := []float64{lon}, []float64{lat}
		if err := r.toCRS.TransformEx(xs, ys, nil, nil); err != nil {
			return sample{}
		}
		x, y = xs[0], ys[0]
	}
	fc, fr := (x-r.gt[0])/r.gt[1], (y-r.gt[3])/r.gt[5]
	col, row := int(math.Floor(fc)), int(math.Floor(fr))
	if col < 0 || row < 0 || col >= r.width || row >= r.height {
		return sample{col: col, row: row}
	}
	s := sample{col: col, row: row, inside: true}
	dc, dr := fc-float64(col), fr-float64(row)
	s.clear = dc > 0.2 && dc < 0.8 && dr > 0.2 && dr < 0.8
	for _, b := range r.bands {
		s.values = append(s.values, b[row*r.width+col])
	}
	return s
}

// steady says whether the pixel under a sample and its 8 neighbours hold
// the same values (or all lie outside the raster): then any warp that
// picks a pixel next to the right one picks the same values.
func (r *sourceRaster) steady(s sample) bool {
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			c, w := s.col+dc, s.row+dr
			inside := c >= 0 && w >= 0 && c < r.width && w < r.height
			if inside != s.inside {
				return false
			}
			if !inside {
				continue
			}
			for b := range r.bands {
				if r.value(b, c, w) != s.values[b] {
					return false
				}
			}
		}
	}
	return true
}

// valid says whether a sample holds data: inside, and not the nodata value.
func (r *sourceRaster) valid(s sample) bool {
	return s.inside && (r.nodata == nil || s.values[0] != *r.nodata)
}

// value is band b (from 0) at col, row.
func (r *sourceRaster) value(b, col, row int) float64 { return r.bands[b][row*r.width+col] }

// bbox is the box of w×h pixels from col, row in the raster's CRS, as a
// path's minx,miny,maxx,maxy: an image of w×h pixels of it is the
// raster's own pixels.
func (r *sourceRaster) bbox(col, row, w, h int) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	west, north := r.gt[0]+float64(col)*r.gt[1], r.gt[3]+float64(row)*r.gt[5]
	east, south := r.gt[0]+float64(col+w)*r.gt[1], r.gt[3]+float64(row+h)*r.gt[5]
	return fmt.Sprintf("%s,%s,%s,%s", f(west), f(south), f(east), f(north))
}

// tileSamples visits the pixels of a grid whose centre lies clearly inside
// a pixel of r (every step-th pixel in each direction) with what r holds
// there, nodata or not. It fails when fewer than atLeast pixels were
// visited.
func tileSamples(t *testing.T, g grid, r *sourceRaster, step, atLeast int, visit func(i, j int, s sample)) {
	t.Helper()
	n := 0
	size := g.size + int(2*g.buffer)
	for j := 0; j < size; j += step {
		for i := 0; i < size; i += step {
			s := r.at(g.lonLat(i, j))
			if !s.clear || !s.inside {
				continue
			}
			visit(i, j, s)
			n++
		}
	}
	if n < atLeast {
		t.Fatalf("only %d pixels of the tile are clearly inside %s, want %d", n, r.path, atLeast)
	}
}
