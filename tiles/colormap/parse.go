package colormap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"tilefunc"
)

// The most a colormap parameter may hold. Both are checked before anything
// is kept: 64 KiB is far more than any URL the Functions front end passes
// on, and 4,096 entries is sixteen 256-entry tables' worth.
const (
	MaxText    = 64 << 10 // bytes of JSON
	MaxEntries = 4096     // values or intervals
)

// Parse reads the colormap query parameter as titiler does: a JSON object
// of whole-number values → colour, or a JSON list of [[min, max], colour]
// intervals, colours being "#rgb", "#rgba", "#rrggbb", "#rrggbbaa" or
// [r, g, b] / [r, g, b, a] with components 0-255. An object of exactly the
// 256 values 0-255 is a LUT, as rio-tiler applies it. {}, [] and null give
// the zero Colormap (no colormap). NaN, Infinity and -Infinity may bound an
// interval, as Python's JSON reader allows. Every failure is EBADREQUEST.
func Parse(text string) (Colormap, error) {
	if len(text) > MaxText {
		return Colormap{}, bad("colormap: %d bytes of JSON, at most %d", len(text), MaxText)
	}
	doc := []byte(quoteNonFinite(text))
	if !json.Valid(doc) {
		return Colormap{}, bad("Could not parse the colormap value.")
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	tok, _ := dec.Token() // valid JSON: the first token reads
	switch tok {
	case json.Delim('{'):
		return parseObject(dec)
	case json.Delim('['):
		return parseIntervals(dec)
	case nil:
		return Colormap{}, nil // null: titiler reads no colormap
	}
	return Colormap{}, bad("colormap: %s is neither an object of value → colour nor a list of [[min, max], colour] intervals", clip(text))
}

func bad(format string, args ...any) error {
	return tilefunc.Errorf(tilefunc.EBADREQUEST, format, args...)
}

// parseObject reads value → colour pairs after the opening brace. A value
// written twice ("1" and "01") keeps its first place and its last colour,
// as a Python dict does.
func parseObject(dec *json.Decoder) (Colormap, error) {
	var c Colormap
	at := map[int64]int{}
	for n := 0; dec.More(); n++ {
		if n == MaxEntries {
			return Colormap{}, bad("colormap: more than %d entries", MaxEntries)
		}
		tok, _ := dec.Token()
		name := tok.(string) // valid JSON: object keys are strings
		key, err := parseKey(name)
		if err != nil {
			return Colormap{}, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Colormap{}, bad("Could not parse the colormap value.")
		}
		color, err := parseColor(raw)
		if err != nil {
			return Colormap{}, bad("colormap: key %q: %v", clip(name), err)
		}
		if i, ok := at[key]; ok {
			c.colors[i] = color
			continue
		}
		at[key] = len(c.keys)
		c.keys = append(c.keys, key)
		c.colors = append(c.colors, color)
	}
	return asTable(c), nil
}

// asTable makes a map of exactly the values 0-255 a LUT: rio-tiler looks
// such a map up as a table (casting values to bytes) and matches any other
// map value by value.
func asTable(c Colormap) Colormap {
	if len(c.keys) != 256 {
		return c
	}
	var t Table
	for i, k := range c.keys {
		if k < 0 || k > 255 {
			return c
		}
		t[k] = c.colors[i]
	}
	return Colormap{table: &t}
}

// parseKey reads an object key as Python's int() does: surrounding spaces,
// a sign and underscores between digits are allowed ("+1", " 2", "1_000").
func parseKey(name string) (int64, error) {
	s := strings.TrimSpace(name)
	digits := strings.TrimLeft(s, "+-")
	ok := len(s)-len(digits) <= 1 && digits != "" && digits[0] != '_' && digits[len(digits)-1] != '_' && !strings.Contains(digits, "__")
	for _, r := range digits {
		ok = ok && (r == '_' || r >= '0' && r <= '9')
	}
	if !ok {
		return 0, bad("colormap: key %q is not a whole number: keys are the data values to colour", clip(name))
	}
	k, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil {
		return 0, bad("colormap: key %q is out of range", clip(name))
	}
	return k, nil
}

// parseIntervals reads [[min, max], colour] entries after the opening
// bracket.
func parseIntervals(dec *json.Decoder) (Colormap, error) {
	var c Colormap
	for n := 0; dec.More(); n++ {
		if n == MaxEntries {
			return Colormap{}, bad("colormap: more than %d intervals", MaxEntries)
		}
		var entry []json.RawMessage
		if err := dec.Decode(&entry); err != nil || len(entry) != 2 {
			return Colormap{}, bad("colormap: entry %d is not an interval [[min, max], colour]: a list is a list of intervals, an object maps values to colours", n)
		}
		bounds, err := parseBounds(entry[0])
		if err != nil {
			return Colormap{}, bad("colormap: interval %d: %v", n, err)
		}
		color, err := parseColor(entry[1])
		if err != nil {
			return Colormap{}, bad("colormap: interval %d: %v", n, err)
		}
		c.bounds = append(c.bounds, bounds)
		c.colors = append(c.colors, color)
	}
	return c, nil
}

// parseBounds reads [min, max]: two numbers, or the non-finite words.
func parseBounds(raw json.RawMessage) ([2]float64, error) {
	var pair []any
	if err := decode(raw, &pair); err != nil || len(pair) != 2 {
		return [2]float64{}, fmt.Errorf("%s is not [min, max]", clip(string(raw)))
	}
	var b [2]float64
	for i, v := range pair {
		f, ok := number(v)
		if !ok {
			return b, fmt.Errorf("bound %s is not a number", clip(fmt.Sprint(v)))
		}
		b[i] = f
	}
	return b, nil
}

// number is a JSON number, ±Inf past float64's range as Python reads it,
// or one of the non-finite words quoteNonFinite wrote.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil || math.IsInf(f, 0)
	case string:
		switch v {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
	}
	return 0, false
}

