package functions_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"tilefunc/functions"
	"tilefunc/handler"
)

// docs/api.md's route table lists every route, in the table's order, with
// its function's route template and authLevel.
func TestAPIDocRouteTableIsTheRouteTable(t *testing.T) {
	b, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Routes\n")
	if !ok {
		t.Fatal("docs/api.md has no ## Routes section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var got [][]string
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		var row []string
		for _, cell := range strings.Split(strings.Trim(line, "|"), "|") {
			row = append(row, strings.Trim(strings.TrimSpace(cell), "`"))
		}
		got = append(got, row)
	}
	fns, err := functions.Generate(handler.Routes(), functions.DefaultWriteAuth)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]functions.Function{}
	for _, f := range fns {
		byName[f.Name] = f
	}
	var want [][]string
	for _, r := range handler.Routes() {
		f, ok := byName[r.Name]
		if !ok {
			want = append(want, []string{r.Name, r.Method, r.Path, "none: the host polls `GET /` on the handler itself", ""})
			continue
		}
		want = append(want, []string{r.Name, r.Method, r.Path, f.Bindings[0].Route, f.Bindings[0].AuthLevel})
	}
	if !reflect.DeepEqual(got, want) {
		var lines []string
		for _, r := range want {
			lines = append(lines, "| `"+r[0]+"` | "+r[1]+" | `"+r[2]+"` | `"+r[3]+"` | "+r[4]+" |")
		}
		t.Fatalf("docs/api.md's route table is\n%q\nwant rows like:\n%s", got, strings.Join(lines, "\n"))
	}
}
