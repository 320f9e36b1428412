package expression

import (
	"fmt"
	"math"
	"math/big"
)

// scalar is a constant while numexpr builds an expression. numexpr lets
// Python compute everything made of constants: literals combine as Python
// numbers (exact integers of any size, errors on division by zero), and a
// function of constants is numpy's, whose result is a numpy scalar with
// numpy's rules (int64 that wraps, float64 that gives inf). The type
// decides both how later constants combine and the kind numexpr gives
// the constant.
type scalar struct {
	t   stype
	i   int64    // bools (0, 1) and integers that fit 64 bits
	big *big.Int // a Python int beyond 64 bits (then i is unused)
	f   float64  // floats
}

// stype is the Python type of a constant.
type stype uint8

const (
	pyBool  stype = iota // bool, from a comparison of constants
	pyInt                // int
	pyFloat              // float
	npBool               // numpy.bool_
	npInt                // numpy.int64
	npFloat              // numpy.float64
)

// maxBits bounds Python integers: beyond it no constant can end as a
// number an image holds, and 9**9**9 must not run for minutes.
const maxBits = 4096

func pyI(i int64) scalar   { return scalar{t: pyInt, i: i} }
func pyF(f float64) scalar { return scalar{t: pyFloat, f: f} }
func pyB(b bool) scalar    { return scalar{t: pyBool, i: b2i(b)} }
func npI(i int64) scalar   { return scalar{t: npInt, i: i} }
func npF(f float64) scalar { return scalar{t: npFloat, f: f} }
func npB(b bool) scalar    { return scalar{t: npBool, i: b2i(b)} }

// pyBig is a Python int, small or not, or an error beyond maxBits.
func pyBig(b *big.Int) (scalar, error) {
	if b.IsInt64() {
		return pyI(b.Int64()), nil
	}
	if b.BitLen() > maxBits {
		return scalar{}, errTooLarge
	}
	return scalar{t: pyInt, big: b}, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s scalar) numpy() bool   { return s.t >= npBool }
func (s scalar) isBool() bool  { return s.t == pyBool || s.t == npBool }
func (s scalar) isFloat() bool { return s.t == pyFloat || s.t == npFloat }

// truth is Python's truth of the number: not zero (NaN is true).
func (s scalar) truth() bool {
	if s.big != nil {
		return true
	}
	return s.float() != 0 || math.IsNaN(s.f)
}

// float is the value as a float64, for numbers that fit 64 bits.
func (s scalar) float() float64 {
	if s.isFloat() {
		return s.f
	}
	return float64(s.i)
}

// toFloat is Python's float(): a big integer rounds to the nearest
// float64, and one too large for it is an error.
func (s scalar) toFloat() (float64, error) {
	if s.big == nil {
		return s.float(), nil
	}
	f, _ := new(big.Float).SetInt(s.big).Float64()
	if math.IsInf(f, 0) {
		return 0, errConst("int too large to convert to float")
	}
	return f, nil
}

// floats are a and b as Python's float() gives them, or the first error.
func floats(a, b scalar) (x, y float64, err error) {
	if x, err = a.toFloat(); err != nil {
		return 0, 0, err
	}
	y, err = b.toFloat()
	return x, y, err
}

func (s scalar) bigInt() *big.Int {
	if s.big != nil {
		return s.big
	}
	return big.NewInt(s.i)
}

// kind is the kind numexpr gives the constant (its bestConstantType):
// Python ints that fit 32 bits are int32, numpy's are int64 whatever
// their value; every float is float64.
func (s scalar) kind() kind {
	switch {
	case s.isBool():
		return kBool
	case s.isFloat():
		return kDouble
	case s.t == npInt || s.big != nil || s.i < math.MinInt32 || s.i > math.MaxInt32:
		return kLong
	}
	return kInt
}

