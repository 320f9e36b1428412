package handler

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tilefunc"
)

// query reads query parameters and keeps the first invalid one, so a
// handler parses a whole group and checks one error.
type query struct {
	v   url.Values
	err error
}

func newQuery(v url.Values) *query { return &query{v: v} }

// queryValues parses a raw query as url.ParseQuery does, except that a ';'
// is part of a value, not an error: rio-tiler expressions separate bands with
// ';' (expression=b1;b2), browsers send it unescaped, and so does the
// Functions host in forwarding mode, which rebuilds the query with ';' left
// as it is. url.ParseQuery drops any pair holding one. Pairs with a malformed
// escape are dropped, as url.ParseQuery drops them.
func queryValues(raw string) url.Values {
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(key)
		val, err2 := url.QueryUnescape(value)
		if err1 != nil || err2 != nil {
			continue
		}
		v[k] = append(v[k], val)
	}
	return v
}

// passQuery is the raw query re-encoded in the order the client wrote
// it, without the keys named (case-insensitive) and the function key, as
// titiler hands a request's parameters on to the URLs it writes.
func passQuery(raw string, drop ...string) []string {
	var out []string
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		key, value, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(key)
		val, err2 := url.QueryUnescape(value)
		if pair == "" || err1 != nil || err2 != nil || strings.EqualFold(k, functionKey) || containsFold(drop, k) {
			continue
		}
		out = append(out, url.QueryEscape(k)+"="+url.QueryEscape(val))
	}
	return out
}

func containsFold(names []string, s string) bool {
	for _, n := range names {
		if strings.EqualFold(n, s) {
			return true
		}
	}
	return false
}

func (q *query) fail(name, format string, args ...any) {
	if q.err == nil {
		q.err = tilefunc.Errorf(tilefunc.EINVALID, "%s: %s", name, fmt.Sprintf(format, args...))
	}
}

// failWith keeps the first error as its parser gave it (a 400 stays a 400),
// its message prefixed with the parameter's name unless it starts with a
// parameter's name already.
func (q *query) failWith(name string, err error) {
	if q.err != nil {
		return
	}
	msg := tilefunc.ErrorMessage(err)
	// A message that names the parameter, or one of its family
	// (algorithm_params for algorithm), is kept as it is.
	if head, _, _ := strings.Cut(msg, ":"); head != name && !strings.HasPrefix(head, name+"_") {
		msg = name + ": " + msg
	}
	q.err = tilefunc.Errorf(tilefunc.ErrorCode(err), "%s", msg)
}

// notServed refuses, with a 422 naming it, a value of a parameter that
// titiler-pgstac serves and tilefunc does not (yet): never a 200 that
// quietly ignores what was asked.
func notServed(name, value, what string) error {
	return tilefunc.Errorf(tilefunc.EINVALID, "%s: %s=%s (%s) is not served by tilefunc", name, name, value, what)
}

// Param is one query parameter of a route, as the OpenAPI document and
// the function.json files describe it.
type Param struct {
	Name        string
	Type        string // string, integer, number, boolean
	Array       bool   // the parameter repeats
	Required    bool
	Default     any
	Enum        []string
	Description string
}

// group is a parameter group (titiler's dependencies): a value that
// declares its parameters and parses itself from the query.
type group interface {
	params() []Param
	parse(q *query)
}

// paramsOf lists the parameters of groups, in order.
func paramsOf(gs ...group) []Param {
	var out []Param
	for _, g := range gs {
		out = append(out, g.params()...)
	}
	return out
}

// parseQuery parses groups from a request's query; the first invalid
// parameter is the error.
func parseQuery(raw string, gs ...group) error {
	return newQuery(queryValues(raw)).parse(gs...)
}

// parse parses groups from q; the first invalid parameter is the error.
func (q *query) parse(gs ...group) error {
	for _, g := range gs {
		g.parse(q)
	}
	return q.err
}

func (q *query) int(name string, def, min int) int {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min {
		q.fail(name, "%q is not a whole number of at least %d", s, min)
		return def
	}
	return n
}

// zoom reads an optional zoom level, which may be negative (CDB1GlobalGrid
// starts at -10).
func (q *query) zoom(name string) *int {
	s := q.v.Get(name)
	if s == "" {
		return nil
	}
	z, err := strconv.Atoi(s)
	if err != nil {
		q.fail(name, "%q is not a whole number", s)
		return nil
	}
	return &z
}

func (q *query) float(name string) *float64 {
	s := q.v.Get(name)
	if s == "" {
		return nil
	}
	if strings.EqualFold(s, "nan") {
		f := math.NaN()
		return &f
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		q.fail(name, "%q is not a number", s)
		return nil
	}
	return &f
}

// choice reads a parameter that takes one of a list of values.
func (q *query) choice(name, def string, allowed []string) string {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	q.fail(name, "%q is not one of %s", s, strings.Join(allowed, ", "))
	return def
}

func (q *query) bool(name string, def bool) bool {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		return true
	case "false", "0", "no", "off":
		return false
	}
	q.fail(name, "%q is not a boolean", s)
	return def
}

// formParam is titiler's f on the routes that answer JSON or HTML: the
// HTML form is the JSON document as a page (htmlform.go), chosen by f or,
// without f, by an Accept header that prefers text/html.
type formParam struct{}

func (formParam) params() []Param {
	return []Param{{Name: "f", Type: "string", Enum: []string{"html", "json"}, Description: "Response form (default: the Accept header's choice, else json)."}}
}

func (formParam) parse(q *query) {
	switch f := q.v.Get("f"); f {
	case "", "json", "html":
	default:
		q.fail("f", "%q is not one of html, json", f)
	}
}

// jsonForm serves h after checking f.
func jsonForm(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseQuery(r.URL.RawQuery, formParam{}); err != nil {
			return err
		}
		return h(w, r)
	}
}
