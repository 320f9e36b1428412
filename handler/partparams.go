package handler

import (
	"math"
	"strconv"
	"strings"

	"tilefunc"
	"tilefunc/tiles"
)

// The parameter groups of the point, part and statistics routes (titiler's
// CoordCRSParams, DstCRSParams, PartFeatureParams, StatisticsParams,
// HistogramParams, CoverScaleParams), beside the groups of groups.go.

// pathNumbers reads path variables that must be numbers (a point's lon,lat,
// a bbox's corners).
func pathNumbers(vars map[string]string, names ...string) ([]float64, error) {
	out := make([]float64, len(names))
	for i, n := range names {
		f, err := strconv.ParseFloat(vars[n], 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "%s: %q is not a number", n, vars[n])
		}
		out[i] = f
	}
	return out, nil
}

// crs reads a CRS parameter, def when absent.
func (q *query) crs(name string, def tiles.CRS) tiles.CRS {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	c, err := tiles.ParseCRS(s)
	if err != nil {
		q.fail(name, "%s", tilefunc.ErrorMessage(err))
		return def
	}
	return c
}

// previewMaxSize bounds the longer side of a preview (and of the preview
// statistics are taken on) when the request gives no size, as titiler's
// PreviewParams. A bbox or feature image has no default, as titiler's
// PartFeatureParams: the native size, which tiles.MaxSide bounds.
const previewMaxSize = 1024

// partSize is an image's size (titiler's PartFeatureParams and
// PreviewParams): width and height from the path ({width}x{height}) or
// the query, else max_size. titiler ignores max_size once a width or
// height is given.
type partSize struct {
	vars                   map[string]string // the route's path variables
	defaultMax             int               // max_size when none is given; 0: the native size
	width, height, maxSize int
}

func (p *partSize) params() []Param {
	var def any
	if p.defaultMax > 0 {
		def = p.defaultMax
	}
	return []Param{
		{Name: "max_size", Type: "integer", Default: def, Description: "The longer side of the image at most this, when no size is given (else the native size, at most 4096)."},
		{Name: "height", Type: "integer", Description: "Image height in pixels."},
		{Name: "width", Type: "integer", Description: "Image width in pixels."},
	}
}

func (p *partSize) parse(q *query) {
	vars := p.vars
	p.width, p.height = q.int("width", 0, 1), q.int("height", 0, 1)
	if vars["width"] != "" || vars["height"] != "" {
		w, err1 := strconv.Atoi(vars["width"])
		h, err2 := strconv.Atoi(vars["height"])
		if err1 != nil || err2 != nil || w < 1 || h < 1 {
			q.fail("size", "%sx%s: want whole numbers of pixels, as {width}x{height}", vars["width"], vars["height"])
		}
		p.width, p.height = w, h
	}
	p.maxSize = q.int("max_size", p.defaultMax, 1)
	for _, v := range []struct {
		name string
		n    int
	}{{"width", p.width}, {"height", p.height}, {"max_size", p.maxSize}} {
		if v.n > tiles.MaxSide {
			q.fail(v.name, "%d is above the %d limit", v.n, tiles.MaxSide)
		}
	}
	if p.width > 0 || p.height > 0 {
		p.maxSize = 0
	}
}

// crsParams are the CRS of the coordinates a request gives (coord_crs) and
// of the image it asks for (dst_crs, default coord_crs).
type crsParams struct {
	coord, dst tiles.CRS
	withDst    bool // the route takes dst_crs
}

func (p *crsParams) params() []Param {
	ps := []Param{{Name: "coord_crs", Type: "string", Default: "EPSG:4326", Description: "CRS of the coordinates given."}}
	if p.withDst {
		ps = append(ps, Param{Name: "dst_crs", Type: "string", Description: "CRS of the image (default coord_crs)."})
	}
	return ps
}

func (p *crsParams) parse(q *query) {
	p.coord = q.crs("coord_crs", tiles.WGS84)
	p.dst = p.coord
	if p.withDst {
		p.dst = q.crs("dst_crs", p.coord)
	}
}

