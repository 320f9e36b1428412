// Package tiles turns catalog items into images: tile matrix sets, reading
// and warping assets with GDAL, mosaicking, rescaling and encoding.
package tiles

import (
	"math"
	"strconv"

	"tilefunc"
)

// TileMatrixSet is an OGC 2D tile matrix set: a CRS and one grid per zoom.
type TileMatrixSet struct {
	ID       string
	Title    string
	CRS      string // OGC CRS URI, as in the Content-Crs header
	SRS      string // the same CRS for GDAL, e.g. "EPSG:3857"
	BBox     [4]float64
	Geo      [4]float64 // BBox in longitude/latitude
	Matrices []TileMatrix
}

// TileMatrix is one zoom level of a tile matrix set (top-left origin).
type TileMatrix struct {
	ID               string
	ScaleDenominator float64
	CellSize         float64
	Origin           [2]float64
	TileWidth        int
	TileHeight       int
	MatrixWidth      int
	MatrixHeight     int
}

// Tile addresses one tile of a tile matrix set.
type Tile struct{ Z, X, Y int }

// MinZoom and MaxZoom are the first and last zoom levels of the set.
func (t *TileMatrixSet) MinZoom() int { return 0 }

// MaxZoom is the last zoom level of the set.
func (t *TileMatrixSet) MaxZoom() int { return len(t.Matrices) - 1 }

// Bounds returns the tile's extent in the set's CRS, or ENOTFOUND when the
// tile is outside the set.
func (t *TileMatrixSet) Bounds(tile Tile) ([4]float64, error) {
	if tile.Z < 0 || tile.Z >= len(t.Matrices) {
		return [4]float64{}, tilefunc.Errorf(tilefunc.ENOTFOUND, "Tile(x=%d, y=%d, z=%d) is outside the %s matrix set", tile.X, tile.Y, tile.Z, t.ID)
	}
	m := t.Matrices[tile.Z]
	if tile.X < 0 || tile.Y < 0 || tile.X >= m.MatrixWidth || tile.Y >= m.MatrixHeight {
		return [4]float64{}, tilefunc.Errorf(tilefunc.ENOTFOUND, "Tile(x=%d, y=%d, z=%d) is outside the %s matrix set", tile.X, tile.Y, tile.Z, t.ID)
	}
	w := m.CellSize * float64(m.TileWidth)
	h := m.CellSize * float64(m.TileHeight)
	minx := m.Origin[0] + float64(tile.X)*w
	maxy := m.Origin[1] - float64(tile.Y)*h
	return [4]float64{minx, maxy - h, minx + w, maxy}, nil
}

// GeoBounds returns the tile's extent in longitude/latitude, the geometry
// handed to pgSTAC.
func (t *TileMatrixSet) GeoBounds(tile Tile) ([4]float64, error) {
	b, err := t.Bounds(tile)
	if err != nil {
		return b, err
	}
	w, s := mercatorToLonLat(b[0], b[1])
	e, n := mercatorToLonLat(b[2], b[3])
	return [4]float64{w, s, e, n}, nil
}

const earthRadius = 6378137.0

// originShift is half the Web Mercator world width in metres.
var originShift = math.Pi * earthRadius

func mercatorToLonLat(x, y float64) (float64, float64) {
	lon := x / originShift * 180
	lat := math.Atan(math.Sinh(y/earthRadius)) * 180 / math.Pi
	return lon, lat
}

// webMercatorQuad builds the OGC WebMercatorQuad set, zooms 0 to 24.
func webMercatorQuad() *TileMatrixSet {
	t := &TileMatrixSet{
		ID:    "WebMercatorQuad",
		Title: "Google Maps Compatible for the World",
		CRS:   "http://www.opengis.net/def/crs/EPSG/0/3857",
		SRS:   "EPSG:3857",
		BBox:  [4]float64{-originShift, -originShift, originShift, originShift},
		Geo:   [4]float64{-180, -85.0511287798066, 180, 85.0511287798066},
	}
	for z := 0; z <= 24; z++ {
		n := 1 << z
		cell := 2 * originShift / 256 / float64(n)
		t.Matrices = append(t.Matrices, TileMatrix{
			ID:               strconv.Itoa(z),
			ScaleDenominator: cell / 0.00028,
			CellSize:         cell,
			Origin:           [2]float64{-originShift, originShift},
			TileWidth:        256,
			TileHeight:       256,
			MatrixWidth:      n,
			MatrixHeight:     n,
		})
	}
	return t
}

var registry = map[string]*TileMatrixSet{}

func init() {
	for _, t := range []*TileMatrixSet{webMercatorQuad()} {
		registry[t.ID] = t
	}
}

// LookupTMS returns the tile matrix set with the given id.
func LookupTMS(id string) (*TileMatrixSet, bool) {
	t, ok := registry[id]
	return t, ok
}

// TMSIDs lists the known tile matrix set ids.
func TMSIDs() []string {
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	return ids
}
