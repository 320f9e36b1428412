package functions_test

// What the Functions host does to a request before the handler sees it, as
// read from its source (Azure/azure-functions-host, ASP.NET Core and .NET):
// which function a path reaches, and how forwarding mode rebuilds the query.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// forwardedQuery is the query string the handler receives in forwarding mode
// (customHandler.enableForwardingHttpRequest) for a client's raw query:
//   - ASP.NET Core parses it (QueryFeature with QueryStringEnumerable): split
//     on '&', then at the first '='; a part without '=' is a key with an
//     empty value; empty parts are skipped; leading white space of a key
//     before '=' is dropped; '+' becomes a space and %XX is decoded by
//     Uri.UnescapeDataString, which leaves a malformed escape, or escaped
//     bytes that are not UTF-8, as the text they were.
//   - Keys are grouped without regard to case, in first-seen order, keeping
//     the first spelling.
//   - The host's GetQueryCollectionAsDictionary turns each key's values into
//     one string with StringValues.ToString: one value as it is, several
//     joined with ",", skipping empty ones.
//   - QueryHelpers.AddQueryString writes key=value pairs joined with '&',
//     each encoded with UrlEncoder.Default (System.Text.Encodings.Web
//     DefaultUrlEncoder): A-Z a-z 0-9 and - . _ ~ ! $ ( ) * , ; @ stay as
//     they are, every other character is percent-encoded UTF-8 with
//     upper-case hex. So a comma stays a comma: a=1&a=2 becomes a=1,2.
func forwardedQuery(raw string) string {
	raw = strings.TrimPrefix(raw, "?")
	type param struct {
		key    string
		values []string
	}
	var params []*param
	byKey := map[string]*param{}
	for _, part := range strings.Split(raw, "&") {
		key, value, hasEq := strings.Cut(part, "=")
		if !hasEq && part == "" {
			continue
		}
		if hasEq {
			key = strings.TrimLeftFunc(key, unicode.IsSpace)
		}
		key, value = unescapeDataString(plusToSpace(key)), unescapeDataString(plusToSpace(value))
		fold := strings.ToUpper(key)
		p := byKey[fold]
		if p == nil {
			p = &param{key: key}
			byKey[fold] = p
			params = append(params, p)
		}
		p.values = append(p.values, value)
	}
	var out []string
	for _, p := range params {
		value := p.values[0]
		if len(p.values) > 1 {
			var nonEmpty []string
			for _, v := range p.values {
				if v != "" {
					nonEmpty = append(nonEmpty, v)
				}
			}
			value = strings.Join(nonEmpty, ",")
		}
		out = append(out, urlEncoderDefault(p.key)+"="+urlEncoderDefault(value))
	}
	return strings.Join(out, "&")
}

func plusToSpace(s string) string { return strings.ReplaceAll(s, "+", " ") }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unescapeDataString is .NET's Uri.UnescapeDataString: %XX sequences are
// decoded; a run of escaped bytes is read as UTF-8, and bytes that do not
// form UTF-8 stay as their escaped text, as does a '%' without two hex
// digits after it.
func unescapeDataString(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '%' || i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		// A run of escaped bytes and the text each came from.
		var raw []byte
		var text []string
		for i+2 < len(s) && s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2]) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			raw = append(raw, byte(n))
			text = append(text, s[i:i+3])
			i += 3
		}
		for k := 0; k < len(raw); {
			r, size := utf8.DecodeRune(raw[k:])
			if r == utf8.RuneError && size <= 1 {
				b.WriteString(text[k])
				k++
				continue
			}
			b.Write(raw[k : k+size])
			k += size
		}
	}
	return b.String()
}

