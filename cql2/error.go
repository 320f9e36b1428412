package cql2

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on what a client may send, checked before parsing goes deeper, so
// that no filter can exhaust the stack or build a tree pgSTAC's recursive
// translation would choke on.
const (
	MaxTextBytes = 64 << 10 // a CQL2 text filter
	MaxJSONBytes = 1 << 20  // a CQL2-JSON filter: register bodies carry polygons
	MaxDepth     = 100      // nesting of operators, parentheses, arrays and calls
)

// Error is a filter refused by Text or Check; its message is safe to show.
type Error struct {
	Pos  int    // Text: 1-based column of the offending character, 0 if none
	Line int    // Text: 1-based line of Pos (1 unless the text spans lines)
	Path string // Check: where in the JSON, "filter.args[1]"
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Path != "":
		return e.Path + ": " + e.Msg
	case e.Pos == 0:
		return "filter: " + e.Msg
	case e.Line > 1:
		return fmt.Sprintf("filter: at line %d, column %d: %s", e.Line, e.Pos, e.Msg)
	}
	return fmt.Sprintf("filter: at column %d: %s", e.Pos, e.Msg)
}

// textError is an Error at byte offset off of src, counted in characters as
// a person reads them.
func textError(src string, off int, format string, args ...any) *Error {
	off = min(max(off, 0), len(src))
	line, start := 1, 0
	if i := strings.LastIndexByte(src[:off], '\n'); i >= 0 {
		line, start = 1+strings.Count(src[:off], "\n"), i+1
	}
	col := 1 + utf8.RuneCountInString(src[start:off])
	return &Error{Pos: col, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// pathError is an Error at a JSON path.
func pathError(path, format string, args ...any) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}
