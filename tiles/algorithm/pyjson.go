package algorithm

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the Python type json.loads gives a JSON value.
type kind int

const (
	pyNone kind = iota
	pyBool
	pyInt
	pyFloat
	pyStr
	pyList
	pyDict
)

// value is a JSON value as Python's json.loads reads it: NaN and Infinity
// are numbers, and an object keeps the last of duplicate keys.
type value struct {
	kind kind
	b    bool
	f    float64 // a float's value; an int's value as a float (±Inf when too large)
	s    string
	list []value
	dict map[string]value
}

// errJSON is what titiler answers for text json.loads rejects.
var errJSON = errors.New("invalid JSON content")

// parsePython reads text as Python's json.loads does (strict mode).
func parsePython(text string) (value, error) {
	p := &pyParser{s: text}
	v, err := p.value(0)
	if err != nil {
		return value{}, err
	}
	p.space()
	if p.i != len(p.s) {
		return value{}, errJSON
	}
	return v, nil
}

// maxDepth bounds nesting; Python gives up (RecursionError) near 1000.
const maxDepth = 512

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) value(depth int) (value, error) {
	if depth > maxDepth {
		return value{}, errJSON
	}
	p.space()
	if p.i >= len(p.s) {
		return value{}, errJSON
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		return value{kind: pyStr, s: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for word, v := range literals {
		if strings.HasPrefix(p.s[p.i:], word) {
			p.i += len(word)
			return v, nil
		}
	}
	return value{}, errJSON
}

// literals are the words json.loads knows, NaN and Infinity included.
var literals = map[string]value{
	"null":     {kind: pyNone},
	"true":     {kind: pyBool, b: true},
	"false":    {kind: pyBool},
	"NaN":      {kind: pyFloat, f: math.NaN()},
	"Infinity": {kind: pyFloat, f: math.Inf(1)},
}

func (p *pyParser) object(depth int) (value, error) {
	v := value{kind: pyDict, dict: map[string]value{}}
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return value{}, errJSON
		}
		k, err := p.str()
		if err != nil {
			return value{}, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return value{}, errJSON
		}
		p.i++
		item, err := p.value(depth + 1)
		if err != nil {
			return value{}, err
		}
		v.dict[k] = item
		if done, err := p.next('}'); done || err != nil {
			return v, err
		}
	}
}

func (p *pyParser) array(depth int) (value, error) {
	v := value{kind: pyList}
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		item, err := p.value(depth + 1)
		if err != nil {
			return value{}, err
		}
		v.list = append(v.list, item)
		if done, err := p.next(']'); done || err != nil {
			return v, err
		}
	}
}

// next reads the comma between items, or the closing bracket.
func (p *pyParser) next(end byte) (bool, error) {
	p.space()
	if p.i >= len(p.s) {
		return false, errJSON
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return false, nil
	case end:
		p.i++
		return true, nil
	}
	return false, errJSON
}

// number reads JSON's number grammar (and -Infinity).
func (p *pyParser) number() (value, error) {
	start := p.i
	if strings.HasPrefix(p.s[p.i:], "-Infinity") {
		p.i += len("-Infinity")
		return value{kind: pyFloat, f: math.Inf(-1)}, nil
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return value{}, errJSON
	}
	isFloat := false
	if p.i+1 < len(p.s) && p.s[p.i] == '.' && isDigit(p.s[p.i+1]) {
		p.i++
		p.digits()
		isFloat = true
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		j := p.i + 1
		if j < len(p.s) && (p.s[j] == '+' || p.s[j] == '-') {
			j++
		}
		if j < len(p.s) && isDigit(p.s[j]) {
			p.i = j
			p.digits()
			isFloat = true
		}
	}
	text := p.s[start:p.i]
	f, _ := strconv.ParseFloat(text, 64) // out of range gives ±Inf, as Python's float()
	if isFloat {
		return value{kind: pyFloat, f: f}, nil
	}
	return value{kind: pyInt, f: f}, nil
}

func (p *pyParser) digits() int {
	n := 0
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		p.i++
		n++
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// str reads a string; like json.loads in strict mode it refuses control
// characters and unknown escapes.
func (p *pyParser) str() (string, error) {
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", errJSON
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		default:
			r, n := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += n
		}
	}
	return "", errJSON
}

var escapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func (p *pyParser) escape(b *strings.Builder) error {
	if p.i+1 >= len(p.s) {
		return errJSON
	}
	c := p.s[p.i+1]
	if e, ok := escapes[c]; ok {
		b.WriteByte(e)
		p.i += 2
		return nil
	}
	if c != 'u' {
		return errJSON
	}
	r, ok := p.hex4(p.i + 2)
	if !ok {
		return errJSON
	}
	p.i += 6
	if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], `\u`) {
		if r2, ok := p.hex4(p.i + 2); ok {
			if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
				r = pair
				p.i += 6
			}
		}
	}
	b.WriteRune(r) // a lone surrogate, valid to Python, becomes U+FFFD
	return nil
}

func (p *pyParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[at:at+4], 16, 32)
	return rune(n), err == nil
}