// parseColor reads a colour as rio-tiler's parse_color does, and also
// checks what it leaves to numpy: components must be numbers in 0-255
// (fractions are truncated, as numpy casts them to bytes).
func parseColor(raw json.RawMessage) ([4]uint8, error) {
	var v any
	if err := decode(raw, &v); err != nil {
		return [4]uint8{}, err
	}
	switch v := v.(type) {
	case string:
		return parseHex(v)
	case []any:
		if len(v) != 3 && len(v) != 4 {
			return [4]uint8{}, colorError(raw)
		}
		c := [4]uint8{0, 0, 0, 255}
		for i, x := range v {
			f, ok := x.(json.Number)
			n, err := strconv.ParseFloat(string(f), 64)
			if !ok || err != nil || !(n >= 0 && n <= 255) {
				return [4]uint8{}, fmt.Errorf("colour %s: components are numbers from 0 to 255", clip(string(raw)))
			}
			c[i] = uint8(n)
		}
		return c, nil
	}
	return [4]uint8{}, colorError(raw)
}

// parseHex reads #rgb, #rgba, #rrggbb or #rrggbbaa, in either case.
func parseHex(s string) ([4]uint8, error) {
	digits, ok := strings.CutPrefix(s, "#")
	per := 1 // hex digits per component
	switch len(digits) {
	case 3, 4:
	case 6, 8:
		per = 2
	default:
		ok = false
	}
	c := [4]uint8{0, 0, 0, 255}
	for i := 0; ok && i < len(digits)/per; i++ {
		part := digits[i*per : (i+1)*per]
		n, err := strconv.ParseUint(part, 16, 8)
		if err != nil {
			ok = false
			break
		}
		if per == 1 {
			n *= 17 // "f" is "ff"
		}
		c[i] = uint8(n)
	}
	if !ok {
		return [4]uint8{}, colorError(json.RawMessage(strconv.Quote(s)))
	}
	return c, nil
}

func colorError(raw json.RawMessage) error {
	return fmt.Errorf("invalid color format: %s: use #rgb, #rgba, #rrggbb, #rrggbbaa, [r, g, b] or [r, g, b, a]", clip(string(raw)))
}

// decode reads one JSON value, keeping numbers as written.
func decode(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// quoteNonFinite writes Python's JSON words NaN, Infinity and -Infinity as
// strings, so Go's JSON reader, which knows no such numbers, reads them.
// Outside strings those capitals appear in no valid JSON otherwise.
func quoteNonFinite(text string) string {
	if !strings.ContainsAny(text, "NI") {
		return text
	}
	var b strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case inString:
			inString = escaped || ch != '"'
			escaped = !escaped && ch == '\\'
		case ch == '"':
			inString = true
		default:
			if w := nonFiniteAt(text[i:]); w != "" {
				b.WriteString(`"` + w + `"`)
				i += len(w) - 1
				continue
			}
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func nonFiniteAt(s string) string {
	for _, w := range []string{"NaN", "Infinity", "-Infinity"} {
		if strings.HasPrefix(s, w) {
			return w
		}
	}
	return ""
}

// clip shortens what a message quotes from the request to 40 characters.
func clip(s string) string {
	for i := range s {
		if i >= 40 {
			return s[:i] + "…"
		}
	}
	return s
}
