package faultproxy

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what the HTTP proxy does to each request instead of, or before,
// forwarding it. The zero Fault forwards.
type Fault struct {
	Status int           // answer this status with an Azure error body instead of forwarding
	Code   string        // its x-ms-error-code (ServerBusy, BlobNotFound, ...)
	Delay  time.Duration // wait this long first (the client may give up)
	Reset  bool          // reset the connection instead of answering
}

// HTTP is a reverse proxy to an HTTP service (Azurite) with a settable fault.
type HTTP struct {
	URL string // the proxy's base URL, http://127.0.0.1:PORT

	srv     *httptest.Server
	rp      *httputil.ReverseProxy
	mu      sync.Mutex
	fault   Fault
	seen    atomic.Int64 // requests received
	faulted atomic.Int64 // requests the fault changed
}

// NewHTTP proxies to upstream (scheme://host:port) until the test ends.
func NewHTTP(t testing.TB, upstream string) *HTTP {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	h := &HTTP{rp: httputil.NewSingleHostReverseProxy(u)}
	// Without this the proxy answers 502 when the client gave up first,
	// which the client never sees; keep it quiet.
	h.rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusBadGateway) }
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	h.URL = h.srv.URL
	t.Cleanup(h.srv.Close)
	return h
}

// Set makes every request from now on meet f.
func (h *HTTP) Set(f Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fault = f
}

// Seen counts requests received; Faulted those the fault changed.
func (h *HTTP) Seen() int64    { return h.seen.Load() }
func (h *HTTP) Faulted() int64 { return h.faulted.Load() }

func (h *HTTP) serve(w http.ResponseWriter, r *http.Request) {
	h.seen.Add(1)
	h.mu.Lock()
	f := h.fault
	h.mu.Unlock()
	if f != (Fault{}) {
		h.faulted.Add(1)
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Reset:
		resetHTTP(w)
	case f.Status != 0:
		azureError(w, r, f.Status, f.Code)
	default:
		h.rp.ServeHTTP(w, r)
	}
}

// resetHTTP takes the connection from the server and resets it.
func resetHTTP(w http.ResponseWriter) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// azureError answers as the blob service does: the code in a header (a
// HEAD has no body) and in an XML body.
func azureError(w http.ResponseWriter, r *http.Request, status int, code string) {
	w.Header().Set("x-ms-error-code", code)
	w.Header().Set("Content-Type", "application/xml")
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>injected by faultproxy</Message></Error>`, code)
	}
}
