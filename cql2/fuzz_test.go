package cql2

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzText holds Text to its promises on any input: no panic; either JSON
// that reads back as valid CQL2, or an *Error whose column lies within the
// text. Plain `go test` runs the seeds; `go test -fuzz FuzzText` explores.
func FuzzText(f *testing.F) {
	for _, r := range rows(f, "conformance.txt", 2) {
		f.Add(r[1])
	}
	for _, r := range rows(f, "malformed.txt", 3) {
		f.Add(r[2])
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := Text(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Text(%q): %T %v, want an *Error", src, err, err)
			}
			if e.Pos < 0 || e.Pos > utf8.RuneCountInString(src)+1 {
				t.Fatalf("Text(%q): column %d outside the text", src, e.Pos)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("Text(%q) = %s, not JSON", src, out)
		}
		if err := checkJSON(out, builder{funcs: true}); err != nil {
			t.Fatalf("Text(%q) = %s, which does not check: %v", src, out, err)
		}
	})
}

// FuzzCheck holds Check to no panic and an *Error for whatever it refuses.
func FuzzCheck(f *testing.F) {
	for _, r := range rows(f, "check.txt", 2) {
		f.Add(r[1])
	}
	f.Fuzz(func(t *testing.T, src string) {
		var e *Error
		if err := Check(json.RawMessage(src)); err != nil && !errors.As(err, &e) {
			t.Fatalf("Check(%q): %T %v, want an *Error", src, err, err)
		}
	})
}
