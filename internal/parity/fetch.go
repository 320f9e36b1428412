// Package parity compares tilefunc with titiler-pgstac, the server it
// replaces: the same requests sent to both, their status codes matched one
// by one and a sample of their images compared pixel by pixel. The
// comparison itself (parity_test.go, build tag parity) runs with `make
// parity`; this file and compare.go are its harness.
package parity

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Response is one answer; Body is kept only for the requests asked for.
type Response struct {
	Status int    // 0 when the request failed before an answer
	Type   string // Content-Type
	Body   []byte
	Err    string // why there is no answer
}

// Run is every answer of one server to a list of requests, in list order.
type Run struct {
	Responses []Response
	Elapsed   time.Duration // wall time for the whole list
}

// Fetch sends GET base+path for every path with workers requests in flight
// at once, and keeps the bodies of the paths whose index keep accepts.
func Fetch(ctx context.Context, client *http.Client, base string, paths []string, workers int, keep func(int) bool) Run {
	run := Run{Responses: make([]Response, len(paths))}
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				run.Responses[i] = get(ctx, client, base+paths[i], keep(i))
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	run.Elapsed = time.Since(start)
	return run
}

func get(ctx context.Context, client *http.Client, url string, keepBody bool) Response {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Response{Err: err.Error()}
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{Err: err.Error()}
	}
	defer resp.Body.Close()
	r := Response{Status: resp.StatusCode, Type: resp.Header.Get("Content-Type")}
	// Read every body to the end, kept or not: the connection is reused
	// and the server's work (encoding, sending) is part of the timing.
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{Status: resp.StatusCode, Err: fmt.Sprintf("read body: %v", err)}
	}
	if keepBody || resp.StatusCode >= 400 {
		r.Body = b
	}
	return r
}

// Client is an HTTP client that keeps one connection per worker open.
func Client(workers int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = workers
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}
}
