// Package functions lays tilefunc's routes out as Azure Functions: one
// HTTP-triggered function per route, each a folder named after it that holds
// its function.json, as the Functions host expects beside host.json. The
// functions are generated from handler.Routes, the table the router is built
// from, so the host can reach every route and nothing else.
//
// The host.json keys this layout needs (host.json itself is written
// elsewhere; testdata/host.json holds them):
//   - extensions.http.routePrefix "": the route templates are the public
//     paths, the paths the router serves, with no /api in front;
//   - customHandler.enableProxyingHttpRequest true: newer hosts pass the path
//     and query through as received;
//   - customHandler.enableForwardingHttpRequest true: older hosts, which do
//     not know proxying, forward instead of sending the JSON invocation
//     payload; their rebuilt query joins repeated keys with commas, which the
//     handler's parameter parsing undoes (handler/params.go).
package functions

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"tilefunc/handler"
	"tilefunc/internal/cli"
)

// Function is one function: its name (the folder) and its function.json.
type Function struct {
	Name     string    `json:"-"`
	Bindings []Binding `json:"bindings"`
}

// Binding is a function.json binding: the HTTP trigger or the HTTP output.
type Binding struct {
	Type      string   `json:"type"`
	Direction string   `json:"direction"`
	Name      string   `json:"name"`
	AuthLevel string   `json:"authLevel,omitempty"`
	Methods   []string `json:"methods,omitempty"`
	Route     string   `json:"route,omitempty"`
}

// AuthLevels are the host's authorization levels: anonymous needs no key,
// function a function or host key (?code= or x-functions-key), admin the
// master key.
var AuthLevels = []string{"anonymous", "function", "admin"}

// DefaultWriteAuth protects the routes that change the catalog (search
// registration) with a function key.
const DefaultWriteAuth = "function"

// intVars are the path variables the host checks before forwarding: a tile's
// zoom and column are whole numbers. {y} stays unconstrained because it also
// carries @{scale}x and the format (7, 7.png, 7@2x.webp), parsed in Go.
var intVars = map[string]bool{"z": true, "x": true}

// muxVar is a gorilla/mux path variable: {name} or {name:pattern}.
var muxVar = regexp.MustCompile(`\{([^{}:]+)(:[^{}]*)?\}`)

// Template converts a gorilla/mux path to a function's route template: no
// leading slash (the host puts routePrefix in front), {z} and {x}
// constrained to integers, other variables as they are. A mux variable with
// its own pattern has no sure translation and is refused.
func Template(path string) (string, error) {
	if !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("path %q: want a leading slash", path)
	}
	var err error
	t := muxVar.ReplaceAllStringFunc(path[1:], func(v string) string {
		m := muxVar.FindStringSubmatch(v)
		if m[2] != "" {
			err = fmt.Errorf("path %q: variable %s has a mux pattern, which has no route template translation", path, v)
		}
		if intVars[m[1]] {
			return "{" + m[1] + ":int}"
		}
		return "{" + m[1] + "}"
	})
	return t, err
}

// validName is what the host accepts as a function name.
var validName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,127}$`)

// Generate makes one function per route. Reads are anonymous; routes that
// change the catalog get writeAuth. The route / gets no function: a route
// template cannot be empty, and the host polls GET / on the handler itself
// to see that it is up (the handler still answers it).
func Generate(routes []handler.Route, writeAuth string) ([]Function, error) {
	if !isAuthLevel(writeAuth) {
		return nil, fmt.Errorf("auth level %q: use one of %v", writeAuth, AuthLevels)
	}
	seen := map[string]bool{}
	var fns []Function
	for _, r := range routes {
		if r.Path == "/" {
			continue
		}
		if !validName.MatchString(r.Name) {
			return nil, fmt.Errorf("route %s: not a valid function name", r.Name)
		}
		if seen[strings.ToLower(r.Name)] {
			return nil, fmt.Errorf("route %s: declared twice", r.Name)
		}
		seen[strings.ToLower(r.Name)] = true
		tmpl, err := Template(r.Path)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", r.Name, err)
		}
		if first, _, _ := strings.Cut(strings.ToLower(tmpl), "/"); first == "admin" || first == "runtime" {
			return nil, fmt.Errorf("route %s: %q starts with a segment the host keeps for itself", r.Name, tmpl)
		}
		auth := "anonymous"
		if r.Write {
			auth = writeAuth
		}
		fns = append(fns, Function{Name: r.Name, Bindings: []Binding{
			{Type: "httpTrigger", Direction: "in", Name: "req", AuthLevel: auth, Methods: methods(r.Method), Route: tmpl},
			{Type: "http", Direction: "out", Name: "res"},
		}})
	}
	return fns, nil
}

// methods are the methods a route's trigger takes: a GET route takes HEAD
// too, since the host forwards only the methods a function lists and the
// handler answers HEAD on every GET route.
func methods(m string) []string {
	if strings.EqualFold(m, "GET") {
		return []string{"get", "head"}
	}
	return []string{strings.ToLower(m)}
}

func isAuthLevel(s string) bool {
	for _, a := range AuthLevels {
		if s == a {
			return true
		}
	}
	return false
}

// JSON is the function's function.json file.
func (f Function) JSON() []byte {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(err) // plain strings and slices always marshal
	}
	return append(b, '\n')
}

// Write lays the functions out in dir: dir/NAME/function.json each. It
// writes only those folders, leaving anything else in dir as it is.
func Write(dir string, fns []Function) error {
	for _, f := range fns {
		d := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "function.json"), f.JSON(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Command is `handler functions`: it writes the function folders for every
// route of this build. A wrong command line is a *cli.UsageError and -h is
// cli.ErrHelp, each already printed.
func Command(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("handler functions", flag.ContinueOnError)
	out := fs.String("out", "dist/functions", "the folder to write NAME/function.json into")
	writeAuth := fs.String("write-auth", DefaultWriteAuth, "authLevel of the routes that change the catalog (POST /searches/register): "+strings.Join(AuthLevels, ", "))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: handler functions [-out DIR] [-write-auth LEVEL]\n\nWrites one Azure Functions function.json per route; reads are anonymous.")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args, stdout, stderr); err != nil {
		return err
	}
	fns, err := Generate(handler.Routes(), *writeAuth)
	if err != nil {
		return err
	}
	if err := Write(*out, fns); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d functions to %s\n", len(fns), *out)
	return nil
}
