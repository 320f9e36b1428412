package expression

import (
	"math"
)

// The builder turns a syntax tree into numexpr's expression tree the way
// numexpr does, by evaluating it as Python would with numexpr's node
// objects standing for the arrays: constants fold as Python numbers,
// functions of constants become numpy scalars, and numexpr's own rewrites
// apply (x/c as x*(1/c) for floats, x**n as multiplications). numexpr
// builds every expression twice, first with every band float64 (to find
// the names) and then with the bands' own types; an error in either is
// titiler's error.

// enode is a node of numexpr's expression tree.
type enode struct {
	op   string // const, var, or a numexpr operation (add, gt, where, sqrt, cast...)
	kind kind
	val  scalar // const
	raw  bool   // const: a Python number that no numexpr node has touched yet
	name string // var
	args []*enode
	pos  int
}

func (e *enode) isConst() bool { return e.op == "const" }

// builder builds the trees of one expression for bands of one kind.
type builder struct {
	band kind // what numexpr reads every band as
}

// opNode is numexpr's OpNode: the kind is the arguments' common kind
// unless given, and on bools * is & and + is |.
func opNode(op string, pos int, k kind, args ...*enode) *enode {
	if k == kAuto {
		k = commonKind(args)
	}
	if k == kBool {
		switch op {
		case "mul":
			op = "and"
		case "add":
			op = "or"
		}
	}
	return &enode{op: op, kind: k, args: args, pos: pos}
}

// kAuto asks opNode for the arguments' common kind.
const kAuto kind = 255

func constNode(v scalar, raw bool, pos int) *enode {
	return &enode{op: "const", kind: v.kind(), val: v, raw: raw, pos: pos}
}

// node is numexpr's ophelper: a Python number meeting a node becomes a
// constant node.
func node(e *enode) *enode {
	if e.isConst() && e.raw {
		return constNode(e.val, false, e.pos)
	}
	return e
}

func (b *builder) build(n *snode) (*enode, error) {
	switch n.op {
	case "num":
		return constNode(n.val, true, n.pos), nil
	case "name":
		return &enode{op: "var", name: n.name, kind: b.band, pos: n.pos}, nil
	case "neg", "pos", "invert":
		x, err := b.build(n.args[0])
		if err != nil {
			return nil, err
		}
		return unaryNode(n, x)
	case "compare":
		return b.compare(n)
	case "call":
		return b.call(n)
	}
	l, err := b.build(n.args[0])
	if err != nil {
		return nil, err
	}
	r, err := b.build(n.args[1])
	if err != nil {
		return nil, err
	}
	return binaryNode(n.op, n.pos, l, r)
}

func unaryNode(n *snode, x *enode) (*enode, error) {
	switch {
	case n.op == "pos" && !x.raw:
		return x, nil // numexpr's + returns the node itself
	case x.isConst():
		v, err := unary(n.op, x.val)
		if err != nil {
			return nil, errAt(n.pos, "%s", err)
		}
		return constNode(v, x.raw, n.pos), nil
	}
	return opNode(n.op, n.pos, kAuto, x), nil
}

// binaryNode applies a binary operator as Python dispatches it between
// numbers and numexpr's nodes.
func binaryNode(op string, pos int, l, r *enode) (*enode, error) {
	if l.raw && r.raw {
		v, err := binary(op, l.val, r.val)
		if err != nil {
			return nil, errAt(pos, "%s", err)
		}
		return constNode(v, true, pos), nil
	}
	switch op {
	case "floordiv", "and", "or", "xor":
		// numexpr's nodes have no reflected //, &, |, ^.
		if l.raw {
			return nil, errAt(pos, "numexpr cannot take a constant on the left of %s: write the band first", symbols[op])
		}
	case "truediv":
		return trueDivide(pos, node(l), node(r))
	case "pow":
		if !l.raw {
			return power(pos, l, node(r))
		}
	}
	return fold(op, pos, node(l), node(r))
}

// fold is numexpr's binop: constant nodes combine into a constant node;
// anything else makes an operation.
func fold(op string, pos int, l, r *enode) (*enode, error) {
	if l.isConst() && r.isConst() {
		v, err := binary(op, l.val, r.val)
		if err != nil {
			return nil, errAt(pos, "%s", err)
		}
		return constNode(v, false, pos), nil
	}
	switch op {
	case "lt":
		return opNode("gt", pos, kBool, r, l), nil
	case "le":
		return opNode("ge", pos, kBool, r, l), nil
	case "gt", "ge", "eq", "ne":
		return opNode(op, pos, kBool, l, r), nil
	}
	return opNode(op, pos, kAuto, l, r), nil
}

// trueDivide is numexpr's /: a float divided by a float constant is a
// multiplication by its inverse, and integers divide as float64.
func trueDivide(pos int, l, r *enode) (*enode, error) {
	if r.isConst() && l.kind == r.kind && l.kind.floating() {
		if r.val.f == 0 && !r.val.numpy() {
			return nil, errAt(pos, "float division by zero")
		}
		return opNode("mul", pos, kAuto, l, constNode(npOrPy(r.val, 1/r.val.f), false, pos)), nil
	}
	k := commonKind([]*enode{l, r})
	if k <= kLong {
		k = kDouble
	}
	return opNode("div", pos, k, l, r), nil
}

