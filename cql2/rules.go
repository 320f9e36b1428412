package cql2

import (
	"fmt"
	"strings"
)

// rule is what one CQL2 operator takes: its arity and, per position, the
// classes an argument may be (the last one repeating).
type rule struct {
	op       string // as CQL2-JSON spells it
	class    class  // of the result
	min, max int    // max < 0: no limit
	args     []class
	call     bool // written f(a, b) in text, rather than with its own syntax
}

// rules are the standard's operators by lower-case name.
var rules = map[string]rule{}

func init() {
	add := func(r rule, ops ...string) {
		for _, op := range ops {
			r.op = op
			rules[strings.ToLower(op)] = r
		}
	}
	add(rule{class: cPred, min: 2, max: -1, args: []class{boolean}}, "and", "or")
	add(rule{class: cPred, min: 1, max: 1, args: []class{boolean}}, "not")
	add(rule{class: cPred, min: 2, max: 2, args: []class{scalar}}, "=", "<>", "<", ">", "<=", ">=")
	add(rule{class: cPred, min: 2, max: 2, args: []class{character, cString | cCase}}, "like")
	add(rule{class: cPred, min: 3, max: 3, args: []class{numeric}}, "between")
	add(rule{class: cPred, min: 2, max: 2, args: []class{scalar, cArray}}, "in")
	add(rule{class: cPred, min: 1, max: 1, args: []class{nullable}}, "isNull")
	add(rule{class: cCase, min: 1, max: 1, args: []class{character}, call: true}, "casei", "accenti")
	add(rule{class: cPred, min: 2, max: 2, args: []class{spatial}, call: true},
		"s_intersects", "s_equals", "s_disjoint", "s_touches", "s_within", "s_overlaps", "s_crosses", "s_contains")
	add(rule{class: cPred, min: 2, max: 2, args: []class{temporal}, call: true},
		"t_after", "t_before", "t_contains", "t_disjoint", "t_during", "t_equals", "t_finishedBy", "t_finishes",
		"t_intersects", "t_meets", "t_metBy", "t_overlappedBy", "t_overlaps", "t_startedBy", "t_starts")
	add(rule{class: cPred, min: 2, max: 2, args: []class{array}, call: true},
		"a_equals", "a_contains", "a_containedBy", "a_overlaps")
	add(rule{class: cArith, min: 2, max: 2, args: []class{numeric}}, "+", "-", "*", "/", "%", "^", "div")
	// pgSTAC's own names for the comparisons (its cql2_ops table), which it
	// runs and titiler-pgstac passes on: CQL2-JSON written for pgSTAC uses
	// them. Text never writes them.
	add(rule{class: cPred, min: 2, max: 2, args: []class{scalar}}, "!=", "eq", "ne", "neq", "lt", "le", "lte", "gt", "ge", "gte")
	add(rule{class: cPred, min: 2, max: 2, args: []class{character, cString | cCase}}, "ilike")
	add(rule{class: cCase, min: 1, max: 1, args: []class{character}, call: true}, "lower", "upper")
}

// wants says in words what a set of classes is.
var wants = map[class]string{
	boolean:         "a predicate, boolean or function",
	character:       "a string, CASEI, ACCENTI, property or function",
	cString | cCase: "a string pattern (or CASEI or ACCENTI of one)",
	numeric:         "a number, arithmetic, property or function",
	scalar:          "a string, number, boolean, date, timestamp, arithmetic, property or function",
	cArray:          "a list of values",
	nullable:        "a value other than an array",
	spatial:         "a geometry, bbox, property or function",
	temporal:        "a date, timestamp, interval, property or function",
	array:           "an array, property or function",
	bound:           "'..', a date or timestamp string, a property or a function",
}

// checker holds where a tree came from, so errors can point into it.
type checker struct{ src string }

func (c checker) errorf(n *node, format string, args ...any) *Error {
	if n.path != "" {
		return pathError(n.path, format, args...)
	}
	return textError(c.src, n.pos, format, args...)
}

// filter checks n as a whole filter: a boolean expression whose every
// operator has the arguments the standard allows.
func (c checker) filter(n *node) error {
	if err := c.want(n, boolean, "the filter"); err != nil {
		return err
	}
	return c.check(n)
}

func (c checker) want(n *node, set class, where string) error {
	if n.class&set == 0 {
		return c.errorf(n, "want %s as %s, found %s", wants[set], where, classNames[n.class])
	}
	return nil
}

// check walks n, the operator before its arguments, so the first error in
// reading order is the one reported.
func (c checker) check(n *node) error {
	switch n.class {
	case cPred, cCase, cArith:
		if err := c.operator(n, rules[strings.ToLower(n.op)]); err != nil {
			return err
		}
	case cInterval:
		for _, a := range n.args {
			if err := c.want(a, bound, "an end of INTERVAL"); err != nil {
				return err
			}
		}
	}
	for _, a := range n.args {
		if err := c.check(a); err != nil {
			return err
		}
	}
	return nil
}

func (c checker) operator(n *node, r rule) error {
	if len(n.args) < r.min || r.max >= 0 && len(n.args) > r.max {
		return c.errorf(n, "%s wants %s, found %d", n.name, arity(r), len(n.args))
	}
	for i, a := range n.args {
		set := r.args[min(i, len(r.args)-1)]
		if err := c.want(a, set, fmt.Sprintf("argument %d of %s", i+1, n.name)); err != nil {
			return err
		}
	}
	switch r.op {
	case "like":
		return c.pattern(n.args[1])
	case "in":
		for _, a := range n.args[1].args {
			if err := c.want(a, scalar, "a value of IN"); err != nil {
				return err
			}
		}
	}
	return nil
}

// pattern checks LIKE's pattern: a string, or CASEI or ACCENTI of one.
func (c checker) pattern(n *node) error {
	for n.class == cCase {
		if len(n.args) != 1 {
			return nil // the operator check reports it
		}
		n = n.args[0]
	}
	return c.want(n, cString, "a LIKE pattern")
}

func arity(r rule) string {
	switch {
	case r.max < 0:
		return fmt.Sprintf("at least %d arguments", r.min)
	case r.min == 1:
		return "1 argument"
	}
	return fmt.Sprintf("%d arguments", r.min)
}
