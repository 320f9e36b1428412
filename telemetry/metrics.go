// Package telemetry is tilefunc's optional Prometheus metrics and
// OpenTelemetry traces, both off by default as in titiler-pgstac
// (TITILER_PGSTAC_API_METRICS_ENABLED, TITILER_PGSTAC_API_TELEMETRY_ENABLED).
// It reads the numbers it exports through plain functions of the packages
// that own them, so those packages need neither Prometheus nor OpenTelemetry.
package telemetry

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics counts requests and serves the Prometheus text format. Its
// registry is its own: nothing registered globally by a library shows up.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	serve    http.Handler
	ops      sync.Map // route template → operation: the rules are regexps, the routes few
}

// NewMetrics returns the request metrics, the Go runtime's and the
// process's collectors, and the gauges and counters read from src.
func NewMetrics(src Sources) *Metrics {
	m := &Metrics{
		// The names, labels and buckets are titiler-pgstac's (metrics.py), so
		// its dashboards keep working; function is tilefunc's own label.
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "titiler_pgstac_http_requests_total",
			Help: "Total HTTP requests by operation.",
		}, []string{"operation", "method", "status", "function"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "titiler_pgstac_http_request_duration_seconds",
			Help:    "HTTP request latency by operation.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"operation", "method", "function"}),
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.requests, m.duration, sources{src},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.serve = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

// ServeHTTP answers a scrape.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.serve.ServeHTTP(w, r) }

// Observe counts one answered request of the function whose route template
// is route. /healthz and /metrics are left out, as titiler-pgstac does.
func (m *Metrics) Observe(function, route, method string, status int, d time.Duration) {
	if route == "/healthz" || route == "/metrics" {
		return
	}
	op, ok := m.ops.Load(route)
	if !ok {
		op, _ = m.ops.LoadOrStore(route, Operation(route))
	}
	m.requests.WithLabelValues(op.(string), method, statusClass(status), function).Inc()
	m.duration.WithLabelValues(op.(string), method, function).Observe(d.Seconds())
}

// statusClass groups statuses as titiler-pgstac's instrumentator does
// (200 and 204 are both "2xx").
func statusClass(status int) string { return strconv.Itoa(status/100) + "xx" }

// operations are titiler-pgstac's operation labels, by route template, the
// first match winning (its _ROUTE_RULES): few values, so a dashboard's
// series stay few.
var operations = []struct {
	path *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`^/$`), "landing"},
	{regexp.MustCompile(`^/conformance$`), "conformance"},
	{regexp.MustCompile(`^/searches/register$`), "register_search"},
	{regexp.MustCompile(`^/searches/?$`), "list_searches"},
	{regexp.MustCompile(`^/searches/[^/]+/info$`), "search_info"},
	{regexp.MustCompile(`/tiles(/|$)`), "tiles"},
	{regexp.MustCompile(`/point/`), "point"},
	{regexp.MustCompile(`/items/`), "item"},
	{regexp.MustCompile(`^/collections/`), "collection"},
	{regexp.MustCompile(`^/searches/`), "search"},
	{regexp.MustCompile(`^/external`), "external"},
	{regexp.MustCompile(`^/tileMatrixSets`), "tms"},
	{regexp.MustCompile(`^/algorithms`), "algorithms"},
	{regexp.MustCompile(`^/colorMaps`), "colormaps"},
}

// Operation is titiler-pgstac's operation label of a route template.
func Operation(route string) string {
	if route == "" {
		return "unknown"
	}
	for _, o := range operations {
		if o.path.MatchString(route) {
			return o.name
		}
	}
	return "other"
}