// npOrPy is a float of the same Python type as v.
func npOrPy(v scalar, f float64) scalar {
	if v.numpy() {
		return npF(f)
	}
	return pyF(f)
}

// power is numexpr's ** on a node: a constant exponent that is a whole
// or half number up to 50 is computed by multiplications (and a square
// root), anything else by pow.
func power(pos int, a, b *enode) (*enode, error) {
	if !b.isConst() {
		return opNode("pow", pos, kAuto, a, b), nil
	}
	x := b.val
	if a.kind.integer() && b.kind.integer() && x.bigInt().Sign() < 0 {
		return nil, errAt(pos, "integers to negative integer powers are not allowed")
	}
	if x.big != nil {
		return opNode("pow", pos, kAuto, a, b), nil
	}
	xf := x.float()
	if math.IsInf(xf, 0) || math.IsNaN(xf) {
		return nil, errAt(pos, "cannot raise to %v", xf)
	}
	if math.Trunc(2*xf) != 2*xf || math.Abs(xf) > 50 {
		return opNode("pow", pos, kAuto, a, b), nil
	}
	n, half := int(math.Abs(xf)), int(math.Abs(2*xf))%2
	var r *enode
	for p, mask := a, 1; ; mask <<= 1 {
		if n&mask != 0 {
			r = multiply(pos, r, p)
		}
		if mask<<1 > n {
			break
		}
		p = opNode("mul", pos, kAuto, p, p)
	}
	if half == 1 {
		r = multiply(pos, r, opNode("sqrt", pos, sqrtKind(a.kind), a))
	}
	if r == nil {
		r = opNode("ones_like", pos, kAuto, a)
	}
	if xf < 0 {
		return trueDivide(pos, constNode(pyI(1), false, pos), r)
	}
	return r, nil
}

// sqrtKind is the kind of numexpr's square root in a half power: integers
// as float64, anything else in its own kind.
func sqrtKind(k kind) kind {
	if k.integer() {
		return kDouble
	}
	return k
}

func multiply(pos int, r, p *enode) *enode {
	if r == nil {
		return p
	}
	return opNode("mul", pos, kAuto, r, p)
}

// compare is a comparison, chained as Python chains them: a < b < c is
// (a < b) and (b < c), which only constants can take, as "and" asks for
// the truth of a < b.
func (b *builder) compare(n *snode) (*enode, error) {
	left, err := b.build(n.args[0])
	if err != nil {
		return nil, err
	}
	for i, op := range n.cmp {
		right, err := b.build(n.args[i+1])
		if err != nil {
			return nil, err
		}
		r, err := binaryNode(op, n.args[i+1].pos, left, right)
		if err != nil || i == len(n.cmp)-1 {
			return r, err
		}
		if !r.raw {
			return nil, errAt(n.args[i+1].pos, "chained comparisons of bands are not allowed: write (a < b) & (b < c)")
		}
		if !r.val.truth() {
			return r, nil
		}
		left = right
	}
	panic("unreachable")
}

// call is a function call: numexpr's where picks a branch when its
// condition is a constant, a function of constants is numpy's value, and
// a function of arrays computes in a kind set by its arguments.
func (b *builder) call(n *snode) (*enode, error) {
	f := functions[n.name]
	args := make([]*enode, len(n.args))
	allConst := true
	for i, a := range n.args {
		e, err := b.build(a)
		if err != nil {
			return nil, err
		}
		args[i] = node(e)
		allConst = allConst && e.isConst()
	}
	switch {
	case f.op == "where" && args[0].isConst():
		return pick(args[0].val.truth(), args[1], args[2]), nil
	case f.op == "where":
		return opNode("where", n.pos, kAuto, args...), nil
	case allConst:
		return callConst(n, f, args)
	}
	k := commonKind(args)
	switch {
	case k.integer() && !f.keepInt:
		k = kDouble
	case !k.integer():
		k = min(max(k, f.minKind), f.maxKind)
	}
	if f.boolOut {
		k = kBool
	}
	return opNode(f.op, n.pos, k, args...), nil
}

// callConst is a function of constants: numpy's value.
func callConst(n *snode, f *function, args []*enode) (*enode, error) {
	vals := make([]scalar, len(args))
	for i, a := range args {
		if a.val.isBool() || f.numpy == nil {
			return nil, errAt(n.pos, "%s() of the constant %s is not supported: give it a band", n.name, a.val)
		}
		vals[i] = a.val
	}
	v, err := f.numpy(vals)
	if err != nil {
		return nil, errAt(n.pos, "%s", err)
	}
	return constNode(v, false, n.pos), nil
}

// symbols are the operators as written, for messages.
var symbols = map[string]string{
	"add": "+", "sub": "-", "mul": "*", "div": "/", "truediv": "/", "floordiv": "//", "mod": "%",
	"pow": "**", "and": "&", "or": "|", "xor": "^", "neg": "-", "invert": "~",
	"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!=",
}
