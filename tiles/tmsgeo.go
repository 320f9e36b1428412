package tiles

import (
	"fmt"
	"math"
	"regexp"
	"runtime"
	"sync"

	"github.com/airbusgeo/godal"
)

// prepare is the GDAL half of loading a set, done once: PROJ must know the
// CRS, the document's axis order must be the CRS's, and a set without a
// closed form gets its reprojector and its Geo.
func (t *TileMatrixSet) prepare() error {
	t.once.Do(func() {
		if err := t.prepareGDAL(); err != nil {
			t.err = fmt.Errorf("tile matrix set %s: %w", t.ID, err)
		}
	})
	return t.err
}

func (t *TileMatrixSet) prepareGDAL() error {
	sr, err := godal.NewSpatialRef(t.SRS)
	if err != nil {
		return fmt.Errorf("crs %s (%s) is unknown to GDAL: %w", t.CRS, t.SRS, err)
	}
	if axes := wktAxes(sr); len(axes) == 2 {
		yFirst, err := northFirst(axes)
		if err == nil && yFirst != t.yFirst {
			sr.Close()
			return fmt.Errorf("orderedAxes %v disagree with %s, whose axes are %v", t.OrderedAxes, t.SRS, axes)
		}
	}
	if t.fast != nil { // its geoCRS is known without GDAL
		sr.Close()
		return nil
	}
	if name, code := sr.AuthorityName("GEOGCS"), sr.AuthorityCode("GEOGCS"); name == "EPSG" && code != "" {
		t.geoCRS = "http://www.opengis.net/def/crs/EPSG/0/" + code
	}
	r, err := newReprojector(sr, t.BBox)
	if err != nil {
		sr.Close()
		return err
	}
	if t.Geo, err = r.lonLatBounds(t.BBox); err != nil {
		return fmt.Errorf("extent %v: %w", t.BBox, err)
	}
	t.geo = r
	return nil
}

var axisNode = regexp.MustCompile(`AXIS\["([^"]+)"`)

// wktAxes returns the names of the CRS's axes in its authority's order (the
// last two AXIS nodes of its WKT 1: a projected CRS's own come after its
// base geographic CRS's), or nil when WKT 1 cannot say.
func wktAxes(sr *godal.SpatialRef) []string {
	wkt, err := sr.WKT()
	if err != nil {
		return nil
	}
	m := axisNode.FindAllStringSubmatch(wkt, -1)
	if len(m) < 2 {
		return nil
	}
	return []string{m[len(m)-2][1], m[len(m)-1][1]}
}

// reprojector turns boxes in a set's CRS into longitude/latitude boxes.
// GDAL transformations are not safe for concurrent use: each call takes
// one from the pool, which keeps at most GOMAXPROCS idle ones (the extras
// are closed, so nothing leaks).
type reprojector struct {
	mu     sync.Mutex // guards the SpatialRefs while a transformation is made
	src    *godal.SpatialRef
	lonlat *godal.SpatialRef
	pool   chan *godal.Transform
	poles  []pole
}

// pole is a pole's position in the set's CRS.
type pole struct {
	x, y float64
	lat  float64 // 90 or -90
}

// edgePoints is how many points along each tile edge are reprojected.
const edgePoints = 21

// ringPoints is how many points outline a box (the corners once each).
const ringPoints = 4 * (edgePoints - 1)

// fillRing writes the outline of box b into xs and ys (ringPoints long),
// counter-clockwise from the south-west corner, so that neighbouring points
// are neighbours on the ring.
func fillRing(b [4]float64, xs, ys []float64) {
	for i := 0; i < edgePoints-1; i++ {
		f := float64(i) / (edgePoints - 1)
		dx, dy := b[0]+f*(b[2]-b[0]), b[1]+f*(b[3]-b[1])
		xs[i], ys[i] = dx, b[1]
		xs[i+edgePoints-1], ys[i+edgePoints-1] = b[2], dy
		xs[i+2*(edgePoints-1)], ys[i+2*(edgePoints-1)] = b[2]-f*(b[2]-b[0]), b[3]
		xs[i+3*(edgePoints-1)], ys[i+3*(edgePoints-1)] = b[0], b[3]-f*(b[3]-b[1])
	}
}

