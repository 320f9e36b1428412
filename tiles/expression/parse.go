package expression

import "strings"

// A hand-written recursive-descent parser for the part of Python's
// expression grammar rio-tiler lets through (its ast whitelist): numbers,
// names, calls of a function by name, unary + - ~, binary + - * / // % **
// & | ^ and comparisons, with Python's precedence. Everything else Python
// would parse (attributes, subscripts, lambdas, and/or/not, if/else,
// tuples, strings, shifts...) is refused where it starts.

// snode is a node of the syntax tree of one block.
type snode struct {
	op   string // num name call neg pos invert add sub mul truediv floordiv mod pow and or xor compare
	pos  int    // byte offset in the block
	val  scalar // num
	name string // name; call: the function
	args []*snode
	cmp  []string // compare: the operators between args (gt ge lt le eq ne)
}

type parser struct {
	lex   *lexer
	tok   token
	nodes *int // nodes parsed in the whole expression
	depth int
}

// binaryOps are the operators of each binary precedence level, loosest
// first, with the node each makes.
var binaryOps = []map[string]string{
	{"|": "or"},
	{"^": "xor"},
	{"&": "and"},
	{"+": "add", "-": "sub"},
	{"*": "mul", "/": "truediv", "//": "floordiv", "%": "mod"},
}

var compareOps = map[string]string{"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}

var unaryOps = map[string]string{"-": "neg", "+": "pos", "~": "invert"}

// parseBlock reads one whole block.
func parseBlock(src string, nodes *int) (*snode, error) {
	if i := strings.IndexByte(src, 0); i >= 0 {
		return nil, errAt(i, "a block may not contain a NUL byte") // not even in a comment, to Python
	}
	p := &parser{lex: newLexer(src), nodes: nodes}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.typ == tEOF || p.tok.typ == tEnd {
		return nil, errAt(p.tok.pos, "the block is empty")
	}
	n, err := p.test()
	if err != nil {
		return nil, err
	}
	if p.is(",") {
		return nil, errAt(p.tok.pos, "tuples (a, b) are not allowed: separate outputs with ;")
	}
	if p.tok.typ == tEnd {
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if p.tok.typ != tEOF {
		return nil, p.unexpected()
	}
	return n, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	p.tok = t
	return err
}

// is says whether the current token is the operator or keyword s.
func (p *parser) is(s string) bool {
	return (p.tok.typ == tOp || p.tok.typ == tName) && p.tok.text == s
}

func (p *parser) unexpected() error {
	switch p.tok.typ {
	case tEOF, tEnd:
		return errAt(p.tok.pos, "unexpected end of the expression")
	case tNum:
		return errAt(p.tok.pos, "unexpected number %s", p.tok.text)
	}
	return errAt(p.tok.pos, "unexpected %q", p.tok.text)
}

func (p *parser) node(n *snode) (*snode, error) {
	if *p.nodes++; *p.nodes > MaxNodes {
		return nil, errAt(n.pos, "the expression has more than %d nodes", MaxNodes)
	}
	return n, nil
}

// nest runs parse one level deeper, refusing to go past MaxDepth.
func (p *parser) nest(parse func() (*snode, error)) (*snode, error) {
	if p.depth++; p.depth > MaxDepth {
		return nil, errAt(p.tok.pos, "the expression nests deeper than %d levels", MaxDepth)
	}
	n, err := parse()
	p.depth--
	return n, err
}

// test is Python's test: a comparison, refusing the constructs around it.
func (p *parser) test() (*snode, error) {
	if p.is("lambda") {
		return nil, errAt(p.tok.pos, "lambda is not allowed")
	}
	if p.is("not") {
		return nil, errAt(p.tok.pos, "'not' is not allowed: use ~")
	}
	n, err := p.comparison()
	if err != nil {
		return nil, err
	}
	switch {
	case p.is("and") || p.is("or"):
		return nil, errAt(p.tok.pos, "'%s' is not allowed: use & or |", p.tok.text)
	case p.is("if"):
		return nil, errAt(p.tok.pos, "if/else is not allowed: use where(condition, a, b)")
	case p.is(":="):
		return nil, errAt(p.tok.pos, "assignments are not allowed")
	}
	return n, nil
}

func (p *parser) comparison() (*snode, error) {
	first, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	n := &snode{op: "compare", pos: first.pos, args: []*snode{first}}
	for {
		if p.is("in") || p.is("is") || p.is("not") {
			return nil, errAt(p.tok.pos, "'%s' is not allowed", p.tok.text)
		}
		op, ok := compareOps[p.tok.text]
		if !ok || p.tok.typ != tOp {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.binary(0)
		if err != nil {
			return nil, err
		}
		n.args, n.cmp = append(n.args, right), append(n.cmp, op)
	}
	if len(n.cmp) == 0 {
		return first, nil
	}
	return p.node(n)
}

// binary reads the left-associative operators of precedence level and
// tighter ones.
func (p *parser) binary(level int) (*snode, error) {
	if level == len(binaryOps) {
		return p.factor()
	}
	left, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.is("<<") || p.is(">>"):
			return nil, errAt(p.tok.pos, "shifts (%s) are not allowed", p.tok.text)
		case p.is("@"):
			return nil, errAt(p.tok.pos, "matrix multiplication (@) is not allowed")
		}
		op, ok := binaryOps[level][p.tok.text]
		if !ok || p.tok.typ != tOp {
			return left, nil
		}
		pos := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		if left, err = p.node(&snode{op: op, pos: pos, args: []*snode{left, right}}); err != nil {
			return nil, err
		}
	}
}

// factor is a unary operator and its operand, or a power.
func (p *parser) factor() (*snode, error) {
	op, ok := unaryOps[p.tok.text]
	if !ok || p.tok.typ != tOp {
		return p.power()
	}
	pos := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.nest(p.factor)
	if err != nil {
		return nil, err
	}
	return p.node(&snode{op: op, pos: pos, args: []*snode{x}})
}

// power is a primary raised to a factor: ** binds tighter than a unary
// minus on its left and looser than one on its right (-a**-b).
func (p *parser) power() (*snode, error) {
	if p.is("await") {
		return nil, errAt(p.tok.pos, "await is not allowed")
	}
	base, err := p.primary()
	if err != nil || !p.is("**") {
		return base, err
	}
	pos := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	exp, err := p.nest(p.factor)
	if err != nil {
		return nil, err
	}
	return p.node(&snode{op: "pow", pos: pos, args: []*snode{base, exp}})
}

// primary is an atom and what follows it: a call, or a refused
// attribute or subscript.
func (p *parser) primary() (*snode, error) {
	n, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.is("("):
			if n.op != "name" {
				return nil, errAt(p.tok.pos, "only a function named directly can be called")
			}
			if n, err = p.call(n); err != nil {
				return nil, err
			}
		case p.is("["):
			return nil, errAt(p.tok.pos, "subscripts ([]) are not allowed")
		case p.is("."):
			return nil, errAt(p.tok.pos, "attribute access (.) is not allowed")
		default:
			return n, nil
		}
	}
}

