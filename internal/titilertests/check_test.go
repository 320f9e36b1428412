//go:build parity

package titilertests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tilefunc/internal/parity"
)

// check is one ported test function's view of the server: it sends the
// requests and counts the assertions, those asserted as a deliberate
// difference (pick, differs) and those on stand-in data (standIn) apart.
type check struct {
	t    *testing.T
	srv  *server
	base string
}

// server is the server under test and the tally of its assertions.
type server struct {
	base     string
	tilefunc bool // false: titiler-pgstac itself (-server=titiler)
	client   *http.Client
	cat      *catalog
	tally    *tally
}

// tally counts assertions over the whole suite.
type tally struct {
	asserted, failed int
	differ           map[string]int // difference id → assertions it replaced
	standIn          map[string]int
}

func newServer(base string, cat *catalog) *server {
	return &server{base: base, tilefunc: *serverName != "titiler", client: &http.Client{}, cat: cat,
		tally: &tally{differ: map[string]int{}, standIn: map[string]int{}}}
}

// fork is another server of the same kind at base, its assertions counted
// with s's.
func (s *server) fork(base string) *server {
	f := *s
	f.base = base
	return &f
}

func (s *server) check(t *testing.T) *check { return &check{t: t, srv: s, base: s.base} }

// assert records one assertion; false fails the test with the message.
func (c *check) assert(ok bool, format string, args ...any) bool {
	c.t.Helper()
	c.srv.tally.asserted++
	if !ok {
		c.srv.tally.failed++
		c.t.Errorf(format, args...)
	}
	return ok
}

// equal asserts that got and want are the same JSON value (numbers as
// numbers, whatever their Go type).
func (c *check) equal(what string, got, want any) bool {
	c.t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	return c.assert(bytes.Equal(g, w), "%s: got %s, want %s", what, g, w)
}

// differs records that the next assertion is one of tilefunc's deliberate
// differences (id, in the table of suite_test.go) and says whether the
// server under test is tilefunc, which answers as that row says.
func (c *check) differs(id string) bool {
	c.srv.tally.differ[id]++
	return c.srv.tilefunc
}

// pick is titiler-pgstac's expected value, or tilefunc's where difference
// id says tilefunc answers otherwise.
func pick[T any](c *check, id string, titiler, tilefunc T) T {
	if c.differs(id) {
		return tilefunc
	}
	return titiler
}

// standIn records that the next assertion checks a stand-in's values
// (id, in the table of suite_test.go) where titiler's suite read NOAA's.
func (c *check) standIn(id string) { c.srv.tally.standIn[id]++ }

// answer is one response.
type answer struct {
	c      *check
	req    string
	status int
	header http.Header
	body   []byte
}

// get sends GET path (which may carry a query) with the query pairs
// key, value... added.
func (c *check) get(path string, query ...string) *answer {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, query)
}

// post sends body as JSON.
func (c *check) post(path string, body any, query ...string) *answer {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(http.MethodPost, path, b, query)
}

func (c *check) do(method, path string, body []byte, query []string) *answer {
	c.t.Helper()
	if len(query)%2 != 0 {
		c.t.Fatalf("query pairs: %q", query)
	}
	u := c.base + path
	if len(query) > 0 {
		q := url.Values{}
		for i := 0; i < len(query); i += 2 {
			q.Add(query[i], query[i+1])
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		u += sep + q.Encode()
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.srv.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	return &answer{c: c, req: method + " " + strings.TrimPrefix(u, c.base), status: resp.StatusCode, header: resp.Header, body: b}
}

func (a *answer) String() string {
	body := strings.Join(strings.Fields(string(a.body[:min(len(a.body), 300)])), " ")
	if ct := a.header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") && !strings.HasPrefix(ct, "text/plain") {
		body = fmt.Sprintf("(%d bytes)", len(a.body))
	}
	return fmt.Sprintf("%s → %d %s %s", a.req, a.status, a.header.Get("Content-Type"), body)
}

// wantStatus asserts the status code; it is in want when several are
// allowed.
func (a *answer) wantStatus(want ...int) bool {
	a.c.t.Helper()
	for _, w := range want {
		if a.status == w {
			return a.c.assert(true, "")
		}
	}
	return a.c.assert(false, "%v: want status %v", a, want)
}

// wantType asserts the Content-Type header.
func (a *answer) wantType(want string) bool {
	a.c.t.Helper()
	return a.c.assert(a.header.Get("Content-Type") == want, "%v: want content-type %q", a, want)
}

// json is the body as JSON; a body that is not fails the test.
func (a *answer) json() node {
	a.c.t.Helper()
	if !json.Valid(a.body) {
		a.c.t.Errorf("%v: not JSON", a)
		return node{what: a.req, raw: json.RawMessage("null")}
	}
	return node{what: a.req, raw: a.body}
}

// detail is the body's "detail", as errors carry it.
func (a *answer) detail() any {
	a.c.t.Helper()
	return a.json().at("detail").value()
}

// image decodes the body as rasterio's profile sees it: size, band count
// (alpha included) and, for GeoTIFF, the CRS.
func (a *answer) image() *parity.Raster {
	a.c.t.Helper()
	img, err := parity.Decode(a.body, false)
	if err != nil {
		a.c.t.Errorf("%v: %v", a, err)
		return &parity.Raster{GDAL: &parity.GDALFile{}}
	}
	if img.GDAL == nil {
		img.GDAL = &parity.GDALFile{}
	}
	return img
}

// node is a JSON value in a response, its object keys in their order.
type node struct {
	what string
	raw  json.RawMessage
}

// at is the value at path: object keys (string) and array indexes (int);
// null where there is none.
func (n node) at(path ...any) node {
	for _, p := range path {
		var next json.RawMessage
		switch k := p.(type) {
		case string:
			var m map[string]json.RawMessage
			json.Unmarshal(n.raw, &m)
			next = m[k]
		case int:
			var l []json.RawMessage
			json.Unmarshal(n.raw, &l)
			if k < 0 {
				k += len(l)
			}
			if k >= 0 && k < len(l) {
				next = l[k]
			}
		}
		if next == nil {
			next = json.RawMessage("null")
		}
		n = node{what: fmt.Sprintf("%s %v", n.what, p), raw: next}
	}
	return n
}

// value is the node decoded: map[string]any, []any, float64, string, bool
// or nil.
func (n node) value() any {
	var v any
	json.Unmarshal(n.raw, &v)
	return v
}

// str is the node as a string, "" when it is none.
func (n node) str() string {
	s, _ := n.value().(string)
	return s
}

// num is the node as a number, 0 when it is none.
func (n node) num() float64 {
	f, _ := n.value().(float64)
	return f
}

// len is the length of an array or object.
func (n node) len() int {
	switch v := n.value().(type) {
	case []any:
		return len(v)
	case map[string]any:
		return len(v)
	}
	return 0
}

// list is the array's elements.
func (n node) list() []node {
	var l []json.RawMessage
	json.Unmarshal(n.raw, &l)
	out := make([]node, len(l))
	for i, r := range l {
		out[i] = node{what: fmt.Sprintf("%s %d", n.what, i), raw: r}
	}
	return out
}

// keys are an object's keys in the order the server wrote them.
func (n node) keys() []string {
	dec := json.NewDecoder(bytes.NewReader(n.raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

// truthy is Python's truth of the value: not null, false, 0, "" or empty.
func (n node) truthy() bool {
	switch v := n.value().(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}
