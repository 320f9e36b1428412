// Package tiles turns catalog items into images: tile matrix sets, reading
// and warping assets with GDAL, mosaicking, rescaling and encoding.
package tiles

import (
	"math"
	"sort"
	"sync"

	"tilefunc"
)

// TileMatrixSet is an OGC 2D tile matrix set (OGC 17-083r4, TMS 2.0): a CRS
// and one grid of tiles per zoom. The sets are read from the documents in
// tms/ when the program starts.
type TileMatrixSet struct {
	ID          string
	Title       string
	URI         string   // the set's OGC URI, when it has one
	CRS         string   // OGC CRS URI in http form, as in the Content-Crs header
	DocCRS      string   // the CRS URI as the document writes it (http form or URN)
	SRS         string   // the same CRS for GDAL, e.g. "EPSG:3857"
	OrderedAxes []string // the CRS's axes, in the order of pointOfOrigin and boundingBox
	// BBox is the set's extent in its CRS, x (easting or longitude) first:
	// the document's boundingBox when it has one, else the extent of the
	// first (coarsest) matrix.
	BBox           [4]float64
	HasBoundingBox bool       // BBox is the document's boundingBox
	Geo            [4]float64 // the set's extent in longitude/latitude (see GeoBounds)
	Matrices       []TileMatrix

	doc     []byte // the OGC JSON document, as embedded
	yFirst  bool   // the CRS's first axis is the northing (or latitude)
	minZoom int    // zoom of Matrices[0]
	fast    *closedForm
	geoCRS  string // see GeographicCRS

	once sync.Once // prepare: the GDAL half of loading
	geo  *reprojector
	err  error
}

// Corners of origin of a tile matrix.
const (
	TopLeft    = "topLeft"    // rows are numbered downwards (the default)
	BottomLeft = "bottomLeft" // rows are numbered upwards
)

// TileMatrix is one zoom level of a tile matrix set.
type TileMatrix struct {
	ID                   string
	ScaleDenominator     float64
	CellSize             float64    // CRS units per pixel
	CornerOfOrigin       string     // TopLeft or BottomLeft
	PointOfOrigin        [2]float64 // as in the document: the CRS's axis order
	Origin               [2]float64 // PointOfOrigin as x, y
	TileWidth            int        // pixels
	TileHeight           int
	MatrixWidth          int // tiles
	MatrixHeight         int
	VariableMatrixWidths []VariableMatrixWidth
}

// VariableMatrixWidth merges tiles in some rows of a matrix (towards the
// poles in CDB1GlobalGrid and GNOSISGlobalGrid): in rows MinTileRow to
// MaxTileRow, Coalesce neighbouring tiles make one.
type VariableMatrixWidth struct {
	Coalesce   int `json:"coalesce"`
	MinTileRow int `json:"minTileRow"`
	MaxTileRow int `json:"maxTileRow"`
}

// Tile addresses one tile of a tile matrix set.
type Tile struct{ Z, X, Y int }

// TMSRef names a tile matrix set, for the /tileMatrixSets list.
type TMSRef struct {
	ID    string
	Title string
	URI   string // empty for sets without an OGC URI
	CRS   string
}

// MinZoom is the first zoom level of the set (not always 0: CDB1GlobalGrid
// starts at -10, UTM31WGS84Quad at 1).
func (t *TileMatrixSet) MinZoom() int { return t.minZoom }

// MaxZoom is the last zoom level of the set.
func (t *TileMatrixSet) MaxZoom() int { return t.minZoom + len(t.Matrices) - 1 }

// JSON is the set's OGC TMS 2.0 JSON document, as shipped (for
// /tileMatrixSets/{id}). Callers must not modify it.
func (t *TileMatrixSet) JSON() []byte { return t.doc }

// Matrix returns the tile matrix of zoom z.
func (t *TileMatrixSet) Matrix(z int) (*TileMatrix, bool) {
	i := z - t.minZoom
	if i < 0 || i >= len(t.Matrices) {
		return nil, false
	}
	return &t.Matrices[i], true
}

