package handler

import (
	"encoding/json"
	"net/url"
	"strings"
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

// A filter CQL2 does not define is refused before pgSTAC stores it
// (titiler-pgstac stores it, then fails on every tile of the search), the
// error naming where; a valid one is stored.
func TestRegisterRefusesAFilterThatIsNotCQL2(t *testing.T) {
	for body, want := range map[string]string{
		`{"filter":{"op":"nope","args":[]}}`:                                                `filter: unknown operator "nope"`,
		`{"filter":{"op":"=","args":[{"property":"a"}]}}`:                                   "filter",
		`{"filter":{"op":"and","args":[{"op":"=","args":[1,2]},{"op":"like","args":[1]}]}}`: "filter.args[1]",
	} {
		_, _, err := parseRegister([]byte(body))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want an error starting %q", body, err, want)
		}
	}
	if _, _, err := parseRegister([]byte(`{"filter":{"op":"<","args":[{"property":"eo:cloud_cover"},10]}}`)); err != nil {
		t.Errorf("a valid filter: %v", err)
	}
}

// A collection request's search is titiler-pgstac's get_collection_id's:
// filter-lang always, bbox as floats, sortby signs, the query unquoted
// once more ('+' is a space).
func TestCollectionSearchIsTitilerPgstacs(t *testing.T) {
	v := url.Values{"ids": {"a,b"}, "bbox": {"-5,40,5,50.5"}, "sortby": {"-datetime,+id, gsd"},
		"query": {`{"platform":{"eq":"s2+a"}}`}, "datetime": {"2021-01-01T00:00:00Z/.."}}
	s, err := collectionSearch("c", v)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(s)
	want := `{"bbox":[-5.0,40.0,5.0,50.5],"collections":["c"],"datetime":"2021-01-01T00:00:00Z/..","filter-lang":"cql2-json","ids":["a","b"],` +
		`"query":{"platform":{"eq":"s2 a"}},"sortby":[{"direction":"desc","field":"datetime"},{"direction":"asc","field":"id"},{"direction":"asc","field":"gsd"}]}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if _, err := collectionSearch("c", url.Values{"sortby": {"id,"}}); err == nil {
		t.Fatal("an empty sortby field was accepted")
	}
}

// The metadata of a collection mosaic is the same bytes on every request:
// its assets are the item_assets keys in the order pgSTAC's jsonb text
// gives them (shorter keys first), the order titiler-pgstac lists them in,
// and renders become defaults as titiler-pgstac rewrites them.
func TestCollectionMetadataIsStableAndTitilerPgstacs(t *testing.T) {
	doc := json.RawMessage(`{"id":"c","extent":{"spatial":{"bbox":[[-10.5,35,20,60.25]]}},
		"item_assets":{"aot":{},"nir":{},"red":{},"scl":{},"blue":{},"green":{},"visual":{},"B01_long_name":{}},
		"renders":{"ndvi":{"rescale":[[-1.0,1.50]],"expression":"(nir-red)/(nir+red)"},
		           "true_color":{"title":"True colour","assets":["red","green","blue"],"minmax_zoom":[8,14],"tilematrixsets":{"WebMercatorQuad":[8,14]}},
		           "bad_zoom":{"minmax_zoom":3},"not_a_render":"x"}}`)
	want := `{"assets":["aot","nir","red","scl","blue","green","visual","B01_long_name"],"bounds":[-10.5,35.0,20.0,60.25],` +
		`"defaults":{"ndvi":{"expression":"(nir-red)/(nir+red)","rescale":[[-1.0,1.5]]},"true_color":{"assets":["red","green","blue"],"maxzoom":14,"minzoom":8}},` +
		`"name":"Mosaic for 'c' Collection","type":"mosaic"}`
	search := map[string]any{"collections": []any{"c"}}
	for range 50 {
		got, _ := json.Marshal(collectionMetadata("c", doc, search))
		if string(got) != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	}
	// The bbox filter is the bounds; empty item_assets are an empty list.
	s, _ := collectionSearch("c", url.Values{"bbox": {"-5,40,0,5,50,100"}})
	got, _ := json.Marshal(collectionMetadata("c", json.RawMessage(`{"extent":{"spatial":{}},"item_assets":{}}`), s))
	if want := `{"assets":[],"bounds":[-5.0,40.0,0.0,5.0,50.0,100.0],"name":"Mosaic for 'c' Collection","type":"mosaic"}`; string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
