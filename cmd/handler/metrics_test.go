package main_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

// get answers GET base+path, failing the test on a transport error.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// scrape reads /metrics as Prometheus does.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics answered %d: %s", resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	return fams
}

// series is the metric of family name whose labels include want; nil if none.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

// value is a counter's or gauge's value, -1 when the series is absent.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	m := series(fams, name, labels)
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return -1
}

// /metrics counts requests as titiler-pgstac does (operation, method,
// grouped status; /healthz and /metrics left out), with the function that
// served each, and shows the pool, pool generation and cache gauges.
func TestMetricsCountRequestsPerOperation(t *testing.T) {
	cat := testenv.DemoCatalog(t, true) // COGs in Azurite, read through the block cache
	base, logs := start(t, "DATABASE_URL="+cat.DatabaseURL, "AZURE_STORAGE_CONNECTION_STRING="+testenv.Azurite(t),
		"TITILER_PGSTAC_API_METRICS_ENABLED=true")
	tile := base + "/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual"
	for _, u := range []string{tile, tile, tile + "&rescale=nope", base + "/colorMaps", base + "/healthz", base + "/nowhere"} {
		get(t, u)
	}
	get(t, base+"/metrics") // a scrape is not counted either

	fams := scrape(t, base)
	const reqs = "titiler_pgstac_http_requests_total"
	tileOK := map[string]string{"operation": "tiles", "method": "GET", "status": "2xx", "function": "collection_tile"}
	if n := value(fams, reqs, tileOK); n != 2 {
		t.Errorf("%s%v = %v, want 2", reqs, tileOK, n)
	}
	tileBad := map[string]string{"operation": "tiles", "method": "GET", "status": "4xx", "function": "collection_tile"}
	if n := value(fams, reqs, tileBad); n != 1 {
		t.Errorf("%s%v = %v, want 1 (the 422)", reqs, tileBad, n)
	}
	if n := value(fams, reqs, map[string]string{"operation": "colormaps", "function": "colormaps"}); n != 1 {
		t.Errorf("colormaps requests = %v, want 1", n)
	}
	for _, fn := range []string{"healthz", "metrics", ""} {
		if m := series(fams, reqs, map[string]string{"function": fn}); m != nil {
			t.Errorf("%s counts function %q: %v", reqs, fn, m)
		}
	}

	h := series(fams, "titiler_pgstac_http_request_duration_seconds", map[string]string{"operation": "tiles", "method": "GET", "function": "collection_tile"})
	if h == nil || h.Histogram.GetSampleCount() != 3 || h.Histogram.GetSampleSum() <= 0 {
		t.Fatalf("tile latency histogram %v, want 3 observations", h)
	}
	var bounds []float64
	for _, b := range h.Histogram.Bucket {
		bounds = append(bounds, b.GetUpperBound())
	}
	if want := []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, math.Inf(1)}; !equalFloats(bounds, want) {
		t.Errorf("buckets %v, want titiler-pgstac's %v", bounds, want)
	}

	for _, g := range []struct {
		name   string
		labels map[string]string
	}{
		{"tilefunc_db_pool_connections", map[string]string{"state": "total"}},
		{"tilefunc_db_pool_generation", nil},
		{"tilefunc_cache_misses_total", map[string]string{"cache": "mosaics"}},
		{"tilefunc_cache_hits_total", map[string]string{"cache": "mosaics"}},
		{"tilefunc_cache_misses_total", map[string]string{"cache": "blob_blocks"}},
		{"tilefunc_cache_hits_total", map[string]string{"cache": "blob_blocks"}},
	} {
		if v := value(fams, g.name, g.labels); v < 1 {
			t.Errorf("%s%v = %v, want at least 1", g.name, g.labels, v)
		}
	}
	if v := value(fams, "tilefunc_db_pool_connections", map[string]string{"state": "max"}); v != 10 {
		t.Errorf("pool max connections %v, want DB_MAX_CONN_SIZE's default 10", v)
	}
	if fams["go_goroutines"] == nil || fams["process_resident_memory_bytes"] == nil {
		t.Errorf("no Go runtime or process metrics")
	}
	if fams["tilefunc_db_token_expiry_seconds"] != nil {
		t.Errorf("a token expiry in password mode")
	}
	if strings.Contains(logs.String(), "postgres:postgres") {
		t.Errorf("the database password is in the log")
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Off by default: /metrics is 404 as titiler-pgstac is without the extra.
func TestMetricsAreOffByDefault(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	base, _ := start(t, "DATABASE_URL="+cat.DatabaseURL)
	st, b := get(t, base+"/metrics")
	var body struct{ Detail string }
	if st != http.StatusNotFound || json.Unmarshal(b, &body) != nil || body.Detail == "" {
		t.Fatalf("/metrics with metrics off: %d %s, want 404 {\"detail\": ...}", st, b)
	}
}

// The start-up story in managed-identity mode, in a few lines: the mode,
// the server and role, and when the token expires; never the token. The
// token gauge counts down to the same expiry.
func TestStartupSaysModeHostUserAndTokenExpiry(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	const lifetime = time.Hour
	ts := testenv.NewTokenServer(t, lifetime, func(tok string, exp time.Time) error { return testenv.SetPassword(role, tok, exp) })
	begin := time.Now()
	base, logs := start(t, append(miEnv(t, cat, role, ts), "TITILER_PGSTAC_API_METRICS_ENABLED=true")...)
	host, _, _ := testenv.Target(t, cat.DatabaseURL)

	ready := waitLine(t, logs, "database pool ready")
	exp, err := time.Parse(time.RFC3339, ready["token_expires_on"].(string))
	if err != nil || exp.Before(begin.Add(lifetime-2*time.Second)) || exp.After(time.Now().Add(lifetime+time.Second)) {
		t.Errorf("pool ready line %v: token_expires_on want about %s", ready, begin.Add(lifetime).UTC().Format(time.RFC3339))
	}
	db := waitLine(t, logs, "database with Entra tokens")
	if db["mode"] != "managed_identity" || db["host"] != host || db["user"] != role {
		t.Errorf("database line %v, want mode managed_identity, host %s, user %s", db, host, role)
	}
	if tel := waitLine(t, logs, "telemetry"); tel["metrics"] != true || tel["traces"] != false {
		t.Errorf("telemetry line %v", tel)
	}

	left := value(scrape(t, base), "tilefunc_db_token_expiry_seconds", nil)
	if left > lifetime.Seconds() || left < lifetime.Seconds()-60 {
		t.Errorf("tilefunc_db_token_expiry_seconds = %v, want a little under %v", left, lifetime.Seconds())
	}
	assertNoSecret(t, logs.String(), ts.Issued())
}

// waitLine is the first JSON log line whose msg is msg, waiting for it.
func waitLine(t *testing.T, logs interface{ String() string }, msg string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, l := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
				return m
			}
		}
	}
	t.Fatalf("no %q line in the log:\n%s", msg, logs)
	return nil
}

// In password mode the story names the server and role of DATABASE_URL,
// never its password.
func TestStartupInPasswordModeNamesHostAndUser(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	_, logs := start(t, "DATABASE_URL="+cat.DatabaseURL)
	host, port, db := testenv.Target(t, cat.DatabaseURL)
	line := waitLine(t, logs, "database with a password")
	if line["mode"] != "password" || line["host"] != host || fmt.Sprint(line["port"]) != port ||
		line["database"] != db || line["user"] != "postgres" {
		t.Errorf("database line %v, want mode password, %s:%s/%s as postgres", line, host, port, db)
	}
	if strings.Contains(logs.String(), "postgres:postgres") {
		t.Errorf("the password is in the log")
	}
}
