package handler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"tilefunc"
)

// render is a named layer that a mosaic's metadata defines
// (metadata.defaults, titiler-pgstac's renders): the tile query that draws
// it and, optionally, its extent and zooms.
type render struct {
	name   string
	query  url.Values
	keys   []string          // query's keys in titiler-pgstac's order
	extent *[4]float64       // spatial_extent, longitude/latitude
	zooms  map[string][2]int // tilematrixsets: zooms by set id, "*" for any
}

// lastKeys are the render keys titiler-pgstac sets again after reading
// the others (defaults_params, then its titiler 2 adapter), so its links
// write them last, in this order.
var lastKeys = []string{"rescale", "colormap", "assets"}

// encode writes the render's query in titiler-pgstac's order: the
// render's keys as written, then lastKeys; a list repeats its key.
func (rd render) encode() string {
	if rd.keys == nil { // not read from metadata: a request's own query
		return rd.query.Encode()
	}
	var parts []string
	for _, k := range rd.keys {
		for _, v := range rd.query[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

// renders reads metadata.defaults in the order pgSTAC returns it (jsonb
// orders keys by length, then bytes; titiler-pgstac sees the same). Values
// become query values as titiler-pgstac turns them into its dependencies'
// inputs: rescale [[0,1000]] becomes rescale=0,1000, a colormap object its
// JSON, lists repeat the key; the version 1 asset_bidx and asset_expression
// become per-asset options (assets=cog|bidx=1). tilesize is dropped (the
// client picks it), and spatial_extent and tilematrixsets are layer
// metadata, not tile parameters. A render that is not an object, or whose
// extent or zooms are malformed, is left out.
func renders(meta tilefunc.SearchMetadata) []render {
	names, values := objectInOrder(meta.Extra["defaults"])
	var out []render
	for _, name := range names {
		keys, fields := objectInOrder(values[name])
		if keys == nil {
			continue
		}
		rd, ok := readRender(name, keys, fields)
		if ok {
			out = append(out, rd)
		}
	}
	return out
}

func readRender(name string, keys []string, fields map[string]json.RawMessage) (render, bool) {
	rd := render{name: name, query: url.Values{}}
	if raw, ok := fields["spatial_extent"]; ok {
		var b [4]float64
		if json.Unmarshal(raw, &b) != nil {
			return rd, false
		}
		rd.extent = &b
	}
	if raw, ok := fields["tilematrixsets"]; ok {
		if json.Unmarshal(raw, &rd.zooms) != nil {
			return rd, false
		}
	}
	for _, k := range keys {
		switch k {
		case "tilesize", "spatial_extent", "tilematrixsets":
			continue
		}
		if vs := queryStrings(fields[k]); len(vs) > 0 {
			rd.query[k] = vs
			if !slices.Contains(lastKeys, k) {
				rd.keys = append(rd.keys, k)
			}
		}
	}
	rd.keys = append(rd.keys, lastKeys...)
	assetOptions(rd.query)
	rd.keys = slices.DeleteFunc(rd.keys, func(k string) bool { return !rd.query.Has(k) })
	return rd, true
}

// queryStrings turns a JSON value into query values: a string as it is, a
// number or boolean as written, a list one value per element (a nested list
// joined with commas), an object as its JSON; null as nothing.
func queryStrings(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && list != nil {
		var out []string
		for _, e := range list {
			var inner []json.RawMessage
			if json.Unmarshal(e, &inner) == nil && inner != nil {
				var parts []string
				for _, p := range inner {
					parts = append(parts, scalar(p))
				}
				out = append(out, strings.Join(parts, ","))
				continue
			}
			if s := scalar(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	if s := scalar(raw); s != "" {
		return []string{s}
	}
	return nil
}

// scalar is a JSON value as Python's str writes it into a query: a string
// as it is, a number as Python holds it, True or False, an object or list
// as json.dumps writes it; null as nothing.
func scalar(raw json.RawMessage) string {
	v, err := decodePy(raw)
	if err != nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	case bool:
		if v {
			return "True"
		}
		return "False"
	case json.Number:
		if n, ok := pyValue(v).(json.Number); ok {
			return string(n)
		}
		return "inf"
	}
	s, _ := pyDumps(raw)
	return s
}

// assetOptions folds titiler 1's asset_bidx=asset|1,2 and
// asset_expression=asset|expr into the assets they name, as titiler's
// render adapter does: assets=asset|bidx=1,2|expression=expr.
func assetOptions(q url.Values) {
	if !q.Has("asset_bidx") && !q.Has("asset_expression") {
		return
	}
	options := map[string][]string{}
	for _, opt := range []struct{ key, name string }{{"asset_bidx", "bidx"}, {"asset_expression", "expression"}} {
		for _, v := range q[opt.key] {
			if asset, val, ok := strings.Cut(v, "|"); ok {
				options[asset] = append(options[asset], opt.name+"="+val)
			}
		}
		q.Del(opt.key)
	}
	for i, a := range q["assets"] {
		if opts := options[a]; len(opts) > 0 {
			q["assets"][i] = a + "|" + strings.Join(opts, "|")
		}
	}
}

// objectInOrder returns the keys of a JSON object in the order written,
// and their values; nothing when raw is not an object.
func objectInOrder(raw json.RawMessage) ([]string, map[string]json.RawMessage) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil
	}
	var keys []string
	values := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil
		}
		if _, dup := values[k]; !dup {
			keys = append(keys, k)
		}
		values[k] = v
	}
	return keys, values
}

// renderLinks are one link per preset to rel's template (tilejson.json or
// map.html) with the preset's parameters, as titiler-pgstac lists them.
func renderLinks(base string, rs []render, rel, file, kind string) []link {
	var out []link
	for _, r := range rs {
		out = append(out, link{
			Href: base + "/{tileMatrixSetId}/" + file + "?" + r.encode(), Rel: rel, Templated: true,
			Title: fmt.Sprintf("%s link for `%s` layer (Template URL).", kind, r.name),
		})
	}
	return out
}

// rasterLayers are renders as TileJSON's raster_layers carries them
// (titiler-pgstac's get_renders): each render object as written, its
// asset_bidx and asset_expression folded into its assets (titiler 2's
// per-asset options); for a mosaic's metadata (asParams) also its rescale
// ranges as "min,max" strings and its colormap as JSON text, the form the
// tile route takes them in. {} where there are none.
func rasterLayers(defaults json.RawMessage, asParams bool) json.RawMessage {
	names, values := objectInOrder(defaults)
	var kept []string
	var layers []any
	for _, n := range names {
		fields, raws := objectInOrder(values[n])
		if fields == nil {
			continue // not an object: titiler's model refuses it
		}
		layer := map[string]any{}
		for _, k := range fields {
			v, _ := decodePy(raws[k])
			layer[k] = pyValue(v)
		}
		if asParams {
			asTileParams(layer, raws)
		}
		foldAssetOptions(layer)
		kept, layers = append(kept, n), append(layers, layer)
	}
	b, err := orderedObject(kept, layers)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}

// asTileParams writes rescale and colormap as the tile route reads them
// (titiler-pgstac's Metadata.defaults_params).
func asTileParams(layer map[string]any, raws map[string]json.RawMessage) {
	if list, ok := layer["rescale"].([]any); ok {
		var out []any
		for _, r := range list {
			if s, ok := r.(string); ok {
				out = append(out, s)
				continue
			}
			inner, _ := json.Marshal(r)
			out = append(out, strings.Join(queryStrings(json.RawMessage("["+string(inner)+"]")), ","))
		}
		layer["rescale"] = out
	}
	if cm, ok := layer["colormap"]; ok && cm != nil {
		if _, isStr := cm.(string); !isStr {
			layer["colormap"], _ = pyDumps(raws["colormap"])
		}
	}
}

// foldAssetOptions is titiler's render adapter on a render object:
// asset_bidx=["asset|1,2"] and asset_expression=["asset|expr"] become
// options of the assets they name.
func foldAssetOptions(layer map[string]any) {
	assets := layerStrings(layer["assets"])
	if len(assets) == 0 {
		return
	}
	options := map[string][]string{}
	for _, opt := range []struct{ key, name string }{{"asset_bidx", "bidx"}, {"asset_expression", "expression"}} {
		for _, v := range layerStrings(layer[opt.key]) {
			if asset, val, ok := strings.Cut(v, "|"); ok {
				options[asset] = append(options[asset], opt.name+"="+val)
			}
		}
		delete(layer, opt.key)
	}
	out := make([]any, len(assets))
	for i, a := range assets {
		out[i] = a
		if opts := options[a]; len(opts) > 0 {
			out[i] = a + "|" + strings.Join(opts, "|")
		}
	}
	layer["assets"] = out
}

// layerStrings is a string or a list of strings as a list.
func layerStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
