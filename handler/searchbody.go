package handler

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"tilefunc"
	"tilefunc/cql2"
)

// A search body and its metadata are written as titiler-pgstac writes them
// for pgSTAC (its PgSTACSearch and Metadata models, dumped without nulls),
// so that the same request gets the same search id and row from both
// servers. The Go maps are marshalled with sorted keys: the bytes are
// deterministic, and jsonb ignores key order anyway.

// parseRegister reads a registration body as titiler-pgstac's
// RegisterMosaic model: the search and its metadata, each as it is stored.
func parseRegister(body []byte) (search, metadata json.RawMessage, err error) {
	v, err := decodePy(body)
	fields, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, nil, tilefunc.Errorf(tilefunc.EINVALID, "body: want a JSON object (a STAC search with optional metadata)")
	}
	meta := map[string]any{"type": "mosaic"}
	if raw, ok := fields["metadata"]; ok {
		if meta, err = searchMetadata(raw); err != nil {
			return nil, nil, err
		}
		delete(fields, "metadata")
	}
	s, err := pgstacSearch(fields)
	if err != nil {
		return nil, nil, err
	}
	search, _ = json.Marshal(s)
	metadata, _ = json.Marshal(meta)
	return search, metadata, nil
}

// searchFields read the fields PgSTACSearch types; other keys are kept.
var searchFields = map[string]func(any) (any, error){
	"collections": stringList, "ids": stringList, "bbox": searchBBox, "intersects": pyGeometry,
	"datetime": str, "query": stacQuery, "sortby": sortBy, "filter": cql2Filter, "filter-lang": filterLang,
}

// pgstacSearch is a search as PgSTACSearch writes it: typed fields checked
// and normalised (bbox and coordinates as floats, sortby entries reduced to
// field and direction), untyped values as Python holds them, nulls dropped,
// and filter-lang always cql2-json: titiler-pgstac validates the search a
// second time after dropping nulls, which brings the default back.
func pgstacSearch(fields map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range fields {
		if v == nil {
			continue
		}
		read, typed := searchFields[k]
		if !typed {
			out[k] = pyValue(v)
			continue
		}
		val, err := read(v)
		var named *cql2.Error
		switch {
		case errors.As(err, &named):
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "%v", err)
		case err != nil:
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "%s: %v", k, err)
		}
		out[k] = val
	}
	if out["bbox"] != nil && out["intersects"] != nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "intersects and bbox parameters are mutually exclusive")
	}
	out["filter-lang"] = "cql2-json"
	return out, nil
}

func str(v any) (any, error) {
	if _, ok := v.(string); !ok {
		return nil, errors.New("want a string")
	}
	return v, nil
}

func stringList(v any) (any, error) {
	list, ok := v.([]any)
	for _, e := range list {
		if _, isStr := e.(string); !isStr {
			ok = false
		}
	}
	if !ok {
		return nil, errors.New("want a list of strings")
	}
	return list, nil
}

func object(v any) (any, error) {
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("want a JSON object")
	}
	return pyValue(v), nil
}

// cql2Filter is a search's filter: a CQL2-JSON object CQL2 defines
// (titiler-pgstac stores any object, and pgSTAC then fails on every tile).
func cql2Filter(v any) (any, error) {
	obj, err := object(v)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if err := cql2.Check(raw); err != nil {
		return nil, err // it names its path from "filter"
	}
	return obj, nil
}

func filterLang(v any) (any, error) {
	if v != "cql2-json" {
		return nil, fmt.Errorf("%v is not supported: use cql2-json", v)
	}
	return v, nil
}

// searchBBox is a search's bbox as floats, checked as titiler-pgstac
// checks it: 4 or 6 numbers, ordered, within WGS84.
func searchBBox(v any) (any, error) {
	list, ok := pyFloats(v, 4, 6)
	if !ok {
		return nil, errors.New("want 4 or 6 numbers")
	}
	return list, checkBBox(floatsOf(list))
}

func checkBBox(b []float64) error {
	xmin, ymin, xmax, ymax := b[0], b[1], b[2], b[3]
	if len(b) == 6 {
		xmax, ymax = b[3], b[4]
		if b[5] < b[2] {
			return errors.New("maximum elevation must be greater than minimum elevation")
		}
	}
	switch {
	case xmax < xmin:
		return errors.New("maximum longitude must be greater than minimum longitude")
	case ymax < ymin:
		return errors.New("maximum latitude must be greater than minimum latitude")
	case xmin < -180 || ymin < -90 || xmax > 180 || ymax > 90:
		return errors.New("bounding box must be within (-180, -90, 180, 90)")
	}
	return nil
}

// stacOperators are the query extension's operators titiler-pgstac takes.
var stacOperators = map[string]bool{"eq": true, "neq": true, "lt": true, "lte": true, "gt": true, "gte": true}

// stacQuery is the query extension's object: property → operator → value.
func stacQuery(v any) (any, error) {
	q, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("want a JSON object")
	}
	for prop, ops := range q {
		ops, ok := ops.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: want an object of operators", prop)
		}
		for op := range ops {
			if !stacOperators[op] {
				return nil, fmt.Errorf("%s: operator %q: want eq, neq, lt, lte, gt or gte", prop, op)
			}
		}
	}
	return pyValue(q), nil
}

// sortBy keeps a sortby entry's field and direction, as titiler-pgstac's
// SortExtension does (other keys are dropped).
func sortBy(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("want a list of {field, direction} objects")
	}
	out := make([]any, len(list))
	for i, e := range list {
		s, _ := e.(map[string]any)
		field, _ := s["field"].(string)
		dir, _ := s["direction"].(string)
		if field == "" || (dir != "asc" && dir != "desc") {
			return nil, fmt.Errorf("[%d]: want a non-empty field and a direction asc or desc", i)
		}
		out[i] = map[string]any{"field": field, "direction": dir}
	}
	return out, nil
}

// searchMetadata is a search's metadata as titiler-pgstac's Metadata model
// writes it: type mosaic unless search, bounds as floats, zooms as
// integers, name, assets and defaults checked, other keys kept, nulls
// dropped.
func searchMetadata(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "metadata: want an object")
	}
	out := map[string]any{"type": "mosaic"}
	for k, v := range m {
		val, err := metadataValue(k, v)
		if err != nil {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "metadata.%s: %v", k, err)
		}
		if val != nil {
			out[k] = val
		}
	}
	return out, nil
}

func metadataValue(k string, v any) (any, error) {
	switch {
	case k == "type":
		if v != "mosaic" && v != "search" {
			return nil, errors.New("want mosaic or search")
		}
		return v, nil
	case v == nil:
		return nil, nil
	case k == "bounds":
		if list, ok := pyFloats(v, 4, 6); ok {
			return list, nil
		}
		return nil, errors.New("want 4 or 6 numbers")
	case k == "minzoom" || k == "maxzoom":
		return integer(v)
	case k == "name":
		return str(v)
	case k == "assets":
		return stringList(v)
	case k == "defaults":
		return object(v)
	}
	return pyValue(v), nil
}

// integer is a whole number, which pydantic also takes written as a float
// (5.0 is 5).
func integer(v any) (any, error) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, errors.New("want an integer")
	}
	if _, err := n.Int64(); err == nil {
		return n, nil
	}
	f, err := n.Float64()
	if err != nil || f != float64(int64(f)) {
		return nil, errors.New("want an integer")
	}
	return json.Number(strconv.FormatInt(int64(f), 10)), nil
}