func newReprojector(src *godal.SpatialRef, extent [4]float64) (*reprojector, error) {
	lonlat, err := godal.NewSpatialRefFromEPSG(4326) // godal's SpatialRefs are longitude first
	if err != nil {
		return nil, err
	}
	r := &reprojector{src: src, lonlat: lonlat, pool: make(chan *godal.Transform, runtime.GOMAXPROCS(0))}
	if r.poles, err = findPoles(lonlat, src, extent); err != nil {
		return nil, err
	}
	tr, err := r.newTransform()
	if err != nil {
		return nil, err
	}
	r.put(tr)
	return r, nil
}

// findPoles returns the poles that lie in extent, in the CRS src. Where
// the CRS can hold a pole (polar stereographic, transverse Mercator) a tile
// around it reaches latitude ±90 at every longitude, which its edges alone
// would not show. A point 0.1° from each pole is tried first, so that the
// pole itself is only reprojected where the CRS can hold it: GDAL prints
// each failed point to stderr.
func findPoles(lonlat, src *godal.SpatialRef, extent [4]float64) ([]pole, error) {
	inv, err := godal.NewTransform(lonlat, src)
	if err != nil {
		return nil, fmt.Errorf("no transformation from EPSG:4326: %w", err)
	}
	defer inv.Close()
	var poles []pole
	for _, lat := range []float64{90, -90} {
		near := lat - math.Copysign(0.1, lat)
		xs, ys, ok := []float64{0}, []float64{near}, []bool{false}
		if inv.TransformEx(xs, ys, nil, ok) != nil || !finite(xs[0], ys[0]) ||
			xs[0] < extent[0] || xs[0] > extent[2] || ys[0] < extent[1] || ys[0] > extent[3] {
			continue
		}
		xs, ys = []float64{0}, []float64{lat}
		if inv.TransformEx(xs, ys, nil, ok) == nil && finite(xs[0], ys[0]) {
			poles = append(poles, pole{xs[0], ys[0], lat})
		}
	}
	return poles, nil
}

func finite(v ...float64) bool {
	for _, f := range v {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

func (r *reprojector) newTransform() (*godal.Transform, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tr, err := godal.NewTransform(r.src, r.lonlat)
	if err != nil {
		return nil, fmt.Errorf("no transformation to EPSG:4326: %w", err)
	}
	return tr, nil
}

func (r *reprojector) get() (*godal.Transform, error) {
	select {
	case tr := <-r.pool:
		return tr, nil
	default:
		return r.newTransform()
	}
}

func (r *reprojector) put(tr *godal.Transform) {
	select {
	case r.pool <- tr:
	default:
		tr.Close()
	}
}

// lonLatBounds reprojects the ring of edgePoints points per edge of box b
// (x/y in the CRS) and returns the longitude/latitude box around them,
// widened for poles inside b and for the antimeridian. Points outside the
// CRS's domain are left out; a box with none inside is an error.
func (r *reprojector) lonLatBounds(b [4]float64) ([4]float64, error) {
	var xs, ys [ringPoints]float64
	var ok [ringPoints]bool
	fillRing(b, xs[:], ys[:])
	tr, err := r.get()
	if err != nil {
		return [4]float64{}, err
	}
	_ = tr.TransformEx(xs[:], ys[:], nil, ok[:]) // failed points are marked in ok
	r.put(tr)
	out := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	found, across := false, false
	prev := math.NaN()
	first := math.NaN()
	for i := range xs {
		lon, lat := xs[i], ys[i]
		if !ok[i] || !finite(lon, lat) {
			continue
		}
		found = true
		out = [4]float64{min(out[0], lon), min(out[1], lat), max(out[2], lon), max(out[3], lat)}
		// Neighbouring points half a world apart in longitude: the edge
		// crosses the antimeridian.
		if !math.IsNaN(prev) && math.Abs(lon-prev) > 180 {
			across = true
		}
		if math.IsNaN(first) {
			first = lon
		}
		prev = lon
	}
	if !found {
		return [4]float64{}, fmt.Errorf("no point of %v reprojects to longitude/latitude", b)
	}
	if math.Abs(prev-first) > 180 {
		across = true
	}
	tol := 1e-9 * max(b[2]-b[0], b[3]-b[1])
	for _, p := range r.poles {
		if p.x >= b[0]-tol && p.x <= b[2]+tol && p.y >= b[1]-tol && p.y <= b[3]+tol {
			across = true
			out[1], out[3] = min(out[1], p.lat), max(out[3], p.lat)
		}
	}
	if across {
		out[0], out[2] = -180, 180
	}
	return clampLonLat(out), nil
}
