package tiles

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sync/semaphore"

	"tilefunc"
)

// A render larger than the whole budget is refused at once; one that does
// not fit beside others waits, then is busy; room made is room taken.
func TestAdmissionBoundsWhatRendersHold(t *testing.T) {
	a := &admission{size: 100 << 20, wait: 50 * time.Millisecond}
	a.sem = semaphore.NewWeighted(a.size)
	ctx := context.Background()
	if _, err := a.acquire(ctx, 101<<20); tilefunc.ErrorCode(err) != tilefunc.EINVALID {
		t.Fatalf("above the budget: %v, want invalid", err)
	}
	first, err := a.acquire(ctx, 60<<20)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := a.acquire(ctx, 60<<20); !errors.Is(err, ErrBusy) || time.Since(start) < a.wait {
		t.Fatalf("beside another: %v after %v, want busy after waiting %v", err, time.Since(start), a.wait)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.acquire(gone, 60<<20); !errors.Is(err, context.Canceled) {
		t.Fatalf("a client gone: %v", err)
	}
	first()
	second, err := a.acquire(ctx, 60<<20)
	if err != nil {
		t.Fatalf("after the first is done: %v", err)
	}
	second()
}

// What a render is admitted for grows with pixels, bands and the items a
// stack selection keeps.
func TestAdmittedWeight(t *testing.T) {
	r := NewRenderer(nil, 4)
	r.Limit(1 << 40)
	win := Window{Width: 256, Height: 256}
	bidx := make([]int, 64)
	for _, c := range []struct {
		win   Window
		spec  Spec
		items int
		want  int64
	}{
		{win, Spec{Layer: Layer{Assets: []AssetSpec{{Name: "a", Bidx: []int{1, 2, 3}}}}}, 1, 256 * 256 * 3 * 2 * bytesPerValue},
		{win, Spec{Layer: Layer{Assets: []AssetSpec{{Name: "a"}}}}, 10, 256 * 256 * unnamedBands * 5 * bytesPerValue},
		{win, Spec{Layer: Layer{Assets: []AssetSpec{{Name: "a", Bidx: []int{1}}}}, Selection: "median"}, 10, 256 * 256 * 1 * 11 * bytesPerValue},
		{Window{Width: 2048, Height: 2048}, Spec{Layer: Layer{Assets: []AssetSpec{{Name: "a", Bidx: bidx}}}}, 1, 2048 * 2048 * 64 * 2 * bytesPerValue},
		{Window{MaxSize: 1024, Whole: true}, Spec{Layer: Layer{Assets: []AssetSpec{{Name: "a", Bidx: []int{1}}}}}, 1, 1024 * 1024 * 2 * bytesPerValue},
	} {
		if got := admittedWeight(r, c.win, c.spec, c.items); got != c.want {
			t.Errorf("%+v over %d items: %d, want %d", c.win, c.items, got, c.want)
		}
	}
}

// Under HoldRenders, a render's room comes back only once its reads are
// over and the request is done, in either order: its image is styled and
// encoded in between.
func TestHeldRendersKeepTheirRoomUntilTheRequestIsDone(t *testing.T) {
	r := NewRenderer(nil, 1)
	win := Window{Width: 256, Height: 256}
	spec := Spec{Layer: Layer{Assets: []AssetSpec{{Name: "a", Bidx: []int{1}}}}}
	r.Limit(admittedWeight(r, win, spec, 1)) // room for one
	r.admit.wait = 20 * time.Millisecond
	roomFor := func() bool {
		release, err := r.admitImage(context.Background(), win, spec, 1)
		if err == nil {
			release()
		}
		return err == nil
	}
	for _, readsFirst := range []bool{true, false} {
		ctx, done := HoldRenders(context.Background())
		release, err := r.admitImage(ctx, win, spec, 1)
		if err != nil {
			t.Fatal(err)
		}
		first, second := release, done
		if !readsFirst {
			first, second = done, release
		}
		first()
		if roomFor() {
			t.Errorf("reads over first %v: the room came back before both were over", readsFirst)
		}
		second()
		if !roomFor() {
			t.Errorf("reads over first %v: the room did not come back", readsFirst)
		}
	}
}

// Renders beyond the turns wait, for as long as their request may, and a
// request under a hold takes one turn for all its renders until it is done.
func TestRendersWaitTheirTurn(t *testing.T) {
	r := NewRenderer(nil, 1)
	r.Renders(1)
	win := Window{Width: 256, Height: 256}
	spec := Spec{Layer: Layer{Assets: []AssetSpec{{Name: "a", Bidx: []int{1}}}}}
	waits := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		release, err := r.admitImage(ctx, win, spec, 1)
		if err == nil {
			release()
			return false
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("waiting for a turn: %v, want the request's deadline", err)
		}
		return true
	}
	release, err := r.admitImage(context.Background(), win, spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !waits() {
		t.Fatal("a second render did not wait for the turn in use")
	}
	release()
	if waits() {
		t.Fatal("the turn did not come back with the render's release")
	}

	request, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx, done := HoldRenders(request)
	for i := range 3 { // one request's renders share its turn
		release, err := r.admitImage(ctx, win, spec, 1)
		if err != nil {
			t.Fatalf("render %d of one request: %v", i, err)
		}
		release()
	}
	if !waits() {
		t.Fatal("another request did not wait while the first was not done")
	}
	done()
	if waits() {
		t.Fatal("the turn did not come back when the request was done")
	}
}