// coverScale is how much finer than the image the geometry is rasterized
// to weigh edge pixels (1 to 1000, default 10).
type coverScale struct{ scale int }

func (*coverScale) params() []Param {
	return []Param{{Name: "cover_scale", Type: "integer", Default: 10, Description: "How much finer than the image the geometry is rasterized to weigh its edge pixels."}}
}

func (p *coverScale) parse(q *query) {
	p.scale = q.int("cover_scale", 10, 1)
	if p.scale > 1000 {
		q.fail("cover_scale", "%d is above 1000", p.scale)
	}
}

// statsParams are titiler's StatisticsParams and HistogramParams:
// categorical, c, p, histogram_bins, histogram_range. c and p repeat; the
// Functions host in forwarding mode joins their values with commas, so
// commas also separate them.
type statsParams struct{ tiles.StatsOptions }

func (*statsParams) params() []Param {
	return []Param{
		{Name: "categorical", Type: "boolean", Default: false, Description: "Count the pixels of each value (categorical data)."},
		{Name: "c", Type: "number", Array: true, Description: "The values to count when categorical."},
		{Name: "p", Type: "integer", Array: true, Description: "Percentiles (default 2 and 98)."},
		{Name: "histogram_bins", Type: "string", Description: "Number of equal-width bins (default 10), or comma-separated bin edges."},
		{Name: "histogram_range", Type: "string", Description: "min,max of the histogram."},
	}
}

func (p *statsParams) parse(q *query) {
	o := tiles.StatsOptions{Categorical: q.bool("categorical", false)}
	for _, s := range q.list("c") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			q.fail("c", "%q is not a number", s)
		}
		o.Categories = append(o.Categories, f)
	}
	for _, s := range q.list("p") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 100 {
			q.fail("p", "%q is not a whole percentile from 0 to 100", s)
		}
		o.Percentiles = append(o.Percentiles, n)
	}
	q.histogram(&o)
	p.StatsOptions = o
}

// histogram reads histogram_bins (a count, or increasing edges) and
// histogram_range (min,max), as numpy.histogram takes them.
func (q *query) histogram(o *tiles.StatsOptions) {
	if s := q.v.Get("histogram_bins"); s != "" {
		parts := strings.Split(s, ",")
		if len(parts) == 1 {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				q.fail("histogram_bins", "%q is not a number of bins", s)
			}
			if n > maxBins {
				q.fail("histogram_bins", "%d bins is above the %d limit", n, maxBins)
				n = 0
			}
			o.Bins = n
		} else if len(parts) > maxBins+1 {
			q.fail("histogram_bins", "%d edges is above the %d limit", len(parts), maxBins+1)
		} else {
			for i, p := range parts {
				f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || i > 0 && f <= o.Edges[i-1] {
					q.fail("histogram_bins", "%q: want a number of bins, or increasing bin edges", s)
					break
				}
				o.Edges = append(o.Edges, f)
			}
		}
	}
	if s := q.v.Get("histogram_range"); s != "" {
		parts := strings.Split(s, ",")
		var r [2]float64
		ok := len(parts) == 2
		for i := 0; ok && i < 2; i++ {
			f, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
			ok = err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
			r[i] = f
		}
		if !ok || r[0] > r[1] {
			q.fail("histogram_range", "%q: want min,max with min <= max", s)
		}
		o.Range = &r
	}
}

// maxBins bounds a histogram's bins, and maxListed the values c and p
// list, so that statistics allocate what the server allows.
const (
	maxBins   = 10000
	maxListed = 1000
)

// list reads a repeatable parameter of plain values (no commas of their
// own): every value, split at commas, at most maxListed of them.
func (q *query) list(name string) []string {
	var out []string
	for _, v := range q.v[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				if len(out) == maxListed {
					q.fail(name, "more than %d values", maxListed)
					return out
				}
				out = append(out, s)
			}
		}
	}
	return out
}
