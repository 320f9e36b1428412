package cql2

import (
	"encoding/json"
	"strconv"
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

func (p *parser) additive() (*node, error) {
	return p.binary(p.term, func(t token) string {
		if t.is("+") || t.is("-") {
			return t.text
		}
		return ""
	})
}

func (p *parser) term() (*node, error) {
	return p.binary(p.power, func(t token) string {
		switch {
		case t.is("*") || t.is("/") || t.is("%"):
			return t.text
		case t.is("DIV"):
			return "div"
		}
		return ""
	})
}

// binary reads left-associative operands joined by the operators opOf names.
func (p *parser) binary(operand func() (*node, error), opOf func(token) string) (*node, error) {
	left, err := operand()
	for err == nil {
		t := p.peek()
		op := opOf(t)
		if op == "" {
			return left, nil
		}
		p.next()
		var right *node
		if right, err = operand(); err == nil {
			left, err = p.build(t, cArith, op, left, right)
		}
	}
	return nil, err
}

// power reads a ^ b; the grammar allows one ^ per term, so a chain needs
// parentheses to say which way it groups.
func (p *parser) power() (*node, error) {
	left, err := p.unary()
	t := p.peek()
	if err != nil || !t.is("^") {
		return left, err
	}
	p.next()
	right, err := p.unary()
	if err != nil {
		return nil, err
	}
	if p.peek().is("^") {
		return nil, p.errorf(p.peek(), "want parentheses to group a chain of '^'")
	}
	return p.build(t, cArith, "^", left, right)
}

// unary reads -x as the oracle writes it: a negative number when x is a
// number, (-1 * x) otherwise. A + sign belongs to a number only.
func (p *parser) unary() (*node, error) {
	t := p.peek()
	switch {
	case t.is("+"):
		p.next()
		if n := p.peek(); n.kind != tNumber || n.pos != t.end {
			return nil, p.errorf(t, "want a number right after '+'")
		}
		n := p.number(p.next())
		n.pos = t.pos
		return n, nil
	case !t.is("-"):
		return p.primary()
	}
	p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	switch {
	case x.class == cNumber:
		return &node{class: cNumber, num: -x.num, depth: 1, pos: t.pos}, nil
	case x.class&numeric == 0:
		return nil, textError(p.src, x.pos, "want %s after '-', found %s", wants[numeric], classNames[x.class])
	}
	minusOne := &node{class: cNumber, num: -1, depth: 1, pos: t.pos}
	return p.build(t, cArith, "*", minusOne, x)
}

func (p *parser) number(t token) *node {
	return &node{class: cNumber, num: t.num, depth: 1, pos: t.pos}
}

// reserved words are never property names; quote one to use it as a name.
var reserved = []string{"AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "DIV", "TRUE", "FALSE"}

func isReserved(t token) bool {
	for _, w := range reserved {
		if t.is(w) {
			return true
		}
	}
	return false
}

func (p *parser) primary() (*node, error) {
	t := p.peek()
	switch t.kind {
	case tNumber:
		return p.number(p.next()), nil
	case tString:
		p.next()
		return &node{class: cString, name: t.text, depth: 1, pos: t.pos}, nil
	case tQuoted:
		p.next()
		return &node{class: cProperty, name: t.text, depth: 1, pos: t.pos}, nil
	case tIdent:
		return p.word()
	}
	if t.is("(") {
		return p.group()
	}
	return nil, p.wantValue(t)
}

// wantValue is the error for a missing operand.
func (p *parser) wantValue(t token) *Error {
	if prev := p.prev(); prev.kind != tEOF {
		return p.errorf(t, "want a value after %s, found %s", prev.describe(), t.describe())
	}
	return p.errorf(t, "want an expression, found %s", t.describe())
}

// group reads ( expr ), or ( a, b, ... ) as an array.
func (p *parser) group() (*node, error) {
	open := p.next()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.peek().is(",") {
		return p.list(open, "the array", e)
	}
	if t := p.peek(); !t.is(")") {
		return nil, p.errorf(t, "want ')' to close the '(' at %s, found %s", column(p.src, open), t.describe())
	}
	p.next()
	e.pos = open.pos // the expression, as written, starts at the parenthesis
	return e, nil
}

func column(src string, t token) string {
	return "column " + strconv.Itoa(textError(src, t.pos, "").Pos)
}

// word reads what starts with an identifier: TRUE, FALSE, a literal such as
// DATE('...') or POINT(...), a call, or a property name.
func (p *parser) word() (*node, error) {
	t := p.peek()
	switch {
	case t.is("TRUE") || t.is("FALSE"):
		p.next()
		return &node{class: cBool, value: t.is("TRUE"), depth: 1, pos: t.pos}, nil
	case t.is("NULL"):
		return nil, p.errorf(t, "NULL is not a value: test for it with IS NULL")
	case isReserved(t):
		return nil, p.wantValue(t)
	}
	after := p.toks[p.i+1]
	if after.is("(") || isGeometry(t) && (after.is("Z") || after.is("EMPTY")) {
		return p.call()
	}
	p.next()
	return &node{class: cProperty, name: t.text, depth: 1, pos: t.pos}, nil
}

// call reads name(...): a literal, an operator written as a call, or a
// function the standard leaves to servers.
func (p *parser) call() (*node, error) {
	t := p.peek()
	switch lower := strings.ToLower(t.text); {
	case lower == "date" || lower == "timestamp":
		return p.instant()
	case lower == "interval":
		return p.interval()
	case lower == "bbox":
		return p.bbox()
	case isGeometry(t):
		return p.geometryLiteral()
	}
	r, known := rules[strings.ToLower(t.text)]
	if known && !r.call {
		return nil, p.errorf(t, "%s is an operator, not a function", t.text)
	}
	p.next()
	arg := p.expr
	if r.class == cPred && r.args[0] == array {
		arg = p.arrayOperand
	}
	args, err := p.args(t, arg)
	if err != nil {
		return nil, err
	}
	if !known {
		r = rule{op: t.text, class: cFunc}
	}
	return p.build(t, r.class, r.op, args...)
}

// args reads the parenthesised arguments of the call at name.
func (p *parser) args(name token, arg func() (*node, error)) ([]*node, error) {
	open := p.next() // the '(' word saw
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	var args []*node
	for !p.peek().is(")") {
		if len(args) > 0 {
			if err := p.expect(",", "',' or ')' in the arguments of "+name.text); err != nil {
				return nil, err
			}
		}
		a, err := arg()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	p.next()
	return args, nil
}

// arrayOperand reads an argument of A_EQUALS and the others, where a
// parenthesis always opens an array: ('a') is an array of one, and () the
// empty one.
func (p *parser) arrayOperand() (*node, error) {
	open := p.peek()
	if !open.is("(") {
		return p.expr()
	}
	p.next()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.list(open, "the array")
}
