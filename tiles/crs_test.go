package tiles_test

import (
	"math"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/tiles"
)

func TestParseCRSReadsWhatTitilerTakes(t *testing.T) {
	for in, want := range map[string]tiles.CRS{
		"epsg:3857":   {SRS: "EPSG:3857", URI: "http://www.opengis.net/def/crs/EPSG/0/3857"},
		"EPSG:32631":  {SRS: "EPSG:32631", URI: "http://www.opengis.net/def/crs/EPSG/0/32631"},
		"[EPSG:4326]": tiles.WGS84,
		"OGC:CRS84":   {SRS: "OGC:CRS84", URI: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
		"http://www.opengis.net/def/crs/EPSG/0/2193": {SRS: "EPSG:2193", URI: "http://www.opengis.net/def/crs/EPSG/0/2193"},
		"urn:ogc:def:crs:EPSG::3035":                 {SRS: "EPSG:3035", URI: "http://www.opengis.net/def/crs/EPSG/0/3035"},
	} {
		got, err := tiles.ParseCRS(in)
		if err != nil || got != want {
			t.Errorf("ParseCRS(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	wkt := `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],` +
		`PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]`
	if got, err := tiles.ParseCRS(wkt); err != nil || got.URI != tiles.WGS84.URI || got.SRS != wkt {
		t.Errorf("WKT: %+v %v", got, err)
	}
	if got, err := tiles.ParseCRS("+proj=utm +zone=31 +datum=WGS84"); err != nil || got.URI != "" {
		t.Errorf("PROJ string: %+v %v", got, err)
	}
}

// GDAL would open a file or fetch a URL named as a CRS: refused.
func TestParseCRSRefusesFilesAndURLs(t *testing.T) {
	for _, in := range []string{"", "/etc/passwd", "file:///etc/passwd", "https://example.com/crs.wkt", "+proj=longlat +init=epsg:4326", "+proj=longlat +nadgrids=/etc/passwd", "FILE:passwd",
		"EPSG:999999", "NOPE:1", "http://www.opengis.net/def/crs/XYZ/0/1", "4326"} {
		if got, err := tiles.ParseCRS(in); err == nil {
			t.Errorf("ParseCRS(%q) = %+v, want an error", in, got)
		} else if !strings.Contains(err.Error(), "CRS") && !strings.Contains(err.Error(), "crs") {
			t.Errorf("ParseCRS(%q): %v does not say what is wrong", in, err)
		}
	}
}

// WKT may name files too: a PROJ string in an EXTENSION (whose init= or
// grids= PROJ would read) or a transformation's PARAMETERFILE. Refused,
// whatever the case; plain WKT is still read.
func TestParseCRSRefusesWKTNamingFiles(t *testing.T) {
	base := `GEOGCS["x",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]`
	for _, in := range []string{
		base + `,EXTENSION["PROJ4","+proj=longlat +init=epsg:4326"]]`,
		base + `,extension ["PROJ4","+proj=longlat +datum=WGS84"]]`,
		`BOUNDCRS[SOURCECRS[GEOGCRS["x",DATUM["WGS 84",ELLIPSOID["WGS 84",6378137,298.257223563]],CS[ellipsoidal,2],AXIS["lat",north],AXIS["lon",east],ANGLEUNIT["degree",0.0174532925199433]]],` +
			`TARGETCRS[GEOGCRS["WGS 84",DATUM["WGS 84",ELLIPSOID["WGS 84",6378137,298.257223563]],CS[ellipsoidal,2],AXIS["lat",north],AXIS["lon",east],ANGLEUNIT["degree",0.0174532925199433]]],` +
			`ABRIDGEDTRANSFORMATION["g",METHOD["NTv2",ID["EPSG",9615]],ParameterFile["Latitude and longitude difference file","/etc/passwd"]]]`,
		"+proj=longlat +datum=WGS84 +file=/etc/passwd", "+proj=longlat +INIT=epsg:4326",
	} {
		if got, err := tiles.ParseCRS(in); tilefunc.ErrorCode(err) != tilefunc.EINVALID {
			t.Errorf("ParseCRS(%.60q...) = %+v, %v; want a 422", in, got, err)
		}
	}
	if got, err := tiles.ParseCRS(base + "]"); err != nil || got.SRS != base+"]" {
		t.Errorf("plain WKT: %+v %v", got, err)
	}
}

func TestTransformBoundsWidensAlongEdges(t *testing.T) {
	merc := tiles.CRS{SRS: "EPSG:3857"}
	b, err := tiles.TransformBounds([4]float64{-10, 40, 10, 50}, tiles.WGS84, merc)
	if err != nil {
		t.Fatal(err)
	}
	y := func(lat float64) float64 { return math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 6378137 }
	if math.Abs(b[0]+1113194.9) > 1 || math.Abs(b[1]-y(40)) > 1 || math.Abs(b[3]-y(50)) > 1 {
		t.Errorf("bounds %v", b)
	}
	// Back from UTM 31N: the box holds the points along the edges, not
	// only the corners.
	utm := tiles.CRS{SRS: "EPSG:32631"}
	g, err := tiles.TransformBounds([4]float64{300000, 5000000, 700000, 5400000}, utm, tiles.WGS84)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := tiles.TransformPoint(300000, 5200000, utm, tiles.WGS84)
	if err != nil || g[0] > x {
		t.Errorf("bounds %v do not hold the west edge's midpoint (lon %v): %v", g, x, err)
	}
}
