package tiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"tilefunc/tiles/raster"
)

// StatsOptions are titiler's statistics parameters.
type StatsOptions struct {
	Categorical bool
	Categories  []float64   // c: the values to count (categorical); none: every value
	Percentiles []int       // p: none means 2 and 98
	Bins        int         // histogram_bins as a count (10 when neither is set)
	Edges       []float64   // histogram_bins as bin edges
	Range       *[2]float64 // histogram_range
}

// BandStats are one band's statistics, as rio-tiler's get_array_statistics
// defines them: over the valid pixels, weighted by the coverage of each
// pixel where the definition says so.
type BandStats struct {
	Min, Max     float64 // not weighted
	Mean         float64 // weighted by coverage
	Count        float64 // sum of the valid pixels' coverage
	Sum          float64 // weighted by coverage
	Std          float64 // population standard deviation, weighted
	Median       float64 // weighted
	Majority     float64 // most frequent value (the smallest of a tie)
	Minority     float64 // least frequent value (the smallest of a tie)
	Unique       float64
	Histogram    [2][]float64 // counts, then edges (or categories)
	ValidPercent float64      // valid pixels / pixels with any coverage, rounded to 2 decimals
	MaskedPixels float64
	ValidPixels  float64
	Description  string
	Percentiles  []float64 // in the order of StatsOptions.Percentiles
	names        []int
	band         string // the band's name, its key in Stats' JSON
}

// Stats are the statistics of every band of an image, shown as titiler
// does: {"b1": {...}, "b2": {...}}.
type Stats []BandStats

// Statistics computes each band's statistics over img's valid pixels.
// coverage is the share of each pixel inside the geometry (nil: 1 for
// every pixel).
func Statistics(img *raster.Image, coverage []float32, o StatsOptions) Stats {
	if coverage == nil {
		coverage = make([]float32, img.Width*img.Height)
		for i := range coverage {
			coverage[i] = 1
		}
	}
	if len(o.Percentiles) == 0 {
		o.Percentiles = []int{2, 98}
	}
	covered := 0
	for _, c := range coverage {
		if c != 0 {
			covered++
		}
	}
	out := make(Stats, len(img.Bands))
	for b, band := range img.Bands {
		var vals, weights []float64
		for p, v := range band {
			f := float64(v)
			if img.Valid[b][p] && !math.IsNaN(f) && !math.IsInf(f, 0) {
				vals = append(vals, f)
				weights = append(weights, float64(coverage[p]))
			}
		}
		s := bandStats(vals, weights, o)
		s.MaskedPixels = float64(len(band) - len(vals))
		s.ValidPercent = 0
		if covered > 0 {
			s.ValidPercent = math.Round(math.Min(float64(len(vals))/float64(covered), 1)*100*100) / 100
		}
		if b < len(img.Descriptions) {
			s.Description = img.Descriptions[b]
		}
		if b < len(img.Names) {
			s.band = img.Names[b]
		}
		out[b] = s
	}
	return out
}

func bandStats(vals, weights []float64, o StatsOptions) BandStats {
	nan := math.NaN()
	s := BandStats{ValidPixels: float64(len(vals)), names: o.Percentiles}
	keys, counts := unique(vals)
	s.Unique = float64(len(keys))
	s.Histogram = histogram(vals, keys, counts, o)
	if len(vals) == 0 {
		s.Min, s.Max, s.Mean, s.Std, s.Median, s.Majority, s.Minority = nan, nan, nan, nan, nan, nan, nan
		for range o.Percentiles {
			s.Percentiles = append(s.Percentiles, nan)
		}
		return s
	}
	s.Min, s.Max = keys[0], keys[len(keys)-1]
	for i, v := range vals {
		s.Sum += v * weights[i]
		s.Count += weights[i]
	}
	s.Mean = s.Sum / s.Count
	var variance float64
	for i, v := range vals {
		variance += (v - s.Mean) * (v - s.Mean) * weights[i]
	}
	s.Std = math.Sqrt(variance / s.Count)
	most, least := 0, 0
	for i, c := range counts {
		if c > counts[most] {
			most = i
		}
		if c < counts[least] {
			least = i
		}
	}
	s.Majority, s.Minority = keys[most], keys[least]
	qs := make([]float64, 0, len(o.Percentiles)+1)
	for _, p := range o.Percentiles {
		qs = append(qs, float64(p)/100)
	}
	q := weightedQuantiles(vals, weights, append(qs, 0.5))
	s.Percentiles, s.Median = q[:len(o.Percentiles)], q[len(o.Percentiles)]
	return s
}

// unique is numpy.unique with counts: the sorted distinct values.
func unique(vals []float64) (keys, counts []float64) {
	sorted := append([]float64(nil), vals...)
	sort.Float64s(sorted)
	for i, v := range sorted {
		if i == 0 || v != sorted[i-1] {
			keys = append(keys, v)
			counts = append(counts, 0)
		}
		counts[len(counts)-1]++
	}
	return keys, counts
}