// Coalesce is how many tiles make one in row y: 1 except in the rows a
// variable-width matrix merges.
func (m *TileMatrix) Coalesce(y int) int {
	for _, v := range m.VariableMatrixWidths {
		if y >= v.MinTileRow && y <= v.MaxTileRow {
			return v.Coalesce
		}
	}
	return 1
}

// columns returns the matrix columns [x0, x1) that tile x of row y covers.
// In a coalesced row every column of a group addresses the whole group
// (OGC TMS 2.0 §6.1.5: with coalesce 4, columns 0-3 are one tile); the
// group's first column is its canonical address. A last group cut short by
// the matrix edge ends there.
func (m *TileMatrix) columns(x, y int) (int, int) {
	c := m.Coalesce(y)
	x0 := x / c * c
	return x0, min(x0+c, m.MatrixWidth)
}

// extent is the matrix's extent, x/y in the CRS.
func (m *TileMatrix) extent() [4]float64 {
	w := m.CellSize * float64(m.TileWidth) * float64(m.MatrixWidth)
	h := m.CellSize * float64(m.TileHeight) * float64(m.MatrixHeight)
	if m.CornerOfOrigin == BottomLeft {
		return [4]float64{m.Origin[0], m.Origin[1], m.Origin[0] + w, m.Origin[1] + h}
	}
	return [4]float64{m.Origin[0], m.Origin[1] - h, m.Origin[0] + w, m.Origin[1]}
}

// matrixFor returns the matrix of a tile inside the set, or ENOTFOUND.
func (t *TileMatrixSet) matrixFor(tile Tile) (*TileMatrix, error) {
	m, ok := t.Matrix(tile.Z)
	if !ok || tile.X < 0 || tile.Y < 0 || tile.X >= m.MatrixWidth || tile.Y >= m.MatrixHeight {
		return nil, tilefunc.Errorf(tilefunc.ENOTFOUND, "Tile(x=%d, y=%d, z=%d) is outside the %s matrix set", tile.X, tile.Y, tile.Z, t.ID)
	}
	return m, nil
}

// Bounds returns the tile's extent in the set's CRS, x (easting or
// longitude) first whatever the CRS's axis order, as gdalwarp -te wants it;
// ENOTFOUND when the tile is outside the set. In a coalesced row, every
// column of a group gives the whole group's extent.
func (t *TileMatrixSet) Bounds(tile Tile) ([4]float64, error) {
	m, err := t.matrixFor(tile)
	if err != nil {
		return [4]float64{}, err
	}
	x0, x1 := m.columns(tile.X, tile.Y)
	w := m.CellSize * float64(m.TileWidth)
	h := m.CellSize * float64(m.TileHeight)
	// Edges are origin + index × size, so that neighbours share them exactly.
	minx := m.Origin[0] + float64(x0)*w
	maxx := m.Origin[0] + float64(x1)*w
	if m.CornerOfOrigin == BottomLeft {
		return [4]float64{minx, m.Origin[1] + float64(tile.Y)*h, maxx, m.Origin[1] + float64(tile.Y+1)*h}, nil
	}
	return [4]float64{minx, m.Origin[1] - float64(tile.Y+1)*h, maxx, m.Origin[1] - float64(tile.Y)*h}, nil
}

// Canonical returns the address a tile is known by: itself, or in a
// coalesced row the first column of its group (a server may redirect
// there).
func (t *TileMatrixSet) Canonical(tile Tile) (Tile, error) {
	m, err := t.matrixFor(tile)
	if err != nil {
		return tile, err
	}
	tile.X, _ = m.columns(tile.X, tile.Y)
	return tile, nil
}

