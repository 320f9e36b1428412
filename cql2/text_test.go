package cql2

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// rows reads a tab-separated testdata file, comments aside.
func rows(t testing.TB, name string, fields int) [][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", fields)
		if len(f) != fields {
			t.Fatalf("%s: want %d fields in %q", name, fields, line)
		}
		out = append(out, f)
	}
	return out
}

// oracle reads a JSON file scripts/cql2_fixtures.py wrote.
func oracle[T any](t testing.TB, name string) map[string]T {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]T
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

type conformance struct {
	JSON  any    `json:"json"`
	Valid bool   `json:"valid"`
	Error string `json:"error"`
}

type verdict struct {
	Verdict string `json:"verdict"` // valid, invalid or error
	Detail  string `json:"detail"`
}

func decode(t testing.TB, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, raw)
	}
	return v
}

func TestTextWritesWhatTheOracleWrites(t *testing.T) {
	want := oracle[conformance](t, "conformance.json")
	ogc := 0
	for _, r := range rows(t, "conformance.txt", 2) {
		name, text := r[0], r[1]
		t.Run(name, func(t *testing.T) {
			o, ok := want[name]
			if !ok || o.Error != "" || !o.Valid {
				t.Fatalf("the oracle does not accept %q (%+v): run scripts/cql2_fixtures.py, or move the row", text, o)
			}
			got, err := Text(text)
			if err != nil {
				t.Fatalf("Text(%q): %v", text, err)
			}
			if g := decode(t, got); !reflect.DeepEqual(g, o.JSON) {
				t.Errorf("Text(%q)\n got %s\nwant %s", text, got, mustJSON(o.JSON))
			}
		})
		if strings.HasPrefix(name, "ogc/") {
			ogc++
		}
	}
	if ogc < 40 {
		t.Errorf("%d rows from the standard's examples, want at least 40", ogc)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// oracleAccepts are the malformed rows the oracle takes and Text refuses,
// each with why Text refuses it.
var oracleAccepts = map[string]string{
	`"" = 1`:                             "an empty property name names nothing",
	`A_CONTAINS(a, 1)`:                   "an array operand is an array: the oracle wraps the 1",
	`a IN 1`:                             "IN takes a parenthesised list: the oracle wraps the 1",
	`a = 2^3^2`:                          "the grammar has one ^ per term; the oracle groups left, against arithmetic's habit",
	`isNull(a)`:                          "IS NULL is written a IS NULL; the oracle takes isNull(a) as a function",
	`S_INTERSECTS(geom, POINT(1))`:       "the oracle takes POINT(1) as a function call",
	`S_INTERSECTS(geom, POINT(1 - 2))`:   "the oracle takes POINT(1 - 2) as a function call",
	`S_INTERSECTS(geom, POINT(1 2 3 4))`: "the oracle drops the fourth coordinate",
	`S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(1 2), BBOX(1,2,3,4)))`: "a BBOX is no geometry; the oracle makes a function call",
	`a = DATE('2020-02-30')`:                "no such day; the oracle checks the pattern only",
	`a = TIMESTAMP('2020-13-01T00:00:00Z')`: "no such month; the oracle passes what it cannot read through",
	`a = TIMESTAMP('2020-01-01 00:00:00Z')`: "the standard writes a T between date and time",
}

func TestTextRefusesMalformedAtTheColumn(t *testing.T) {
	verdicts := oracle[verdict](t, "malformed.json")
	seen := map[string]bool{}
	for _, r := range rows(t, "malformed.txt", 3) {
		col, msg, text := r[0], r[1], r[2]
		seen[text] = true
		t.Run(text, func(t *testing.T) {
			out, err := Text(text)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Text(%q) = %s, %v; want an *Error", text, out, err)
			}
			if strconv.Itoa(e.Pos) != col || !strings.HasPrefix(e.Msg, msg) {
				t.Errorf("Text(%q):\n got column %d: %s\nwant column %s: %s...", text, e.Pos, e.Msg, col, msg)
			}
			if want := "filter: at column " + col + ": "; !strings.HasPrefix(e.Error(), want) {
				t.Errorf("Error() = %q, want it to start %q", e.Error(), want)
			}
			o, ok := verdicts[text]
			if !ok {
				t.Fatal("no oracle verdict: run scripts/cql2_fixtures.py")
			}
			if why, differs := oracleAccepts[text]; differs != (o.Verdict == "valid") {
				t.Errorf("the oracle says %q (%s); oracleAccepts says %q", o.Verdict, o.Detail, why)
			}
		})
	}
	for text := range oracleAccepts {
		if !seen[text] {
			t.Errorf("oracleAccepts lists %q, which malformed.txt does not", text)
		}
	}
}

func TestTextErrorsNameTheLineOfAFilterOnSeveralLines(t *testing.T) {
	_, err := Text("a = 1 AND\n  b = ")
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.Pos != 7 {
		t.Fatalf("got %v, want line 2, column 7", err)
	}
	if want := "filter: at line 2, column 7: want a value after '='"; !strings.HasPrefix(e.Error(), want) {
		t.Errorf("got %q, want %q...", e.Error(), want)
	}
}

func TestTextCountsColumnsInCharacters(t *testing.T) {
	_, err := Text("\"né\" = 'ü' = 1")
	var e *Error
	if !errors.As(err, &e) || e.Pos != 12 {
		t.Fatalf("got %v, want column 12", err)
	}
}

func TestTextRefusesWhatIsTooLongOrTooDeep(t *testing.T) {
	deep := func(open, leaf, close string, n int) string {
		return strings.Repeat(open, n) + leaf + strings.Repeat(close, n)
	}
	long := "a = '" + strings.Repeat("x", MaxTextBytes) + "'"
	for name, c := range map[string]struct {
		text string
		col  int
	}{
		"parentheses":   {deep("(", "a = 1", ")", MaxDepth+1), MaxDepth + 1},
		"NOT":           {strings.Repeat("NOT ", MaxDepth+1) + "a = 1", 4*MaxDepth + 1},
		"unary minus":   {"a = " + strings.Repeat("-", MaxDepth+1) + "b", 5 + MaxDepth},
		"calls":         {deep("f(", "1", ")", MaxDepth+1), 2*MaxDepth + 2},
		"arithmetic":    {"a = 1" + strings.Repeat(" + 1", MaxDepth), 3 + 4*MaxDepth},
		"nested arrays": {"A_CONTAINS(a, " + deep("(", "1, 2", ")", MaxDepth+1) + ")", 14 + MaxDepth},
		"long":          {long, 0},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Text(c.text)
			var e *Error
			if !errors.As(err, &e) || e.Pos != c.col {
				t.Fatalf("got %v, want an error at column %d", err, c.col)
			}
		})
	}
}

