package tiles

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// tmsFiles are the OGC tile matrix set documents (tms/README.md says where
// they come from).
//
//go:embed tms/*.json
var tmsFiles embed.FS

// loadEmbedded parses every embedded document. It needs no GDAL: checking
// the CRS against PROJ's database happens on first use (see prepare).
func loadEmbedded() (map[string]*TileMatrixSet, error) {
	names, err := tmsFiles.ReadDir("tms")
	if err != nil {
		return nil, err
	}
	sets := map[string]*TileMatrixSet{}
	for _, n := range names {
		if n.IsDir() || path.Ext(n.Name()) != ".json" {
			continue
		}
		doc, err := tmsFiles.ReadFile("tms/" + n.Name())
		if err != nil {
			return nil, err
		}
		t, err := parseTMS(doc)
		if err != nil {
			return nil, fmt.Errorf("tile matrix set %s: %w", n.Name(), err)
		}
		if want := strings.TrimSuffix(n.Name(), ".json"); t.ID != want {
			return nil, fmt.Errorf("tile matrix set %s: id %q should match the file name", n.Name(), t.ID)
		}
		if sets[t.ID] != nil {
			return nil, fmt.Errorf("tile matrix set %q is defined twice", t.ID)
		}
		sets[t.ID] = t
	}
	return sets, nil
}

// tmsDoc is the part of an OGC TMS 2.0 JSON document that tilefunc reads.
type tmsDoc struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	URI         string          `json:"uri"`
	CRS         json.RawMessage `json:"crs"`
	OrderedAxes []string        `json:"orderedAxes"`
	BoundingBox *struct {
		LowerLeft   []float64       `json:"lowerLeft"`
		UpperRight  []float64       `json:"upperRight"`
		CRS         json.RawMessage `json:"crs"`
		OrderedAxes []string        `json:"orderedAxes"`
	} `json:"boundingBox"`
	TileMatrices []struct {
		ID                   string                `json:"id"`
		ScaleDenominator     float64               `json:"scaleDenominator"`
		CellSize             float64               `json:"cellSize"`
		CornerOfOrigin       string                `json:"cornerOfOrigin"`
		PointOfOrigin        []float64             `json:"pointOfOrigin"`
		TileWidth            int                   `json:"tileWidth"`
		TileHeight           int                   `json:"tileHeight"`
		MatrixWidth          int                   `json:"matrixWidth"`
		MatrixHeight         int                   `json:"matrixHeight"`
		VariableMatrixWidths []VariableMatrixWidth `json:"variableMatrixWidths"`
	} `json:"tileMatrices"`
}

// parseTMS reads and checks one document.
func parseTMS(doc []byte) (*TileMatrixSet, error) {
	var d tmsDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if d.ID == "" {
		return nil, fmt.Errorf("no id")
	}
	t := &TileMatrixSet{ID: d.ID, Title: d.Title, URI: d.URI, doc: doc}
	crs, err := crsURI(d.CRS)
	if err != nil {
		return nil, err
	}
	if t.CRS, t.SRS, err = parseCRS(crs); err != nil {
		return nil, err
	}
	t.DocCRS = crs
	if len(d.OrderedAxes) != 2 {
		return nil, fmt.Errorf("orderedAxes %v: want the names of the CRS's two axes, in its order", d.OrderedAxes)
	}
	t.OrderedAxes = d.OrderedAxes
	if t.yFirst, err = northFirst(d.OrderedAxes); err != nil {
		return nil, err
	}
	if len(d.TileMatrices) == 0 {
		return nil, fmt.Errorf("no tileMatrices")
	}
	for _, dm := range d.TileMatrices {
		m := TileMatrix{
			ID: dm.ID, ScaleDenominator: dm.ScaleDenominator, CellSize: dm.CellSize,
			CornerOfOrigin: dm.CornerOfOrigin,
			TileWidth:      dm.TileWidth, TileHeight: dm.TileHeight,
			MatrixWidth: dm.MatrixWidth, MatrixHeight: dm.MatrixHeight,
			VariableMatrixWidths: dm.VariableMatrixWidths,
		}
		if m.CornerOfOrigin == "" {
			m.CornerOfOrigin = TopLeft
		}
		if len(dm.PointOfOrigin) != 2 {
			return nil, fmt.Errorf("tile matrix %q: pointOfOrigin %v: want 2 coordinates", m.ID, dm.PointOfOrigin)
		}
		m.PointOfOrigin = [2]float64{dm.PointOfOrigin[0], dm.PointOfOrigin[1]}
		m.Origin = t.xy(m.PointOfOrigin)
		if err := m.check(); err != nil {
			return nil, fmt.Errorf("tile matrix %q: %w", m.ID, err)
		}
		t.Matrices = append(t.Matrices, m)
	}
	if err := t.numberZooms(); err != nil {
		return nil, err
	}
	// The coarsest matrix's extent: finer ones can drift from it where a
	// document rounds their cell sizes (CDB1GlobalGrid's span 360.03° at
	// zoom 16).
	t.BBox = t.Matrices[0].extent()
	if bb := d.BoundingBox; bb != nil && len(bb.LowerLeft) == 2 && len(bb.UpperRight) == 2 {
		// A bounding box in another CRS than the set's is only advisory:
		// the matrices' own extent stands then.
		same := len(bb.CRS) == 0
		if !same {
			if u, err := crsURI(bb.CRS); err == nil {
				c, _, err := parseCRS(u)
				same = err == nil && c == t.CRS
			}
		}
		yFirst := t.yFirst
		if len(bb.OrderedAxes) == 2 {
			if yFirst, err = northFirst(bb.OrderedAxes); err != nil {
				return nil, fmt.Errorf("boundingBox: %w", err)
			}
		}
		if same {
			ll := swapIf(yFirst, [2]float64{bb.LowerLeft[0], bb.LowerLeft[1]})
			ur := swapIf(yFirst, [2]float64{bb.UpperRight[0], bb.UpperRight[1]})
			t.BBox = [4]float64{ll[0], ll[1], ur[0], ur[1]}
			t.HasBoundingBox = true
		}
	}
	t.fast = fastPath(t)
	if t.fast != nil {
		t.Geo = t.fast.geo(t.BBox)
		t.geoCRS = wgs84URI
		if t.SRS == "OGC:CRS84" {
			t.geoCRS = crs84URI // a geographic CRS is its own
		}
	}
	return t, nil
}