func (s scalar) String() string {
	switch {
	case s.isBool() && s.i != 0:
		return "True"
	case s.isBool():
		return "False"
	case s.isFloat():
		return fmt.Sprint(s.f)
	}
	return s.bigInt().String()
}

// errConst is a failure of constant arithmetic, as Python raises it; the
// builder turns it into a 400 at the operator.
type errConst string

func (e errConst) Error() string { return string(e) }

const errTooLarge = errConst("integer constant too large")

// binary combines two constants with operator op (add sub mul truediv
// floordiv mod pow and or xor gt ge lt le eq ne), as Python does when both
// are Python numbers and as numpy does when one is a numpy scalar.
func binary(op string, a, b scalar) (scalar, error) {
	if c, ok := compare(op, a, b); ok {
		return c, nil
	}
	if a.numpy() || b.numpy() {
		return npBinary(op, a, b)
	}
	return pyBinary(op, a, b)
}

// compare evaluates a comparison operator; ok is false for other
// operators. Python compares ints and floats exactly; numpy converts an
// int to float64 when the other side is a float.
func compare(op string, a, b scalar) (scalar, bool) {
	var c int
	ordered := true
	switch {
	case !a.isFloat() && !b.isFloat():
		c = a.bigInt().Cmp(b.bigInt())
	case a.numpy() || b.numpy():
		x, _ := a.toFloat()
		y, _ := b.toFloat()
		c, ordered = cmpFloat(x, y)
	default:
		c, ordered = exactCompare(a, b)
	}
	var r bool
	switch op {
	case "gt":
		r = ordered && c > 0
	case "ge":
		r = ordered && c >= 0
	case "lt":
		r = ordered && c < 0
	case "le":
		r = ordered && c <= 0
	case "eq":
		r = ordered && c == 0
	case "ne":
		r = !ordered || c != 0
	default:
		return scalar{}, false
	}
	if a.numpy() || b.numpy() {
		return npB(r), true
	}
	return pyB(r), true
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) (int, bool) {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return 0, false
	case a < b:
		return -1, true
	case a > b:
		return 1, true
	}
	return 0, true
}

// exactCompare compares Python numbers, one a float, exactly as Python
// does (an int is not rounded to a float first).
func exactCompare(a, b scalar) (int, bool) {
	exact := func(s scalar) (*big.Float, bool) {
		if s.isFloat() {
			if math.IsNaN(s.f) {
				return nil, false
			}
			return new(big.Float).SetFloat64(s.f), true
		}
		return new(big.Float).SetInt(s.bigInt()), true
	}
	x, okx := exact(a)
	y, oky := exact(b)
	if !okx || !oky {
		return 0, false
	}
	return x.Cmp(y), true
}

// pick is the first value when first is true, else the second: the
// quotient or the remainder of a division.
func pick[T any](first bool, a, b T) T {
	if first {
		return a
	}
	return b
}

// unary applies - ~ or + to a constant: Python's for Python numbers (a
// bool becomes an int), numpy's for numpy scalars.
func unary(op string, a scalar) (scalar, error) {
	switch {
	case op == "pos" && (a.numpy() || a.isFloat()):
		return a, nil
	case op == "neg" && a.isFloat():
		return scalar{t: a.t, f: -a.f}, nil
	case op == "neg" && a.t == npBool:
		return scalar{}, errConst("numpy cannot negate a bool; use ~")
	case op == "neg" && a.t == npInt:
		return npI(-a.i), nil
	case a.isFloat():
		return scalar{}, errConst("~ needs an integer")
	case op == "invert" && a.t == npBool:
		return npB(a.i == 0), nil
	case op == "invert" && a.t == npInt:
		return npI(^a.i), nil
	case op == "neg":
		return pyBig(new(big.Int).Neg(a.bigInt()))
	case op == "invert":
		return pyBig(new(big.Int).Not(a.bigInt()))
	}
	return pyBig(a.bigInt()) // + on a Python int or bool: an int
}
