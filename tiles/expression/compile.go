package expression

import (
	"fmt"
	"strings"
)

// program is a block compiled for the kinds of its bands: numexpr's
// operations, each over a whole chunk of pixels, in the order a stack
// machine runs them.
type program struct {
	code  []instr
	kind  kind     // what the block gives
	depth int      // the stack slots it needs
	bands []string // the bands it reads; instr.band indexes them
	// bandIndex is where each of bands is in the image it runs on.
	bandIndex []int
}

// instr is one step: push a band or a constant, or replace the top n
// slots by an operation's result.
type instr struct {
	run  opFunc // nil for a push
	n    int
	band int // a band's index in program.bands, or -1 for a constant
	kind kind
	i    int64   // constant: bool, int32, int64 kinds
	f    float64 // constant: float32, float64 kinds
}

// maxInstrs bounds what numexpr's rewrites (powers, casts) add to the
// nodes of an expression.
const maxInstrs = 16 * MaxNodes

type compiler struct {
	p    *program
	sp   int
	band map[string]int
	// consts are the constants pushed so far by kind and value: numexpr
	// gives equal constants of a kind one register, the first one's, so
	// 0.0 and -0.0 in one expression are both the one written first.
	consts map[constKey]instr
}

type constKey struct {
	kind kind
	i    int64
	f    float64 // compared with ==, as Python compares: -0.0 is 0.0
}

// compile types the tree as numexpr's typeCompileAst does: every
// operation takes the first signature its arguments widen to, constants
// are converted and other arguments cast.
func compile(e *enode) (*program, error) {
	c := &compiler{p: &program{kind: e.kind}, band: map[string]int{}, consts: map[constKey]instr{}}
	if err := c.emit(e); err != nil {
		return nil, err
	}
	return c.p, nil
}

func (c *compiler) push(in instr) error {
	if len(c.p.code) == maxInstrs {
		return errAt(0, "the expression needs more than %d operations", maxInstrs)
	}
	c.p.code = append(c.p.code, in)
	if in.run == nil {
		c.sp++
	} else {
		c.sp -= in.n - 1
	}
	c.p.depth = max(c.p.depth, c.sp)
	return nil
}

func (c *compiler) emit(e *enode) error {
	if e.kind == kComplex {
		return errAt(e.pos, "%s gives complex numbers, which an image cannot hold", display(e.op))
	}
	switch e.op {
	case "const":
		return c.pushConst(e, e.kind)
	case "var":
		b, ok := c.band[e.name]
		if !ok {
			b = len(c.p.bands)
			c.band[e.name] = b
			c.p.bands = append(c.p.bands, e.name)
		}
		return c.push(instr{band: b, kind: e.kind})
	}
	have := make([]kind, len(e.args))
	for i, a := range e.args {
		have[i] = a.kind
	}
	want, ok := findSignature(e.op, e.kind, have)
	if !ok {
		return errAt(e.pos, "%s is not defined for %s values", display(e.op), kindList(have))
	}
	for i, a := range e.args {
		if err := c.emitAs(a, want[i]); err != nil {
			return err
		}
	}
	return c.push(instr{run: ops[e.op+"_"+string(e.kind.code())+codes(want)], n: len(e.args), kind: e.kind})
}

// emitAs emits a as kind k: a constant converted, anything else cast,
// through the casts numexpr has (bool to float64 goes by int32).
func (c *compiler) emitAs(a *enode, k kind) error {
	if a.kind == k {
		return c.emit(a)
	}
	if a.isConst() {
		return c.pushConst(a, k)
	}
	via, ok := findSignature("cast", k, []kind{a.kind})
	if !ok {
		return fmt.Errorf("expression: no cast from %s to %s", a.kind, k)
	}
	if via[0] == a.kind {
		if err := c.emit(a); err != nil {
			return err
		}
	} else if err := c.emitAs(a, via[0]); err != nil {
		return err
	}
	return c.push(instr{run: ops["cast_"+string(k.code())+string(via[0].code())], n: 1, kind: k})
}

// pushConst pushes the constant e as kind k, converted as numexpr
// converts constants: to float32 by way of float64, an integer beyond 64
// bits only to a float.
func (c *compiler) pushConst(e *enode, k kind) error {
	in := instr{band: -1, kind: k}
	v := e.val
	switch k {
	case kBool:
		in.i = b2i(v.truth())
	case kInt, kLong:
		if v.big != nil {
			return errAt(e.pos, "integer %s does not fit 64 bits", v)
		}
		in.i = v.i
	default:
		f, err := v.toFloat()
		if err != nil {
			return errAt(e.pos, "%s", err)
		}
		in.f = f
		if k == kFloat {
			in.f = float64(float32(f))
		}
	}
	key := constKey{kind: k, i: in.i, f: in.f}
	if k == kFloat {
		key.f, _ = v.toFloat() // the value before rounding is what numexpr compares
	}
	if first, ok := c.consts[key]; ok {
		in = first
	} else {
		c.consts[key] = in
	}
	return c.push(in)
}

// display names an operation as an expression writes it.
func display(op string) string {
	if s, ok := symbols[op]; ok {
		return s
	}
	for name, f := range functions {
		if f.op == op {
			return name + "()"
		}
	}
	return op
}

func kindList(ks []kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = k.String()
	}
	return strings.Join(s, " and ")
}
