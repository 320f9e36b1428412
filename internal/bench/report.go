package bench

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Figures are one server's measurements of one replay.
type Figures struct {
	Load
	CPU     time.Duration // CPU the server used during the replay
	PeakRSS int64         // bytes, since the server started
}

// CPUPerTile is the server's CPU ms per answer.
func (f Figures) CPUPerTile() float64 { return ms(f.CPU) / float64(f.Requests) }

// Row is one concurrency of a pass: tilefunc's figures and, where it ran,
// titiler-pgstac's.
type Row struct {
	Clients  int
	Tilefunc Figures
	Titiler  *Figures
	Against  *Figures // tilefunc's figures of another pass, to compare with
	Mismatch []string // requests whose statuses differ between the servers
}

// Pass is a set of rows over one request list.
type Pass struct {
	Name    string
	About   string
	Against string // what Row.Against is, when set
	Rows    []Row
}

// Floor is the in-process render of the same tiles (BenchmarkFloor).
type Floor struct {
	CPU, Read, Encode float64 // ms per tile
	Tiles             int
}

// Report is everything `make bench` measured in one run.
type Report struct {
	Date, Commit, Machine, CPU, Command string
	Settings                            []string
	Passes                              []Pass
	ColdTilefunc, ColdTitiler           []time.Duration
	Floor                               Floor
}

// Target is one of DESIGN.md's targets, as measured.
type Target struct {
	What, Measured string
	Met            bool
}

// Targets checks the figures against DESIGN.md section 7 and issue 10.
func (r *Report) Targets() []Target {
	var out []Target
	add := func(what string, met bool, format string, args ...any) {
		out = append(out, Target{what, fmt.Sprintf(format, args...), met})
	}
	if row := r.row("local", 10); row != nil && row.Titiler != nil {
		x := row.Tilefunc.Rate() / row.Titiler.Rate()
		add("throughput at 10 clients at least 5x titiler-pgstac's", x >= 5, "%.2fx", x)
		p := ms(row.Tilefunc.P99) / ms(row.Titiler.P99)
		add("p99 at 10 clients at most 1/3 of titiler-pgstac's", p <= 1.0/3, "%.2f", p)
		m := float64(row.Tilefunc.PeakRSS) / float64(row.Titiler.PeakRSS)
		add("peak RSS under load at most 1/2 of titiler-pgstac's", m <= 0.5, "%.2f", m)
		if r.Floor.CPU > 0 {
			f := row.Tilefunc.CPUPerTile() / r.Floor.CPU
			add("CPU per tile within 1.5x of the in-process floor", f <= 1.5, "%.2fx (%.1f against %.1f ms)", f, row.Tilefunc.CPUPerTile(), r.Floor.CPU)
		}
	}
	if row := r.row("local", 50); row != nil && row.Titiler != nil {
		x := row.Tilefunc.Rate() / row.Titiler.Rate()
		errs := row.Tilefunc.Statuses[0] + countFrom(row.Tilefunc.Statuses, 500)
		add("at 50 clients no error and at least 5x", x >= 5 && errs == 0, "%.2fx, %d errors", x, errs)
	}
	if row := r.row("low zoom", 10); row != nil && row.Titiler != nil {
		p := ms(row.Tilefunc.P50) / ms(row.Titiler.P50)
		add("zooms 0-2: p50 at most 1/5 of titiler-pgstac's", p <= 0.2, "%.2f", p)
	}
	if len(r.ColdTilefunc) > 0 && len(r.ColdTitiler) > 0 {
		a, b := median(r.ColdTilefunc), median(r.ColdTitiler)
		add("cold start at most 1/10 of titiler-pgstac's and under 300 ms", ms(a)/ms(b) <= 0.1 && a < 300*time.Millisecond,
			"%.0f against %.0f ms (%.3f)", ms(a), ms(b), ms(a)/ms(b))
	}
	mismatches := 0
	for _, p := range r.Passes {
		for _, row := range p.Rows {
			mismatches += len(row.Mismatch)
		}
	}
	add("every response identical in status to titiler-pgstac's", mismatches == 0, "%d differ", mismatches)
	return out
}

// Row is the pass's row at clients, or nil.
func (p *Pass) Row(clients int) *Row {
	for i := range p.Rows {
		if p.Rows[i].Clients == clients {
			return &p.Rows[i]
		}
	}
	return nil
}

func (r *Report) row(pass string, clients int) *Row {
	for i := range r.Passes {
		if r.Passes[i].Name == pass {
			return r.Passes[i].Row(clients)
		}
	}
	return nil
}