// Window returns the output grid of a tile rendered size pixels high: its
// width keeps the tile's shape, so a tile of coalesce merged columns is
// coalesce times as wide (pixels stay square, as the matrix's cells are).
func (t *TileMatrixSet) Window(tile Tile, size int) (Window, error) {
	b, err := t.Bounds(tile)
	if err != nil {
		return Window{}, err
	}
	m, _ := t.Matrix(tile.Z)
	x0, x1 := m.columns(tile.X, tile.Y)
	w := int(math.Round(float64(size) * float64((x1-x0)*m.TileWidth) / float64(m.TileHeight)))
	return Window{Bounds: b, BoundsCRS: t.SRS, CRS: t.SRS, Width: max(w, 1), Height: size, IsTile: true}, nil
}

// GeoBounds returns the tile's extent in longitude/latitude (EPSG:4326,
// longitude first), the box handed to pgSTAC. For a projected CRS it is
// the box around the tile's edges, reprojected at 21 points each; a tile
// holding a pole reaches that pole across all longitudes, and a tile across
// the antimeridian spans all longitudes (a box cannot wrap).
func (t *TileMatrixSet) GeoBounds(tile Tile) ([4]float64, error) {
	b, err := t.Bounds(tile)
	if err != nil {
		return b, err
	}
	if t.fast != nil {
		return t.fast.geo(b), nil
	}
	if err := t.prepare(); err != nil {
		return [4]float64{}, err
	}
	return t.geo.lonLatBounds(b)
}

// closedForm reprojects to longitude/latitude without GDAL: geographic
// sets, and Web Mercator (the hot path: most tiles are WebMercatorQuad).
type closedForm struct{ mercator bool }

func fastPath(t *TileMatrixSet) *closedForm {
	switch t.SRS {
	case "EPSG:4326", "OGC:CRS84":
		return &closedForm{}
	case "EPSG:3857":
		return &closedForm{mercator: true}
	}
	return nil
}

func (c *closedForm) geo(b [4]float64) [4]float64 {
	if c.mercator {
		w, s := mercatorToLonLat(b[0], b[1])
		e, n := mercatorToLonLat(b[2], b[3])
		b = [4]float64{w, s, e, n}
	}
	return clampLonLat(b)
}

func clampLonLat(b [4]float64) [4]float64 {
	return [4]float64{max(b[0], -180), max(b[1], -90), min(b[2], 180), min(b[3], 90)}
}

const earthRadius = 6378137.0

// originShift is half the Web Mercator world width in metres.
var originShift = math.Pi * earthRadius

func mercatorToLonLat(x, y float64) (float64, float64) {
	lon := x / originShift * 180
	lat := math.Atan(math.Sinh(y/earthRadius)) * 180 / math.Pi
	return lon, lat
}

var registry = func() map[string]*TileMatrixSet {
	sets, err := loadEmbedded()
	if err != nil {
		panic(err) // the documents are part of the binary: a test loads them all
	}
	return sets
}()

// LookupTMS returns the tile matrix set with the given id. Sets that need
// GDAL to reach longitude/latitude are made ready on first lookup (a few
// milliseconds, once per set), so that their Geo is filled in.
func LookupTMS(id string) (*TileMatrixSet, bool) {
	t, ok := registry[id]
	if ok && t.fast == nil {
		t.prepare() // an error stays with the set: GeoBounds returns it, CheckTMS reports it
	}
	return t, ok
}

// TMSIDs lists the known tile matrix set ids, sorted.
func TMSIDs() []string {
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// TMSList names every known tile matrix set, sorted by id.
func TMSList() []TMSRef {
	var out []TMSRef
	for _, id := range TMSIDs() {
		t := registry[id]
		out = append(out, TMSRef{ID: t.ID, Title: t.Title, URI: t.URI, CRS: t.CRS})
	}
	return out
}

// CheckTMS makes every set ready and returns the first problem: a CRS that
// PROJ does not know, an axis order that disagrees with the CRS's, an
// extent that does not reproject. For start-up checks and tests.
func CheckTMS() error {
	for _, id := range TMSIDs() {
		if err := registry[id].prepare(); err != nil {
			return err
		}
	}
	return nil
}
