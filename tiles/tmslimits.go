package tiles

import (
	"fmt"
	"math"
	"strings"

	"github.com/airbusgeo/godal"

	"tilefunc"
)

// TileMatrixLimits are the tiles of one matrix that cover an extent (OGC
// TMS 2.0 tileMatrixSetLimits; WMTS TileMatrixLimits), indices inclusive.
type TileMatrixLimits struct {
	TileMatrix string `json:"tileMatrix"`
	MinTileRow int    `json:"minTileRow"`
	MaxTileRow int    `json:"maxTileRow"`
	MinTileCol int    `json:"minTileCol"`
	MaxTileCol int    `json:"maxTileCol"`
}

// Limits returns, for each zoom from minz to maxz (cut to the set's own
// zooms), the tiles that cover geo, a longitude/latitude box. Tiles are
// found as morecantile's tms.tile finds them (floor of the offset from the
// origin, clamped to the matrix), so the limits are titiler's for the
// geographic and Web Mercator sets. For the other projected sets the box is
// taken around the extent's edges reprojected at 21 points each, where
// titiler projects only two corners: a lon/lat box is not a box in a
// conic or polar projection, and its corners alone can miss tiles a client
// then never asks for.
func (t *TileMatrixSet) Limits(geo [4]float64, minz, maxz int) ([]TileMatrixLimits, error) {
	b, err := t.projectGeo(geo)
	if err != nil {
		return nil, err
	}
	var out []TileMatrixLimits
	for z := max(minz, t.MinZoom()); z <= min(maxz, t.MaxZoom()); z++ {
		m, _ := t.Matrix(z)
		c0, r0 := m.tileAt(b[0], b[3])
		c1, r1 := m.tileAt(b[2], b[1])
		out = append(out, TileMatrixLimits{
			TileMatrix: m.ID,
			MinTileRow: min(r0, r1), MaxTileRow: max(r0, r1),
			MinTileCol: min(c0, c1), MaxTileCol: max(c0, c1),
		})
	}
	return out, nil
}

// tileAt is the column and row of the tile holding x/y, clamped to the
// matrix.
func (m *TileMatrix) tileAt(x, y float64) (int, int) {
	w := m.CellSize * float64(m.TileWidth)
	h := m.CellSize * float64(m.TileHeight)
	dy := m.Origin[1] - y
	if m.CornerOfOrigin == BottomLeft {
		dy = y - m.Origin[1]
	}
	col := clampIndex(math.Floor((x-m.Origin[0])/w), m.MatrixWidth)
	row := clampIndex(math.Floor(dy/h), m.MatrixHeight)
	return col, row
}

func clampIndex(v float64, n int) int {
	switch {
	case math.IsNaN(v) || v < 0:
		return 0
	case v >= float64(n):
		return n - 1
	}
	return int(v)
}

// projectGeo returns a lon/lat box in the set's CRS, x/y. A box no point of
// which the CRS can hold is the set's whole extent: no limits.
func (t *TileMatrixSet) projectGeo(geo [4]float64) ([4]float64, error) {
	if t.fast != nil {
		if !t.fast.mercator {
			return geo, nil
		}
		x0, y0 := lonLatToMercator(geo[0], geo[1])
		x1, y1 := lonLatToMercator(geo[2], geo[3])
		return [4]float64{x0, y0, x1, y1}, nil
	}
	if err := t.prepare(); err != nil {
		return [4]float64{}, err
	}
	// A box around the set's whole extent (a search without a bbox) is the
	// whole set; its edges would leave the CRS's domain (NZTM2000 at 180°
	// of its meridian), and the points that fail would not outline it.
	// Other boxes are cut to the set's extent first, for the same reason.
	g := t.Geo
	if geo[0] <= g[0] && geo[1] <= g[1] && geo[2] >= g[2] && geo[3] >= g[3] {
		return t.BBox, nil
	}
	if cut := [4]float64{max(geo[0], g[0]), max(geo[1], g[1]), min(geo[2], g[2]), min(geo[3], g[3])}; cut[0] < cut[2] && cut[1] < cut[3] {
		geo = cut
	}
	b, ok, err := t.geo.fromLonLat(geo)
	if err != nil {
		return [4]float64{}, err
	}
	if !ok {
		return t.BBox, nil
	}
	return b, nil
}

