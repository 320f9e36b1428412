package raster

import "math"

// DataType is a pixel type, named as numpy names it.
type DataType string

// The pixel types tilefunc reads, computes and writes.
const (
	Bool    DataType = "bool"
	Uint8   DataType = "uint8"
	Int8    DataType = "int8"
	Uint16  DataType = "uint16"
	Int16   DataType = "int16"
	Uint32  DataType = "uint32"
	Int32   DataType = "int32"
	Uint64  DataType = "uint64"
	Int64   DataType = "int64"
	Float32 DataType = "float32"
	Float64 DataType = "float64"
)

// typeInfo is what numpy knows of a type: its range, whether it is an
// integer, its size in bytes.
type typeInfo struct {
	lo, hi  float64
	integer bool
	signed  bool
	size    int
}

var types = map[DataType]typeInfo{
	Bool:    {0, 1, true, false, 1},
	Uint8:   {0, math.MaxUint8, true, false, 1},
	Int8:    {math.MinInt8, math.MaxInt8, true, true, 1},
	Uint16:  {0, math.MaxUint16, true, false, 2},
	Int16:   {math.MinInt16, math.MaxInt16, true, true, 2},
	Uint32:  {0, math.MaxUint32, true, false, 4},
	Int32:   {math.MinInt32, math.MaxInt32, true, true, 4},
	Uint64:  {0, math.MaxUint64, true, false, 8},
	Int64:   {math.MinInt64, math.MaxInt64, true, true, 8},
	Float32: {-math.MaxFloat32, math.MaxFloat32, false, true, 4},
	Float64: {-math.MaxFloat64, math.MaxFloat64, false, true, 8},
}

// Known says whether t is one of the types above.
func (t DataType) Known() bool { _, ok := types[t]; return ok }

// Range is the smallest and largest value of the type (rasterio's
// dtype_ranges), which is what titiler rescales from when a format cannot
// carry the type.
func (t DataType) Range() (float64, float64) {
	i, ok := types[t]
	if !ok {
		return types[Float64].lo, types[Float64].hi
	}
	return i.lo, i.hi
}

// Integer says whether the type holds whole numbers.
func (t DataType) Integer() bool { return types[t].integer }

// Size is the bytes of one value.
func (t DataType) Size() int { return types[t].size }

// Cast converts v as numpy's astype converts to t on x86-64: floats are
// truncated toward zero; integer results wrap to the type's width, and
// values no 32-bit conversion can hold (NaN, infinities, huge numbers)
// become its smallest value first, as the C conversion numpy uses gives.
func (t DataType) Cast(v float64) float64 {
	switch t {
	case Float64:
		return v
	case Float32:
		return float64(float32(v))
	case Bool:
		if v != 0 {
			return 1
		}
		return 0
	case Int64:
		if math.IsNaN(v) || v >= 1<<63 || v < -(1<<63) {
			return math.MinInt64
		}
		return math.Trunc(v)
	case Uint64:
		if math.IsNaN(v) || v >= 1<<64 || v <= -1 {
			return 0
		}
		return math.Trunc(v)
	case Uint32:
		if v > -1 && v < 1<<32 {
			return math.Trunc(v)
		}
		if n := toInt32(v); n < 0 && v > -(1<<31) {
			return float64(uint32(n))
		}
		if v > 0 {
			return 0
		}
		return 1 << 31
	}
	return wrap(int64(toInt32(v)), t)
}

// wrap is n converted to the integer type t as C converts integers: the
// low bits are kept (Int32 for a type wrap does not know).
func wrap(n int64, t DataType) float64 {
	switch t {
	case Uint8:
		return float64(uint8(n))
	case Int8:
		return float64(int8(n))
	case Uint16:
		return float64(uint16(n))
	case Int16:
		return float64(int16(n))
	case Uint32:
		return float64(uint32(n))
	case Int64:
		return float64(n)
	case Uint64:
		return float64(uint64(n))
	}
	return float64(int32(n))
}

// toInt32 is the x86 conversion of a double to a 32-bit integer: values
// out of range, and NaN, give the smallest int32.
func toInt32(v float64) int32 {
	if math.IsNaN(v) || v >= 1<<31 || v <= -(1<<31)-1 {
		return math.MinInt32
	}
	return int32(v)
}

// Promote is the type numpy gives to values of both a and b (numpy's
// result_type), as when the assets of an item are stacked.
func Promote(a, b DataType) DataType {
	if a == b {
		return a
	}
	ia, ib := types[a], types[b]
	switch {
	case a == Bool:
		return b
	case b == Bool:
		return a
	case !ia.integer || !ib.integer:
		// A float and anything: the float wide enough for both.
		size := max(floatSize(ia), floatSize(ib))
		if size <= 4 {
			return Float32
		}
		return Float64
	case ia.signed == ib.signed:
		if ia.size >= ib.size {
			return a
		}
		return b
	}
	// One signed, one unsigned: a signed type wider than the unsigned one.
	s, u := ia, ib
	if !ia.signed {
		s, u = ib, ia
	}
	switch size := max(s.size, 2*u.size); {
	case size <= 2:
		return Int16
	case size <= 4:
		return Int32
	case size <= 8 && u.size < 8:
		return Int64
	}
	return Float64
}

// floatSize is the bytes of the smallest float that holds every value of
// the type exactly, as numpy promotes integers with floats.
func floatSize(i typeInfo) int {
	switch {
	case !i.integer:
		return i.size
	case i.size <= 2:
		return 4
	}
	return 8
}

// Convert is numpy's astype of a value of type from into type to: a value
// already of type to is kept; from one integer type to another the low
// bits are kept, as C converts integers; anything else converts as Cast.
func Convert(v float64, from, to DataType) float64 {
	if from == to {
		return v
	}
	if !from.Integer() || !to.Integer() || from == Bool || to == Bool {
		return to.Cast(v)
	}
	return wrap(int64(IntBits(v, from)), to)
}

// IntBits are the 64 bits of v, a value of the integer type t, as numpy
// holds it. float64 rounds the top values of the 64-bit types up to 2^63
// and 2^64, beyond them: those stand for the type's largest value (the
// value of a mask where data is), all ones but for Int64's sign bit.
func IntBits(v float64, t DataType) uint64 {
	switch {
	case t == Int64 && v >= 1<<63:
		return math.MaxInt64
	case t == Uint64 && v >= 1<<64:
		return math.MaxUint64
	case v < 0:
		return uint64(int64(v))
	}
	return uint64(v) // not int64(v): uint64 values from 2^63 up would not fit
}
