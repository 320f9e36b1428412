// Package colorformula is titiler's color_formula parameter: a sequence of
// colour operations (gamma, sigmoidal contrast, saturation) written as
// color-operations writes them, "gamma rgb 1.3, sigmoidal rgb 22 0.1,
// saturation 1.2", read as that library reads it and applied as rio-tiler's
// ImageData.apply_color_formula applies it: the result is always uint8.
package colorformula

import (
	"fmt"
	"strings"
	"unicode"

	"tilefunc"
)

// Limits on a formula. titiler has none; these are far above any formula
// written by hand and keep a request from asking for unbounded work.
const (
	MaxBytes      = 1024 // of the query value
	MaxOperations = 32   // gamma, sigmoidal and saturation steps together
)

// Formula is a parsed color_formula: operations applied in order. The zero
// Formula changes nothing.
type Formula struct {
	ops []operation
}

// operation is one step of a formula.
type operation struct {
	n     int    // 1-based place in the formula, for messages
	name  string // gamma, sigmoidal or saturation
	text  string // the step as written, for messages
	bands []int  // 0-based bands it changes; saturation always 0, 1, 2
	args  []float64
}

// params are the arguments each operation takes, in order; color-operations
// drops any beyond these and fails when applying one given fewer.
var params = map[string][]string{
	"gamma":      {"g"},
	"sigmoidal":  {"contrast", "bias"},
	"saturation": {"proportion"},
}

// Parse reads a color_formula query value. It refuses (EINVALID, 422) what
// titiler's query validation refuses, and formulas beyond the limits;
// problems color-operations only meets when applying (a missing argument, a
// gamma of 0, a band the image lacks) are Apply's errors, as in titiler.
func Parse(s string) (Formula, error) {
	if len(s) > MaxBytes {
		return Formula{}, invalid("%d bytes, above the %d-byte limit", len(s), MaxBytes)
	}
	if strings.TrimFunc(s, pySpace) == "" {
		return Formula{}, invalid("empty: want operations such as %s", usage("gamma"))
	}
	groups := group(s)
	if len(groups) > MaxOperations {
		return Formula{}, invalid("%d operations, above the %d limit", len(groups), MaxOperations)
	}
	f := Formula{ops: make([]operation, 0, len(groups))}
	for i, g := range groups {
		op, err := parseOperation(i+1, g)
		if err != nil {
			return Formula{}, err
		}
		f.ops = append(f.ops, op)
	}
	return f, nil
}

// String is the formula as parsed, one operation after another.
func (f Formula) String() string {
	parts := make([]string, len(f.ops))
	for i, op := range f.ops {
		parts[i] = op.text
	}
	return strings.Join(parts, ", ")
}

func invalid(format string, args ...any) error {
	return tilefunc.Errorf(tilefunc.EINVALID, "color_formula: "+format, args...)
}

// group splits a formula into operations as color-operations does: commas
// are dropped, the rest is split at every single space (so two spaces make
// an empty word), each word loses surrounding whitespace, and each
// operation name starts a new group. Words before the first name form a
// group of their own, which then fails as an unknown operation.
func group(s string) [][]string {
	var groups [][]string
	var cur []string
	for _, w := range strings.Split(strings.ReplaceAll(s, ",", ""), " ") {
		w = strings.TrimFunc(w, pySpace)
		if _, ok := params[asciiLower(w)]; ok && len(cur) > 0 {
			groups = append(groups, cur)
			cur = nil
		}
		cur = append(cur, w)
	}
	return append(groups, cur)
}

// parseOperation reads one group: a name, then bands (except for
// saturation, which always works on the first three), then numbers.
func parseOperation(n int, words []string) (operation, error) {
	op := operation{n: n, name: asciiLower(words[0]), text: strings.Join(words, " ")}
	if _, ok := params[op.name]; !ok {
		return op, invalid("operation %d %q: %q is not an operation: want gamma, sigmoidal or saturation", n, op.text, words[0])
	}
	if len(words) < 2 {
		return op, invalid("operation %d %q: nothing follows %s: want %s", n, op.text, words[0], usage(op.name))
	}
	rest := words[1:]
	if op.name == "saturation" {
		op.bands = []int{0, 1, 2}
	} else {
		bands, err := parseBands(op, words[1])
		if err != nil {
			return op, err
		}
		op.bands, rest = bands, words[2:]
	}
	for _, w := range rest {
		v, ok := pyFloat(w)
		if !ok {
			return op, invalid("operation %d %q: %q is not a number: want %s", n, op.text, w, usage(op.name))
		}
		op.args = append(op.args, v)
	}
	return op, nil
}

// parseBands reads a band selector: any of r, g, b, 1, 2, 3 in any case and
// order, repeats allowed. An empty selector (two spaces after the name) is
// accepted and selects nothing, as in color-operations.
func parseBands(op operation, w string) ([]int, error) {
	var seen [3]bool
	for _, r := range w {
		b, ok := bandOf(r)
		if !ok {
			return nil, invalid("operation %d %q: band %q in %q: want bands as r, g, b or 1, 2, 3, as in %s", op.n, op.text, r, w, usage(op.name))
		}
		seen[b] = true
	}
	var bands []int
	for b, ok := range seen {
		if ok {
			bands = append(bands, b)
		}
	}
	return bands, nil
}

// bandOf is the 0-based band one selector character names: r, g or b in
// either case, or a decimal digit 1 to 3 of any script, which is what
// Python's int() takes.
func bandOf(r rune) (int, bool) {
	if d, ok := digitValue(r); ok {
		return d - 1, d >= 1 && d <= 3
	}
	if r > unicode.MaxASCII {
		return 0, false
	}
	b := strings.IndexRune("rgb", unicode.ToLower(r))
	return b, b >= 0
}

// usage is how an operation is written.
func usage(name string) string {
	switch name {
	case "gamma":
		return `"gamma rgb 1.5" (bands, then g > 0)`
	case "sigmoidal":
		return `"sigmoidal rgb 15 0.35" (bands, then contrast and a bias from 0 to 1)`
	}
	return `"saturation 1.2" (a proportion; it works on the first three bands)`
}

// asciiLower lowers ASCII letters only: Python's str.lower() turns no other
// letter into the ASCII ones operation names and bands are made of (Go's
// would turn U+0130 into i).
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// pySpace is whitespace as Python's str.strip() knows it: Unicode's, plus
// the four ASCII separators U+001C to U+001F.
func pySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// describe names an operation in messages of Apply.
func (op operation) describe() string {
	return fmt.Sprintf("operation %d %q", op.n, op.text)
}