func (p *parser) atom() (*snode, error) {
	t := p.tok
	switch {
	case t.typ == tName && keywords[t.text]:
		return nil, errAt(t.pos, "unexpected keyword %q", t.text)
	case t.typ == tName:
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.node(&snode{op: "name", pos: t.pos, name: t.text})
	case t.typ == tNum:
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.node(&snode{op: "num", pos: t.pos, val: t.val})
	case p.is("("):
		return p.nest(p.parenthesized)
	case p.is("["):
		return nil, errAt(t.pos, "lists ([...]) are not allowed")
	case p.is("{"):
		return nil, errAt(t.pos, "sets and dicts ({...}) are not allowed")
	case p.is("..."):
		return nil, errAt(t.pos, "the Ellipsis (...) is not a number")
	case p.is("*"):
		return nil, errAt(t.pos, "starred expressions (*) are not allowed")
	}
	return nil, p.unexpected()
}

func (p *parser) parenthesized() (*snode, error) {
	open := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.is(")") {
		return nil, errAt(open, "empty parentheses (a tuple) are not allowed")
	}
	if p.is("yield") {
		return nil, errAt(p.tok.pos, "yield is not allowed")
	}
	n, err := p.test()
	if err != nil {
		return nil, err
	}
	switch {
	case p.is(","):
		return nil, errAt(p.tok.pos, "tuples (a, b) are not allowed: separate outputs with ;")
	case p.is("for"):
		return nil, errAt(p.tok.pos, "generator expressions are not allowed")
	case !p.is(")"):
		return nil, p.unexpected()
	}
	return n, p.advance()
}

// call reads the arguments of a call of the function named by fn. Only
// numexpr's functions are allowed (rio-tiler's rule), and only those that
// give one real value per pixel are accepted.
func (p *parser) call(fn *snode) (*snode, error) {
	f, ok := functions[fn.name]
	switch {
	case !ok:
		return nil, errAt(fn.pos, "unknown function %q", fn.name)
	case f.refuse != "":
		return nil, errAt(fn.pos, "%s() is not supported: %s", fn.name, f.refuse)
	}
	n := &snode{op: "call", pos: fn.pos, name: fn.name}
	_, err := p.nest(func() (*snode, error) { return nil, p.arguments(n) })
	if err != nil {
		return nil, err
	}
	if len(n.args) != f.arity {
		return nil, errAt(fn.pos, "%s() takes %d argument%s, not %d", fn.name, f.arity, plural(f.arity), len(n.args))
	}
	*p.nodes-- // fn was counted as a name
	return p.node(n)
}

func (p *parser) arguments(n *snode) error {
	if err := p.advance(); err != nil { // (
		return err
	}
	for !p.is(")") {
		if p.is("*") || p.is("**") {
			return errAt(p.tok.pos, "argument unpacking (%s) is not allowed", p.tok.text)
		}
		arg, err := p.test()
		if err != nil {
			return err
		}
		switch {
		case p.is("="):
			return errAt(p.tok.pos, "keyword arguments are not allowed")
		case p.is("for"):
			return errAt(p.tok.pos, "generator expressions are not allowed")
		}
		n.args = append(n.args, arg)
		if p.is(")") {
			break
		}
		if !p.is(",") {
			return p.unexpected()
		}
		if err := p.advance(); err != nil {
			return err
		}
	}
	return p.advance()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
