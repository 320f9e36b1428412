package cql2

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // a plain identifier or keyword
	tQuoted         // a "double-quoted" property name
	tString         // a 'single-quoted' character literal
	tNumber         // an unsigned numeric literal
	tPunct          // ( ) , and the operators
)

// token is one lexeme; pos and end are byte offsets into the text, text is
// the identifier, the punctuation, or a literal with its escapes resolved.
type token struct {
	kind     tokKind
	text     string
	num      float64
	pos, end int
}

// is reports whether t is the keyword or punctuation word, keywords being
// case-insensitive.
func (t token) is(word string) bool {
	switch t.kind {
	case tIdent:
		return strings.EqualFold(t.text, word)
	case tPunct:
		return t.text == word
	}
	return false
}

// describe names t in an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the filter"
	case tString:
		return "a string"
	case tNumber:
		return "a number"
	case tQuoted:
		return "property " + strconv.Quote(t.text)
	}
	return "'" + t.text + "'"
}

// lex splits src into tokens, ending with tEOF.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; ; {
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		if i == len(src) {
			return append(toks, token{kind: tEOF, pos: i, end: i}), nil
		}
		t, err := lexOne(src, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i = t.end
	}
}

// operators are the punctuation tokens, two-character ones first.
var operators = []string{"<>", "<=", ">=", "!=", "(", ")", ",", "=", "<", ">", "+", "-", "*", "/", "%", "^"}

func lexOne(src string, i int) (token, error) {
	r, _ := utf8.DecodeRuneInString(src[i:])
	switch {
	case r == '\'':
		return lexString(src, i)
	case r == '"':
		return lexQuoted(src, i)
	case isDigit(r) || r == '.' && i+1 < len(src) && isDigit(rune(src[i+1])):
		return lexNumber(src, i)
	case isIdentStart(r):
		j := i
		for j < len(src) {
			r, n := utf8.DecodeRuneInString(src[j:])
			if !isIdentPart(r) {
				break
			}
			j += n
		}
		return token{kind: tIdent, text: src[i:j], pos: i, end: j}, nil
	}
	for _, op := range operators {
		if strings.HasPrefix(src[i:], op) {
			return token{kind: tPunct, text: op, pos: i, end: i + len(op)}, nil
		}
	}
	return token{}, textError(src, i, "unexpected character %q", r)
}

// lexString reads a character literal; a quote inside is doubled (”) or,
// as the standard also allows, escaped (\').
func lexString(src string, i int) (token, error) {
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\'' && j+1 < len(src) && src[j+1] == '\'',
			src[j] == '\\' && j+1 < len(src) && src[j+1] == '\'':
			b.WriteByte('\'')
			j++
		case src[j] == '\'':
			return token{kind: tString, text: b.String(), pos: i, end: j + 1}, nil
		default:
			b.WriteByte(src[j])
		}
	}
	return token{}, textError(src, i, "unterminated string: want a closing '")
}

// lexQuoted reads a "double-quoted" property name; a doubled "" inside is
// one quote, as the oracle reads it.
func lexQuoted(src string, i int) (token, error) {
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '"' && j+1 < len(src) && src[j+1] == '"':
			b.WriteByte('"')
			j++
		case src[j] == '"':
			if b.Len() == 0 {
				return token{}, textError(src, i, "empty property name")
			}
			return token{kind: tQuoted, text: b.String(), pos: i, end: j + 1}, nil
		default:
			b.WriteByte(src[j])
		}
	}
	return token{}, textError(src, i, "unterminated property name: want a closing \"")
}

// lexNumber reads digits [. digits] [E [sign] digits], or . digits [...].
func lexNumber(src string, i int) (token, error) {
	j := digits(src, i)
	if j < len(src) && src[j] == '.' {
		j = digits(src, j+1)
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if digits(src, k) == k {
			return token{}, textError(src, j, "want digits after the exponent's E")
		}
		j = digits(src, k)
	}
	f, err := strconv.ParseFloat(src[i:j], 64)
	if err != nil {
		return token{}, textError(src, i, "number %s is out of range", src[i:j])
	}
	return token{kind: tNumber, text: src[i:j], num: f, pos: i, end: j}, nil
}

func digits(src string, i int) int {
	for i < len(src) && isDigit(rune(src[i])) {
		i++
	}
	return i
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// identStart are the ranges of the standard's identifierStart.
var identStart = []struct{ lo, hi rune }{
	{':', ':'}, {'_', '_'}, {'A', 'Z'}, {'a', 'z'},
	{0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x2FF}, {0x370, 0x37D}, {0x37F, 0x1FFE},
	{0x200C, 0x200D}, {0x2070, 0x218F}, {0x2C00, 0x2FEF}, {0x3001, 0xD7FF},
	{0xF900, 0xFDCF}, {0xFDF0, 0xFFFD}, {0x10000, 0xEFFFF},
}

func isIdentStart(r rune) bool {
	for _, rg := range identStart {
		if rg.lo <= r && r <= rg.hi {
			return true
		}
	}
	return false
}

// isIdentPart adds the standard's identifierPart characters: dot, digits,
// combining marks and the two tie characters.
func isIdentPart(r rune) bool {
	return isIdentStart(r) || r == '.' || isDigit(r) ||
		0x300 <= r && r <= 0x36F || r == 0x203F || r == 0x2040
}
