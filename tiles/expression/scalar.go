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

// pyBinary is Python's arithmetic on two Python numbers. Bools count as
// ints except in & | ^ of two bools.
func pyBinary(op string, a, b scalar) (scalar, error) {
	switch op {
	case "and", "or", "xor":
		if a.isFloat() || b.isFloat() {
			return scalar{}, errConst("bitwise operators need integers")
		}
		if a.isBool() && b.isBool() {
			return pyB(bitwise(op, a.i, b.i) != 0), nil
		}
		return pyIntOp(op, a, b)
	}
	if !a.isFloat() && !b.isFloat() {
		return pyIntOp(op, a, b)
	}
	x, err := a.toFloat()
	if err != nil {
		return scalar{}, err
	}
	y, err := b.toFloat()
	if err != nil {
		return scalar{}, err
	}
	r, err := pyFloatOp(op, x, y)
	return pyF(r), err
}

func bitwise(op string, a, b int64) int64 {
	switch op {
	case "and":
		return a & b
	case "or":
		return a | b
	}
	return a ^ b
}

// pyIntOp is Python's arithmetic on ints: exact, whatever their size.
func pyIntOp(op string, a, b scalar) (scalar, error) {
	x, y := a.bigInt(), b.bigInt()
	r := new(big.Int)
	switch op {
	case "add":
		r.Add(x, y)
	case "sub":
		r.Sub(x, y)
	case "mul":
		if x.BitLen()+y.BitLen() > maxBits+1 {
			return scalar{}, errTooLarge
		}
		r.Mul(x, y)
	case "and":
		r.And(x, y)
	case "or":
		r.Or(x, y)
	case "xor":
		r.Xor(x, y)
	case "truediv":
		if y.Sign() == 0 {
			return scalar{}, errConst("division by zero")
		}
		f, _ := new(big.Rat).SetFrac(x, y).Float64()
		if math.IsInf(f, 0) {
			return scalar{}, errConst("integer division result too large for a float")
		}
		return pyF(f), nil
	case "floordiv", "mod":
		if y.Sign() == 0 {
			return scalar{}, errConst("integer division or modulo by zero")
		}
		q, m := new(big.Int).QuoRem(x, y, new(big.Int))
		if m.Sign() != 0 && (m.Sign() < 0) != (y.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
			m.Add(m, y)
		}
		r = pick(op == "floordiv", q, m)
	case "pow":
		return pyIntPow(a, b)
	default:
		return scalar{}, errConst("unsupported operator " + op)
	}
	return pyBig(r)
}

// pyIntPow is Python's int ** int: exact for a non-negative exponent, a
// float for a negative one.
func pyIntPow(a, b scalar) (scalar, error) {
	x, y := a.bigInt(), b.bigInt()
	if y.Sign() < 0 {
		if x.Sign() == 0 {
			return scalar{}, errConst("0.0 cannot be raised to a negative power")
		}
		fx, err := a.toFloat()
		if err != nil {
			return scalar{}, err
		}
		fy, err := b.toFloat()
		if err != nil {
			return scalar{}, err
		}
		r, err := pyFloatPow(fx, fy)
		return pyF(r), err
	}
	if x.CmpAbs(big.NewInt(1)) <= 0 {
		// 0, 1 and -1 stay small whatever the exponent.
		if x.Sign() < 0 && y.Bit(0) == 0 {
			return pyI(1), nil
		}
		if y.Sign() == 0 {
			return pyI(1), nil
		}
		return pyI(x.Int64()), nil
	}
	if !y.IsInt64() || y.Int64()*int64(x.BitLen()-1) > maxBits {
		return scalar{}, errTooLarge
	}
	return pyBig(new(big.Int).Exp(x, y, nil))
}

func pyFloatOp(op string, a, b float64) (float64, error) {
	switch op {
	case "add":
		return a + b, nil
	case "sub":
		return a - b, nil
	case "mul":
		return a * b, nil
	case "truediv":
		if b == 0 {
			return 0, errConst("float division by zero")
		}
		return a / b, nil
	case "floordiv", "mod":
		if b == 0 {
			return 0, errConst("float floor division or modulo by zero")
		}
		q, m := floatDivMod(a, b)
		return pick(op == "floordiv", q, m), nil
	case "pow":
		return pyFloatPow(a, b)
	}
	return 0, errConst("unsupported operator " + op)
}

// floatDivMod is the floor division and modulo Python and numpy share for
// floats (b ≠ 0): from fmod, the remainder moved to the divisor's sign
// and the quotient rounded to the nearest whole number.
func floatDivMod(a, b float64) (float64, float64) {
	mod := math.Mod(a, b)
	div := (a - mod) / b
	if mod != 0 {
		if (b < 0) != (mod < 0) {
			mod += b
			div -= 1
		}
	} else {
		mod = math.Copysign(0, b)
	}
	var floordiv float64
	if div != 0 {
		floordiv = math.Floor(div)
		if div-floordiv > 0.5 {
			floordiv += 1
		}
	} else {
		floordiv = math.Copysign(0, a/b)
	}
	return floordiv, mod
}

