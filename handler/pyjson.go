package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// pyDumps writes a JSON value as Python's json.dumps does by default (how
// titiler-pgstac turns a render's colormap object into a query value):
// keys in their order, ", " and ": " between items, numbers as Python holds
// them, every character beyond ASCII escaped.
func pyDumps(raw json.RawMessage) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	if err := dumpValue(dec, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

func dumpValue(dec *json.Decoder, b *strings.Builder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := t.(type) {
	case json.Delim:
		closing := map[json.Delim]byte{'{': '}', '[': ']'}[t]
		b.WriteByte(byte(t))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				b.WriteString(pyQuote(k.(string)) + ": ")
			}
			if err := dumpValue(dec, b); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		b.WriteByte(closing)
	case string:
		b.WriteString(pyQuote(t))
	case json.Number:
		switch v := pyValue(t).(type) {
		case json.Number:
			b.WriteString(string(v))
		default: // an infinite float: json.dumps writes Infinity
			if strings.HasPrefix(string(t), "-") {
				b.WriteString("-Infinity")
			} else {
				b.WriteString("Infinity")
			}
		}
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case nil:
		b.WriteString("null")
	}
	return nil
}

// pyQuote is a string as json.dumps writes it (ensure_ascii).
func pyQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r > 0x7e && r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