// crsURI reads the crs member: a URI string, or an object with a uri
// (OGC TMS 2.0 also allows wkt and referenceSystem objects, which no
// shipped set uses and tilefunc refuses).
func crsURI(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", fmt.Errorf("no crs")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var o struct {
		URI string `json:"uri"`
	}
	if json.Unmarshal(raw, &o) == nil && o.URI != "" {
		return o.URI, nil
	}
	return "", fmt.Errorf("crs %s: only a CRS URI is supported (not wkt or referenceSystem)", raw)
}

// parseCRS turns an OGC CRS URI, http form or URN
// (http://www.opengis.net/def/crs/EPSG/0/3857, urn:ogc:def:crs:EPSG::2193),
// into the http form (for Content-Crs) and a GDAL SRS string ("EPSG:3857",
// "OGC:CRS84"). Authorities other than EPSG, OGC, ESRI and IAU are refused.
func parseCRS(uri string) (canonical, srs string, err error) {
	var auth, version, code string
	switch {
	case strings.HasPrefix(uri, "http://www.opengis.net/def/crs/"), strings.HasPrefix(uri, "https://www.opengis.net/def/crs/"):
		parts := strings.Split(uri[strings.Index(uri, "/def/crs/")+len("/def/crs/"):], "/")
		if len(parts) != 3 {
			return "", "", fmt.Errorf("crs %q: want http://www.opengis.net/def/crs/{authority}/{version}/{code}", uri)
		}
		auth, version, code = parts[0], parts[1], parts[2]
	case strings.HasPrefix(strings.ToLower(uri), "urn:ogc:def:crs:"):
		parts := strings.Split(uri[len("urn:ogc:def:crs:"):], ":")
		if len(parts) != 3 {
			return "", "", fmt.Errorf("crs %q: want urn:ogc:def:crs:{authority}:{version}:{code}", uri)
		}
		auth, version, code = parts[0], parts[1], parts[2]
	default:
		return "", "", fmt.Errorf("crs %q: want an OGC CRS URI", uri)
	}
	if code == "" {
		return "", "", fmt.Errorf("crs %q: no code", uri)
	}
	auth = strings.ToUpper(auth)
	switch auth {
	case "EPSG", "ESRI":
		if _, err := strconv.Atoi(code); err != nil {
			return "", "", fmt.Errorf("crs %q: %s codes are numbers", uri, auth)
		}
		srs = auth + ":" + code
		if version == "" {
			version = "0"
		}
	case "OGC":
		srs = "OGC:" + code // CRS84, CRS84h, CRS83, CRS27: all in PROJ's database
		if version == "" {
			version = "1.3"
		}
	case "IAU":
		if version == "" || version == "0" {
			return "", "", fmt.Errorf("crs %q: IAU codes need the version of the IAU report (e.g. IAU/2015)", uri)
		}
		srs = "IAU_" + version + ":" + code // PROJ names the authority IAU_2015
	default:
		return "", "", fmt.Errorf("crs %q: authority %s is not supported (EPSG, OGC, ESRI or IAU)", uri, auth)
	}
	return "http://www.opengis.net/def/crs/" + auth + "/" + version + "/" + code, srs, nil
}

