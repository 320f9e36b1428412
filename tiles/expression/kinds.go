package expression

import (
	"strings"

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

// signatures are the operations numexpr's virtual machine has, each named
// operation_result+arguments (add_ddd adds two float64 into a float64),
// in the two tables numexpr searches: its opcodes first, then its
// functions. Only the real-valued ones are listed: complex and string
// operations are refused before a signature is looked for. real_dd and
// imag_dd stand for numexpr's real_dc and imag_dc, which take a complex
// cast of a real argument: the values are the same.
var (
	opcodes   = signatureSet(opcodeList)
	funccodes = signatureSet(funccodeList)
)

const opcodeList = `
copy_bb copy_ii copy_ll copy_ff copy_dd
invert_bb invert_ii invert_ll
and_bbb and_iii and_lll or_bbb or_iii or_lll xor_bbb xor_iii xor_lll
eq_bbb ne_bbb eq_bii ne_bii gt_bii ge_bii eq_bll ne_bll gt_bll ge_bll
eq_bff ne_bff gt_bff ge_bff eq_bdd ne_bdd gt_bdd ge_bdd
where_bbbb where_ibii where_lbll where_fbff where_dbdd
cast_ib cast_li cast_fi cast_fl cast_di cast_dl cast_df
ones_like_ii ones_like_ll ones_like_ff ones_like_dd
neg_ii neg_ll neg_ff neg_dd
add_iii sub_iii mul_iii div_iii pow_iii mod_iii floordiv_iii
add_lll sub_lll mul_lll div_lll pow_lll mod_lll floordiv_lll
add_fff sub_fff mul_fff div_fff pow_fff mod_fff floordiv_fff
add_ddd sub_ddd mul_ddd div_ddd pow_ddd mod_ddd floordiv_ddd
sqrt_ff sqrt_dd
real_dd imag_dd`

const funccodeList = `
sqrt_ff sin_ff cos_ff tan_ff arcsin_ff arccos_ff arctan_ff sinh_ff cosh_ff tanh_ff
arcsinh_ff arccosh_ff arctanh_ff log_ff log1p_ff log10_ff log2_ff exp_ff expm1_ff
absolute_ff conjugate_ff ceil_ff floor_ff trunc_ff sign_ff round_ff
fmod_fff arctan2_fff hypot_fff nextafter_fff copysign_fff maximum_fff minimum_fff
sqrt_dd sin_dd cos_dd tan_dd arcsin_dd arccos_dd arctan_dd sinh_dd cosh_dd tanh_dd
arcsinh_dd arccosh_dd arctanh_dd log_dd log1p_dd log10_dd log2_dd exp_dd expm1_dd
absolute_dd conjugate_dd ceil_dd floor_dd trunc_dd sign_dd round_dd
fmod_ddd arctan2_ddd hypot_ddd nextafter_ddd copysign_ddd maximum_ddd minimum_ddd
isnan_bd isfinite_bd isinf_bd signbit_bd isnan_bf isfinite_bf isinf_bf signbit_bf
sign_ii round_ii absolute_ii sign_ll round_ll absolute_ll`

func signatureSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, s := range strings.Fields(list) {
		set[s] = true
	}
	return set
}

// findSignature is numexpr's search for an operation that takes the
// arguments' kinds or wider ones: every widening of the argument codes,
// the first argument widening slowest, in the opcodes and then in the
// functions. It returns the argument kinds the operation wants.
func findSignature(op string, ret kind, args []kind) ([]kind, bool) {
	prefix := op + "_" + string(ret.code())
	for _, table := range []map[string]bool{opcodes, funccodes} {
		var found []kind
		widenings(args, func(sig []kind) bool {
			if table[prefix+codes(sig)] {
				found = append([]kind(nil), sig...)
				return true
			}
			return false
		})
		if found != nil {
			return found, true
		}
	}
	return nil, false
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
