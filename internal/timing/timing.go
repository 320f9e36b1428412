// Package timing collects how long the stages of one image request took,
// for its Server-Timing header: the handler puts a Timings in the
// request's context, the stages add their durations, and the header is
// written with the answer's.
package timing

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Stage is one step of an image request.
type Stage uint8

// The stages, in the header's order.
const (
	Catalog   Stage = iota // pgSTAC: the search and its items, or the item
	Read                   // GDAL reads and warps of every asset, wall clock
	Merge                  // the mosaic's pixel selection
	Algorithm              // the post-processing algorithm, when one is asked
	Encode                 // styling and the image format's encoder
	stages
)

var names = [stages]string{"catalog", "read", "merge", "algorithm", "encode"}

// Timings are one request's stage durations. Stages may add from any
// goroutine; a stage added twice sums (sequential reads of one request).
type Timings struct {
	start time.Time
	dur   [stages]atomic.Int64 // nanoseconds
	set   atomic.Uint32        // a bit per stage that was added
}

// New starts the request's clock.
func New() *Timings { return &Timings{start: time.Now()} }

type key struct{}

// With is ctx carrying t.
func With(ctx context.Context, t *Timings) context.Context { return context.WithValue(ctx, key{}, t) }

// From is the Timings ctx carries; nil, on which every method is a no-op,
// when it carries none (the answer is not an image).
func From(ctx context.Context) *Timings {
	t, _ := ctx.Value(key{}).(*Timings)
	return t
}

// Add counts d to stage s.
func (t *Timings) Add(s Stage, d time.Duration) {
	if t == nil {
		return
	}
	t.dur[s].Add(int64(d))
	t.set.Or(1 << s)
}

// Since counts the time from start until now to stage s.
func (t *Timings) Since(s Stage, start time.Time) {
	if t != nil {
		t.Add(s, time.Since(start))
	}
}

// Header is the Server-Timing value: each stage that ran, when stages is
// set, then the total since New; durations in milliseconds.
func (t *Timings) Header(stages bool) string {
	var b strings.Builder
	if stages {
		set := t.set.Load()
		for s, name := range names {
			if set&(1<<s) != 0 {
				metric(&b, name, time.Duration(t.dur[s].Load()))
			}
		}
	}
	metric(&b, "total", time.Since(t.start))
	return b.String()
}

// Total is a Server-Timing value of the time since start alone.
func Total(start time.Time) string {
	var b strings.Builder
	metric(&b, "total", time.Since(start))
	return b.String()
}

func metric(b *strings.Builder, name string, d time.Duration) {
	if b.Len() > 0 {
		b.WriteString(", ")
	}
	b.WriteString(name)
	b.WriteString(";dur=")
	b.WriteString(strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64))
}
