package handler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"tilefunc"
)

// maxGeoJSONBody bounds a feature or statistics body.
const maxGeoJSONBody = 4 << 20

// maxFeatures bounds the features of one statistics request: each is a
// mosaic read of its own.
const maxFeatures = 100

// feature is a GeoJSON Feature with every member it was sent with, so that
// statistics answer the feature as given, with properties added.
type feature map[string]json.RawMessage

// readBody reads a request body of at most maxGeoJSONBody bytes.
func readBody(r *http.Request) ([]byte, error) { return readLimited(r, maxGeoJSONBody) }

// readLimited reads a request body of at most limit bytes: a larger one is
// a 413, refused on its Content-Length before it is read where it has one.
func readLimited(r *http.Request, limit int64) ([]byte, error) {
	tooLarge := tilefunc.Errorf(tilefunc.ETOOLARGE, "body: larger than %d bytes", limit)
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge
	}
	return body, nil
}

// parseFeature reads a GeoJSON Feature with a geometry.
func parseFeature(raw []byte) (feature, error) {
	var f feature
	if err := decodeObject(raw, &f); err != nil || f == nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "body: want a GeoJSON Feature")
	}
	if typeOf(f) != "Feature" {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "body: want a GeoJSON Feature, got type %q", typeOf(f))
	}
	if p, ok := f["properties"]; ok && string(p) != "null" {
		var props map[string]json.RawMessage
		if json.Unmarshal(p, &props) != nil {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "properties: want an object or null")
		}
	}
	if err := checkGeometry(f["geometry"]); err != nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "geometry: %v", err)
	}
	return f, nil
}

// parseFeatures reads a GeoJSON Feature or FeatureCollection. collection
// says which it was; members keeps the collection's own members.
func parseFeatures(raw []byte) (features []feature, members feature, collection bool, err error) {
	var doc feature
	if err := decodeObject(raw, &doc); err != nil || doc == nil {
		return nil, nil, false, tilefunc.Errorf(tilefunc.EINVALID, "body: want a GeoJSON Feature or FeatureCollection")
	}
	if typeOf(doc) != "FeatureCollection" {
		f, err := parseFeature(raw)
		return []feature{f}, nil, false, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(doc["features"], &list); err != nil {
		return nil, nil, true, tilefunc.Errorf(tilefunc.EINVALID, "features: want a list of GeoJSON Features")
	}
	if len(list) > maxFeatures {
		return nil, nil, true, tilefunc.Errorf(tilefunc.EINVALID, "features: %d features, above the %d limit", len(list), maxFeatures)
	}
	for i, raw := range list {
		f, err := parseFeature(raw)
		if err != nil {
			return nil, nil, true, tilefunc.Errorf(tilefunc.EINVALID, "features[%d]: %s", i, tilefunc.ErrorMessage(err))
		}
		features = append(features, f)
	}
	return features, doc, true, nil
}

// decodeObject decodes one JSON value and refuses trailing data.
func decodeObject(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

func typeOf(o map[string]json.RawMessage) string {
	var t string
	json.Unmarshal(o["type"], &t)
	return t
}

// geometry is a GeoJSON geometry object's members.
type geometry struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

// depths are how deeply each geometry type nests its positions.
var depths = map[string]int{"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}

// checkGeometry checks a GeoJSON geometry's shape as geojson-pydantic
// does: a known type, positions of 2 or 3 numbers nested as the type says,
// lines of 2 positions or more, closed rings of 4 or more.
func checkGeometry(raw json.RawMessage) error {
	var g geometry
	if len(raw) == 0 || string(raw) == "null" || json.Unmarshal(raw, &g) != nil {
		return fmt.Errorf("want a GeoJSON geometry object")
	}
	if g.Type == "GeometryCollection" {
		if len(g.Geometries) == 0 {
			return fmt.Errorf("a GeometryCollection needs geometries")
		}
		for _, m := range g.Geometries {
			if err := checkGeometry(m); err != nil {
				return err
			}
		}
		return nil
	}
	depth, ok := depths[g.Type]
	if !ok {
		return fmt.Errorf("unknown geometry type %q", g.Type)
	}
	var coords any
	if json.Unmarshal(g.Coordinates, &coords) != nil || coords == nil {
		return fmt.Errorf("%s: want coordinates", g.Type)
	}
	return checkCoords(g.Type, coords, depth)
}

func checkCoords(typ string, c any, depth int) error {
	if depth == 0 {
		p, ok := c.([]any)
		if !ok || len(p) < 2 || len(p) > 3 {
			return fmt.Errorf("%s: a position is 2 or 3 numbers", typ)
		}
		for _, n := range p {
			if _, ok := n.(float64); !ok {
				return fmt.Errorf("%s: a position is 2 or 3 numbers", typ)
			}
		}
		return nil
	}
	list, ok := c.([]any)
	if !ok {
		return fmt.Errorf("%s: coordinates are not nested as the type says", typ)
	}
	for _, e := range list {
		if err := checkCoords(typ, e, depth-1); err != nil {
			return err
		}
	}
	return checkLine(typ, list, depth)
}

// checkLine checks the length of lines and rings, and that rings close.
func checkLine(typ string, list []any, depth int) error {
	switch {
	case depth == 1 && (typ == "LineString" || typ == "MultiLineString") && len(list) < 2:
		return fmt.Errorf("%s: a line needs 2 positions or more", typ)
	case depth == 1 && (typ == "Polygon" || typ == "MultiPolygon"):
		if len(list) < 4 {
			return fmt.Errorf("%s: a ring needs 4 positions or more", typ)
		}
		first, _ := json.Marshal(list[0])
		last, _ := json.Marshal(list[len(list)-1])
		if !bytes.Equal(first, last) {
			return fmt.Errorf("%s: a ring must end where it starts", typ)
		}
	}
	return nil
}

// pyGeometry is a search's intersects as geojson-pydantic writes it: the
// geometry checked, its members other than type, coordinates (geometries)
// and bbox dropped, every coordinate a float.
func pyGeometry(v any) (any, error) {
	raw, _ := json.Marshal(v)
	if err := checkGeometry(raw); err != nil {
		return nil, err
	}
	return floatGeometry(v.(map[string]any))
}

func floatGeometry(g map[string]any) (map[string]any, error) {
	out := map[string]any{"type": g["type"]}
	if b := g["bbox"]; b != nil {
		var ok bool
		if out["bbox"], ok = pyFloats(b, 4, 6); !ok {
			return nil, fmt.Errorf("bbox: want 4 or 6 numbers")
		}
	}
	if g["type"] != "GeometryCollection" {
		out["coordinates"] = floatCoordinates(g["coordinates"])
		return out, nil
	}
	members, _ := g["geometries"].([]any)
	list := make([]any, len(members))
	for i, m := range members {
		var err error
		if list[i], err = floatGeometry(m.(map[string]any)); err != nil {
			return nil, err
		}
	}
	out["geometries"] = list
	return out, nil
}

func floatCoordinates(c any) any {
	switch c := c.(type) {
	case json.Number:
		f, _ := c.Float64()
		return pyFloat(f)
	case []any:
		out := make([]any, len(c))
		for i, e := range c {
			out[i] = floatCoordinates(e)
		}
		return out
	}
	return c
}
