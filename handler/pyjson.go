package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The searches tilefunc stores must hash as titiler-pgstac's do: pgSTAC's
// id is the md5 of the search's and the metadata's jsonb text, and jsonb
// keeps a number's scale (1 and 1.0 differ). titiler-pgstac reads a body
// with Python's json module (a number with '.', 'e' or 'E' becomes a float,
// any other an int) and writes it back with pydantic, which prints a float
// as Python's repr does. decodePy and pyValue give the same values.

// decodePy decodes one JSON value with its numbers kept as json.Number,
// refusing trailing data as Python's json.loads does.
func decodePy(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

// pyValue is v as titiler-pgstac writes a value it holds untyped: floats as
// Python prints them (1.50 → 1.5, 1E2 → 100.0), infinite ones as null
// (pydantic's default), integers as written.
func pyValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			return v
		}
		f, _ := strconv.ParseFloat(string(v), 64)
		return pyFloat(f)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = pyValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = pyValue(e)
		}
		return out
	}
	return v
}

// pyFloat is f as Python's repr writes it: a point always (10.0), the
// exponent form below 1e-4 and from 1e16 on. nil for an infinity or NaN,
// which pydantic writes as null.
func pyFloat(f float64) any {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return json.Number(e)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return json.Number(s)
}

// pyFloats reads a list of numbers as floats, of one of the lengths given.
func pyFloats(v any, lengths ...int) ([]any, bool) {
	list, ok := v.([]any)
	if !ok || (len(lengths) > 0 && !slices.Contains(lengths, len(list))) {
		return nil, false
	}
	out := make([]any, len(list))
	for i, e := range list {
		n, ok := e.(json.Number)
		if !ok {
			return nil, false
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return nil, false
		}
		out[i] = pyFloat(f)
	}
	return out, true
}

// floatsOf are the values pyFloats wrote.
func floatsOf(list []any) []float64 {
	out := make([]float64, len(list))
	for i, e := range list {
		n, _ := e.(json.Number)
		out[i], _ = n.Float64()
	}
	return out
}
