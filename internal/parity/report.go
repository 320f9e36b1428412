package parity

import (
	"fmt"
	"strings"
)

// Counts of a table's outcomes by verdict.
func Verdicts(outcomes []Outcome) map[string]int {
	n := map[string]int{}
	for _, o := range outcomes {
		n[o.Verdict()]++
	}
	return n
}

// Line is one outcome as a log line: request, the reference's answer, the
// answer under test, verdict, differences.
func (o Outcome) Line(i int) string {
	s := fmt.Sprintf("#%-3d %-9s %s\n      titiler: %s | tilefunc: %s", i+1, o.Verdict(), o.Request, o.RefDesc, o.GotDesc)
	if o.Compared {
		s += fmt.Sprintf(" | max %s, mean %s (%s)", num(o.Max), num(o.Mean), o.Tol)
	}
	if o.Problem != "" {
		s += "\n      " + o.Problem
	}
	if o.Differs != "" {
		s += "\n      differs: " + o.Differs
	}
	return s
}

// Markdown is a table of outcomes, one row each, for notes.
func Markdown(outcomes []Outcome) string {
	var b strings.Builder
	b.WriteString("| # | request | titiler-pgstac | tilefunc | tolerance | outcome | max diff | mean diff | why |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for i, o := range outcomes {
		maxd, mean := "", ""
		if o.Compared {
			maxd, mean = num(o.Max), num(o.Mean)
		}
		why := o.Problem
		if o.Differs != "" {
			why = strings.TrimSpace("differs: " + o.Differs + ". " + o.Problem)
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", i+1, cell(o.Request.String()), cell(o.RefDesc), cell(o.GotDesc),
			o.Tol, o.Verdict(), maxd, mean, cell(why))
	}
	return b.String()
}

// cell escapes what would end a markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// num is a difference in few digits.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1e6:
		return fmt.Sprintf("%.3g", v)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