// maxMercatorLat is where Web Mercator's square world ends.
var maxMercatorLat = 2*math.Atan(math.Exp(math.Pi))*180/math.Pi - 90

func lonLatToMercator(lon, lat float64) (float64, float64) {
	lat = max(-maxMercatorLat, min(maxMercatorLat, lat))
	return lon / 180 * originShift, math.Log(math.Tan((90+lat)*math.Pi/360)) * earthRadius
}

// fromLonLat reprojects the ring of edgePoints points per edge of a
// lon/lat box into the CRS and returns the x/y box around the points that
// reproject; ok is false when none does. The transformation is made for the
// call: limits are asked for per document, not per tile.
func (r *reprojector) fromLonLat(geo [4]float64) (b [4]float64, ok bool, err error) {
	r.mu.Lock()
	tr, err := godal.NewTransform(r.lonlat, r.src)
	r.mu.Unlock()
	if err != nil {
		return b, false, fmt.Errorf("no transformation from EPSG:4326: %w", err)
	}
	defer tr.Close()
	xs, ys, done := make([]float64, ringPoints), make([]float64, ringPoints), make([]bool, ringPoints)
	fillRing(geo, xs, ys)
	_ = tr.TransformEx(xs, ys, nil, done) // failed points are marked in done
	b = [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for i := range xs {
		if !done[i] || !finite(xs[i], ys[i]) {
			continue
		}
		ok = true
		b = [4]float64{min(b[0], xs[i]), min(b[1], ys[i]), max(b[2], xs[i]), max(b[3], ys[i])}
	}
	return b, ok, nil
}

// GeographicCRS is the URI of the set's geographic CRS: the longitude and
// latitude of its datum (morecantile's geographic_crs, which titiler gives
// tileset bounding boxes in). The datums of the shipped sets (WGS 84,
// ETRS89, NAD83, NZGD2000, RSRGD2000) meet WGS 84 through PROJ's null
// transformations, so a lon/lat box needs no conversion into it.
func (t *TileMatrixSet) GeographicCRS() string {
	if t.fast == nil {
		t.prepare()
	}
	if t.geoCRS == "" {
		return wgs84URI
	}
	return t.geoCRS
}

// URIs of the two geographic CRSs closed-form sets use.
const (
	wgs84URI = "http://www.opengis.net/def/crs/EPSG/0/4326"
	crs84URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
)

// BoundsIn returns the lon/lat box geo in the CRS that crs names (an OGC
// CRS URI or URN, or AUTHORITY:CODE such as EPSG:3857, optionally in
// brackets), x/y, with the CRS's URI: the box around its edges reprojected
// at 21 points each. Only names PROJ's database resolves are read, never
// WKT, PROJ strings, files or URLs, so a client's value cannot make GDAL
// open anything. EINVALID for a CRS that cannot be read or hold the box.
func BoundsIn(geo [4]float64, crs string) ([4]float64, string, error) {
	name := strings.TrimSuffix(strings.TrimPrefix(crs, "["), "]")
	if auth, code, ok := strings.Cut(name, ":"); ok && !strings.Contains(code, ":") && !strings.Contains(code, "/") {
		name = "urn:ogc:def:crs:" + auth + "::" + code
	}
	uri, srs, err := parseCRS(name)
	if err != nil {
		return geo, "", tilefunc.Errorf(tilefunc.EINVALID, "crs: %v", err)
	}
	if srs == "EPSG:4326" || srs == "OGC:CRS84" {
		return geo, uri, nil
	}
	sr, err := godal.NewSpatialRef(srs)
	if err != nil {
		return geo, "", tilefunc.Errorf(tilefunc.EINVALID, "crs: %q is unknown to PROJ", crs)
	}
	defer sr.Close()
	lonlat, err := godal.NewSpatialRefFromEPSG(4326)
	if err != nil {
		return geo, "", err
	}
	defer lonlat.Close()
	r := &reprojector{src: sr, lonlat: lonlat}
	b, ok, err := r.fromLonLat(geo)
	if err != nil || !ok {
		return geo, "", tilefunc.Errorf(tilefunc.EINVALID, "crs: the mosaic's extent %v does not reproject to %s", geo, uri)
	}
	return b, uri, nil
}
