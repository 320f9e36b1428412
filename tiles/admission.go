package tiles

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"tilefunc"
)

// admission bounds the memory renders hold together: each image is
// admitted by what it may hold (pixels × bands × items held at once) out of
// a process-wide budget. A render larger than the whole budget is refused
// before anything is read; one that does not fit now waits a little, then
// is refused as busy (never an unbounded queue).
type admission struct {
	sem  *semaphore.Weighted
	size int64
	wait time.Duration
}

// admitWait is how long a render waits for room before the server says it
// is busy.
const admitWait = 2 * time.Second

// bytesPerValue is what one band value costs through the pipeline: a
// float64 and its validity flag, plus GDAL's read buffer.
const bytesPerValue = 16

// Limit makes the renderer admit images by the memory they may hold, at
// most bytes in all (0: no bound). Call it before the first render.
func (r *Renderer) Limit(bytes int64) {
	if bytes <= 0 {
		r.admit = nil
		return
	}
	r.admit = &admission{sem: semaphore.NewWeighted(bytes), size: bytes, wait: admitWait}
}

// admitImage waits for a render turn, then for room for a render of win
// and spec over items, so that a render waiting its turn holds no room.
// The room is given back once release is called and, under HoldRenders,
// the request is over too: the image's styling and encoding use it after
// the reads.
func (r *Renderer) admitImage(ctx context.Context, win Window, spec Spec, items int) (release func(), err error) {
	h, _ := ctx.Value(holdKey{}).(*hold)
	endTurn, err := r.takeTurn(ctx, h)
	if err != nil {
		return nil, err
	}
	if r.admit == nil {
		return endTurn, nil
	}
	room, err := r.admit.acquire(ctx, admittedWeight(r, win, spec, items))
	if err != nil {
		endTurn()
		return nil, err
	}
	if h != nil {
		room = h.join(room)
	}
	return func() { room(); endTurn() }, nil
}

// Renders bounds the images rendered at once, process-wide (0: no bound).
// Call it before the first render. On CPUs already busy, a render started
// early does not end sooner: it only holds its buffers longer.
func (r *Renderer) Renders(n int) {
	r.turns = nil
	if n > 0 {
		r.turns = make(chan struct{}, n)
	}
}

// takeTurn waits for a render turn, for as long as the request may take.
// Under a hold the request takes one turn for all its renders and gives it
// back when it is done, so that its renders never wait on each other;
// otherwise the turn ends with the render's release.
func (r *Renderer) takeTurn(ctx context.Context, h *hold) (end func(), err error) {
	if r.turns == nil {
		return func() {}, nil
	}
	if h != nil {
		h.turnMu.Lock()
		defer h.turnMu.Unlock()
		if h.turn {
			return func() {}, nil
		}
	}
	give, err := takeSlot(ctx, r.turns)
	if err != nil {
		return nil, err
	}
	if h != nil && h.keep(give) {
		h.turn = true
		return func() {}, nil
	}
	return give, nil
}

type holdKey struct{}

// hold keeps a request's admissions until the request is over.
type hold struct {
	mu    sync.Mutex
	ends  []func()
	ended bool

	turnMu sync.Mutex // taken while the request waits for its turn
	turn   bool       // the request has its render turn
}

// HoldRenders makes the renders admitted under ctx keep their room until
// done is called, when the answer has been written: an image is styled
// and encoded after its reads, with memory of the same order. Renders
// under one hold add up: it is for requests that render one image (a
// route that renders one per feature would wait on its own room).
func HoldRenders(ctx context.Context) (_ context.Context, done func()) {
	h := &hold{}
	return context.WithValue(ctx, holdKey{}, h), h.end
}

// join returns a release that gives room back once it has been called and
// the hold has ended, in either order.
func (h *hold) join(release func()) func() {
	var parties atomic.Int32
	parties.Store(2)
	leave := func() {
		if parties.Add(-1) == 0 {
			release()
		}
	}
	if !h.keep(leave) {
		leave()
	}
	return leave
}

// keep makes f run when the hold ends; false if it has ended already.
func (h *hold) keep(f func()) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended {
		return false
	}
	h.ends = append(h.ends, f)
	return true
}

func (h *hold) end() {
	h.mu.Lock()
	ends := h.ends
	h.ends, h.ended = nil, true
	h.mu.Unlock()
	for _, f := range ends {
		f()
	}
}

// admittedWeight is the bytes a render of win and spec over items may hold.
func admittedWeight(r *Renderer, win Window, spec Spec, items int) int64 {
	held := min(items, cap(r.sem)) + 1 // reads in flight and the merged image
	if sel, err := newSelection(spec.Selection); err == nil && isStack(sel) {
		held = items + 1 // every item is kept until they are reduced
	}
	return windowPixels(win) * int64(layerBands(spec.Layer)) * int64(held) * bytesPerValue
}

func (a *admission) acquire(ctx context.Context, weight int64) (func(), error) {
	if weight > a.size {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "the request would hold about %d MB while rendering, above the %d MB this server gives one request: ask for fewer pixels, bands or items",
			weight>>20, a.size>>20)
	}
	wctx, cancel := context.WithTimeout(ctx, a.wait)
	defer cancel()
	if err := a.sem.Acquire(wctx, weight); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrBusy
	}
	return func() { a.sem.Release(weight) }, nil
}

// ErrBusy is a render refused for want of memory now: the client may try
// again shortly (503 with Retry-After).
var ErrBusy = &tilefunc.Error{Code: tilefunc.EUNAVAILABLE, Message: "the server is busy rendering other requests: try again shortly"}

func isStack(s selection) bool {
	_, ok := s.(*stackSelection)
	return ok
}

// windowPixels is how many pixels a render of win reads, its buffer and
// padding included; a size that comes from the data counts as its largest.
func windowPixels(win Window) int64 {
	w, h := int64(win.Width), int64(win.Height)
	if w == 0 || h == 0 {
		side := int64(win.MaxSize)
		if side == 0 {
			side = maxNativeSide
		}
		w, h = side, side
	}
	grow := int64(2*win.Buffer) + 2*int64(win.Padding)
	return (w + grow) * (h + grow)
}

// maxNativeSide is the side a render at a raster's own resolution is
// admitted for when no size bounds it.
const maxNativeSide = 4096

// layerBands is how many bands a layer reads of an item: the bands each
// asset names, or a few where it names none (the file says how many).
func layerBands(l Layer) int {
	n := 0
	for _, a := range l.Assets {
		switch {
		case len(a.Bidx) > 0:
			n += len(a.Bidx)
		case len(a.Bands) > 0:
			n += len(a.Bands)
		case a.Expression != nil:
			if ix, err := a.Expression.Indexes(); err == nil && len(ix) > 0 {
				n += len(ix)
				continue
			}
			n += unnamedBands
		default:
			n += unnamedBands
		}
	}
	return max(n, 1)
}

// unnamedBands is what an asset read whole is counted as: most COGs hold
// one to four bands.
const unnamedBands = 4
