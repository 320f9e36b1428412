package expression

import (
	"fmt"
	"math"
	"regexp"

	"tilefunc/tiles/raster"
)

// chunk is how many pixels the machine computes an operation over at a
// time (numexpr's block size): its stack stays small and in cache.
const chunk = 1024

// maxStatsBands bounds the bands whose statistics are combined: rio-tiler
// evaluates the expression on every combination of their minimums and
// maximums, 2^n of them.
const maxStatsBands = 16

// Apply is rio-tiler's ImageData.apply_expression: every block evaluated
// over img's bands (named by img.Names), one output band each. An output
// pixel is valid where every band of img is (rio-tiler masks the pixels
// any band masks); the type is numpy's promotion of the blocks' types;
// descriptions are the blocks with band names replaced by the bands'
// descriptions; dataset statistics, when img has them, are the range of
// the expression over their combinations; alpha is cast to the type.
//
// rio-tiler's PointData.apply_expression is the same on a 1×1 image with
// no Stats (points carry none, and with them the statistics' float64
// evaluation could refuse what the point's own types allow).
func (e *Expression) Apply(img *raster.Image) (*raster.Image, error) {
	if len(img.Names) != img.Count() || len(img.Valid) != img.Count() {
		return nil, fmt.Errorf("expression: an image of %d bands has %d names and %d masks", img.Count(), len(img.Names), len(img.Valid))
	}
	var stats [][2]float64
	if img.Stats != nil {
		var err error
		if stats, err = e.statistics(img); err != nil {
			return nil, err
		}
	}
	progs, err := e.compileFor(img.Names, inputKind(img.Type), "")
	if err != nil {
		return nil, err
	}
	desc, err := e.descriptions(img)
	if err != nil {
		return nil, err
	}
	t := outputType(progs)
	out := img.Like(len(e.blocks), t)
	evaluate(progs, img.Bands, out.Bands, t)
	out.Descriptions, out.Stats = desc, stats
	allValid(img, out.Valid)
	if img.Alpha != nil {
		out.Alpha = make([]float64, len(img.Alpha))
		for p, v := range img.Alpha {
			out.Alpha[p] = t.Cast(v)
		}
	}
	return out, nil
}

// compileFor builds and compiles every block for bands of kind band,
// refusing a band that names holds none of; context starts the message
// of an error.
func (e *Expression) compileFor(names []string, band kind, context string) ([]*program, error) {
	have := map[string]int{}
	for i, n := range names {
		have[n] = i
	}
	for _, n := range e.names {
		if _, ok := have[n]; !ok {
			return nil, badRequest("expression: unknown band %q: the image has %s", n, bandList(names))
		}
	}
	b := &builder{band: band}
	reads := map[string]bool{}
	progs := make([]*program, len(e.blocks))
	for i, blk := range e.blocks {
		clear(reads)
		tree, err := b.block(blk.tree, reads)
		if err == nil {
			progs[i], err = compile(tree)
		}
		if err != nil {
			return nil, blockError(inContext(err, context), i, e.texts())
		}
		for _, n := range progs[i].bands {
			progs[i].bandIndex = append(progs[i].bandIndex, have[n])
		}
	}
	return progs, nil
}

// outputType is numpy's promotion of the programs' types: the type of
// the stacked outputs.
func outputType(progs []*program) raster.DataType {
	t := progs[0].kind.dataType()
	for _, p := range progs[1:] {
		t = raster.Promote(t, p.kind.dataType())
	}
	return t
}

// evaluate runs each program over the pixels of bands into its band of
// out, numpy's nan_to_num applied and the values cast to t.
func evaluate(progs []*program, bands, out [][]float64, t raster.DataType) {
	for i, p := range progs {
		p.run(bands, out[i])
		if p.kind.dataType() != t {
			for j, v := range out[i] {
				out[i][j] = t.Cast(v)
			}
		}
	}
}

// run evaluates the program over the first len(out) pixels of bands into
// out.
func (p *program) run(bands [][]float64, out []float64) {
	n := len(out)
	size := min(chunk, n) // a point or the statistics need no whole chunk
	stack := make([]slot, p.depth)
	args := make([]*slot, p.depth)
	for i := range stack {
		stack[i] = slot{i: make([]int64, size), f: make([]float64, size)}
		args[i] = &stack[i]
	}
	for lo := 0; lo < n; lo += chunk {
		m := min(chunk, n-lo)
		sp := 0
		for _, in := range p.code {
			switch {
			case in.run != nil:
				in.run(args[sp-in.n], args[sp-in.n:sp], m)
				sp -= in.n - 1
			case in.band >= 0:
				load(&stack[sp], bands[p.bandIndex[in.band]][lo:lo+m], in.kind)
				sp++
			default:
				fill(&stack[sp], in, m)
				sp++
			}
		}
		store(out[lo:lo+m], &stack[0], p.kind)
	}
}

