package expression

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexer reads a block as Python's tokenizer reads source given to
// ast.parse in eval mode, which is what decides what titiler accepts:
// spaces, tabs and form feeds between tokens, comments to the end of the
// line, line breaks inside brackets or after a backslash, blank lines
// around the expression, and no indentation before it.

type tokType uint8

const (
	tEOF  tokType = iota
	tName         // an identifier or a keyword
	tNum          // a number literal
	tOp           // an operator or a bracket
	tEnd          // a line break that ends the expression
)

type token struct {
	typ  tokType
	text string
	pos  int // byte offset in the block
	val  scalar
}

// keywords are Python's; none may stand where the grammar tilefunc
// accepts wants a name.
var keywords = wordSet(`False None True and as assert async await break class
continue def del elif else except finally for from global if import in is
lambda nonlocal not or pass raise return try while with yield`)

// wordSet is the set of the words in a space-separated list.
func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

type lexer struct {
	src    string
	pos    int
	parens []int // offsets of the open brackets
	bol    bool  // at the start of a line, where Python measures indentation
	col    int   // the indentation of the line so far
	ended  bool  // the line holding the expression ended
}

func newLexer(src string) *lexer { return &lexer{src: src, bol: true} }

// operators, longest first so that ** is not read as two *.
var operators = []string{"...", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=",
	"+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}",
	",", ".", ":", "=", "@", "!"}

// next reads the next token.
func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	start := l.pos
	if start == len(l.src) {
		if n := len(l.parens); n > 0 {
			return token{}, errAt(l.parens[n-1], "%q is never closed", l.src[l.parens[n-1]:l.parens[n-1]+1])
		}
		return token{typ: tEOF, pos: start}, nil
	}
	c := l.src[start]
	if c == '\n' || c == '\r' {
		// skip stops at a line break only where it ends the expression.
		l.newline()
		l.ended, l.bol, l.col = true, true, 0
		return token{typ: tEnd, pos: start}, nil
	}
	if l.ended {
		return token{}, errAt(start, "unexpected %s after the end of the expression", describe(l.src[start:]))
	}
	switch {
	case isNameStart(c):
		for l.pos < len(l.src) && isNameChar(l.src[l.pos]) {
			l.pos++
		}
		return token{typ: tName, text: l.src[start:l.pos], pos: start}, nil
	case isDigit(c) || c == '.' && start+1 < len(l.src) && isDigit(l.src[start+1]):
		return l.number()
	case c == '\'' || c == '"':
		return token{}, errAt(start, "strings are not supported: bands hold numbers")
	}
	for _, op := range operators {
		if strings.HasPrefix(l.src[start:], op) {
			l.pos += len(op)
			l.bracket(op, start)
			return token{typ: tOp, text: op, pos: start}, nil
		}
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	return token{}, errAt(start, "invalid character %q", r)
}

// skip passes over what separates tokens: blanks, comments, line breaks
// inside brackets, blank lines and joined lines. It stops at a token, or
// at a line break that ends the line of the expression.
func (l *lexer) skip() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t':
			l.col++
			l.pos++
		case c == '\f':
			l.col = 0 // a form feed resets Python's column count
			l.pos++
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.pos++
			}
			if l.bol {
				l.col = 0 // a comment line is blank
			}
		case c == '\n' || c == '\r':
			if len(l.parens) == 0 && !l.bol {
				return nil
			}
			l.newline()
			if len(l.parens) == 0 {
				l.col = 0 // the line was blank
			}
		case c == '\\':
			// A joined line: at the start of a line, the blanks of the next
			// one still count as indentation.
			if err := l.continuation(); err != nil {
				return err
			}
		default:
			return l.lineStarts()
		}
	}
	// Python reads blanks ending the text on a line of their own as an
	// indent.
	return l.lineStarts()
}

// lineStarts is called at the first thing on a line that is not blank,
// or at the end: it must not be indented.
func (l *lexer) lineStarts() error {
	if l.bol && l.col > 0 {
		return errAt(l.pos, "unexpected indent: a block may not start with spaces or tabs")
	}
	l.bol = false
	return nil
}

// continuation passes a backslash that joins the next line.
func (l *lexer) continuation() error {
	l.pos++
	if l.pos < len(l.src) && (l.src[l.pos] == '\n' || l.src[l.pos] == '\r') {
		l.newline()
		if l.pos == len(l.src) {
			return errAt(l.pos, "unexpected end after a line continuation")
		}
		return nil
	}
	return errAt(l.pos-1, "unexpected character after a line continuation (\\)")
}

