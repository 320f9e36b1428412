// Package bench measures tilefunc against titiler-pgstac for `make bench`:
// it replays the same requests against one server at a time with vegeta,
// reads each server's CPU time and peak memory from /proc, and writes the
// report. The orchestration (databases, servers, passes) is bench_test.go,
// run with -tags bench.
package bench

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Load is what one replay of the requests measured.
type Load struct {
	Requests int
	Elapsed  time.Duration // first request sent to last answer read
	Statuses map[int]int   // 0: no answer (refused, timed out)
	ByPath   map[string]int
	P50      time.Duration
	P95      time.Duration
	P99      time.Duration
	Errors   []string // the first few transport errors and 4xx/5xx answers
	// Stages sums the Server-Timing metrics of the answers (ms), by name.
	Stages map[string]float64
	Timed  int // answers that carried a Server-Timing header
}

// Rate is the answers per second.
func (l Load) Rate() float64 { return float64(l.Requests) / l.Elapsed.Seconds() }

// Replay sends base+path for every path, in order, from at most
// concurrency clients at once, each sending its next request when its last
// is answered (a closed loop, as siege and titiler-pgstac's benchmark do).
func Replay(base string, paths []string, concurrency int) Load {
	next, mu := 0, sync.Mutex{}
	targeter := func(t *vegeta.Target) error {
		mu.Lock()
		defer mu.Unlock()
		if next == len(paths) {
			return vegeta.ErrNoTargets
		}
		t.Method, t.URL, t.Header = http.MethodGet, base+paths[next], http.Header{}
		next++
		return nil
	}
	a := vegeta.NewAttacker(
		vegeta.Workers(uint64(concurrency)), vegeta.MaxWorkers(uint64(concurrency)),
		vegeta.Connections(concurrency), vegeta.KeepAlive(true), vegeta.Timeout(60*time.Second),
		vegeta.Redirects(vegeta.NoFollow), // every body is read whole, so connections are reused
	)
	load := Load{Statuses: map[int]int{}, ByPath: map[string]int{}, Stages: map[string]float64{}}
	var lat []time.Duration
	var first, last time.Time
	for r := range a.Attack(vegeta.Targeter(targeter), vegeta.Rate{Freq: 0}, 0, "bench") {
		if r.URL == "" && r.Error == vegeta.ErrNoTargets.Error() {
			continue // a client that found the list done
		}
		load.Requests++
		load.Statuses[int(r.Code)]++
		load.ByPath[strings.TrimPrefix(r.URL, base)] = int(r.Code)
		lat = append(lat, r.Latency)
		if first.IsZero() || r.Timestamp.Before(first) {
			first = r.Timestamp
		}
		if r.End().After(last) {
			last = r.End()
		}
		if (r.Error != "" || r.Code >= 400) && len(load.Errors) < 5 {
			load.Errors = append(load.Errors, fmt.Sprintf("%s: %d %s %.200s", strings.TrimPrefix(r.URL, base), r.Code, r.Error, r.Body))
		}
		if st := r.Headers.Get("Server-Timing"); st != "" {
			load.Timed++
			for name, ms := range ServerTiming(st) {
				load.Stages[name] += ms
			}
		}
	}
	load.Elapsed = last.Sub(first)
	slices.Sort(lat)
	load.P50, load.P95, load.P99 = quantile(lat, 0.50), quantile(lat, 0.95), quantile(lat, 0.99)
	return load
}

// quantile of sorted latencies, nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ServerTiming reads a Server-Timing header's durations: "read;dur=1.5,
// encode;dur=2" is read 1.5 and encode 2 (ms).
func ServerTiming(h string) map[string]float64 {
	out := map[string]float64{}
	for _, metric := range strings.Split(h, ",") {
		parts := strings.Split(strings.TrimSpace(metric), ";")
		for _, p := range parts[1:] {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "dur="); ok {
				if ms, err := strconv.ParseFloat(v, 64); err == nil {
					out[parts[0]] = ms
				}
			}
		}
	}
	return out
}
