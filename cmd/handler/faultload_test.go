package main_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/testenv"
)

// The fault tests' process: a 3 s request deadline bounds any hang, the
// catalog and block caches are off, and no dataset is kept between
// requests (its blocks would stay in GDAL's cache), so that every request
// meets the fault,
// and /metrics shows goroutines and pool connections.
const (
	faultDeadline = 3 * time.Second
	faultMaxConns = 6
)

func faultEnv(extra ...string) []string {
	return append([]string{"TILEFUNC_REQUEST_TIMEOUT=3", "TITILER_PGSTAC_CACHE_TTL=0", "TILEFUNC_BLOB_CACHE_MB=0", "TILEFUNC_DATASET_HANDLES=0",
		"TITILER_PGSTAC_API_METRICS_ENABLED=true", "DB_MIN_CONN_SIZE=2", fmt.Sprint("DB_MAX_CONN_SIZE=", faultMaxConns)}, extra...)
}

// sample is one request's answer as a client saw it.
type sample struct {
	end        time.Time
	status     int // -1: no answer (transport error or client timeout)
	took       time.Duration
	retryAfter bool
	body       string
}

// traffic is steady client load: workers cycling through paths.
type traffic struct {
	client  *http.Client
	mu      sync.Mutex
	samples []sample
	stop    chan struct{}
	wg      sync.WaitGroup
}

// startTraffic runs workers until halt. The client waits 5 s past the
// deadline, so a hang shows as status -1 rather than as a stuck test.
func startTraffic(base string, paths []string, workers int) *traffic {
	tr := &traffic{client: &http.Client{Timeout: faultDeadline + 5*time.Second}, stop: make(chan struct{})}
	for w := 0; w < workers; w++ {
		tr.wg.Add(1)
		go func(w int) {
			defer tr.wg.Done()
			for i := w; ; i++ {
				select {
				case <-tr.stop:
					return
				default:
				}
				tr.record(tr.do(base + paths[i%len(paths)]))
			}
		}(w)
	}
	return tr
}

func (tr *traffic) do(u string) sample {
	t0 := time.Now()
	resp, err := tr.client.Get(u)
	if err != nil {
		return sample{end: time.Now(), status: -1, took: time.Since(t0), body: err.Error()}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return sample{end: time.Now(), status: resp.StatusCode, took: time.Since(t0),
		retryAfter: resp.Header.Get("Retry-After") != "", body: string(b[:min(len(b), 160)])}
}

func (tr *traffic) record(s sample) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.samples = append(tr.samples, s)
}

// halt stops the workers and closes the client's idle connections, so
// they do not count as the server's goroutines afterwards.
func (tr *traffic) halt() []sample {
	close(tr.stop)
	tr.wg.Wait()
	tr.client.CloseIdleConnections()
	return tr.samples
}

// outcome is what an operator reads off a fault: answers by status, the
// slowest answer, and how long after the fault cleared answers stayed bad.
type outcome struct {
	counts       map[int]int
	during       map[int]int // answers to requests under way at some time between the fault's start and its end
	slowest      time.Duration
	noRetryAfter int           // 503s without Retry-After
	recovery     time.Duration // last bad answer's end minus the clearing
	okAfter      int           // 200s after recovery
	first        map[int]string
}

func summarize(samples []sample, from, cleared time.Time) outcome {
	o := outcome{counts: map[int]int{}, during: map[int]int{}, first: map[int]string{}}
	for _, s := range samples {
		o.counts[s.status]++
		// A request is under the fault when its span meets the fault's: with
		// every client held by a stalled request begun just before the fault,
		// none begins inside it (seen on a slow host: 4 503s, none counted).
		if began := s.end.Add(-s.took); s.end.After(from) && !began.After(cleared) {
			o.during[s.status]++
		}
		o.slowest = max(o.slowest, s.took)
		if s.status == http.StatusServiceUnavailable && !s.retryAfter {
			o.noRetryAfter++
		}
		if _, ok := o.first[s.status]; !ok && s.status != 200 {
			o.first[s.status] = s.body
		}
		if s.status != 200 && s.end.After(cleared) {
			o.recovery = max(o.recovery, s.end.Sub(cleared))
		}
	}
	for _, s := range samples {
		if s.status == 200 && s.end.After(cleared.Add(o.recovery)) {
			o.okAfter++
		}
	}
	return o
}

