package cql2

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Check validates a CQL2-JSON filter before it reaches pgSTAC: every
// operator is one CQL2 defines, with the arity and argument classes of the
// standard's cql2.json schema, and the whole is a boolean expression. An
// error names the JSON path: `filter.args[1]: unknown operator "nope"`.
//
// Where it differs from the oracle's Expr.validate (cql2 0.6.0):
//   - an operator CQL2 does not define is refused, where the schema takes it
//     as a custom function: pgSTAC 0.9 runs none ("Operator ... Not
//     Supported"), so a search registered with one could never be used;
//   - operator names match in any case, as the oracle's parser and pgSTAC
//     read them ("S_INTERSECTS", "isnull");
//   - dates must be real calendar days, and timestamps real RFC 3339
//     instants, with any offset (the schema's pattern takes 2020-13-45 and
//     wants Z; pgSTAC reads any offset);
//   - an interval's ends are '..', a date or a timestamp, a property or a
//     function, as in the schema.
func Check(raw json.RawMessage) error {
	return checkJSON(raw, builder{})
}

func checkJSON(raw json.RawMessage, b builder) error {
	if len(raw) > MaxJSONBytes {
		return pathError("filter", "longer than 1 MiB")
	}
	if jsonDepth(raw) > maxJSONDepth {
		return pathError("filter", "nested deeper than %d", MaxDepth)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return pathError("filter", "not JSON: %v", err)
	}
	n, err := b.node(v, "filter", 1)
	if err != nil {
		return err
	}
	return checker{}.filter(n)
}

// maxJSONDepth bounds the brackets of a CQL2-JSON filter before it is
// decoded: each operator nests an object and its args array, and a
// multipolygon adds five levels of its own.
const maxJSONDepth = 2*MaxDepth + 8

// jsonDepth is the deepest nesting of brackets and braces in raw, strings
// aside; the decoder refuses anything malformed afterwards.
func jsonDepth(raw []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// builder turns decoded JSON into nodes; with funcs it takes an operator
// CQL2 does not define as a function (the tests read Text's output so).
type builder struct{ funcs bool }

func (b builder) node(v any, path string, depth int) (*node, error) {
	if depth > MaxDepth {
		return nil, pathError(path, "nested deeper than %d", MaxDepth)
	}
	n := &node{path: path, depth: 1}
	switch v := v.(type) {
	case bool:
		n.class, n.value = cBool, v
	case float64:
		n.class, n.num = cNumber, v
	case string:
		n.class, n.name = cString, v
	case []any:
		n.class = cArray
		return n, b.elems(n, v, path, depth)
	case map[string]any:
		return b.object(n, v, path, depth)
	default:
		return nil, pathError(path, "null is not a CQL2 value")
	}
	return n, nil
}

func (b builder) elems(n *node, vs []any, path string, depth int) error {
	for i, v := range vs {
		e, err := b.node(v, fmt.Sprintf("%s[%d]", path, i), depth+1)
		if err != nil {
			return err
		}
		n.args = append(n.args, e)
	}
	return nil
}

// object reads an operator, a property, a temporal or spatial literal.
func (b builder) object(n *node, m map[string]any, path string, depth int) (*node, error) {
	switch {
	case m["op"] != nil:
		return b.operator(n, m, path, depth)
	case m["property"] != nil:
		name, _ := m["property"].(string)
		if name == "" {
			return nil, pathError(path+".property", "want a property name")
		}
		n.class, n.name = cProperty, name
	case m["date"] != nil:
		s, _ := m["date"].(string)
		if !isDate(s) {
			return nil, pathError(path+".date", "want a date as \"YYYY-MM-DD\"")
		}
		n.class, n.value = cDate, dateJSON{s}
	case m["timestamp"] != nil:
		s, _ := m["timestamp"].(string)
		ts, ok := timestamp(s)
		if !ok {
			return nil, pathError(path+".timestamp", "want an RFC 3339 timestamp, such as \"2020-01-31T12:00:00Z\"")
		}
		n.class, n.value = cTimestamp, timestampJSON{ts}
	case m["interval"] != nil:
		return b.interval(n, m["interval"], path+".interval", depth)
	case m["bbox"] != nil:
		return n, b.bbox(n, m["bbox"], path+".bbox")
	case m["type"] != nil:
		n.class = cGeom
		return n, checkGeometry(m, path, false)
	default:
		return nil, pathError(path, "want an object with op, property, date, timestamp, interval, bbox or a GeoJSON type")
	}
	return n, nil
}

func (b builder) operator(n *node, m map[string]any, path string, depth int) (*node, error) {
	op, _ := m["op"].(string)
	r, known := rules[strings.ToLower(op)]
	switch {
	case known:
		n.class, n.op = r.class, r.op
	case b.funcs && op != "":
		n.class, n.op = cFunc, op
	default:
		return nil, pathError(path, "unknown operator %s", quoteJSON(m["op"]))
	}
	n.name = quoteJSON(op)
	args, ok := m["args"].([]any)
	if !ok {
		return nil, pathError(path, "want \"args\", an array, beside \"op\"")
	}
	return n, b.elems(n, args, path+".args", depth)
}

func quoteJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (b builder) interval(n *node, v any, path string, depth int) (*node, error) {
	ends, ok := v.([]any)
	if !ok || len(ends) != 2 {
		return nil, pathError(path, "want an array of 2 ends")
	}
	n.class = cInterval
	for i, e := range ends {
		p := fmt.Sprintf("%s[%d]", path, i)
		if s, ok := e.(string); ok {
			if _, ok := intervalEnd(s); !ok {
				return nil, pathError(p, "want \"..\", a date or a timestamp")
			}
		}
		end, err := b.node(e, p, depth+1)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, end)
	}
	return n, nil
}

func (b builder) bbox(n *node, v any, path string) error {
	nums, ok := v.([]any)
	if !ok || len(nums) != 4 && len(nums) != 6 {
		return pathError(path, "want an array of 4 or 6 numbers")
	}
	for i, x := range nums {
		if _, ok := x.(float64); !ok {
			return pathError(fmt.Sprintf("%s[%d]", path, i), "want a number")
		}
	}
	n.class = cBBox
	return nil
}