// urlEncoderDefault is System.Text.Encodings.Web's UrlEncoder.Default (Basic
// Latin allowed, then the HTML-sensitive and URL-special characters
// forbidden).
func urlEncoderDefault(s string) string {
	const kept = "-._~!$()*,;@"
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(kept, r)) {
			b.WriteRune(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// The expected strings follow from the .NET source quoted above.
func TestForwardedQueryRebuildsLikeTheHost(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"a=1&a=2", "a=1,2"},
		{"?a=1", "a=1"},
		{"rescale=0,10&rescale=5,50", "rescale=0,10,5,50"},
		{"assets=red|bidx=1,2&assets=nir", "assets=red%7Cbidx%3D1,2,nir"},
		{"assets=red%7Cbidx%3D1%2C2&assets=nir", "assets=red%7Cbidx%3D1,2,nir"},
		{"x=a+b%20c", "x=a%20b%20c"},
		{"x=&x=1&y", "x=1&y="},
		{"x=&x=", "x="},
		{"A=1&a=2&b=3", "A=1,2&b=3"},
		{"&&a=1&", "a=1"},
		{"=v", "=v"},
		{"code=abc==", "code=abc%3D%3D"},
		{"q=%zz%41%e2%82%ac%FF%", "q=%25zzA%E2%82%AC%25FF%25"},
		{`colormap={"1":[0,0,0,255]}`, "colormap=%7B%221%22%3A%5B0,0,0,255%5D%7D"},
		{"datetime=2020-01-01T00:00:00Z/..", "datetime=2020-01-01T00%3A00%3A00Z%2F.."},
		{"e=b1*2;(b2)~!$'@", "e=b1*2;(b2)~!$%27@"},
		{"n=é", "n=%C3%A9"},
		{"", ""},
	}
	for _, c := range cases {
		if got := forwardedQuery(c.raw); got != c.want {
			t.Errorf("forwardedQuery(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
}

// hostConfig is what tilefunc needs from host.json.
type hostConfig struct {
	CustomHandler struct {
		EnableForwardingHttpRequest bool `json:"enableForwardingHttpRequest"`
		EnableProxyingHttpRequest   bool `json:"enableProxyingHttpRequest"`
	} `json:"customHandler"`
	Extensions struct {
		HTTP struct {
			RoutePrefix *string `json:"routePrefix"`
		} `json:"http"`
	} `json:"extensions"`
}

// loadHost reads the repository's host.json, or until there is one, the
// fixture of the keys tilefunc depends on.
func loadHost(t *testing.T) (hostConfig, string) {
	t.Helper()
	path := filepath.Join("..", "host.json")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join("testdata", "host.json")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h hostConfig
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h, path
}

// routePrefix is the prefix the host puts before every route template
// ("api" when host.json says nothing).
func (h hostConfig) routePrefix() string {
	if p := h.Extensions.HTTP.RoutePrefix; p != nil {
		return strings.Trim(*p, "/")
	}
	return "api"
}

// hostFunction is a function as the host loads it from its folder.
type hostFunction struct {
	name     string
	trigger  binding
	template []segment // routePrefix and route, parsed
}

type binding struct {
	Type      string   `json:"type"`
	Direction string   `json:"direction"`
	Name      string   `json:"name"`
	AuthLevel string   `json:"authLevel"`
	Methods   []string `json:"methods"`
	Route     string   `json:"route"`
}

// loadFunctions reads every DIR/NAME/function.json as the host does, and
// checks each is an HTTP-only function (one httpTrigger in, one http out),
// the only shape the host forwards or proxies to a custom handler.
func loadFunctions(t *testing.T, dir, prefix string) []hostFunction {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*", "function.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fns []hostFunction
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var fj struct{ Bindings []binding }
		if err := json.Unmarshal(b, &fj); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		name := filepath.Base(filepath.Dir(p))
		bs := fj.Bindings
		if len(bs) != 2 || bs[0].Type != "httpTrigger" || bs[0].Direction != "in" || bs[1].Type != "http" || bs[1].Direction != "out" {
			t.Fatalf("%s: want one httpTrigger in and one http out, got %+v", p, bs)
		}
		route := bs[0].Route
		if route == "" {
			route = name // the host's default
		}
		full := route
		if prefix != "" {
			full = prefix + "/" + route
		}
		segs, err := parseTemplate(full)
		if err != nil {
			t.Fatalf("%s: route %q: %v", p, full, err)
		}
		fns = append(fns, hostFunction{name: name, trigger: bs[0], template: segs})
	}
	// The host tries routes in order of specificity (WebJobsRouteBuilder).
	sort.SliceStable(fns, func(i, j int) bool { return routeComparison(fns[i].template, fns[j].template) < 0 })
	return fns
}

// routeComparison is the host's order of routes (WebJobsRouteBuilder
// .RouteComparison): segment by segment, a literal before a parameter, a
// parameter with more constraints before one with fewer, literals in
// case-insensitive order; a longer route before its prefix.
func routeComparison(x, y []segment) int {
	for i := range x {
		if len(y) <= i {
			return -1
		}
		xp, yp := x[i].parts[0], y[i].parts[0]
		switch {
		case !xp.param && yp.param:
			return -1
		case xp.param && !yp.param:
			return 1
		case xp.param:
			if len(xp.constraints) != len(yp.constraints) {
				if len(xp.constraints) > len(yp.constraints) {
					return -1
				}
				return 1
			}
		default:
			if c := strings.Compare(strings.ToLower(xp.text), strings.ToLower(yp.text)); c != 0 {
				return c
			}
		}
	}
	if len(y) > len(x) {
		return 1
	}
	return 0
}

// route returns the function the host invokes for method and path: the
// first in order whose template matches and whose methods allow the method
// (the host makes a function's methods a route constraint), with its route
// values; ok is false where the host itself answers 404.
func route(fns []hostFunction, method, path string) (fn string, values map[string]string, ok bool) {
	for _, f := range fns {
		values, ok := matchTemplate(f.template, path)
		if !ok || !allows(f.trigger.Methods, method) {
			continue
		}
		return f.name, values, true
	}
	return "", nil, false
}

func allows(methods []string, method string) bool {
	if len(methods) == 0 {
		return true
	}
	for _, m := range methods {
		if strings.EqualFold(m, method) {
			return true
		}
	}
	return false
}

// matchTemplate matches a request path against a parsed template as
// ASP.NET Core's TemplateMatcher does for the forms tilefunc uses: literal
// segments without regard to case, a parameter matching any non-empty
// segment that satisfies its constraints, complex segments ({lon},{lat},
// {w}x{h}.{format}) matched from the right, an optional last parameter, a
// catch-all last segment.
func matchTemplate(tmpl []segment, path string) (map[string]string, bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if path == "/" || path == "" {
		segs = nil
	}
	values := map[string]string{}
	for i, s := range tmpl {
		p := s.parts[0]
		if i >= len(segs) {
			if len(s.parts) == 1 && p.param && (p.optional || p.catchAll) && i == len(tmpl)-1 {
				return values, true
			}
			return nil, false
		}
		switch {
		case len(s.parts) > 1:
			if !matchComplex(s.parts, segs[i], values) {
				return nil, false
			}
		case !p.param:
			if !strings.EqualFold(p.text, segs[i]) {
				return nil, false
			}
		case p.catchAll:
			values[p.name] = strings.Join(segs[i:], "/")
			return values, true
		default:
			if segs[i] == "" || !satisfies(p.constraints, segs[i]) {
				return nil, false
			}
			values[p.name] = segs[i]
		}
	}
	return values, len(segs) == len(tmpl)
}

// matchComplex matches one path segment against a complex segment as
// RoutePatternMatcher.MatchComplexSegment does: from the right, each
// literal is the last occurrence (regardless of case) that leaves at least
// one character to the parameter after it; the rightmost literal must end
// the segment and the leftmost must start it; no parameter may be empty.
// An optional parameter is not simulated here (tilefunc has none in a
// complex segment).
func matchComplex(parts []part, seg string, values map[string]string) bool {
	lower := strings.ToLower(seg)
	end := len(seg) // what is left to match is seg[:end]
	var pending *part
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if p.param {
			if p.optional || p.catchAll {
				panic("matchComplex: optional or catch-all parameters in a complex segment are not simulated")
			}
			pending = &parts[i]
			continue
		}
		limit := end
		if pending != nil {
			limit-- // the parameter to the right needs a character
		}
		if limit < len(p.text) {
			return false
		}
		at := strings.LastIndex(lower[:limit], strings.ToLower(p.text))
		if at < 0 || pending == nil && at+len(p.text) != end {
			return false
		}
		if pending != nil {
			v := seg[at+len(p.text) : end]
			if v == "" || !satisfies(pending.constraints, v) {
				return false
			}
			values[pending.name] = v
			pending = nil
		}
		end = at
	}
	if pending != nil {
		if end == 0 || !satisfies(pending.constraints, seg[:end]) {
			return false
		}
		values[pending.name] = seg[:end]
		return true
	}
	return end == 0
}

// satisfies checks the constraints tilefunc uses; the template validator
// refuses any other before this runs.
func satisfies(constraints []string, v string) bool {
	for _, c := range constraints {
		switch c {
		case "int": // int.TryParse(v, NumberStyles.Integer, InvariantCulture)
			if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err != nil {
				return false
			}
		default:
			panic("satisfies: constraint " + c + " is not simulated yet")
		}
	}
	return true
}

// Complex segments match from the right, as the host's matcher does.
func TestComplexSegmentsMatchLikeTheHost(t *testing.T) {
	cases := []struct {
		tmpl, path string
		want       map[string]string // nil: no match
	}{
		{"point/{lon},{lat}", "point/-9.5,45.25", map[string]string{"lon": "-9.5", "lat": "45.25"}},
		{"point/{lon},{lat}", "point/-9.5", nil},
		{"point/{lon},{lat}", "point/,45", nil},
		{"bbox/{minx},{miny},{maxx},{maxy}.{format}", "bbox/-10.5,40,0.5,50.5.png",
			map[string]string{"minx": "-10.5", "miny": "40", "maxx": "0.5", "maxy": "50.5", "format": "png"}},
		{"bbox/{minx},{miny},{maxx},{maxy}.{format}", "bbox/1,2,3,4,5.png",
			map[string]string{"minx": "1,2", "miny": "3", "maxx": "4", "maxy": "5", "format": "png"}},
		{"bbox/{minx},{miny},{maxx},{maxy}.{format}", "bbox/1,2,3.png", nil},
		{"feature/{width}x{height}.{format}", "feature/256x128.PNG", map[string]string{"width": "256", "height": "128", "format": "PNG"}},
		{"feature.{format}", "FEATURE.tif", map[string]string{"format": "tif"}},
		{"feature.{format}", "feature", nil},
		{"feature.{format}", "feature.", nil},
	}
	for _, c := range cases {
		segs, err := parseTemplate(c.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := matchTemplate(segs, c.path)
		if c.want == nil && ok || c.want != nil && (!ok || !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%s against %s: %v %v, want %v", c.path, c.tmpl, ok, got, c.want)
		}
	}
}
