package tiles

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/airbusgeo/godal"

	"tilefunc"
)

// CRS is a coordinate reference system as a client names it: what GDAL
// reads, and the OGC URI that names it in a Content-Crs header. Coordinates
// in any CRS are x/y (longitude first), as rasterio and titiler take them.
type CRS struct {
	SRS string // for GDAL: EPSG:32631, OGC:CRS84, WKT or a PROJ string
	URI string // http://www.opengis.net/def/crs/EPSG/0/32631; "" when it has none
}

// WGS84 is longitude/latitude, the default CRS of coordinates in requests.
var WGS84 = CRS{SRS: "EPSG:4326", URI: "http://www.opengis.net/def/crs/EPSG/0/4326"}

// authCode is AUTHORITY:CODE as rasterio reads it (epsg:4326, OGC:CRS84,
// IAU_2015:30100), for the authorities PROJ's database holds.
var authCode = regexp.MustCompile(`^(?i)(EPSG|ESRI|OGC|IGNF|IAU_\d+):([A-Za-z0-9]+)$`)

// ParseCRS reads a CRS the way titiler's coord_crs and dst_crs take one:
// AUTHORITY:CODE, an OGC URI or URN, WKT, or a PROJ string. File names,
// URLs other than OGC's, and WKT or PROJ strings naming files (namesFile),
// which GDAL or PROJ would open or fetch, are refused.
func ParseCRS(s string) (CRS, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") { // as titiler's OGC Maps form
		s = s[1 : len(s)-1]
	}
	var c CRS
	switch m := authCode.FindStringSubmatch(s); {
	case m != nil:
		auth, code := strings.ToUpper(m[1]), m[2]
		c.SRS = auth + ":" + code
		if uri, _, err := parseCRS(ogcURI(auth, code)); err == nil {
			c.URI = uri
		}
	case strings.Contains(s, "opengis.net/def/crs/"), strings.HasPrefix(strings.ToLower(s), "urn:ogc:def:crs:"):
		uri, srs, err := parseCRS(s)
		if err != nil {
			return c, tilefunc.Errorf(tilefunc.EINVALID, "%v", err)
		}
		c = CRS{SRS: srs, URI: uri}
	case namesFile.MatchString(s):
		return c, tilefunc.Errorf(tilefunc.EINVALID, "invalid CRS: WKT with EXTENSION or PARAMETERFILE, and PROJ strings with init=, file= or grids=, name files tilefunc does not read")
	case wktStart.MatchString(s), strings.HasPrefix(s, "+proj="):
		c.SRS = s
	default:
		return c, tilefunc.Errorf(tilefunc.EINVALID, "invalid CRS %q: use AUTHORITY:CODE (EPSG:4326), an OGC CRS URI, WKT or a PROJ string", s)
	}
	registerDrivers.Do(godal.RegisterAll)
	sr, err := godal.NewSpatialRef(c.SRS)
	if err != nil {
		return c, unknownCRS(s, err)
	}
	defer sr.Close()
	if c.URI == "" {
		c.URI = identify(sr)
	}
	return c, nil
}

// namesFile finds what makes PROJ read a file or fetch a grid from WKT
// (an EXTENSION holding a PROJ string, a PARAMETERFILE) or a PROJ string
// (init=, file=, nadgrids=, geoidgrids=), in any case.
var namesFile = regexp.MustCompile(`(?i)(EXTENSION|PARAMETERFILE)\s*\[|(init|file|grids)\s*=`)

// wktStart is how WKT 1 and 2 begin.
var wktStart = regexp.MustCompile(`^(PROJCS|GEOGCS|GEOCCS|COMPD_CS|PROJCRS|GEOGCRS|GEODCRS|BOUNDCRS|COMPOUNDCRS|ENGCRS|VERTCRS)\s*\[`)

// ogcURI is the URI for AUTHORITY:CODE, the version taken from an IAU
// authority name (IAU_2015).
func ogcURI(auth, code string) string {
	version := "0"
	if a, v, ok := strings.Cut(auth, "_"); ok {
		auth, version = a, v
	} else if auth == "OGC" {
		version = "1.3"
	}
	return "http://www.opengis.net/def/crs/" + auth + "/" + version + "/" + code
}

// identify is the OGC URI of a CRS that an authority names, or "".
func identify(sr *godal.SpatialRef) string {
	auth, code := sr.AuthorityName(""), sr.AuthorityCode("")
	if auth == "" || code == "" {
		return ""
	}
	uri, _, err := parseCRS(ogcURI(strings.ToUpper(auth), code))
	if err != nil {
		return ""
	}
	return uri
}

