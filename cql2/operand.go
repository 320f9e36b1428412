package cql2

import (
	"strconv"
	"strings"
)

// The operand levels of the parser: + -, * / % div, ^, unary minus, and
// the primaries (literals, parentheses, calls and property names).

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
