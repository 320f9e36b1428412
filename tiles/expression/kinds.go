package expression

import (
	"tilefunc/tiles/raster"
)

// The types of results, as numexpr 2.14 gives them (found by running it
// on every pair of input types; the golden cases check them through
// rio-tiler). They follow from numexpr's rules, which the builder and
// compiler apply rather than this table:
//
//	bands                         computes in   + - * // % **       /         < <= == ...  & | ^ ~
//	bool                          bool          + * are | &;        float64   bool         bool
//	                                            - // % ** refused
//	uint8 int8 uint16 int16 int32 int32         int32, wrapping     float64   bool         int32
//	uint32 int64 uint64           int64         int64, wrapping     float64   bool         int64
//	float32                       float32       float32             float32   bool         refused
//	float64                       float64       float64             float64   bool         refused
//
// Two operands compute in the higher of bool < int32 < int64 < float32 <
// float64: float32 with int16 or int32 stays float32 (numpy would give
// float64). Constants: a Python int that fits 32 bits is int32, a larger
// one int64, a float is float64, so float32*2 is float32, float32*1.5 is
// float64 and uint8+2147483648 is int64; numpy scalars from functions of
// constants are int64 or float64 whatever their value (uint8+abs(-3) is
// int64). x ** a whole or half constant up to 50 is multiplications (an
// int32 b1**3 wraps; b1**0.5 is a square root in float64), ** anything
// else is pow (an int32 overflow gives the smallest int32); integers to
// negative integer powers are refused. Functions of int32 or int64
// compute in float64 except round, sign, copy and ones_like; of bool or
// float32 in float32, except hypot, nextafter, copysign, maximum,
// minimum, round, trunc and sign (float64); isnan, isfinite, isinf and
// signbit give bool; where(c, a, b) computes in the common kind of all
// three, and c must be bool. Blocks of different types stack as numpy
// promotes them (int32 with float32 is float64).

// kind is what numexpr computes a node in: six numeric kinds, ranked; an
// operation is done in the highest kind of its operands (commonKind).
type kind uint8

const (
	kBool   kind = iota // bool
	kInt                // int32
	kLong               // int64
	kFloat              // float32
	kDouble             // float64
	kComplex
)

// code is numexpr's one-letter name of a kind, as its signatures spell it.
func (k kind) code() byte { return "bilfdc"[k] }

// integer says whether the kind holds whole numbers (bool does not count:
// numexpr treats it apart).
func (k kind) integer() bool { return k == kInt || k == kLong }

// floating says whether values of the kind live in float64 storage.
func (k kind) floating() bool { return k == kFloat || k == kDouble }

func (k kind) String() string {
	return [...]string{"bool", "int32", "int64", "float32", "float64", "complex128"}[k]
}

// dataType is the numpy type of an array of the kind.
func (k kind) dataType() raster.DataType {
	return [...]raster.DataType{raster.Bool, raster.Int32, raster.Int64, raster.Float32, raster.Float64, raster.Float64}[k]
}

// inputKind is the kind numexpr gives an array of a numpy type: the small
// integers are widened to int32, uint32 needs int64, and uint64 is taken
// as int64 (wrapping), as numexpr's getType does.
//
//	bool                       → bool
//	uint8 int8 uint16 int16    → int32
//	int32                      → int32
//	uint32 int64 uint64        → int64
//	float32                    → float32
//	float64 (and unknown)      → float64
func inputKind(t raster.DataType) kind {
	switch t {
	case raster.Bool:
		return kBool
	case raster.Uint8, raster.Int8, raster.Uint16, raster.Int16, raster.Int32:
		return kInt
	case raster.Uint32, raster.Int64, raster.Uint64:
		return kLong
	case raster.Float32:
		return kFloat
	}
	return kDouble
}

// commonKind is the highest kind among the nodes.
func commonKind(nodes []*enode) kind {
	k := kBool
	for _, n := range nodes {
		k = max(k, n.kind)
	}
	return k
}

// findSignature is numexpr's search for an operation that takes the
// arguments' kinds or wider ones: every widening of the argument codes,
// the first argument widening slowest, among the operations (ops) named
// operation_result+arguments. It returns the argument kinds the
// operation wants. numexpr searches its opcodes and then its functions,
// but no widening it tries earlier is a function where a later one is an
// opcode, so one search of both answers the same.
func findSignature(op string, ret kind, args []kind) ([]kind, bool) {
	prefix := op + "_" + string(ret.code())
	var found []kind
	widenings(args, func(sig []kind) bool {
		if ops[prefix+codes(sig)] != nil {
			found = append([]kind(nil), sig...)
			return true
		}
		return false
	})
	return found, found != nil
}

func codes(sig []kind) string {
	b := make([]byte, len(sig))
	for i, k := range sig {
		b[i] = k.code()
	}
	return string(b)
}

// widenings calls try with each widening of args in numexpr's order
// (sigPerms) until it returns true. Complex is left out: no real
// operation takes it.
func widenings(args []kind, try func([]kind) bool) {
	sig := make([]kind, len(args))
	var walk func(i int) bool
	walk = func(i int) bool {
		if i == len(args) {
			return try(sig)
		}
		for k := args[i]; k <= kDouble; k++ {
			sig[i] = k
			if walk(i + 1) {
				return true
			}
		}
		return false
	}
	walk(0)
}