func (o outcome) String() string {
	return fmt.Sprintf("all %s, during the fault %s, slowest %v, recovery %v after clearing, %d ok after",
		statusList(o.counts), statusList(o.during), o.slowest.Round(time.Millisecond), o.recovery.Round(time.Millisecond), o.okAfter)
}

func statusList(m map[int]int) string {
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d:%d", k, m[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// check fails on what must never happen under a fault (see problems).
func (o outcome) check(t *testing.T, recoverWithin time.Duration, allowed ...int) {
	t.Helper()
	t.Log(o)
	for _, p := range o.problems(recoverWithin, allowed...) {
		t.Error(p)
	}
}

// problems lists what must never happen under a fault: an answer other
// than 200, 503 with Retry-After or one of allowed; an answer later than
// the deadline allows; a recovery slower than recoverWithin.
func (o outcome) problems(recoverWithin time.Duration, allowed ...int) []string {
	var ps []string
	for st, n := range o.counts {
		if st != 200 && st != http.StatusServiceUnavailable && !contains(allowed, st) {
			ps = append(ps, fmt.Sprintf("%d answers of status %d, first: %s", n, st, o.first[st]))
		}
	}
	if o.noRetryAfter > 0 {
		ps = append(ps, fmt.Sprintf("%d 503 answers without Retry-After", o.noRetryAfter))
	}
	if o.slowest > faultDeadline+time.Second {
		ps = append(ps, fmt.Sprintf("an answer took %v, past the %v deadline", o.slowest, faultDeadline))
	}
	if o.recovery > recoverWithin {
		ps = append(ps, fmt.Sprintf("answers stayed bad %v after the fault cleared, want at most %v", o.recovery, recoverWithin))
	}
	if o.okAfter < 3 {
		ps = append(ps, fmt.Sprintf("only %d answers 200 after recovery", o.okAfter))
	}
	return ps
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// footprint is what the process holds at rest: goroutines, the pool's
// connections and the server's backends of application_name tilefunc.
type footprint struct {
	goroutines, poolTotal float64
	backends              int
}

func measure(t *testing.T, base, dbURL string) footprint {
	t.Helper()
	fams := scrape(t, base)
	return footprint{
		goroutines: value(fams, "go_goroutines", nil),
		poolTotal:  value(fams, "tilefunc_db_pool_connections", map[string]string{"state": "total"}),
		backends:   backends(t, dbURL),
	}
}

// backends counts the server's tilefunc sessions on dbURL's database.
func backends(t *testing.T, dbURL string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tilefunc'
		AND datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// goroutineSlack allows the few goroutines of the server's idle
// keep-alive connections (the metrics scrape's own).
const goroutineSlack = 4

// settle waits up to 15 s for the process to come back to rest: no more
// goroutines than before the fault, no backend the pool does not hold, no
// more than the pool's maximum. It fails the test if it does not.
func settle(t *testing.T, base, dbURL string, before footprint) footprint {
	t.Helper()
	var now footprint
	deadline := time.Now().Add(15 * time.Second)
	for {
		now = measure(t, base, dbURL)
		rest := now.goroutines <= before.goroutines+goroutineSlack && now.backends <= faultMaxConns &&
			float64(now.backends) == now.poolTotal
		if rest {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("no rest 15 s after the fault: goroutines %v (before %v), backends %d, pool connections %v (max %d)",
				now.goroutines, before.goroutines, now.backends, now.poolTotal, faultMaxConns)
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("at rest: goroutines %v (before %v), backends %d = pool %v", now.goroutines, before.goroutines, now.backends, now.poolTotal)
	return now
}

// viaProxy is dbURL with its host and port replaced by addr, and user and
// password by the given ones (empty: kept).
func viaProxy(t *testing.T, dbURL, addr, user, password string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// hostPort is dbURL's host:port.
func hostPort(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func sprint(a ...any) string { return fmt.Sprint(a...) }

// adminURL is the test cluster's superuser connection.
func adminURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TILEFUNC_TEST_ADMIN_URL")
	if u == "" {
		t.Fatal("TILEFUNC_TEST_ADMIN_URL is not set: eval \"$(bash scripts/env.sh)\"")
	}
	return u
}

func dbName(t *testing.T, dbURL string) string {
	_, _, db := testenv.Target(t, dbURL)
	return db
}

// warm asks each path once and fails unless each answers 200.
func warm(t *testing.T, base string, paths []string) {
	t.Helper()
	for _, p := range paths {
		if st, b := get(t, base+p); st != 200 {
			t.Fatalf("%s before any fault: %d %s", p, st, b[:min(len(b), 200)])
		}
	}
}
