// Package expression is titiler's band math (rio-tiler's expressions):
// "b1/b2;b2+b3", one output band per ;-separated block, each block the
// Python expression numexpr evaluates over whole arrays. It reproduces
// what titiler accepts and computes: rio-tiler's rules for what may be
// written, Python's grammar and constant arithmetic, numexpr's types
// (uint8 computes as int32, float32 with an integer stays float32), its
// integer wrap-around and its rewrites, numpy's nan_to_num and type
// promotion of the outputs.
//
// The parser is hand-written (recursive descent over Python's expression
// grammar): the subset is small, and a request controls the text, so
// sizes and nesting are bounded before anything is allocated for them.
//
// Refused here though titiler takes them, each with a 400 that says why:
// complex numbers (1j, complex(), conj() of a float, and so conj() of
// any band when the image has dataset statistics, which are computed in
// float64), for titiler makes complex images of them or keeps real parts;
// sum(), prod() (titiler makes a 1×1 image, or returns a point's value);
// blocks that read no band (titiler makes a 1×1 image); functions of
// constant truth values and copy() or ones_like() of a constant (numpy's
// float16 and 0-d array quirks); integers beyond 4,096 bits; more than 16
// bands combined with dataset statistics (2^n evaluations); the bounds
// below. Values agree with titiler's exactly, except that sin, cos, tan,
// the arc and hyperbolic functions, hypot and arctan2 may be a few ulp
// from glibc's (Go computes them), and glibc's float32 functions, not
// always correctly rounded, may be one ulp from these.
//
// An Expression is immutable: it may be applied concurrently.
package expression

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"tilefunc"
)

// Bounds on what a request may send.
const (
	MaxBytes   = 4096 // length of the whole expression
	MaxOutputs = 32   // blocks
	MaxNodes   = 1024 // syntax nodes of all blocks together
	MaxDepth   = 64   // nesting of brackets, calls, unary operators and powers
)

// Expression is a parsed band-math expression.
type Expression struct {
	text   string
	blocks []block
	names  []string
}

type block struct {
	text string // lower-cased, as written (descriptions keep its spaces)
	tree *snode
}

// Parse reads an expression: blocks split on ';', empty blocks dropped,
// lower-cased, as rio-tiler reads them. Everything that does not depend
// on the bands' types is checked here; errors are 400s naming where.
func Parse(s string) (*Expression, error) {
	if len(s) > MaxBytes {
		return nil, badRequest("expression: %d bytes is too long (at most %d)", len(s), MaxBytes)
	}
	var texts []string
	for _, t := range strings.Split(s, ";") {
		if t == "" {
			continue
		}
		if len(texts) == MaxOutputs {
			return nil, badRequest("expression: more than %d outputs", MaxOutputs)
		}
		texts = append(texts, strings.ToLower(t))
	}
	if len(texts) == 0 {
		return nil, badRequest("expression: empty expression")
	}
	e := &Expression{text: s}
	nodes := 0
	for i, t := range texts {
		tree, err := parseBlock(t, &nodes)
		if err == nil {
			err = sanitize(t)
		}
		if err != nil {
			return nil, blockError(err, i, texts)
		}
		e.blocks = append(e.blocks, block{text: t, tree: tree})
	}
	if err := e.checkNames(); err != nil {
		return nil, err
	}
	return e, nil
}

// checkNames builds every block as numexpr first does, with every band
// float64, to find the bands it reads and the errors that do not depend
// on the types.
func (e *Expression) checkNames() error {
	seen := map[string]bool{}
	for i, b := range e.blocks {
		reads := map[string]bool{}
		if _, err := (&builder{band: kDouble}).block(b.tree, reads); err != nil {
			return blockError(err, i, e.texts())
		}
		for _, name := range namesOf(b.tree) {
			if reads[name] && !seen[name] {
				seen[name] = true
				e.names = append(e.names, name)
			}
		}
	}
	return nil
}

// block builds a whole block and puts the bands it reads in reads, which
// must be empty: it must read one (a constant alone has no shape to make
// an image of), and a band alone is numexpr's copy. (The caller's map
// stays on its stack, as a returned one would not.)
func (b *builder) block(n *snode, reads map[string]bool) (*enode, error) {
	e, err := b.build(n)
	if err != nil {
		return nil, err
	}
	collectVars(e, reads)
	if len(reads) == 0 {
		return nil, errAt(n.pos, "the block reads no band: a constant is not an image")
	}
	if e.op == "var" {
		e = opNode("copy", e.pos, e.kind, e)
	}
	return e, nil
}

func collectVars(e *enode, into map[string]bool) {
	if e.op == "var" {
		into[e.name] = true
	}
	for _, a := range e.args {
		collectVars(a, into)
	}
}

// namesOf lists the names a syntax tree mentions, in the order written.
func namesOf(n *snode) []string {
	var out []string
	var walk func(*snode)
	walk = func(n *snode) {
		if n.op == "name" {
			out = append(out, n.name)
		}
		for _, a := range n.args {
			walk(a)
		}
	}
	walk(n)
	return out
}

func (e *Expression) texts() []string {
	out := make([]string, len(e.blocks))
	for i, b := range e.blocks {
		out[i] = b.text
	}
	return out
}

// String is the expression as given.
func (e *Expression) String() string { return e.text }

// Blocks are the blocks as they are evaluated: lower-cased and trimmed.
func (e *Expression) Blocks() []string {
	out := e.texts()
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// Outputs is the number of bands the expression makes.
func (e *Expression) Outputs() int { return len(e.blocks) }

// Names are the bands the expression reads (b1, b12...), each once, in
// the order first written. A band only in a branch where() drops is not
// read, as numexpr does not read it.
func (e *Expression) Names() []string { return append([]string(nil), e.names...) }

var bandPattern = regexp.MustCompile(`(?i)\bb([0-9a-z]+)\b`)

// Indexes are the band numbers the text names, ascending, as rio-tiler's
// parse_expression finds them to decide which bands of an asset to read
// (with its pattern, comments included). A name such as "blue" is not a
// band number: 400, as is an expression that names none.
func (e *Expression) Indexes() ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, m := range bandPattern.FindAllStringSubmatch(e.text, -1) {
		i, err := strconv.Atoi(m[1])
		if err != nil || i < 1 {
			return nil, badRequest("expression: %q is not a band (b1, b2...)", m[0])
		}
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, badRequest("expression: could not find any valid bands in %q", e.text)
	}
	sort.Ints(out)
	return out, nil
}

// posError is an error at a byte offset of a block.
type posError struct {
	pos int
	msg string
}

func (e *posError) Error() string { return e.msg }

func errAt(pos int, format string, args ...any) error {
	return &posError{pos: pos, msg: fmt.Sprintf(format, args...)}
}

// blockError is err as a 400 naming its place: the character of the block
// (and which block, when there are several).
func blockError(err error, i int, texts []string) error {
	var pe *posError
	if !errors.As(err, &pe) {
		return err
	}
	where := fmt.Sprintf("%q", texts[i])
	if len(texts) > 1 {
		where = fmt.Sprintf("block %d %q", i+1, texts[i])
	}
	return badRequest("expression: %s at character %d of %s", pe.msg, pe.pos, where)
}

// inContext prefixes the message of a positioned error.
func inContext(err error, context string) error {
	var pe *posError
	if context == "" || !errors.As(err, &pe) {
		return err
	}
	return &posError{pos: pe.pos, msg: context + pe.msg}
}

func badRequest(format string, args ...any) error {
	return tilefunc.Errorf(tilefunc.EBADREQUEST, format, args...)
}
