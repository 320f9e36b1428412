package handler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"

	"tilefunc"
)

// render is a named preset of tile parameters from metadata.defaults.
type render struct {
	name   string
	params url.Values
}

// renders reads metadata.defaults in document order. Entries that are not
// objects of parameters are skipped, as titiler-pgstac skips invalid ones.
func renders(m tilefunc.SearchMetadata) []render {
	raw, ok := m.Extra["defaults"]
	if !ok {
		return nil
	}
	names, err := objectKeys(raw)
	if err != nil {
		return nil
	}
	var all map[string]map[string]any
	if json.Unmarshal(raw, &all) != nil {
		return nil
	}
	var out []render
	for _, name := range names {
		if d, ok := all[name]; ok && d != nil {
			out = append(out, render{name, renderParams(d)})
		}
	}
	return out
}

// renderParams turns a preset into query parameters: lists repeat the key,
// objects are JSON (colormap, algorithm_params).
func renderParams(d map[string]any) url.Values {
	v := url.Values{}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch x := d[k].(type) {
		case []any:
			for _, e := range x {
				v.Add(k, scalar(e))
			}
		default:
			v.Add(k, scalar(x))
		}
	}
	return v
}

func scalar(x any) string {
	switch x := x.(type) {
	case string:
		return x
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	case nil:
		return ""
	}
	return fmt.Sprint(x)
}

// objectKeys lists a JSON object's keys in document order.
func objectKeys(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// renderLinks are one link per preset to rel's template (tilejson.json or
// map.html) with the preset's parameters.
func renderLinks(base string, rs []render, rel, file, kind string) []link {
	var out []link
	for _, r := range rs {
		out = append(out, link{
			Href: base + "/{tileMatrixSetId}/" + file + "?" + r.params.Encode(), Rel: rel, Templated: true,
			Title: fmt.Sprintf("%s link for `%s` layer (Template URL).", kind, r.name),
		})
	}
	return out
}
