package functions_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"tilefunc/functions"
	"tilefunc/handler"
)

// segment is one '/'-separated part of an ASP.NET Core route template: one
// literal or parameter part, or several in a complex segment ({x}.{y}).
type segment struct{ parts []part }

type part struct {
	param       bool
	text        string // a literal's text
	name        string
	constraints []string // constraint names, arguments dropped
	optional    bool     // {name?}
	catchAll    bool     // {*name} or {**name}
}

// aspnetConstraints are the inline constraints ASP.NET Core routing knows
// (RouteOptions' default constraint map).
var aspnetConstraints = map[string]bool{
	"int": true, "bool": true, "datetime": true, "decimal": true, "double": true, "float": true,
	"guid": true, "long": true, "minlength": true, "maxlength": true, "length": true, "min": true,
	"max": true, "range": true, "alpha": true, "regex": true, "required": true, "file": true, "nonfile": true,
}

var paramName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseTemplate parses and checks a route template as ASP.NET Core's
// template parser would for the forms a function route uses: segments
// separated by '/', none empty and no leading '/'; literals without '?' or
// braces; parameters {name}, {name:constraint...}, {name?}, {*name},
// {**name}, {name=default}; no two parameters side by side in a segment; a
// catch-all only alone in the last segment; an optional parameter only at
// the end; parameter names unique regardless of case; constraints from
// ASP.NET Core's list. Escaped braces ({{ }}) are refused: tilefunc has no
// use for them.
func parseTemplate(tmpl string) ([]segment, error) {
	if tmpl == "" {
		return nil, fmt.Errorf("empty template (the host would use the function name)")
	}
	if strings.HasPrefix(tmpl, "/") || strings.HasPrefix(tmpl, "~") {
		return nil, fmt.Errorf("starts with %q: function routes have no leading slash", tmpl[:1])
	}
	names := map[string]bool{}
	raw := strings.Split(tmpl, "/")
	var segs []segment
	for i, s := range raw {
		if s == "" {
			return nil, fmt.Errorf("empty segment %d", i+1)
		}
		seg, err := parseSegment(s)
		if err != nil {
			return nil, fmt.Errorf("segment %q: %w", s, err)
		}
		last := i == len(raw)-1
		for j, p := range seg.parts {
			if !p.param {
				continue
			}
			if names[strings.ToLower(p.name)] {
				return nil, fmt.Errorf("parameter %q appears twice", p.name)
			}
			names[strings.ToLower(p.name)] = true
			if p.catchAll && (!last || len(seg.parts) > 1 || p.optional) {
				return nil, fmt.Errorf("catch-all {*%s} must be alone in the last segment", p.name)
			}
			if p.optional && (!last || j != len(seg.parts)-1 || j > 0 && seg.parts[j-1].text != ".") {
				return nil, fmt.Errorf("optional {%s?} must end the template (after a '.' in a complex segment)", p.name)
			}
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func parseSegment(s string) (segment, error) {
	var seg segment
	for s != "" {
		open := strings.IndexByte(s, '{')
		if close := strings.IndexByte(s, '}'); close >= 0 && (open < 0 || close < open) {
			return seg, fmt.Errorf("'}' without '{'")
		}
		if open != 0 {
			lit := s
			if open > 0 {
				lit = s[:open]
			}
			if strings.ContainsAny(lit, "?{}") {
				return seg, fmt.Errorf("literal %q holds a character templates keep for parameters", lit)
			}
			seg.parts = append(seg.parts, part{text: lit})
			s = s[len(lit):]
			continue
		}
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return seg, fmt.Errorf("'{' without '}'")
		}
		if strings.HasPrefix(s, "{{") {
			return seg, fmt.Errorf("escaped braces are not used by tilefunc")
		}
		p, err := parseParam(s[1:end])
		if err != nil {
			return seg, err
		}
		if n := len(seg.parts); n > 0 && seg.parts[n-1].param {
			return seg, fmt.Errorf("two parameters side by side: a literal must separate them")
		}
		seg.parts = append(seg.parts, p)
		s = s[end+1:]
	}
	return seg, nil
}

func parseParam(s string) (part, error) {
	p := part{param: true}
	if strings.HasPrefix(s, "**") {
		p.catchAll, s = true, s[2:]
	} else if strings.HasPrefix(s, "*") {
		p.catchAll, s = true, s[1:]
	}
	if strings.HasSuffix(s, "?") {
		p.optional, s = true, s[:len(s)-1]
	}
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i] // a default value
	}
	name, rest, _ := strings.Cut(s, ":")
	if !paramName.MatchString(name) {
		return p, fmt.Errorf("parameter name %q", name)
	}
	p.name = name
	for rest != "" {
		c := rest
		if i := strings.IndexAny(rest, ":("); i >= 0 {
			c = rest[:i]
		}
		rest = rest[len(c):]
		if strings.HasPrefix(rest, "(") {
			end := strings.LastIndexByte(rest, ')')
			if end < 0 {
				return p, fmt.Errorf("constraint %s( without ')'", c)
			}
			rest = rest[end+1:]
		}
		rest = strings.TrimPrefix(rest, ":")
		if !aspnetConstraints[c] {
			return p, fmt.Errorf("parameter %s: unknown constraint %q", name, c)
		}
		p.constraints = append(p.constraints, c)
	}
	return p, nil
}

