package colormap

import (
	"math"
	"sort"

	"tilefunc/tiles/raster"
)

// intervals finds a value's colour among [min, max) ranges painted in
// order, so a later range covers an earlier one where they overlap, as
// rio-tiler paints them. The ranges are cut once into pieces between
// consecutive bounds, each knowing the colour on top, and a value's piece
// is found by binary search: the cost per pixel is log(intervals).
func (c Colormap) intervals(t raster.DataType) func(float64) [4]uint8 {
	edges, top := pieces(c.bounds, t)
	return func(v float64) [4]uint8 {
		i := sort.SearchFloat64s(edges, v) // the first edge >= v
		if i == len(edges) || math.IsNaN(v) {
			return [4]uint8{}
		}
		if edges[i] != v {
			i-- // v lies inside the piece that starts at the edge before
		}
		if i < 0 || i >= len(top) || top[i] < 0 {
			return [4]uint8{}
		}
		return c.colors[top[i]]
	}
}

// pieces cuts ranges (compared in type t) at every bound: piece i is
// [edges[i], edges[i+1]) and top[i] the last range covering it, or -1.
func pieces(bounds [][2]float64, t raster.DataType) (edges []float64, top []int) {
	type span struct{ lo, hi float64 }
	spans := make([]span, len(bounds))
	for i, b := range bounds {
		spans[i] = span{asCompared(b[0], t), asCompared(b[1], t)}
		if spans[i].lo < spans[i].hi { // an empty or NaN range covers nothing
			edges = append(edges, spans[i].lo, spans[i].hi)
		}
	}
	sort.Float64s(edges)
	edges = dedupe(edges)
	if len(edges) == 0 {
		return nil, nil
	}
	top = make([]int, len(edges)-1)
	// next[i] is the first piece at or after i that no later range has
	// painted yet: painting from the last range back, each piece is
	// painted once, whatever the overlaps.
	next := make([]int, len(top)+1)
	for i := range next {
		next[i] = i
		if i < len(top) {
			top[i] = -1
		}
	}
	for r := len(spans) - 1; r >= 0; r-- {
		s := spans[r]
		if !(s.lo < s.hi) {
			continue
		}
		from, to := sort.SearchFloat64s(edges, s.lo), sort.SearchFloat64s(edges, s.hi)
		for i := unpainted(next, from); i < to; i = unpainted(next, i+1) {
			top[i] = r
			next[i] = i + 1
		}
	}
	return edges, top
}

// unpainted follows next to the first unpainted piece from i, shortening
// the path it walked (union-find's path halving).
func unpainted(next []int, i int) int {
	for next[i] != i {
		next[i] = next[next[i]]
		i = next[i]
	}
	return i
}

func dedupe(sorted []float64) []float64 {
	out := sorted[:0]
	for _, v := range sorted {
		if len(out) == 0 || v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