func TestTextKeepsALongAndChainFlat(t *testing.T) {
	terms := make([]string, 3000)
	for i := range terms {
		terms[i] = "a" + strconv.Itoa(i) + " = " + strconv.Itoa(i)
	}
	out, err := Text(strings.Join(terms, " AND "))
	if err != nil {
		t.Fatal(err)
	}
	if args := decode(t, out).(map[string]any)["args"].([]any); len(args) != len(terms) {
		t.Errorf("%d arguments, want %d", len(args), len(terms))
	}
}

// TestTextOutputIsValidCQL2JSON reads Text's output back as Check does,
// functions allowed, so the two can never disagree on what CQL2 is.
func TestTextOutputIsValidCQL2JSON(t *testing.T) {
	for _, r := range rows(t, "conformance.txt", 2) {
		out, err := Text(r[1])
		if err != nil {
			t.Fatalf("%s: %v", r[0], err)
		}
		if err := checkJSON(out, builder{funcs: true}); err != nil {
			t.Errorf("%s: Text(%q) = %s, which does not check: %v", r[0], r[1], out, err)
		}
	}
}

// TestTextTakesWhatTheStandardWritesAndTheOracleCannotParse pins the
// grammar's forms that cql2 0.6.0 refuses with a parse error.
func TestTextTakesWhatTheStandardWritesAndTheOracleCannotParse(t *testing.T) {
	for text, want := range map[string]string{
		`a = .5`:          `{"op":"=","args":[{"property":"a"},0.5]}`,
		`a = 'it\'s'`:     `{"op":"=","args":[{"property":"a"},"it's"]}`,
		`_x = 1`:          `{"op":"=","args":[{"property":"_x"},1]}`,
		`A_EQUALS(a, ())`: `{"op":"a_equals","args":[{"property":"a"},[]]}`,
	} {
		if got, err := Text(text); err != nil || string(got) != want {
			t.Errorf("Text(%q) = %s, %v; want %s", text, got, err, want)
		}
	}
}
