package main

import (
	"slices"
	"testing"
)

func TestLeaksNamesWhatALineHolds(t *testing.T) {
	secrets := map[string]string{"tok-0123456789": "a token", ":postgres@": "the database password"}
	for line, want := range map[string][]string{
		`level=INFO msg=request path=/searches`:                          nil,
		`error="open x.tif?sv=1&sig=abc%2B": no such file"`:              {"a SAS signature"},
		`{"href":"x.tif?sp=r\u0026sig=REDACTED"}`:                        nil,
		`dial postgresql://postgres:postgres@127.0.0.1/x`:                {"the database password"},
		`Authorization: Bearer tok-0123456789 and ?sig=zz`:               {"a token", "a SAS signature"},
		`a short secret "tok" or a design=plain word are not looked for`: nil,
	} {
		got := leaks(line, secrets)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", line, got, want)
		}
	}
}
