package cql2

import "strings"

// geometryTypes maps the WKT words to GeoJSON's types.
var geometryTypes = map[string]string{
	"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon",
	"MULTIPOINT": "MultiPoint", "MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon",
	"GEOMETRYCOLLECTION": "GeometryCollection",
}

func isGeometry(t token) bool {
	return t.kind == tIdent && geometryTypes[strings.ToUpper(t.text)] != ""
}

// geometryLiteral reads a WKT geometry as GeoJSON.
func (p *parser) geometryLiteral() (*node, error) {
	t := p.next()
	g, err := p.geometry(t, false, true)
	if err != nil {
		return nil, err
	}
	return &node{class: cGeom, value: g, depth: 1, pos: t.pos}, nil
}

// geometry reads what follows the type word t: [Z] and the coordinates,
// EMPTY where the schema allows an empty geometry, or the members of a
// collection. With Z every position has three coordinates; without it two
// or three, as the oracle reads the standard's own examples.
func (p *parser) geometry(t token, z, top bool) (any, error) {
	typ := geometryTypes[strings.ToUpper(t.text)]
	if p.peek().is("Z") {
		p.next()
		z = true
	}
	if e := p.peek(); e.is("EMPTY") {
		switch typ {
		case "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon":
			p.next()
			return geometryJSON{typ, []any{}}, nil
		}
		return nil, p.errorf(e, "%s cannot be EMPTY", strings.ToUpper(t.text))
	}
	if typ == "GeometryCollection" {
		if !top {
			return nil, p.errorf(t, "a GEOMETRYCOLLECTION cannot hold another")
		}
		return p.collection(t, z)
	}
	c, err := p.coordinates(typ, z)
	if err != nil {
		return nil, err
	}
	return geometryJSON{typ, c}, nil
}

func (p *parser) collection(t token, z bool) (any, error) {
	members, err := p.sequence("GEOMETRYCOLLECTION", func() (any, error) {
		m := p.peek()
		if !isGeometry(m) {
			return nil, p.errorf(m, "want a geometry in GEOMETRYCOLLECTION, found %s", m.describe())
		}
		return p.geometry(p.next(), z, false)
	})
	if err != nil {
		return nil, err
	}
	if len(members) < 2 {
		return nil, p.errorf(t, "want at least 2 geometries in GEOMETRYCOLLECTION, found %d", len(members))
	}
	return collectionJSON{"GeometryCollection", members}, nil
}

func (p *parser) coordinates(typ string, z bool) (any, error) {
	switch typ {
	case "Point":
		return p.point(z, "POINT")
	case "LineString":
		return p.line(z)
	case "Polygon":
		return p.polygon(z)
	case "MultiPoint":
		return p.sequence("MULTIPOINT", func() (any, error) { return p.multiPointMember(z) })
	case "MultiLineString":
		return p.sequence("MULTILINESTRING", func() (any, error) { return p.line(z) })
	}
	return p.sequence("MULTIPOLYGON", func() (any, error) { return p.polygon(z) })
}

// point reads ( x y [z] ).
func (p *parser) point(z bool, what string) ([]float64, error) {
	if err := p.expect("(", "'(' to open "+what); err != nil {
		return nil, err
	}
	pos, err := p.position(z)
	if err != nil {
		return nil, err
	}
	return pos, p.expect(")", "')' to close "+what)
}

// multiPointMember is (x y) as the standard writes it, or x y as WKT
// often does and the oracle reads.
func (p *parser) multiPointMember(z bool) (any, error) {
	if !p.peek().is("(") {
		return p.position(z)
	}
	return p.point(z, "a point of MULTIPOINT")
}

// line reads a line string's positions: at least 2.
func (p *parser) line(z bool) (any, error) {
	return p.positions(z, 2, "a LINESTRING")
}

// polygon reads rings of at least 4 positions, as the grammar has them.
func (p *parser) polygon(z bool) (any, error) {
	return p.sequence("a POLYGON", func() (any, error) { return p.positions(z, 4, "a polygon ring") })
}

func (p *parser) positions(z bool, least int, what string) (any, error) {
	open := p.peek()
	ps, err := p.sequence(what, func() (any, error) { return p.position(z) })
	if err != nil {
		return nil, err
	}
	if len(ps) < least {
		return nil, p.errorf(open, "want at least %d positions in %s, found %d", least, what, len(ps))
	}
	return ps, nil
}

// position reads x y, or x y z.
func (p *parser) position(z bool) ([]float64, error) {
	var pos []float64
	for len(pos) < 2 || len(pos) < 3 && p.startsCoordinate() {
		c, err := p.coordinate()
		if err != nil {
			return nil, err
		}
		pos = append(pos, c)
	}
	switch t := p.peek(); {
	case p.startsCoordinate():
		return nil, p.errorf(t, "want at most 3 coordinates in a position")
	case z && len(pos) == 2:
		return nil, p.errorf(t, "want a third coordinate (Z), found %s", t.describe())
	}
	return pos, nil
}