// load reads band values as numexpr's kind for them.
func load(s *slot, v []float64, k kind) {
	switch k {
	case kFloat, kDouble:
		copy(s.f, v)
	case kBool:
		for j, x := range v {
			s.i[j] = b2i(x != 0)
		}
	default:
		for j, x := range v {
			// uint64 values beyond int64 wrap, as numexpr casts them.
			if x >= 1<<63 {
				s.i[j] = int64(uint64(x))
			} else {
				s.i[j] = int64(x)
			}
		}
	}
}

func fill(s *slot, in instr, m int) {
	for j := 0; j < m; j++ {
		s.i[j], s.f[j] = in.i, in.f
	}
}

// store writes a result as float64, after numpy's nan_to_num: NaN is 0
// and infinities are the kind's largest values.
func store(out []float64, s *slot, k kind) {
	if !k.floating() {
		for j := range out {
			out[j] = float64(s.i[j])
		}
		return
	}
	_, hi := k.dataType().Range()
	for j := range out {
		switch v := s.f[j]; {
		case math.IsNaN(v):
			out[j] = 0
		case math.IsInf(v, 1):
			out[j] = hi
		case math.IsInf(v, -1):
			out[j] = -hi
		default:
			out[j] = v
		}
	}
}

// allValid is rio-tiler's mask of a band-mixing result, written to
// every band of valid: valid where no band of the image is masked.
func allValid(img *raster.Image, valid [][]bool) {
	first := valid[0]
	for p := range first {
		first[p] = img.AllValid(p)
	}
	for _, v := range valid[1:] {
		copy(v, first)
	}
}

// statistics are rio-tiler's dataset statistics of the outputs: the
// smallest and largest value of each block over every combination of the
// bands' minimums and maximums, computed with the bands as float64.
func (e *Expression) statistics(img *raster.Image) ([][2]float64, error) {
	if len(img.Stats) != img.Count() {
		return nil, fmt.Errorf("expression: an image of %d bands has statistics for %d", img.Count(), len(img.Stats))
	}
	if len(e.names) > maxStatsBands {
		return nil, badRequest("expression: reads %d bands that have dataset statistics; at most %d can be combined", len(e.names), maxStatsBands)
	}
	// rio-tiler evaluates the statistics as float64 before the image: an
	// operation float64 lacks (~, &) fails there, as in titiler.
	progs, err := e.compileFor(img.Names, kDouble, "with the dataset statistics, which are float64: ")
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, n := range img.Names {
		index[n] = i
	}
	combos := 1 << len(e.names)
	bands := make([][]float64, img.Count())
	for _, prog := range progs {
		for _, b := range prog.bandIndex {
			bands[b] = make([]float64, combos)
		}
	}
	for j, name := range e.names {
		b := index[name]
		for c := range combos {
			bands[b][c] = img.Stats[b][c>>j&1]
		}
	}
	values := make([][]float64, len(progs))
	for i := range values {
		values[i] = make([]float64, combos)
	}
	evaluate(progs, bands, values, outputType(progs))
	out := make([][2]float64, len(values))
	for i, v := range values {
		out[i] = [2]float64{v[0], v[0]}
		for _, x := range v {
			out[i][0], out[i][1] = min(out[i][0], x), max(out[i][1], x)
		}
	}
	return out, nil
}

var descPattern = regexp.MustCompile(`\bb[0-9A-Z]+\b`)

// descriptions are the blocks (lower-cased, as written) with every band
// name replaced by the band's description, rio-tiler's substitution. A
// band name the image lacks (in a comment, or a dropped branch of
// where()) makes rio-tiler fail; here it is a 400.
func (e *Expression) descriptions(img *raster.Image) ([]string, error) {
	desc := map[string]string{}
	for i, n := range img.Names {
		desc[n] = n
		if i < len(img.Descriptions) {
			desc[n] = img.Descriptions[i]
		}
	}
	out := make([]string, len(e.blocks))
	for i, b := range e.blocks {
		var missing string
		out[i] = descPattern.ReplaceAllStringFunc(b.text, func(name string) string {
			d, ok := desc[name]
			if !ok && missing == "" {
				missing = name
			}
			return d
		})
		if missing != "" {
			return nil, badRequest("expression: %q in %q is not a band of the image (%s)", missing, b.text, bandList(img.Names))
		}
	}
	return out, nil
}

func bandList(names []string) string {
	switch len(names) {
	case 0:
		return "no bands"
	case 1:
		return names[0]
	}
	return names[0] + ".." + names[len(names)-1]
}
