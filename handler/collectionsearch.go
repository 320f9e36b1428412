package handler

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"tilefunc"
	"tilefunc/cql2"
)

// collectionSearch is the search of a collection request as
// titiler-pgstac's get_collection_id builds it from the query parameters,
// checked and written as a registered search (pgstacSearch).
func collectionSearch(id string, v url.Values) (map[string]any, error) {
	get := func(k string) string { // FastAPI takes a repeated parameter's last value
		if vs := v[k]; len(vs) > 0 {
			return vs[len(vs)-1]
		}
		return ""
	}
	lang := get("filter-lang")
	switch lang {
	case "":
		lang = "cql2-text" // titiler-pgstac's default
	case "cql2-text", "cql2-json":
	default:
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "filter-lang: %q is not one of cql2-text, cql2-json", lang)
	}
	fields := map[string]any{"collections": []any{id}}
	if ids := get("ids"); ids != "" {
		fields["ids"] = anyStrings(strings.Split(ids, ","))
	}
	if b := get("bbox"); b != "" {
		bbox, err := parseBBox(b)
		if err != nil {
			return nil, err
		}
		fields["bbox"] = bbox
	}
	if dt := get("datetime"); dt != "" {
		fields["datetime"] = dt
	}
	if sb := get("sortby"); sb != "" {
		fields["sortby"] = parseSortBy(sb)
	}
	if f := get("filter"); f != "" {
		filter, err := collectionFilter(f, lang)
		if err != nil {
			return nil, err
		}
		fields["filter"] = filter
	}
	// titiler-pgstac unquotes the query a second time: '+' becomes a space.
	if q := get("query"); q != "" {
		query, err := decodePy([]byte(unquotePlus(q)))
		if err != nil {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "query: want a JSON object: %v", err)
		}
		fields["query"] = query
	}
	return pgstacSearch(fields)
}

// collectionFilter is a filter parameter as CQL2-JSON: CQL2 text
// translated (its numbers floats, as titiler-pgstac's cql2 library writes
// them, so that the search hashes alike), or CQL2-JSON checked; either way
// refused with where it is wrong before pgSTAC sees it.
func collectionFilter(f, lang string) (any, error) {
	raw := []byte(f)
	if lang == "cql2-text" {
		j, err := cql2.Text(f)
		if err != nil {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "%v", err)
		}
		v, err := decodePy(j)
		return cql2Floats(v), err
	}
	v, err := decodePy(raw)
	if err != nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "filter: not JSON (filter-lang=cql2-json): %v", err)
	}
	if err := cql2.Check(raw); err != nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "%v", err)
	}
	return v, nil
}

// cql2Floats is v with every number a float, as cql2 (Rust, f64 numbers)
// hands a translated filter to titiler-pgstac.
func cql2Floats(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(v), 64)
		return pyFloat(f)
	case []any:
		for i, e := range v {
			v[i] = cql2Floats(e)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = cql2Floats(e)
		}
	}
	return v
}

func anyStrings(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// parseBBox reads comma-separated numbers; pgstacSearch checks how many.
func parseBBox(s string) ([]any, error) {
	var out []any
	for _, p := range strings.Split(s, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "bbox: %q is not a number", p)
		}
		out = append(out, json.Number(strconv.FormatFloat(f, 'g', -1, 64)))
	}
	return out, nil
}

// parseSortBy reads "-gsd,+datetime" as titiler-pgstac does: a leading -
// is descending, + or nothing ascending, the rest trimmed is the field (an
// empty one is refused by pgstacSearch).
func parseSortBy(s string) []any {
	var out []any
	for _, f := range strings.Split(s, ",") {
		dir := "asc"
		if strings.HasPrefix(f, "-") {
			dir = "desc"
		}
		if strings.HasPrefix(f, "-") || strings.HasPrefix(f, "+") {
			f = f[1:]
		}
		out = append(out, map[string]any{"field": strings.TrimSpace(f), "direction": dir})
	}
	return out
}

