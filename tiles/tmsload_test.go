package tiles

import (
	"strings"
	"testing"
)

func TestCRSURIsBecomeGDALNames(t *testing.T) {
	for uri, want := range map[string][2]string{
		"http://www.opengis.net/def/crs/EPSG/0/3857":     {"http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857"},
		"https://www.opengis.net/def/crs/EPSG/0/4326":    {"http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326"},
		"http://www.opengis.net/def/crs/OGC/1.3/CRS84":   {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84"},
		"urn:ogc:def:crs:EPSG::2193":                     {"http://www.opengis.net/def/crs/EPSG/0/2193", "EPSG:2193"},
		"urn:ogc:def:crs:OGC:1.3:CRS84":                  {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84"},
		"http://www.opengis.net/def/crs/IAU/2015/30100":  {"http://www.opengis.net/def/crs/IAU/2015/30100", "IAU_2015:30100"},
		"http://www.opengis.net/def/crs/ESRI/0/54009":    {"http://www.opengis.net/def/crs/ESRI/0/54009", "ESRI:54009"},
		"http://www.opengis.net/def/crs/epsg/0/32631":    {"http://www.opengis.net/def/crs/EPSG/0/32631", "EPSG:32631"},
		"http://www.opengis.net/def/crs/EPSG/9.9.1/3035": {"http://www.opengis.net/def/crs/EPSG/9.9.1/3035", "EPSG:3035"},
	} {
		c, srs, err := parseCRS(uri)
		if err != nil || c != want[0] || srs != want[1] {
			t.Errorf("%s: %q %q %v, want %v", uri, c, srs, err, want)
		}
	}
	for _, uri := range []string{
		"EPSG:3857", // not a URI
		"http://www.opengis.net/def/crs/EPSG/0/abc",
		"http://www.opengis.net/def/crs/XYZ/0/1",
		"http://www.opengis.net/def/crs/IAU/0/30100",
		"http://www.opengis.net/def/crs/EPSG/0",
		"urn:ogc:def:crs:EPSG:2193",
	} {
		if _, _, err := parseCRS(uri); err == nil {
			t.Errorf("%s: want a refusal", uri)
		}
	}
}

// a small set in EPSG:3035, northing first: the tests below spoil it.
const laeaDoc = `{
  "id": "Test", "crs": "http://www.opengis.net/def/crs/EPSG/0/3035", "orderedAxes": ["Y", "X"],
  "tileMatrices": [
    {"id": "0", "scaleDenominator": 62779017.8571428, "cellSize": 17578.125, "pointOfOrigin": [5500000.0, 2000000.0],
     "tileWidth": 256, "tileHeight": 256, "matrixWidth": 1, "matrixHeight": 1},
    {"id": "1", "scaleDenominator": 31389508.9285714, "cellSize": 8789.0625, "pointOfOrigin": [5500000.0, 2000000.0],
     "tileWidth": 256, "tileHeight": 256, "matrixWidth": 2, "matrixHeight": 2, "cornerOfOrigin": "bottomLeft"}
  ]
}`

func TestAxisOrderMustBeTheCRSs(t *testing.T) {
	good, err := parseTMS([]byte(laeaDoc))
	if err != nil {
		t.Fatal(err)
	}
	if err := good.prepare(); err != nil {
		t.Fatalf("Y/X for EPSG:3035: %v", err)
	}
	bad, err := parseTMS([]byte(strings.Replace(laeaDoc, `["Y", "X"]`, `["E", "N"]`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.prepare(); err == nil || !strings.Contains(err.Error(), "disagree") {
		t.Fatalf("E/N for EPSG:3035 (northing first): want a refusal, got %v", err)
	}
	unknown, err := parseTMS([]byte(strings.Replace(laeaDoc, "EPSG/0/3035", "EPSG/0/999999", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := unknown.prepare(); err == nil || !strings.Contains(err.Error(), "unknown to GDAL") {
		t.Fatalf("EPSG:999999: want a refusal, got %v", err)
	}
	// PROJ knows the Moon, but pgSTAC's boxes are on the Earth.
	moon := strings.Replace(strings.Replace(laeaDoc, "EPSG/0/3035", "IAU/2015/30100", 1), `"pointOfOrigin": [5500000.0, 2000000.0]`, `"pointOfOrigin": [90, -180]`, -1)
	other, err := parseTMS([]byte(strings.Replace(moon, `["Y", "X"]`, `["Lat", "Lon"]`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.prepare(); err == nil || !strings.Contains(err.Error(), "celestial body") {
		t.Fatalf("a Moon CRS: want a refusal, got %v", err)
	}
}

func TestBottomLeftRowsCountUpwards(t *testing.T) {
	tms, err := parseTMS([]byte(laeaDoc))
	if err != nil {
		t.Fatal(err)
	}
	// Zoom 1 has its origin at the bottom left: (2000000, 5500000) is the
	// south-west corner of tile 0/0, and row 1 lies north of it.
	b, err := tms.Bounds(Tile{Z: 1, X: 1, Y: 1})
	if want := [4]float64{4250000, 7750000, 6500000, 10000000}; err != nil || b != want {
		t.Fatalf("bottom-left 1/1/1 = %v (%v), want %v", b, err, want)
	}
}

func TestMalformedDocumentsAreRefused(t *testing.T) {
	for name, doc := range map[string]string{
		"gap in ids":         strings.Replace(laeaDoc, `"id": "1"`, `"id": "2"`, 1),
		"coarser later":      strings.Replace(laeaDoc, `"cellSize": 8789.0625`, `"cellSize": 20000`, 1),
		"one axis":           strings.Replace(laeaDoc, `["Y", "X"]`, `["Y"]`, 1),
		"unknown axes":       strings.Replace(laeaDoc, `["Y", "X"]`, `["Up", "Across"]`, 1),
		"corner":             strings.Replace(laeaDoc, `"bottomLeft"`, `"middle"`, 1),
		"no cells":           strings.Replace(laeaDoc, `"cellSize": 17578.125`, `"cellSize": 0`, 1),
		"wkt crs":            strings.Replace(laeaDoc, `"http://www.opengis.net/def/crs/EPSG/0/3035"`, `{"wkt": {}}`, 1),
		"rows past the end":  strings.Replace(laeaDoc, `"cornerOfOrigin"`, `"variableMatrixWidths": [{"coalesce": 2, "minTileRow": 1, "maxTileRow": 2}], "cornerOfOrigin"`, 1),
		"overlapping widths": strings.Replace(laeaDoc, `"cornerOfOrigin"`, `"variableMatrixWidths": [{"coalesce": 2, "minTileRow": 0, "maxTileRow": 1}, {"coalesce": 2, "minTileRow": 1, "maxTileRow": 1}], "cornerOfOrigin"`, 1),
	} {
		if _, err := parseTMS([]byte(doc)); err == nil {
			t.Errorf("%s: want a refusal", name)
		}
	}
}
