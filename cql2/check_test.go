package cql2

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// checkDiffers are the filters the oracle's validate accepts and Check
// refuses, each with why (see Check's comment).
var checkDiffers = map[string]string{
	`{"op":"and","args":[{"op":"=","args":[{"property":"a"},1]},{"op":"nope","args":[]}]}`: "pgSTAC runs no custom function",
	`{"op":"avg","args":[{"property":"a"}]}`:                                               "pgSTAC runs no custom function",
	`{"op":"t_after","args":[{"property":"a"},{"date":"2020-02-30"}]}`:                     "no such day",
	`{"op":"t_after","args":[{"property":"a"},{"timestamp":"2020-13-01T00:00:00Z"}]}`:      "no such month",
	`{"op":"=","args":[{"property":""},1]}`:                                                "an empty property name names nothing",
}

func TestCheckRefusesWithTheJSONPath(t *testing.T) {
	verdicts := oracle[verdict](t, "check.json")
	for _, r := range rows(t, "check.txt", 2) {
		want, src := r[0], r[1]
		t.Run(src, func(t *testing.T) {
			err := Check(json.RawMessage(src))
			var e *Error
			switch {
			case want == "ok" && err != nil:
				t.Fatalf("Check: %v", err)
			case want == "ok":
			case !errors.As(err, &e) || e.Path == "":
				t.Fatalf("Check = %v, want an *Error with a path", err)
			case !strings.HasPrefix(err.Error(), want):
				t.Errorf("Check:\n got %v\nwant %s...", err, want)
			}
			o, ok := verdicts[src]
			if !ok {
				t.Fatal("no oracle verdict: run scripts/cql2_fixtures.py")
			}
			oracleValid := o.Verdict == "valid"
			_, differs := checkDiffers[src]
			if want == "ok" && !oracleValid || want != "ok" && oracleValid != differs {
				t.Errorf("the oracle says %+v; checkDiffers says %v", o, differs)
			}
		})
	}
}

// TestCheckAcceptsTheOraclesJSON feeds Check what the oracle writes for the
// conformance rows: accepted, unless it calls a function CQL2 leaves to
// servers.
func TestCheckAcceptsTheOraclesJSON(t *testing.T) {
	for name, o := range oracle[conformance](t, "conformance.json") {
		raw, _ := json.Marshal(o.JSON)
		err := Check(raw)
		if fn := function(o.JSON); fn != "" {
			if err == nil || !strings.Contains(err.Error(), "unknown operator") {
				t.Errorf("%s calls %s: Check(%s) = %v, want unknown operator", name, fn, raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Check(%s): %v", name, raw, err)
		}
	}
}

// function is the first operator in v that CQL2 does not define.
func function(v any) string {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if f := function(e); f != "" {
				return f
			}
		}
	case map[string]any:
		if op, ok := v["op"].(string); ok {
			if _, known := rules[strings.ToLower(op)]; !known {
				return op
			}
		}
		for _, e := range v {
			if f := function(e); f != "" {
				return f
			}
		}
	}
	return ""
}

func TestCheckRefusesWhatIsTooLongOrTooDeep(t *testing.T) {
	nots := strings.Repeat(`{"op":"not","args":[`, MaxDepth) + "true" + strings.Repeat("]}", MaxDepth)
	for name, c := range map[string]struct{ src, want string }{
		"operators": {nots, "filter" + strings.Repeat(".args[0]", MaxDepth) + ": nested deeper than 100"},
		"brackets":  {strings.Repeat("[", 100000), "filter: nested deeper than 100"},
		"long":      {`"` + strings.Repeat("x", MaxJSONBytes) + `"`, "filter: longer than 1 MiB"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := Check(json.RawMessage(c.src)); err == nil || err.Error() != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
	within := strings.Repeat(`{"op":"not","args":[`, MaxDepth-1) + "true" + strings.Repeat("]}", MaxDepth-1)
	if err := Check(json.RawMessage(within)); err != nil {
		t.Errorf("%d nested operators: %v", MaxDepth-1, err)
	}
}