// Axis names (lower case) that say which way an axis points. OGC documents
// use the abbreviations; GDAL's WKT uses the long forms.
var (
	northAxes = map[string]bool{"lat": true, "latitude": true, "y": true, "n": true, "north": true, "northing": true}
	eastAxes  = map[string]bool{"lon": true, "long": true, "longitude": true, "x": true, "e": true, "east": true, "easting": true}
)

// northFirst says whether the first of two ordered axes is the northing (or
// latitude), so that coordinates given in that order must be swapped to
// become x/y.
func northFirst(axes []string) (bool, error) {
	a, b := strings.ToLower(axes[0]), strings.ToLower(axes[1])
	switch {
	case northAxes[a] && eastAxes[b]:
		return true, nil
	case eastAxes[a] && northAxes[b]:
		return false, nil
	}
	return false, fmt.Errorf("orderedAxes %v: cannot tell easting from northing", axes)
}

func swapIf(swap bool, p [2]float64) [2]float64 {
	if swap {
		return [2]float64{p[1], p[0]}
	}
	return p
}

// xy turns a point in the CRS's axis order into x/y (easting first).
func (t *TileMatrixSet) xy(p [2]float64) [2]float64 { return swapIf(t.yFirst, p) }

func (m *TileMatrix) check() error {
	if m.CornerOfOrigin != TopLeft && m.CornerOfOrigin != BottomLeft {
		return fmt.Errorf("cornerOfOrigin %q: want topLeft or bottomLeft", m.CornerOfOrigin)
	}
	if !(m.CellSize > 0) || m.TileWidth < 1 || m.TileHeight < 1 || m.MatrixWidth < 1 || m.MatrixHeight < 1 {
		return fmt.Errorf("cellSize, tile and matrix sizes must be positive")
	}
	rows := make([]VariableMatrixWidth, len(m.VariableMatrixWidths))
	copy(rows, m.VariableMatrixWidths)
	sort.Slice(rows, func(i, j int) bool { return rows[i].MinTileRow < rows[j].MinTileRow })
	for i, v := range rows {
		if v.Coalesce < 1 || v.MinTileRow < 0 || v.MaxTileRow < v.MinTileRow || v.MaxTileRow >= m.MatrixHeight {
			return fmt.Errorf("variableMatrixWidths %+v: want coalesce ≥ 1 and 0 ≤ minTileRow ≤ maxTileRow < matrixHeight", v)
		}
		if i > 0 && v.MinTileRow <= rows[i-1].MaxTileRow {
			return fmt.Errorf("variableMatrixWidths: rows %d-%d and %d-%d overlap", rows[i-1].MinTileRow, rows[i-1].MaxTileRow, v.MinTileRow, v.MaxTileRow)
		}
	}
	return nil
}

// numberZooms orders the matrices and gives them zoom numbers. Every
// shipped set names its matrices by consecutive integers (0-24 mostly, 1-24
// for UTM31WGS84Quad, -10-21 for CDB1GlobalGrid): the zoom is the id. A set
// with other ids would number its matrices 0, 1, ... from the coarsest.
func (t *TileMatrixSet) numberZooms() error {
	ids := make([]int, len(t.Matrices))
	numeric := true
	for i, m := range t.Matrices {
		n, err := strconv.Atoi(m.ID)
		if err != nil {
			numeric = false
			break
		}
		ids[i] = n
	}
	if numeric {
		sort.Sort(byID{t.Matrices, ids})
		for i := 1; i < len(ids); i++ {
			if ids[i] != ids[i-1]+1 {
				return fmt.Errorf("tile matrix ids %d and %d: want consecutive integers", ids[i-1], ids[i])
			}
		}
		t.minZoom = ids[0]
	} else {
		sort.SliceStable(t.Matrices, func(i, j int) bool { return t.Matrices[i].CellSize > t.Matrices[j].CellSize })
	}
	for i := 1; i < len(t.Matrices); i++ {
		if t.Matrices[i].CellSize >= t.Matrices[i-1].CellSize {
			return fmt.Errorf("tile matrix %q is not finer than %q", t.Matrices[i].ID, t.Matrices[i-1].ID)
		}
	}
	return nil
}

type byID struct {
	m   []TileMatrix
	ids []int
}

func (b byID) Len() int           { return len(b.m) }
func (b byID) Less(i, j int) bool { return b.ids[i] < b.ids[j] }
func (b byID) Swap(i, j int) {
	b.m[i], b.m[j] = b.m[j], b.m[i]
	b.ids[i], b.ids[j] = b.ids[j], b.ids[i]
}
