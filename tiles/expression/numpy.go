package expression

import (
	"math"
)

// numpy's arithmetic on numpy scalars (what functions of constants give),
// with numpy 2's rule that a Python number takes the numpy side's type:
// int64 wraps, division by zero gives inf or 0 and no error.

// npBinary is numpy's arithmetic when one side is a numpy scalar (numpy 2,
// where Python numbers take the numpy side's type): float64 if either is
// a float, bool if both are bools, int64 otherwise.
func npBinary(op string, a, b scalar) (scalar, error) {
	x, y, isFloat, err := bothFloats(a, b)
	switch {
	case isFloat && (op == "and" || op == "or" || op == "xor"):
		return scalar{}, errConst("bitwise operators are not defined for float64")
	case err != nil:
		return scalar{}, err
	case isFloat:
		return npF(npFloatOp(op, x, y)), nil
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
