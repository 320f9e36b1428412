package tiles

import (
	"math"
	"sort"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// PixelSelections are rio-tiler's mosaic methods, in titiler's order.
var PixelSelections = []string{"first", "highest", "lowest", "mean", "median", "stdev", "lastbandlow", "lastbandhigh", "count"}

// selection merges the items of a mosaic, one image after another, into
// one (rio-tiler's MosaicMethodBase): fed in the items' order, it says when
// nothing more can change the result.
type selection interface {
	feed(img *raster.Image)
	done() bool
	result() *raster.Image
}

func newSelection(name string) (selection, error) {
	switch name {
	case "", "first":
		return &pickSelection{exitWhenFull: true, better: func(a, m float64) bool { return false }}, nil
	case "highest":
		return &pickSelection{better: func(a, m float64) bool { return a > m }}, nil
	case "lowest":
		return &pickSelection{better: func(a, m float64) bool { return a < m }}, nil
	case "lastbandhigh":
		return &pickSelection{lastBand: true, better: func(a, m float64) bool { return a > m }}, nil
	case "lastbandlow":
		return &pickSelection{lastBand: true, better: func(a, m float64) bool { return a < m }}, nil
	case "mean", "median", "stdev", "count":
		return &stackSelection{method: name}, nil
	}
	return nil, tilefunc.Errorf(tilefunc.EINVALID, "pixel_selection: %q is not one of %v", name, PixelSelections)
}

// pickSelection keeps, per band and pixel, one item's value: the first
// valid one, or the one a comparison prefers (highest, lowest; on the last
// band for lastband*, which the result then drops).
type pickSelection struct {
	mosaic       *raster.Image
	exitWhenFull bool
	lastBand     bool
	better       func(a, m float64) bool
}

// feed merges img into the mosaic. The first image becomes the mosaic
// itself, not a copy: merge hands each image over and keeps only its size.
func (s *pickSelection) feed(img *raster.Image) {
	if s.mosaic == nil {
		s.mosaic = img
		return
	}
	m := s.mosaic
	m.Type = raster.Promote(m.Type, img.Type)
	defer img.Recycle() // its values are copied: merge hands it over
	if s.exitWhenFull {
		for b := range m.Bands {
			fillGaps(m.Bands[b], m.Valid[b], img.Bands[b], img.Valid[b])
		}
		return
	}
	last := img.Count() - 1
	for b := range m.Bands {
		mb, mv, ib, iv := m.Bands[b], m.Valid[b], img.Bands[b], img.Valid[b]
		ma, ia := mb, ib // the values compared
		if s.lastBand {
			ma, ia = m.Bands[last], img.Bands[last]
		}
		for p := range mv {
			// rio-tiler: take the item where the mosaic has nothing, or
			// where the item has data that the comparison prefers.
			if !mv[p] || iv[p] && s.better(ia[p], ma[p]) {
				mb[p], mv[p] = ib[p], iv[p]
			}
		}
	}
}

// fillGaps takes the item's valid values where the mosaic has none (the
// first method): a loop of its own, the one a default mosaic runs.
func fillGaps(mb []float64, mv []bool, ib []float64, iv []bool) {
	ib, iv = ib[:len(mb)], iv[:len(mb)]
	mv = mv[:len(mb)]
	for p, ok := range iv {
		if ok && !mv[p] {
			mb[p], mv[p] = ib[p], true
		}
	}
}

func (s *pickSelection) done() bool {
	return s.exitWhenFull && s.mosaic != nil && s.mosaic.Full()
}

func (s *pickSelection) result() *raster.Image {
	m := s.mosaic
	if s.lastBand && m != nil {
		n := m.Count() - 1
		m.Bands, m.Valid, m.Names, m.Descriptions = m.Bands[:n], m.Valid[:n], m.Names[:n], m.Descriptions[:n]
		if m.Stats != nil {
			m.Stats = m.Stats[:n]
		}
	}
	return m
}

// stackSelection keeps every item and reduces them per band and pixel
// over the valid values: mean or median (in the first item's type, cut
// toward zero as numpy's astype does), population standard deviation
// (float64), or the count of valid values (one band, never masked).
type stackSelection struct {
	method string
	stack  []*raster.Image
}

func (s *stackSelection) feed(img *raster.Image) { s.stack = append(s.stack, img) }
func (s *stackSelection) done() bool             { return false }

func (s *stackSelection) result() *raster.Image {
	if len(s.stack) == 0 {
		return nil
	}
	first := s.stack[0]
	if s.method == "count" {
		return s.count()
	}
	typ := first.Type
	if s.method == "stdev" {
		typ = raster.Float64
	}
	out := first.Like(first.Count(), typ)
	out.Names, out.Descriptions = first.Names, first.Descriptions
	vals := make([]float64, 0, len(s.stack))
	for b := range out.Bands {
		for p := range out.Bands[b] {
			vals = vals[:0]
			for _, img := range s.stack {
				if img.Valid[b][p] {
					vals = append(vals, img.Bands[b][p])
				}
			}
			if len(vals) == 0 {
				continue
			}
			out.Bands[b][p], out.Valid[b][p] = typ.Cast(reduce(s.method, vals)), true
		}
	}
	return out
}

func reduce(method string, vals []float64) float64 {
	mean := 0.0
	for _, v := range vals {
		mean += v
	}
	mean /= float64(len(vals))
	switch method {
	case "median":
		sort.Float64s(vals)
		n := len(vals)
		if n%2 == 1 {
			return vals[n/2]
		}
		return (vals[n/2-1] + vals[n/2]) / 2
	case "stdev":
		sum := 0.0
		for _, v := range vals {
			sum += (v - mean) * (v - mean)
		}
		return math.Sqrt(sum / float64(len(vals)))
	}
	return mean
}

// count is the number of items with data at each pixel of the first band.
func (s *stackSelection) count() *raster.Image {
	typ := raster.Uint8
	if len(s.stack) >= 256 {
		typ = raster.Int64
	}
	out := s.stack[0].Like(1, typ)
	for p := range out.Bands[0] {
		n := 0
		for _, img := range s.stack {
			if img.Valid[0][p] {
				n++
			}
		}
		out.Bands[0][p], out.Valid[0][p] = float64(n), true
	}
	return out
}
