package functions_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"tilefunc/functions"
	"tilefunc/handler"
)

var update = flag.Bool("update", false, "rewrite the committed function folders from the route table")

// committed lists the function folders committed beside this file: the
// folders that hold a function.json.
func committed(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("*/function.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Dir(p)] = b
	}
	return out
}

// The function folders committed in functions/ are exactly what
// `handler functions` writes with the default write auth, byte for byte.
// After changing a route: go test ./functions -run TestCommittedFunctionsAreGenerated -update
func TestCommittedFunctionsAreGenerated(t *testing.T) {
	fns, err := functions.Generate(handler.Routes(), functions.DefaultWriteAuth)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		for name := range committed(t) {
			if err := os.RemoveAll(name); err != nil {
				t.Fatal(err)
			}
		}
		if err := functions.Write(".", fns); err != nil {
			t.Fatal(err)
		}
	}
	have := committed(t)
	for _, f := range fns {
		b, ok := have[f.Name]
		switch {
		case !ok:
			t.Errorf("functions/%s/function.json is missing (run: go test ./functions -run %s -update)", f.Name, t.Name())
		case !bytes.Equal(b, f.JSON()):
			t.Errorf("functions/%s/function.json differs from the generator's:\n%s\nwant:\n%s(run: go test ./functions -run %s -update)", f.Name, b, f.JSON(), t.Name())
		}
		delete(have, f.Name)
	}
	for name := range have {
		t.Errorf("functions/%s/function.json has no route (run: go test ./functions -run %s -update)", name, t.Name())
	}
}

func TestTemplateConvertsMuxPaths(t *testing.T) {
	cases := map[string]string{
		"/healthz":           "healthz",
		"/searches/register": "searches/register",
		"/searches/{search_id}/tiles/{tileMatrixSetId}/{z}/{x}/{y}": "searches/{search_id}/tiles/{tileMatrixSetId}/{z:int}/{x:int}/{y}",
		"/searches/{search_id}/{tileMatrixSetId}/tilejson.json":     "searches/{search_id}/{tileMatrixSetId}/tilejson.json",
	}
	for path, want := range cases {
		if got, err := functions.Template(path); err != nil || got != want {
			t.Errorf("Template(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"/items/{id:[0-9]+}", "healthz"} {
		if got, err := functions.Template(path); err == nil {
			t.Errorf("Template(%q) = %q, want an error", path, got)
		}
	}
}

func TestGenerateRefusesWhatTheHostCannotServe(t *testing.T) {
	read := handler.Route{Name: "healthz", Method: "GET", Path: "/healthz"}
	cases := map[string][]handler.Route{
		"a name the host refuses": {{Name: "1tile", Method: "GET", Path: "/a"}},
		"a name twice":            {read, {Name: "Healthz", Method: "GET", Path: "/b"}},
		"the host's admin path":   {{Name: "a", Method: "GET", Path: "/admin/x"}},
		"the host's runtime path": {{Name: "a", Method: "GET", Path: "/runtime/x"}},
		"a mux pattern":           {{Name: "a", Method: "GET", Path: "/a/{id:[0-9]+}"}},
	}
	for name, routes := range cases {
		if _, err := functions.Generate(routes, functions.DefaultWriteAuth); err == nil {
			t.Errorf("%s: generated", name)
		}
	}
	if _, err := functions.Generate([]handler.Route{read}, "everyone"); err == nil {
		t.Error("an unknown auth level was accepted")
	}
}

func TestWriteAuthSwitchesOnlyTheRoutesThatWrite(t *testing.T) {
	for _, level := range functions.AuthLevels {
		fns, err := functions.Generate(handler.Routes(), level)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fns {
			want := "anonymous"
			if f.Name == "search_register" {
				want = level
			}
			if got := f.Bindings[0].AuthLevel; got != want {
				t.Errorf("write auth %s: %s has authLevel %s, want %s", level, f.Name, got, want)
			}
		}
	}
}

func TestCommandWritesTheFolders(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if err := functions.Command([]string{"-out", dir, "-write-auth", "anonymous"}, &out, &errs); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "search_register", "function.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"authLevel": "anonymous"`)) {
		t.Fatalf("-write-auth anonymous gave %s", b)
	}
	if err := functions.Command([]string{"-write-auth", "nobody"}, &out, &errs); err == nil {
		t.Fatal("-write-auth nobody was accepted")
	}
}
