package handler

import (
	"encoding/json"
	"testing"
)

// Floats are written as Python's repr writes them: pgSTAC hashes the jsonb
// text, where 10 and 10.0 differ.
func TestPyFloatWritesNumbersAsPython(t *testing.T) {
	for f, want := range map[float64]string{
		10: "10.0", -0.5: "-0.5", 1.5: "1.5", 1e15: "1000000000000000.0", 9999999999999998: "9999999999999998.0",
		1e16: "1e+16", 1.5e16: "1.5e+16", 0.0001: "0.0001", 0.00001: "1e-05", 123456789.125: "123456789.125",
	} {
		if got := pyFloat(f); got != json.Number(want) {
			t.Errorf("pyFloat(%g) = %v, want %s", f, got, want)
		}
	}
}

// Each body is stored as titiler-pgstac 3.2 stores it (its pydantic dumps,
// read in Python and checked against the hash titiler-pgstac gives).
func TestRegisterBodiesAreWrittenAsTitilerPgstacWritesThem(t *testing.T) {
	cases := []struct{ body, search, metadata string }{
		{`{}`, `{"filter-lang":"cql2-json"}`, `{"type":"mosaic"}`},
		{`{"collections":["a"],"filter-lang":null,"metadata":{"type":"search"}}`,
			`{"collections":["a"],"filter-lang":"cql2-json"}`, `{"type":"search"}`},
		{`{"bbox":[0,0,1,10,10,2],"foo":null,"bar":{"a":null,"b":[1.50,1E2,-0,12345678901234567890]}}`,
			`{"bar":{"a":null,"b":[1.5,100.0,-0,12345678901234567890]},"bbox":[0.0,0.0,1.0,10.0,10.0,2.0],"filter-lang":"cql2-json"}`, `{"type":"mosaic"}`},
		{`{"intersects":{"type":"Point","coordinates":[0,0,3],"bbox":[0,0,0,0],"foo":1},"sortby":[{"field":"id","direction":"desc","x":1}]}`,
			`{"filter-lang":"cql2-json","intersects":{"bbox":[0.0,0.0,0.0,0.0],"coordinates":[0.0,0.0,3.0],"type":"Point"},"sortby":[{"direction":"desc","field":"id"}]}`, `{"type":"mosaic"}`},
		{`{"query":{"x":{"eq":null,"lt":1.0}},"filter":{"op":"=","args":[{"property":"x"},1]}}`,
			`{"filter":{"args":[{"property":"x"},1],"op":"="},"filter-lang":"cql2-json","query":{"x":{"eq":null,"lt":1.0}}}`, `{"type":"mosaic"}`},
		{`{"metadata":{"minzoom":5.0,"maxzoom":7,"bounds":[0,0,1,1],"name":"n","assets":["a"],"defaults":{"r":{"rescale":[[0,1.0]],"x":null}},"zz":1.0,"gone":null}}`,
			`{"filter-lang":"cql2-json"}`, `{"assets":["a"],"bounds":[0.0,0.0,1.0,1.0],"defaults":{"r":{"rescale":[[0,1.0]],"x":null}},"maxzoom":7,"minzoom":5,"name":"n","type":"mosaic","zz":1.0}`},
	}
	for _, c := range cases {
		search, metadata, err := parseRegister([]byte(c.body))
		if err != nil {
			t.Errorf("%s: %v", c.body, err)
			continue
		}
		if string(search) != c.search || string(metadata) != c.metadata {
			t.Errorf("%s:\n got %s %s\nwant %s %s", c.body, search, metadata, c.search, c.metadata)
		}
	}
}

// What titiler-pgstac's models refuse (a 422 there) is refused here.
func TestRegisterRefusesWhatTitilerPgstacRefuses(t *testing.T) {
	for _, body := range []string{
		`{"bbox":[0,0,1,1],"intersects":{"type":"Point","coordinates":[0,0]}}`,
		`{"bbox":[10,0,0,10]}`, `{"bbox":[0,0,5,10,10,2]}`, `{"bbox":[0,0,200,10]}`,
		`{"sortby":[{"field":"","direction":"asc"}]}`, `{"sortby":[{"field":"id"}]}`,
		`{"query":{"a":{"in":[1]}}}`, `{"query":{"a":1}}`, `{"filter":"x"}`, `{"filter-lang":"cql2-text"}`,
		`{"datetime":5}`, `{"collections":"a"}`, `{"ids":[1]}`,
		`{"metadata":null}`, `{"metadata":{"type":"x"}}`, `{"metadata":{"minzoom":5.5}}`, `{"metadata":{"bounds":[0,0,1]}}`,
		`{"metadata":{"assets":"a"}}`, `{"metadata":{"name":5}}`,
		`{"intersects":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}`, `{} {}`,
	} {
		if _, _, err := parseRegister([]byte(body)); err == nil {
			t.Errorf("%s: accepted", body)
		}
	}
}