// unknownCRS is PROJ's refusal of srs: the client's mistake (422), unless
// PROJ has no database to look it up in, which is the server's (500, with
// PROJ's words for the log).
func unknownCRS(srs string, err error) error {
	if strings.Contains(err.Error(), "proj.db") {
		return fmt.Errorf("CRS %q: %w", srs, err)
	}
	return tilefunc.Errorf(tilefunc.EINVALID, "invalid CRS %q: unknown to PROJ", srs)
}

// transformer carries points from one CRS to another.
type transformer struct {
	from, to *godal.SpatialRef
	tr       *godal.Transform // nil when both are the same CRS
	toName   string
}

func newTransformer(from, to CRS) (*transformer, error) {
	registerDrivers.Do(godal.RegisterAll)
	src, err := godal.NewSpatialRef(from.SRS)
	if err != nil {
		return nil, unknownCRS(from.SRS, err)
	}
	dst, err := godal.NewSpatialRef(to.SRS)
	if err != nil {
		src.Close()
		return nil, unknownCRS(to.SRS, err)
	}
	t := &transformer{from: src, to: dst, toName: to.SRS}
	if src.IsSame(dst) {
		return t, nil
	}
	if t.tr, err = godal.NewTransform(src, dst); err != nil {
		t.Close()
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "no transformation from %s to %s", from.SRS, to.SRS)
	}
	return t, nil
}

// isCRS says whether two CRS definitions name the same CRS (rasterio's
// CRS equality); an error says why PROJ cannot relate them.
func isCRS(a, b string) (bool, error) {
	t, err := newTransformer(CRS{SRS: a}, CRS{SRS: b})
	if err != nil {
		return false, err
	}
	defer t.Close()
	return t.tr == nil, nil
}

func (t *transformer) Close() {
	if t.tr != nil {
		t.tr.Close()
	}
	t.from.Close()
	t.to.Close()
}

// points transforms xs, ys in place; ok marks the points PROJ could carry.
func (t *transformer) points(xs, ys []float64) []bool {
	ok := make([]bool, len(xs))
	if t.tr == nil {
		for i := range ok {
			ok[i] = true
		}
		return ok
	}
	_ = t.tr.TransformEx(xs, ys, nil, ok) // failed points are marked in ok
	for i := range ok {
		ok[i] = ok[i] && finite(xs[i], ys[i])
	}
	return ok
}

// TransformPoint carries x/y from one CRS to another.
func TransformPoint(x, y float64, from, to CRS) (float64, float64, error) {
	t, err := newTransformer(from, to)
	if err != nil {
		return 0, 0, err
	}
	defer t.Close()
	xs, ys := []float64{x}, []float64{y}
	if ok := t.points(xs, ys); !ok[0] {
		return 0, 0, tilefunc.Errorf(tilefunc.EINVALID, "point %g,%g cannot be carried from %s to %s", x, y, from.SRS, to.SRS)
	}
	return xs[0], ys[0], nil
}

// TransformBounds carries a box from one CRS to another: the box around
// edgePoints points along each of its edges (rasterio's transform_bounds
// with densify_pts=21).
func TransformBounds(b [4]float64, from, to CRS) ([4]float64, error) {
	t, err := newTransformer(from, to)
	if err != nil {
		return b, err
	}
	defer t.Close()
	return t.bounds(b)
}

func (t *transformer) bounds(b [4]float64) ([4]float64, error) {
	if t.tr == nil {
		return b, nil
	}
	var xs, ys []float64
	for i := 0; i < edgePoints; i++ {
		f := float64(i) / (edgePoints - 1)
		x, y := b[0]+f*(b[2]-b[0]), b[1]+f*(b[3]-b[1])
		xs = append(xs, x, x, b[0], b[2])
		ys = append(ys, b[1], b[3], y, y)
	}
	ok := t.points(xs, ys)
	out := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for i := range xs {
		if ok[i] {
			out = [4]float64{min(out[0], xs[i]), min(out[1], ys[i]), max(out[2], xs[i]), max(out[3], ys[i])}
		}
	}
	if math.IsInf(out[0], 1) {
		return b, tilefunc.Errorf(tilefunc.EINVALID, "bounds %v cannot be carried to %.40s", b, t.toName)
	}
	return out, nil
}
