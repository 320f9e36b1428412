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
// HistogramParams, CoverScaleParams), beside the groups of params.go.

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

// defaultMaxSize bounds the longer side of a part image when the request
// gives no size. titiler has no default (the native size, however large);
// tilefunc caps it so that a large bbox cannot exhaust an instance.
const defaultMaxSize = 1024

// partSize reads a part image's size: width and height from the path
// ({width}x{height}) or the query, else max_size. titiler ignores max_size
// once a width or height is given.
func (q *query) partSize(vars map[string]string) (width, height, maxSize int) {
	width, height = q.int("width", 0, 1), q.int("height", 0, 1)
	if vars["width"] != "" || vars["height"] != "" {
		w, err1 := strconv.Atoi(vars["width"])
		h, err2 := strconv.Atoi(vars["height"])
		if err1 != nil || err2 != nil || w < 1 || h < 1 {
			q.fail("size", "%sx%s: want whole numbers of pixels, as {width}x{height}", vars["width"], vars["height"])
		}
		width, height = w, h
	}
	maxSize = q.int("max_size", defaultMaxSize, 1)
	for _, v := range []struct {
		name string
		n    int
	}{{"width", width}, {"height", height}, {"max_size", maxSize}} {
		if v.n > tiles.MaxSide {
			q.fail(v.name, "%d is above the %d limit", v.n, tiles.MaxSide)
		}
	}
	if width > 0 || height > 0 {
		maxSize = 0
	}
	return width, height, maxSize
}

// coverScale reads cover_scale: how much finer than the image the geometry
// is rasterized to weigh edge pixels (1 to 1000, default 10).
func (q *query) coverScale() int {
	n := q.int("cover_scale", 10, 1)
	if n > 1000 {
		q.fail("cover_scale", "%d is above 1000", n)
	}
	return n
}

// stats reads the statistics group: categorical, c, p, histogram_bins,
// histogram_range. c and p repeat; the Functions host in forwarding mode
// joins their values with commas, so commas also separate them.
func (q *query) stats() tiles.StatsOptions {
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
	return o
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
			o.Bins = n
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

// list reads a repeatable parameter of plain values (no commas of their
// own): every value, split at commas.
func (q *query) list(name string) []string {
	var out []string
	for _, v := range q.v[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
