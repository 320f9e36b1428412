package timing_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"tilefunc/internal/timing"
)

// The header lists the stages that ran, in the pipeline's order whatever
// the order they were added in, a stage added twice summed, then the total.
func TestHeaderListsTheStagesThatRanThenTheTotal(t *testing.T) {
	tm := timing.New()
	tm.Add(timing.Encode, 2500*time.Microsecond)
	tm.Add(timing.Read, 3*time.Millisecond)
	tm.Add(timing.Read, 1250*time.Microsecond)
	h := tm.Header(true)
	if !regexp.MustCompile(`^read;dur=4\.25, encode;dur=2\.50, total;dur=\d+\.\d\d$`).MatchString(h) {
		t.Errorf("Header(true) = %q", h)
	}
	if h := tm.Header(false); !regexp.MustCompile(`^total;dur=\d+\.\d\d$`).MatchString(h) {
		t.Errorf("Header(false) = %q, want the total alone", h)
	}
}

// A context without Timings gives nil, on which adding is a no-op.
func TestFromAContextWithoutTimingsIsANoOp(t *testing.T) {
	tm := timing.From(context.Background())
	if tm != nil {
		t.Fatalf("From(Background) = %v, want nil", tm)
	}
	tm.Add(timing.Read, time.Second)
	tm.Since(timing.Encode, time.Now())
	want := timing.New()
	if got := timing.From(timing.With(context.Background(), want)); got != want {
		t.Errorf("From(With(t)) = %p, want %p", got, want)
	}
}