// pyFloatPow is Python's float ** float: complex results, powers of zero
// by negative numbers and overflows are errors.
func pyFloatPow(a, b float64) (float64, error) {
	switch {
	case b == 0:
		return 1, nil
	case a == 0 && b < 0:
		return 0, errConst("0.0 cannot be raised to a negative power")
	case a < 0 && b != math.Trunc(b) && !math.IsInf(b, 0) && !math.IsNaN(b):
		return 0, errConst("a negative number to a fractional power is complex")
	}
	r := pow(a, b)
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return 0, errConst("numerical result out of range")
	}
	return r, nil
}

// npBinary is numpy's arithmetic when one side is a numpy scalar (numpy 2,
// where Python numbers take the numpy side's type): float64 if either is
// a float, bool if both are bools, int64 otherwise.
func npBinary(op string, a, b scalar) (scalar, error) {
	switch {
	case a.isFloat() || b.isFloat():
		if op == "and" || op == "or" || op == "xor" {
			return scalar{}, errConst("bitwise operators are not defined for float64")
		}
		x, err := a.toFloat()
		if err != nil {
			return scalar{}, err
		}
		y, err := b.toFloat()
		if err != nil {
			return scalar{}, err
		}
		return npF(npFloatOp(op, x, y)), nil
	case a.big != nil || b.big != nil:
		return scalar{}, errConst("Python int too large to convert to C long")
	case a.isBool() && b.isBool():
		return npBoolOp(op, a.i != 0, b.i != 0)
	}
	return npIntOp(op, a.i, b.i)
}

func npFloatOp(op string, a, b float64) float64 {
	switch op {
	case "add":
		return a + b
	case "sub":
		return a - b
	case "mul":
		return a * b
	case "truediv":
		return a / b
	case "floordiv":
		if b == 0 {
			return a / b
		}
		q, _ := floatDivMod(a, b)
		return q
	case "mod":
		if b == 0 {
			return math.NaN()
		}
		_, m := floatDivMod(a, b)
		return m
	}
	return pow(a, b)
}

func npBoolOp(op string, a, b bool) (scalar, error) {
	switch op {
	case "add", "or":
		return npB(a || b), nil
	case "mul", "and":
		return npB(a && b), nil
	case "xor":
		return npB(a != b), nil
	case "truediv":
		return npF(float64(b2i(a)) / float64(b2i(b))), nil
	}
	return scalar{}, errConst("numpy does not do " + op + " on two bools")
}

func npIntOp(op string, a, b int64) (scalar, error) {
	switch op {
	case "add":
		return npI(a + b), nil
	case "sub":
		return npI(a - b), nil
	case "mul":
		return npI(a * b), nil
	case "truediv":
		return npF(float64(a) / float64(b)), nil
	case "floordiv", "mod":
		if b == 0 {
			return npI(0), nil // numpy warns and gives 0
		}
		if b == -1 {
			// a / -1 wraps for the smallest int64; a % -1 is 0.
			return npI(pick(op == "floordiv", -a, 0)), nil
		}
		q, m := floorDivMod(a, b)
		return npI(pick(op == "floordiv", q, m)), nil
	case "pow":
		if b < 0 {
			return scalar{}, errConst("Integers to negative integer powers are not allowed.")
		}
		r, _ := powInt(a, b)
		return npI(r), nil
	case "and", "or", "xor":
		return npI(bitwise(op, a, b)), nil
	}
	return scalar{}, errConst("unsupported operator " + op)
}

// floorDivMod is Python's // and % on integers: the quotient rounds toward
// minus infinity and the remainder takes the divisor's sign.
func floorDivMod(a, b int64) (int64, int64) {
	q, m := a/b, a%b
	if m != 0 && (m < 0) != (b < 0) {
		q--
		m += b
	}
	return q, m
}

// powInt is a**b for b ≥ 0, wrapping like int64, and whether the exact
// power does not fit 64 bits.
func powInt(a, b int64) (int64, bool) {
	r, over := int64(1), false
	for b > 0 {
		var o bool
		if b&1 == 1 {
			r, o = mulOverflow(r, a)
			over = over || o
		}
		if b >>= 1; b > 0 {
			// The square is used by a higher bit, so its overflow counts.
			a, o = mulOverflow(a, a)
			over = over || o
		}
	}
	return r, over
}

// mulOverflow is a*b wrapped to 64 bits, and whether it wrapped.
func mulOverflow(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, false
	}
	r := a * b
	return r, r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64)
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