// weightedQuantiles is rio-tiler's: values sorted, weights summed along
// them, and each quantile the first value whose running weight reaches
// the quantile's share of the total.
func weightedQuantiles(vals, weights, quantiles []float64) []float64 {
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return vals[idx[a]] < vals[idx[b]] })
	cum := make([]float64, len(idx))
	total := 0.0
	for i, j := range idx {
		total += weights[j]
		cum[i] = total
	}
	out := make([]float64, len(quantiles))
	for k, q := range quantiles {
		i := sort.SearchFloat64s(cum, q*total) // numpy.searchsorted, side left
		out[k] = vals[idx[min(i, len(idx)-1)]]
	}
	return out
}

// histogram is numpy.histogram's [counts, edges], or for categorical data
// the count of each category (each distinct value when none is given).
func histogram(vals, keys, counts []float64, o StatsOptions) [2][]float64 {
	if o.Categorical {
		cats := o.Categories
		if len(cats) == 0 {
			cats = keys
		}
		n := make([]float64, len(cats))
		for i, c := range cats {
			if k := sort.SearchFloat64s(keys, c); k < len(keys) && keys[k] == c {
				n[i] = counts[k]
			}
		}
		return [2][]float64{n, cats}
	}
	edges := o.Edges
	if len(edges) == 0 {
		edges = linearEdges(vals, o)
	}
	n := make([]float64, len(edges)-1)
	for _, v := range vals {
		if i := binOf(v, edges, len(o.Edges) == 0); i >= 0 {
			n[i]++
		}
	}
	return [2][]float64{n, edges}
}

// linearEdges are numpy.histogram's equal-width bin edges: the range given,
// else the data's (widened by 0.5 each side when flat, 0 to 1 when empty).
func linearEdges(vals []float64, o StatsOptions) []float64 {
	bins := o.Bins
	if bins <= 0 {
		bins = 10
	}
	first, last := 0.0, 1.0
	switch {
	case o.Range != nil:
		first, last = o.Range[0], o.Range[1]
	case len(vals) > 0:
		first, last = math.Inf(1), math.Inf(-1)
		for _, v := range vals {
			first, last = math.Min(first, v), math.Max(last, v)
		}
	}
	if first == last {
		first, last = first-0.5, last+0.5
	}
	step := (last - first) / float64(bins) // numpy.linspace
	edges := make([]float64, bins+1)
	for i := range edges {
		edges[i] = float64(i)*step + first
	}
	edges[bins] = last
	return edges
}

// binOf is the bin of v as numpy counts it: the last bin holds its right
// edge, values outside the edges count nowhere (-1). Equal-width bins are
// found by arithmetic and corrected against the edges, as numpy does.
func binOf(v float64, edges []float64, uniform bool) int {
	n := len(edges) - 1
	first, last := edges[0], edges[n]
	if v < first || v > last {
		return -1
	}
	if !uniform {
		i := sort.Search(len(edges), func(i int) bool { return edges[i] > v }) - 1 // searchsorted right
		return min(i, n-1)
	}
	i := int((v - first) / (last - first) * float64(n))
	if i == n {
		i--
	}
	if v < edges[i] {
		i--
	} else if i != n-1 && v >= edges[i+1] {
		i++
	}
	return i
}

// MarshalJSON writes the fields in titiler's order; NaN is null, as
// titiler's JSON encoder writes it.
func (s BandStats) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(name string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		if f, ok := v.(float64); ok {
			b.WriteString(number(f))
			return
		}
		j, _ := json.Marshal(v)
		b.Write(j)
	}
	field("min", s.Min)
	field("max", s.Max)
	field("mean", s.Mean)
	field("count", s.Count)
	field("sum", s.Sum)
	field("std", s.Std)
	field("median", s.Median)
	field("majority", s.Majority)
	field("minority", s.Minority)
	field("unique", s.Unique)
	hist, _ := json.Marshal([2]json.RawMessage{numbers(s.Histogram[0]), numbers(s.Histogram[1])})
	field("histogram", json.RawMessage(hist))
	field("valid_percent", s.ValidPercent)
	field("masked_pixels", s.MaskedPixels)
	field("valid_pixels", s.ValidPixels)
	field("description", s.Description)
	for i, p := range s.names {
		if i < len(s.Percentiles) {
			field("percentile_"+strconv.Itoa(p), s.Percentiles[i])
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON writes {"b1": ..., "b2": ...} in band order, each band
// keyed by its name (b3 for a raster's third band read alone).
func (st Stats) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, s := range st {
		if i > 0 {
			b.WriteByte(',')
		}
		j, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		key := s.band
		if key == "" {
			key = fmt.Sprintf("b%d", i+1)
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(j)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func number(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	j, _ := json.Marshal(f)
	return string(j)
}

func numbers(fs []float64) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(number(f))
	}
	b.WriteByte(']')
	return b.Bytes()
}
