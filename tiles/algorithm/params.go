package algorithm

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ftype is the type of a field of one of titiler's pydantic models.
type ftype int

const (
	tInt       ftype = iota // int
	tFloat                  // float
	tStr                    // str
	tSeq                    // Sequence: any list, or a str
	tListFloat              // list[float]
	tSeqFloat               // Sequence[float]
	tSeqInt                 // Sequence[int]
)

// field is one field of an algorithm's model: a parameter, or metadata
// (title, description, input_*, output_*), which a request may also set.
type field struct {
	name     string
	typ      ftype
	optional bool // `| None`
	def      any  // int, float64, string, []int, []float64; nil for None
	bounded  bool // pydantic's ge and le
	ge, le   float64
	doc      string // pydantic's Field description
}

// params are the validated fields of one request: numbers as float64
// (whole for int fields), strings, nil for None.
type params map[string]any

func (p params) float(name string) float64 { return p[name].(float64) }
func (p params) int(name string) int       { return int(p[name].(float64)) }
func (p params) str(name string) string    { s, _ := p[name].(string); return s }

// optFloat is an `float | None` field; ok is false for None.
func (p params) optFloat(name string) (float64, bool) {
	f, ok := p[name].(float64)
	return f, ok
}

// validate checks a request's fields as pydantic's lax mode does and fills
// in the defaults. Keys the model does not declare are accepted and
// ignored (the models' `extra: allow`). The problems come in field order.
func validate(fields []field, in value) (params, []string) {
	out := params{}
	var problems []string
	for _, f := range fields {
		v, given := in.dict[f.name]
		if !given {
			out[f.name] = defaultValue(f.def)
			continue
		}
		got, errs := f.coerce(v)
		out[f.name] = got
		problems = append(problems, errs...)
	}
	return out, problems
}

// defaultValue holds ints as float64, as params does.
func defaultValue(d any) any {
	if i, ok := d.(int); ok {
		return float64(i)
	}
	return d
}

// coerce turns a JSON value into the field's type or says why it cannot.
func (f field) coerce(v value) (any, []string) {
	if v.kind == pyNone && f.optional {
		return nil, nil
	}
	var got any
	var msg string
	switch f.typ {
	case tInt:
		got, msg = toInt(v)
	case tFloat:
		got, msg = toFloat(v)
	case tStr:
		got, msg = toStr(v)
	default:
		return f.coerceSeq(v)
	}
	if msg == "" && f.bounded {
		msg = f.checkBounds(got.(float64))
	}
	if msg != "" {
		return nil, []string{f.name + ": " + msg}
	}
	return got, nil
}

// checkBounds tests le before ge, as pydantic does (NaN fails le).
func (f field) checkBounds(x float64) string {
	if !(x <= f.le) {
		return "Input should be less than or equal to " + bound(f.le)
	}
	if !(x >= f.ge) {
		return "Input should be greater than or equal to " + bound(f.ge)
	}
	return ""
}

// bound writes a limit as pydantic's messages do: 0.000001, 99999.
func bound(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// coerceSeq validates the sequence fields. Their values are never used by
// an algorithm, so only whether they are valid matters.
func (f field) coerceSeq(v value) (any, []string) {
	fail := func(msg string) (any, []string) { return nil, []string{f.name + ": " + msg} }
	switch {
	case f.typ == tSeq && (v.kind == pyList || v.kind == pyStr):
		return nil, nil
	case f.typ == tSeq:
		return fail("Input should be an instance of Sequence")
	case f.typ == tListFloat && v.kind != pyList:
		return fail("Input should be a valid list")
	case v.kind == pyStr:
		return fail("'str' instances are not allowed as a Sequence value")
	case v.kind != pyList:
		return fail("Input should be an instance of Sequence")
	}
	var problems []string
	for i, item := range v.list {
		msg := ""
		if f.typ == tSeqInt {
			_, msg = toInt(item)
		} else {
			_, msg = toFloat(item)
		}
		if msg != "" {
			problems = append(problems, fmt.Sprintf("%s.%d: %s", f.name, i, msg))
		}
	}
	return nil, problems
}

// toInt is pydantic's lax int: bools, whole floats and numeric strings pass.
func toInt(v value) (float64, string) {
	switch v.kind {
	case pyBool:
		return b2f(v.b), ""
	case pyInt:
		return v.f, ""
	case pyFloat:
		switch {
		case math.IsNaN(v.f) || math.IsInf(v.f, 0):
			return 0, "Input should be a finite number"
		case v.f != math.Trunc(v.f):
			return 0, "Input should be a valid integer, got a number with a fractional part"
		}
		return v.f, ""
	case pyStr:
		if f, ok := parseIntString(v.s); ok {
			return f, ""
		}
		return 0, "Input should be a valid integer, unable to parse string as an integer"
	}
	return 0, "Input should be a valid integer"
}

// toFloat is pydantic's lax float.
func toFloat(v value) (float64, string) {
	switch v.kind {
	case pyBool:
		return b2f(v.b), ""
	case pyInt:
		if math.IsInf(v.f, 0) { // Python cannot make a float of it
			return 0, "Input should be a valid number"
		}
		return v.f, ""
	case pyFloat:
		return v.f, ""
	case pyStr:
		if f, ok := parseFloatString(v.s); ok {
			return f, ""
		}
		return 0, "Input should be a valid number, unable to parse string as a number"
	}
	return 0, "Input should be a valid number"
}

func toStr(v value) (string, string) {
	if v.kind != pyStr {
		return "", "Input should be a valid string"
	}
	return v.s, ""
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// parseIntString reads an int from a string as pydantic does: spaces
// around, a sign, underscores between digits, and a fraction of zeros.
func parseIntString(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if f, ok := intDigits(s); ok {
		return f, true
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s) > i+1 && strings.Trim(s[i+1:], "0") == "" {
		return intDigits(s[:i])
	}
	return 0, false
}

func intDigits(s string) (float64, bool) {
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" {
		return 0, false
	}
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '_' && i > 0 && i+1 < len(body) && isDigit(body[i-1]) && isDigit(body[i+1]):
		case !isDigit(c):
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s[:len(s)-len(body)]+strings.ReplaceAll(body, "_", ""), 64)
	return f, err == nil || math.IsInf(f, 0)
}

// parseFloatString reads a float from a string as pydantic does: Rust's
// float syntax after trimming spaces, or, failing that, after taking out
// underscores that neither start nor end the string nor come in pairs.
func parseFloatString(s string) (float64, bool) {
	if f, ok := rustFloat(strings.TrimSpace(s)); ok {
		return f, true
	}
	if strings.Contains(s, "_") && !strings.HasPrefix(s, "_") && !strings.HasSuffix(s, "_") && !strings.Contains(s, "__") {
		return rustFloat(strings.ReplaceAll(s, "_", ""))
	}
	return 0, false
}

var rustFloatSyntax = regexp.MustCompile(`^[+-]?(?:(?i:inf|infinity|nan)|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$`)

// rustFloat is Rust's f64::from_str, which pydantic-core uses.
func rustFloat(s string) (float64, bool) {
	if !rustFloatSyntax.MatchString(s) {
		return 0, false
	}
	if strings.EqualFold(strings.TrimLeft(s, "+-"), "nan") {
		return math.NaN(), true
	}
	f, _ := strconv.ParseFloat(s, 64) // ±Inf beyond the range, as Rust
	return f, true
}
