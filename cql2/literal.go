package cql2

import (
	"strings"
	"time"
)

// The CQL2-JSON shapes of the literals.
type (
	dateJSON struct {
		Date string `json:"date"`
	}
	timestampJSON struct {
		Timestamp string `json:"timestamp"`
	}
	bboxJSON struct {
		BBox []float64 `json:"bbox"`
	}
	geometryJSON struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	collectionJSON struct {
		Type       string `json:"type"`
		Geometries []any  `json:"geometries"`
	}
)

// isDate reports whether s is a calendar date, YYYY-MM-DD.
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == len(time.DateOnly)
}

// timestamp reads an RFC 3339 instant and writes it in UTC with no more
// fractional digits than it needs, as the oracle does; like the oracle it
// takes a missing offset as UTC.
func timestamp(s string) (string, bool) {
	if len(s) < len("2006-01-02T15:04:05") || !isDate(s[:10]) || s[10] != 'T' {
		return "", false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = time.Parse("2006-01-02T15:04:05.999999999", s); err != nil {
			return "", false
		}
	}
	return t.UTC().Format(time.RFC3339Nano), true
}

// intervalEnd reads one end of an interval: '..', a date (kept as
// written) or a timestamp (normalised).
func intervalEnd(s string) (string, bool) {
	if s == ".." || isDate(s) {
		return s, true
	}
	return timestamp(s)
}

// instant reads DATE('...') or TIMESTAMP('...').
func (p *parser) instant() (*node, error) {
	t := p.next()
	word := strings.ToUpper(t.text)
	if err := p.expect("(", "'(' after "+word); err != nil {
		return nil, err
	}
	s := p.peek()
	n := &node{class: cDate, depth: 1, pos: t.pos}
	switch ts, ok := timestamp(s.text); {
	case s.kind != tString:
		return nil, p.errorf(s, "want a quoted instant in %s, such as '2020-01-31'", word)
	case word == "DATE" && !isDate(s.text):
		return nil, p.errorf(s, "want a date as 'YYYY-MM-DD', found %q", s.text)
	case word == "DATE":
		n.value = dateJSON{s.text}
	case !ok:
		return nil, p.errorf(s, "want a timestamp as 'YYYY-MM-DDThh:mm:ssZ', found %q", s.text)
	default:
		n.class, n.value = cTimestamp, timestampJSON{ts}
	}
	p.next()
	return n, p.expect(")", "')' after the instant")
}

// interval reads INTERVAL(start, end).
func (p *parser) interval() (*node, error) {
	t := p.next()
	if err := p.expect("(", "'(' after INTERVAL"); err != nil {
		return nil, err
	}
	start, err := p.intervalEnd()
	if err != nil {
		return nil, err
	}
	if err := p.expect(",", "',' between the ends of INTERVAL"); err != nil {
		return nil, err
	}
	end, err := p.intervalEnd()
	if err != nil {
		return nil, err
	}
	if err := p.expect(")", "')' after the end of INTERVAL"); err != nil {
		return nil, err
	}
	return p.build(t, cInterval, "", start, end)
}

// intervalEnd reads '..', a quoted instant, or an expression the checker
// will hold to a property or a function.
func (p *parser) intervalEnd() (*node, error) {
	n, err := p.expr()
	if err != nil || n.class != cString {
		return n, err
	}
	s, ok := intervalEnd(n.name)
	if !ok {
		return nil, textError(p.src, n.pos, "want '..', a date or a timestamp, found %q", n.name)
	}
	n.name = s
	return n, nil
}

// bbox reads BBOX(west, south, east, north), or with the heights between.
func (p *parser) bbox() (*node, error) {
	t := p.next()
	nums, err := p.sequence("BBOX", func() (any, error) { return p.coordinate() })
	if err != nil {
		return nil, err
	}
	if len(nums) != 4 && len(nums) != 6 {
		return nil, p.errorf(t, "want 4 or 6 numbers in BBOX, found %d", len(nums))
	}
	box := make([]float64, len(nums))
	for i, v := range nums {
		box[i] = v.(float64)
	}
	return &node{class: cBBox, value: bboxJSON{box}, depth: 1, pos: t.pos}, nil
}

// sequence reads ( item, item, ... ).
func (p *parser) sequence(what string, item func() (any, error)) ([]any, error) {
	if err := p.expect("(", "'(' to open "+what); err != nil {
		return nil, err
	}
	var items []any
	for {
		v, err := item()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		if !p.peek().is(",") {
			return items, p.expect(")", "',' or ')' in "+what)
		}
		p.next()
	}
}

// coordinate reads a signed number; the sign must touch the digits.
func (p *parser) coordinate() (float64, error) {
	t := p.peek()
	sign := 1.0
	if t.is("-") || t.is("+") {
		if n := p.toks[p.i+1]; n.kind != tNumber || n.pos != t.end {
			return 0, p.errorf(t, "want a number right after '%s'", t.text)
		}
		if p.next(); t.is("-") {
			sign = -1
		}
	}
	if n := p.peek(); n.kind != tNumber {
		return 0, p.errorf(n, "want a number, found %s", n.describe())
	}
	return sign * p.next().num, nil
}

// startsCoordinate reports whether a coordinate comes next.
func (p *parser) startsCoordinate() bool {
	t := p.peek()
	return t.kind == tNumber || (t.is("-") || t.is("+")) && p.toks[p.i+1].kind == tNumber
}