// unquotePlus decodes s as Python's urllib.parse.unquote_plus: '+' is a
// space, %XX a byte, a malformed escape stays as written.
func unquotePlus(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '+':
			b.WriteByte(' ')
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
		default:
			b.WriteByte(s[i])
		}
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// collectionMetadata is titiler-pgstac's metadata for a collection mosaic:
// its name; its bounds, the bbox filter's or else the collection's first
// extent box; its assets, the item_assets keys in the order pgSTAC's jsonb
// gives them (titiler-pgstac lists the dict it parsed from that text); and
// its defaults, from the collection's renders.
func collectionMetadata(id string, doc json.RawMessage, search map[string]any) map[string]any {
	var c map[string]json.RawMessage
	json.Unmarshal(doc, &c)
	m := map[string]any{"type": "mosaic", "name": fmt.Sprintf("Mosaic for '%s' Collection", id)}
	if b := collectionBounds(c["extent"], search["bbox"]); b != nil {
		m["bounds"] = b
	}
	if raw, ok := c["item_assets"]; ok {
		if names, values := objectInOrder(raw); values != nil {
			m["assets"] = anyStrings(names) // [] for {}, as titiler-pgstac
		}
	}
	if raw, ok := c["renders"]; ok {
		if d := renderDefaults(raw); d != nil {
			m["defaults"] = d
		}
	}
	return m
}

// collectionBounds is the search's bbox, else the extent's first box (the
// world where the extent has none), as floats; nil if that box is not 4 or
// 6 numbers.
func collectionBounds(extent json.RawMessage, bbox any) any {
	if bbox != nil {
		return bbox
	}
	var e struct {
		Spatial map[string]json.RawMessage `json:"spatial"`
	}
	json.Unmarshal(extent, &e)
	boxes := []any{[]any{json.Number("-180"), json.Number("-90"), json.Number("180"), json.Number("90")}}
	if raw, ok := e.Spatial["bbox"]; ok {
		v, _ := decodePy(raw)
		boxes, _ = v.([]any)
	}
	if len(boxes) == 0 {
		return nil
	}
	if b, ok := pyFloats(boxes[0], 4, 6); ok {
		return b
	}
	return nil
}

// renderDefaults are a collection's renders as titiler-pgstac turns them
// into metadata defaults: title and tilematrixsets dropped, minmax_zoom
// split into minzoom and maxzoom, a render it cannot read left out. nil if
// renders is not an object.
func renderDefaults(raw json.RawMessage) map[string]any {
	v, _ := decodePy(raw)
	renders, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for name, r := range renders {
		if d, ok := renderDefault(r); ok {
			out[name] = d
		}
	}
	return out
}

func renderDefault(r any) (map[string]any, bool) {
	fields, ok := r.(map[string]any)
	if !ok {
		return nil, false
	}
	out := map[string]any{}
	for k, v := range fields {
		switch k {
		case "title", "tilematrixsets", "minmax_zoom":
		default:
			out[k] = pyValue(v)
		}
	}
	zooms, ok := minmaxZoom(fields["minmax_zoom"])
	if !ok {
		return nil, false
	}
	if zooms != nil {
		out["minzoom"], out["maxzoom"] = zooms[0], zooms[1]
	}
	return out, true
}

// minmaxZoom reads a render's minmax_zoom as titiler-pgstac does (`if
// zooms and len(zooms) == 2`): two values are the zooms, anything empty or
// of another length is ignored; a value without a length (a number, true)
// or an object of two keys fails in Python, which leaves the render out.
func minmaxZoom(v any) (zooms []any, ok bool) {
	switch z := v.(type) {
	case []any:
		if len(z) == 2 {
			return []any{pyValue(z[0]), pyValue(z[1])}, true
		}
	case string:
		if r := []rune(z); len(r) == 2 {
			return []any{string(r[0]), string(r[1])}, true
		}
	case map[string]any:
		return nil, len(z) != 2
	case json.Number:
		f, _ := z.Float64()
		return nil, f == 0
	case bool:
		return nil, !z
	}
	return nil, true
}