func TestTemplateValidatorRefusesInvalidTemplates(t *testing.T) {
	for _, tmpl := range []string{
		"", "/healthz", "a//b", "a/", "{z:int}/{z}", "{Z}/{z}", "{*rest}/a", "a/{*rest?}", "{a}{b}",
		"{a:integer}", "{a?}/b", "a?b", "{a", "a}", "{{a}}", "{}", "{1a}", "{a}.{b?}x",
	} {
		if _, err := parseTemplate(tmpl); err == nil {
			t.Errorf("parseTemplate(%q) accepted it", tmpl)
		}
	}
	for _, tmpl := range []string{
		"healthz", "a/{b}/{c:int}/{d}", "a/{id:int:min(1)}", "a/{x}.{fmt?}", "a/{*rest}", "a/{id?}",
		"a/{lon},{lat}", "a/{name=default}", `a/{v:regex(^\d+$)}`,
	} {
		if _, err := parseTemplate(tmpl); err != nil {
			t.Errorf("parseTemplate(%q): %v", tmpl, err)
		}
	}
}

// muxVars are the variables of a gorilla/mux path.
func muxVars(path string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`\{([^{}:]+)[^{}]*\}`).FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// Every generated route template is a valid ASP.NET Core template whose
// parameters are exactly the mux path's variables, and a tile route ends
// with an unconstrained {y}, which takes 7, 7.png and 7@2x.webp alike.
func TestGeneratedTemplatesAreValid(t *testing.T) {
	fns, err := functions.Generate(handler.Routes(), functions.DefaultWriteAuth)
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for _, r := range handler.Routes() {
		paths[r.Name] = r.Path
	}
	for _, f := range fns {
		tmpl := f.Bindings[0].Route
		segs, err := parseTemplate(tmpl)
		if err != nil {
			t.Errorf("%s: route %q: %v", f.Name, tmpl, err)
			continue
		}
		var names []string
		for _, s := range segs {
			for _, p := range s.parts {
				if p.param {
					names = append(names, p.name)
				}
			}
		}
		sort.Strings(names)
		if want := muxVars(paths[f.Name]); strings.Join(names, ",") != strings.Join(want, ",") {
			t.Errorf("%s: route %q has parameters %v, the mux path %q has %v", f.Name, tmpl, names, paths[f.Name], want)
		}
		if strings.HasSuffix(paths[f.Name], "/{y}") {
			last := segs[len(segs)-1]
			if len(last.parts) != 1 || last.parts[0].name != "y" || len(last.parts[0].constraints) > 0 || last.parts[0].optional {
				t.Errorf("%s: route %q: the last segment must be a bare {y}", f.Name, tmpl)
			}
			for _, y := range []string{"92", "92.png", "92@2x.webp", "92.jpg"} {
				if v, ok := matchTemplate(segs, strings.TrimSuffix(tileSample(tmpl), "92")+y); !ok || v["y"] != y {
					t.Errorf("%s: route %q does not take y = %s", f.Name, tmpl, y)
				}
			}
		}
	}
}

// tileSample fills a tile route template with a tile of the demo search.
func tileSample(tmpl string) string {
	return strings.NewReplacer("{search_id}", "abc", "{tileMatrixSetId}", "WebMercatorQuad", "{z:int}", "8", "{x:int}", "124", "{y}", "92").Replace(tmpl)
}
