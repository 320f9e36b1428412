package cql2

import "fmt"

// geoJSONShapes are, per GeoJSON type, the least number of members at each
// level of its coordinates above the positions (the schema's minItems).
var geoJSONShapes = map[string][]int{
	"Point":           {},
	"LineString":      {2},
	"Polygon":         {0, 4},
	"MultiPoint":      {0},
	"MultiLineString": {0, 2},
	"MultiPolygon":    {0, 0, 4},
}

// checkGeometry validates a GeoJSON geometry of a CQL2-JSON filter; a
// collection holds at least two geometries and no other collection.
func checkGeometry(m map[string]any, path string, inCollection bool) error {
	typ, _ := m["type"].(string)
	if typ == "GeometryCollection" {
		if inCollection {
			return pathError(path, "a GeometryCollection cannot hold another")
		}
		gs, ok := m["geometries"].([]any)
		if !ok || len(gs) < 2 {
			return pathError(path, "want \"geometries\", an array of at least 2 geometries")
		}
		for i, g := range gs {
			p := fmt.Sprintf("%s.geometries[%d]", path, i)
			gm, ok := g.(map[string]any)
			if !ok {
				return pathError(p, "want a GeoJSON geometry")
			}
			if err := checkGeometry(gm, p, true); err != nil {
				return err
			}
		}
		return nil
	}
	shape, ok := geoJSONShapes[typ]
	if !ok {
		return pathError(path+".type", "unknown GeoJSON type %s", quoteJSON(m["type"]))
	}
	return checkCoordinates(m["coordinates"], path+".coordinates", shape)
}

func checkCoordinates(v any, path string, least []int) error {
	a, ok := v.([]any)
	if !ok {
		return pathError(path, "want an array")
	}
	if len(least) == 0 {
		return checkPosition(a, path)
	}
	if len(a) < least[0] {
		return pathError(path, "want at least %d positions, found %d", least[0], len(a))
	}
	for i, e := range a {
		if err := checkCoordinates(e, fmt.Sprintf("%s[%d]", path, i), least[1:]); err != nil {
			return err
		}
	}
	return nil
}

func checkPosition(a []any, path string) error {
	if len(a) < 2 {
		return pathError(path, "want a position of at least 2 numbers")
	}
	for i, x := range a {
		if _, ok := x.(float64); !ok {
			return pathError(fmt.Sprintf("%s[%d]", path, i), "want a number")
		}
	}
	return nil
}
