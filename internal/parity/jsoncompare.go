package parity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// JSONDiff is how two JSON documents differ.
type JSONDiff struct {
	Fields int      // leaf values compared
	Max    float64  // largest |diff| of two numbers
	Diffs  []string // "path: a vs b", every field that differs
}

// CompareJSON compares two JSON documents field by field: objects must have
// the same keys, arrays the same length, strings, booleans and nulls the
// same values, and numbers must agree within abs or rel of the larger
// magnitude. Python's bare NaN and Infinity tokens (which its json module
// writes) are read as the strings "NaN" and "Infinity".
func CompareJSON(a, b []byte, abs, rel float64) (JSONDiff, error) {
	var va, vb any
	if err := json.Unmarshal(quoteNonFinite(a), &va); err != nil {
		return JSONDiff{}, fmt.Errorf("first document: %w", err)
	}
	if err := json.Unmarshal(quoteNonFinite(b), &vb); err != nil {
		return JSONDiff{}, fmt.Errorf("second document: %w", err)
	}
	var d JSONDiff
	d.walk("$", va, vb, abs, rel)
	return d, nil
}

func (d *JSONDiff) walk(path string, a, b any, abs, rel float64) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			d.differ(path, a, b)
			return
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			xa, oka := x[k]
			yb, okb := y[k]
			switch {
			case !oka:
				d.Diffs = append(d.Diffs, fmt.Sprintf("%s.%s: missing vs %s", path, k, short(yb)))
			case !okb:
				d.Diffs = append(d.Diffs, fmt.Sprintf("%s.%s: %s vs missing", path, k, short(xa)))
			default:
				d.walk(path+"."+k, xa, yb, abs, rel)
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			d.differ(path, a, b)
			return
		}
		for i := range x {
			d.walk(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], abs, rel)
		}
	case float64:
		d.Fields++
		y, ok := b.(float64)
		if !ok {
			d.differ(path, a, b)
			return
		}
		diff := math.Abs(x - y)
		d.Max = math.Max(d.Max, diff)
		if diff > abs && diff > rel*math.Max(math.Abs(x), math.Abs(y)) {
			d.differ(path, a, b)
		}
	default: // string, bool, nil
		d.Fields++
		if a != b {
			d.differ(path, a, b)
		}
	}
}

func (d *JSONDiff) differ(path string, a, b any) {
	d.Diffs = append(d.Diffs, fmt.Sprintf("%s: %s vs %s", path, short(a), short(b)))
}

// short is v as JSON, cut to 60 bytes.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

// quoteNonFinite puts quotes around NaN, Infinity and -Infinity where they
// stand as values, outside strings.
func quoteNonFinite(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
			if bytes.HasPrefix(b[i:], []byte(tok)) {
				out = append(out, '"')
				out = append(out, tok...)
				c = '"'
				i += len(tok) - 1
				break
			}
		}
		out = append(out, c)
	}
	return out
}
