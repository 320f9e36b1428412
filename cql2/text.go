package cql2

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Text parses a CQL2 text filter and returns it as CQL2-JSON, written as
// the cql2 library titiler-pgstac uses writes it. A filter it refuses comes
// back as an *Error naming the column.
func Text(src string) (json.RawMessage, error) {
	if len(src) > MaxTextBytes {
		return nil, &Error{Msg: "longer than 64 KiB"}
	}
	if !utf8.ValidString(src) {
		return nil, textError(src, badUTF8(src), "not UTF-8 text")
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errorf(t, "want AND, OR or the end of the filter, found %s", t.describe())
	}
	if err := (checker{src}).filter(n); err != nil {
		return nil, err
	}
	return n.marshal()
}

func badUTF8(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			return i
		}
	}
	return 0
}

// parser reads tokens by recursive descent, one function per precedence
// level of the standard's grammar: OR, AND, NOT, predicates, + -, * / % div,
// ^, unary minus, and the primaries.
type parser struct {
	src   string
	toks  []token
	i     int
	depth int // of recursion, bounded by MaxDepth
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// prev is the token before the current one, for "after ..." messages.
func (p *parser) prev() token {
	if p.i == 0 {
		return token{kind: tEOF}
	}
	return p.toks[p.i-1]
}

func (p *parser) errorf(t token, format string, args ...any) *Error {
	return textError(p.src, t.pos, format, args...)
}

// expect consumes the punctuation or keyword word, or fails with want.
func (p *parser) expect(word, want string) error {
	if t := p.peek(); !t.is(word) {
		return p.errorf(t, "want %s, found %s", want, t.describe())
	}
	p.next()
	return nil
}

// enter bounds the recursion; every call is paired with a deferred leave.
func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf(t, "nested deeper than %d", MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// build makes an operator node at t, keeping the tree within MaxDepth.
func (p *parser) build(t token, c class, op string, args ...*node) (*node, error) {
	n := newNode(c, op, args)
	if n.depth > MaxDepth {
		return nil, p.errorf(t, "nested deeper than %d", MaxDepth)
	}
	n.name, n.pos = t.text, t.pos
	if t.kind == tPunct {
		n.name = "'" + t.text + "'"
	}
	if len(args) > 0 && args[0].pos < n.pos {
		n.pos = args[0].pos // an infix expression starts where its left side does
	}
	return n, nil
}

func (p *parser) expr() (*node, error) { return p.logic("OR", p.and) }

func (p *parser) and() (*node, error) { return p.logic("AND", p.not) }

// logic reads operands joined by AND or OR. Like the oracle, it merges an
// operand that is itself the same operator, parenthesised or not:
// (a AND b) AND c is one "and" of three.
func (p *parser) logic(word string, operand func() (*node, error)) (*node, error) {
	n, err := operand()
	if err != nil || !p.peek().is(word) {
		return n, err
	}
	op := strings.ToLower(word)
	var args []*node
	var t token
	for {
		if n.class == cPred && n.op == op {
			args = append(args, n.args...)
		} else {
			args = append(args, n)
		}
		if !p.peek().is(word) {
			return p.build(t, cPred, op, args...)
		}
		t = p.next()
		if n, err = operand(); err != nil {
			return nil, err
		}
	}
}

func (p *parser) not() (*node, error) {
	t := p.peek()
	if !t.is("NOT") {
		return p.predicate()
	}
	p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	n, err := p.not()
	if err != nil {
		return nil, err
	}
	return p.build(t, cPred, "not", n)
}

// comparisons maps the text operators to CQL2-JSON's; != is the oracle's
// spelling of <>.
var comparisons = map[string]string{"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

// predicate reads an operand and what may follow it: a comparison, [NOT]
// LIKE, [NOT] BETWEEN, [NOT] IN, or IS [NOT] NULL.
func (p *parser) predicate() (*node, error) {
	left, err := p.additive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if op, ok := comparisons[t.text]; ok && t.kind == tPunct {
		p.next()
		right, err := p.additive()
		if err != nil {
			return nil, err
		}
		return p.build(t, cPred, op, left, right)
	}
	if t.is("IS") {
		return p.isNull(left)
	}
	negated := t.is("NOT")
	if negated {
		p.next()
		if t = p.peek(); !t.is("LIKE") && !t.is("BETWEEN") && !t.is("IN") {
			return nil, p.errorf(t, "want LIKE, BETWEEN or IN after NOT, found %s", t.describe())
		}
	}
	var n *node
	switch {
	case t.is("LIKE"):
		n, err = p.like(left)
	case t.is("BETWEEN"):
		n, err = p.between(left)
	case t.is("IN"):
		n, err = p.in(left)
	default:
		return left, nil
	}
	if err != nil || !negated {
		return n, err
	}
	return p.build(t, cPred, "not", n)
}

func (p *parser) like(left *node) (*node, error) {
	t := p.next()
	pattern, err := p.additive()
	if err != nil {
		return nil, err
	}
	return p.build(t, cPred, "like", left, pattern)
}

func (p *parser) between(left *node) (*node, error) {
	t := p.next()
	lo, err := p.additive()
	if err != nil {
		return nil, err
	}
	if err := p.expect("AND", "AND between the bounds of BETWEEN"); err != nil {
		return nil, err
	}
	hi, err := p.additive()
	if err != nil {
		return nil, err
	}
	return p.build(t, cPred, "between", left, lo, hi)
}

func (p *parser) in(left *node) (*node, error) {
	t := p.next()
	open := p.peek()
	if err := p.expect("(", "'(' and a list of values after IN"); err != nil {
		return nil, err
	}
	if p.peek().is(")") {
		return nil, p.errorf(p.peek(), "want at least one value in the list of IN")
	}
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	list, err := p.list(open, "the list of IN")
	if err != nil {
		return nil, err
	}
	return p.build(t, cPred, "in", left, list)
}

func (p *parser) isNull(left *node) (*node, error) {
	t := p.next()
	want := "NULL after IS"
	negated := p.peek().is("NOT")
	if negated {
		p.next()
		want = "NULL after IS NOT"
	}
	if err := p.expect("NULL", want); err != nil {
		return nil, err
	}
	n, err := p.build(t, cPred, "isNull", left)
	if err != nil {
		return nil, err
	}
	if n.name = "IS NULL"; !negated {
		return n, nil
	}
	return p.build(t, cPred, "not", n)
}

// list reads expressions up to the ')' that closes open, after the
// elements already read, as an array; its caller has entered the '('.
func (p *parser) list(open token, what string, elems ...*node) (*node, error) {
	for !p.peek().is(")") {
		if len(elems) > 0 {
			if err := p.expect(",", "',' or ')' in "+what); err != nil {
				return nil, err
			}
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
	}
	p.next()
	n, err := p.build(open, cArray, "", elems...)
	if err == nil {
		n.pos = open.pos
	}
	return n, err
}
