package cql2

import (
	"bytes"
	"encoding/json"
)

// class is what a node is, as the standard's grammar and schema tell
// operands apart; a set of classes is what an operand position accepts.
type class uint32

const (
	cBool      class = 1 << iota // TRUE, FALSE
	cPred                        // and, or, not, comparisons, spatial, temporal and array predicates
	cString                      // 'text'
	cCase                        // CASEI(...), ACCENTI(...)
	cNumber                      // 1.5
	cArith                       // + - * / % div ^
	cDate                        // DATE('2020-01-01')
	cTimestamp                   // TIMESTAMP('2020-01-01T00:00:00Z')
	cInterval                    // INTERVAL(a, b)
	cGeom                        // POINT(...), ..., GEOMETRYCOLLECTION(...)
	cBBox                        // BBOX(...)
	cArray                       // ('a', 'b'), and the list of IN
	cProperty                    // name, "name"
	cFunc                        // a function the standard does not define
)

// What each operand position accepts (OGC 21-065's cql2.json schema).
const (
	boolean   = cBool | cPred | cFunc
	character = cString | cCase | cProperty | cFunc
	numeric   = cNumber | cArith | cProperty | cFunc
	scalar    = cString | cCase | cNumber | cArith | cBool | cDate | cTimestamp | cProperty | cFunc
	spatial   = cGeom | cBBox | cProperty | cFunc
	temporal  = cDate | cTimestamp | cInterval | cProperty | cFunc
	array     = cArray | cProperty | cFunc
	anything  = ^class(0)
	nullable  = anything &^ cArray
	bound     = cString | cProperty | cFunc // an interval's ends: '..', instants as strings
)

// classNames name a class in "found ..." messages.
var classNames = map[class]string{
	cBool: "a boolean", cPred: "a predicate", cString: "a string", cCase: "CASEI or ACCENTI",
	cNumber: "a number", cArith: "an arithmetic expression", cDate: "a date", cTimestamp: "a timestamp",
	cInterval: "an interval", cGeom: "a geometry", cBBox: "a bbox", cArray: "an array",
	cProperty: "a property", cFunc: "a function",
}

// node is one expression of a filter, parsed from text or read from JSON.
type node struct {
	class class
	name  string  // operator or function as written; property name; string value
	op    string  // canonical CQL2-JSON operator, or a function's name
	args  []*node // operator arguments, array elements, interval ends
	num   float64 // cNumber
	value any     // cBool, cDate, cTimestamp, cGeom, cBBox: what the JSON holds
	depth int     // 1 for a leaf

	pos  int    // from text: byte offset where the node starts
	path string // from JSON: where it is
}

// newNode builds a node over args, keeping the tree within MaxDepth.
func newNode(c class, op string, args []*node) *node {
	n := &node{class: c, op: op, args: args, depth: 1}
	for _, a := range args {
		n.depth = max(n.depth, a.depth+1)
	}
	return n
}

// opJSON and the other shapes below write CQL2-JSON in the order a reader
// expects, which a map would not keep.
type opJSON struct {
	Op   string `json:"op"`
	Args []any  `json:"args"`
}

type propertyJSON struct {
	Property string `json:"property"`
}

type intervalJSON struct {
	Interval []any `json:"interval"`
}

// json is the node as CQL2-JSON values.
func (n *node) json() any {
	switch n.class {
	case cString:
		return n.name
	case cNumber:
		return n.num
	case cProperty:
		return propertyJSON{n.name}
	case cArray:
		return n.argsJSON()
	case cInterval:
		return intervalJSON{n.argsJSON()}
	case cBool, cDate, cTimestamp, cGeom, cBBox:
		return n.value
	}
	return opJSON{n.op, n.argsJSON()}
}

func (n *node) argsJSON() []any {
	out := make([]any, len(n.args))
	for i, a := range n.args {
		out[i] = a.json()
	}
	return out
}

// marshal encodes the node; names and strings keep <, > and & as written.
func (n *node) marshal() (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(n.json()); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