func (l *lexer) newline() {
	if strings.HasPrefix(l.src[l.pos:], "\r\n") {
		l.pos++
	}
	l.pos++
}

// bracket keeps count of open brackets; a closing one without an opening
// one is left for the parser to refuse.
func (l *lexer) bracket(op string, pos int) {
	switch op {
	case "(", "[", "{":
		l.parens = append(l.parens, pos)
	case ")", "]", "}":
		if len(l.parens) > 0 {
			l.parens = l.parens[:len(l.parens)-1]
		}
	}
}

func isNameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isNameChar(c byte) bool { return isNameStart(c) || isDigit(c) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads a literal as Python's grammar writes them: decimal, 0x 0o
// 0b integers, floats with a fraction or an exponent, _ between digits.
func (l *lexer) number() (token, error) {
	start := l.pos
	src := l.src
	digits := func(ok func(byte) bool) int {
		n := 0
		for l.pos < len(src) {
			switch c := src[l.pos]; {
			case ok(c):
				l.pos++
				n++
			case c == '_' && l.pos+1 < len(src) && ok(src[l.pos+1]) && n > 0:
				l.pos++
			default:
				return n
			}
		}
		return n
	}
	bad := func() (token, error) {
		return token{}, errAt(start, "invalid number literal %s", describe(src[start:]))
	}
	if src[l.pos] == '0' && l.pos+1 < len(src) && strings.IndexByte("xob", src[l.pos+1]) >= 0 {
		base := prefixBases[src[l.pos+1]]
		l.pos += 2
		if l.pos < len(src) && src[l.pos] == '_' {
			l.pos++ // 0x_1f: Python allows one _ after the prefix
		}
		if digits(func(c byte) bool { return digitValue(c) < base }) == 0 {
			return bad()
		}
		return l.integer(start, src[start+2:l.pos], base)
	}
	intDigits := digits(isDigit)
	isFloat := false
	if l.pos < len(src) && src[l.pos] == '.' {
		l.pos++
		isFloat = true
		if digits(isDigit) == 0 && intDigits == 0 {
			return bad()
		}
	}
	if l.pos < len(src) && src[l.pos] == 'e' {
		mark := l.pos
		l.pos++
		if l.pos < len(src) && (src[l.pos] == '+' || src[l.pos] == '-') {
			l.pos++
		}
		if digits(isDigit) == 0 {
			l.pos = mark
			return bad()
		}
		isFloat = true
	}
	if l.pos < len(src) && src[l.pos] == 'j' {
		return token{}, errAt(start, "complex numbers are not supported: bands hold real numbers")
	}
	if l.pos < len(src) && isNameChar(src[l.pos]) || l.pos < len(src) && src[l.pos] == '_' {
		return bad()
	}
	text := src[start:l.pos]
	if isFloat {
		f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
		if err != nil && !math.IsInf(f, 0) && f != 0 {
			return bad()
		}
		return token{typ: tNum, text: text, pos: start, val: pyF(f)}, nil
	}
	plain := strings.ReplaceAll(text, "_", "")
	if len(plain) > 1 && plain[0] == '0' && strings.Trim(plain, "0") != "" {
		return token{}, errAt(start, "leading zeros in decimal integer literals are not permitted (%s)", text)
	}
	return l.integer(start, plain, 10)
}

// prefixBases are the bases of 0x, 0o and 0b integers.
var prefixBases = map[byte]int{'x': 16, 'o': 8, 'b': 2}

func (l *lexer) integer(start int, digits string, base int) (token, error) {
	b, ok := new(big.Int).SetString(strings.ReplaceAll(digits, "_", ""), base)
	if !ok {
		return token{}, errAt(start, "invalid number literal %s", l.src[start:l.pos])
	}
	v, err := pyBig(b)
	if err != nil {
		return token{}, errAt(start, "integer %s is too large", l.src[start:l.pos])
	}
	return token{typ: tNum, text: l.src[start:l.pos], pos: start, val: v}, nil
}

func digitValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return 99
}

// describe quotes the token that starts s, for messages.
func describe(s string) string {
	end := 1
	for end < len(s) && end < 20 && (isNameChar(s[end]) || s[end] == '.') && isNameChar(s[0]) {
		end++
	}
	if len(s) == 0 {
		return "end"
	}
	return strconv.Quote(s[:end])
}