// Markdown is the report as bench/results keeps it.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# tilefunc against titiler-pgstac, %s\n\n", r.Date)
	fmt.Fprintf(&b, "- commit: %s\n- machine: %s (%s)\n- command: `%s`\n", r.Commit, r.Machine, r.CPU, r.Command)
	for _, s := range r.Settings {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	b.WriteString("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n")
	for _, t := range r.Targets() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.What, t.Measured, yesNo(t.Met))
	}
	for _, p := range r.Passes {
		r.pass(&b, p)
	}
	r.cold(&b)
	r.floor(&b)
	return b.String()
}

func (r *Report) pass(b *strings.Builder, p Pass) {
	fmt.Fprintf(b, "\n## Pass: %s\n\n%s\n\n", p.Name, p.About)
	b.WriteString("| clients | server | tiles/s | p50 ms | p95 ms | p99 ms | CPU ms/tile | peak RSS MB | statuses |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, row := range p.Rows {
		line(b, row.Clients, "tilefunc", row.Tilefunc)
		other, name := row.Titiler, "titiler-pgstac"
		if other == nil {
			other, name = row.Against, p.Against
		}
		if other == nil {
			continue
		}
		line(b, row.Clients, name, *other)
		t := row.Tilefunc
		fmt.Fprintf(b, "| %d | ratio | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d differ |\n", row.Clients,
			t.Rate()/other.Rate(), ms(t.P50)/ms(other.P50), ms(t.P95)/ms(other.P95), ms(t.P99)/ms(other.P99),
			t.CPUPerTile()/other.CPUPerTile(), float64(t.PeakRSS)/float64(other.PeakRSS), len(row.Mismatch))
		for _, m := range row.Mismatch[:min(5, len(row.Mismatch))] {
			fmt.Fprintf(b, "\n- differs: %s", m)
		}
	}
	r.stages(b, p)
}

// stages are tilefunc's own Server-Timing figures, mean ms per answer.
func (r *Report) stages(b *strings.Builder, p Pass) {
	for _, row := range p.Rows {
		t := row.Tilefunc
		if t.Timed == 0 {
			continue
		}
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(t.Stages)) {
			parts = append(parts, fmt.Sprintf("%s %.2f", name, t.Stages[name]/float64(t.Timed)))
		}
		fmt.Fprintf(b, "\ntilefunc's Server-Timing at %d clients, mean ms per answer: %s\n", row.Clients, strings.Join(parts, ", "))
	}
}

func line(b *strings.Builder, clients int, name string, f Figures) {
	fmt.Fprintf(b, "| %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %s |\n", clients, name, f.Rate(),
		ms(f.P50), ms(f.P95), ms(f.P99), f.CPUPerTile(), float64(f.PeakRSS)/(1<<20), statuses(f.Statuses))
}

func (r *Report) cold(b *strings.Builder) {
	if len(r.ColdTilefunc) == 0 {
		return
	}
	b.WriteString("\n## Cold start\n\nExec of the server to the first 200 tile (tilefunc in managed-identity mode, its token from the local endpoint; titiler-pgstac with a password), median of the runs.\n\n| server | median ms | runs ms |\n|---|---|---|\n")
	for _, c := range []struct {
		name string
		runs []time.Duration
	}{{"tilefunc", r.ColdTilefunc}, {"titiler-pgstac", r.ColdTitiler}} {
		var runs []string
		for _, d := range c.runs {
			runs = append(runs, fmt.Sprintf("%.0f", ms(d)))
		}
		fmt.Fprintf(b, "| %s | %.0f | %s |\n", c.name, ms(median(c.runs)), strings.Join(runs, ", "))
	}
}

func (r *Report) floor(b *strings.Builder) {
	if r.Floor.Tiles == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Floor\n\nThe %d tiles of the local pass rendered in-process by the route's code (BenchmarkFloor in handler/: read, warp, merge, draw; no HTTP, no database), on one CPU: %.1f CPU ms per tile (read and merge %.1f ms, draw and encode %.1f ms).\n",
		r.Floor.Tiles, r.Floor.CPU, r.Floor.Read, r.Floor.Encode)
	if row := r.row("local", 10); row != nil {
		c := row.Tilefunc.CPUPerTile()
		where := fmt.Sprintf("%.1f ms (%.2fx) above the floor, for HTTP, the catalog and the handler", c-r.Floor.CPU, c/r.Floor.CPU)
		if c < r.Floor.CPU { // the server's block cache is warmer than one pass of the floor's
			where = fmt.Sprintf("%.1f ms (%.2fx) below the floor, whose single pass starts with every cache cold", r.Floor.CPU-c, c/r.Floor.CPU)
		}
		fmt.Fprintf(b, "tilefunc at 10 clients used %.1f CPU ms per tile: %s.\n", c, where)
	}
}

func statuses(m map[int]int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d: %d", code, m[code]))
	}
	return strings.Join(parts, ", ")
}

func countFrom(m map[int]int, from int) int {
	n := 0
	for code, c := range m {
		if code >= from {
			n += c
		}
	}
	return n
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
