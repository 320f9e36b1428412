package expression

import (
	"math"
	"math/big"
)

// Python's arithmetic on Python numbers, which is what numexpr leaves
// constants to: exact integers, errors on division by zero, floats whose
// // and % round toward minus infinity.

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
	x, y, err := floats(a, b)
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
		fx, fy, err := floats(a, b)
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
	// |x| ≥ 2: the power has at least y·(bits of x - 1) bits (compared by
	// division, as the product can overflow int64).
	if !y.IsInt64() || y.Int64() > maxBits/int64(x.BitLen()-1) {
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
