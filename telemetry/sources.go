package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sources are where the gauges and counters are read at scrape time. A nil
// function leaves its metrics out.
type Sources struct {
	Pool   func() Pool        // the database pool in use
	Token  func() time.Time   // when the database token expires; zero before the first, nil in password mode
	Caches func() []CacheHits // lookups of each cache since start
}

// Pool is the database pool's state.
type Pool struct {
	Generation                      int64 // pools built so far (one more per token rotation)
	Total, Idle, Acquired, MaxConns int32
}

// CacheHits are one cache's lookups since start.
type CacheHits struct {
	Cache        string
	Hits, Misses int64
}

var (
	poolConns = prometheus.NewDesc("tilefunc_db_pool_connections",
		"Connections of the database pool in use, by state (total, idle, acquired, max).", []string{"state"}, nil)
	poolGeneration = prometheus.NewDesc("tilefunc_db_pool_generation",
		"Database pools built since start: one more each time the Entra token is rotated.", nil, nil)
	tokenExpiry = prometheus.NewDesc("tilefunc_db_token_expiry_seconds",
		"Seconds until the database's Entra token expires (absent before the first token).", nil, nil)
	cacheHits = prometheus.NewDesc("tilefunc_cache_hits_total",
		"Cache lookups answered from the cache.", []string{"cache"}, nil)
	cacheMisses = prometheus.NewDesc("tilefunc_cache_misses_total",
		"Cache lookups that had to load.", []string{"cache"}, nil)
)

// sources is a collector that reads Sources when scraped.
type sources struct{ Sources }

func (s sources) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolGeneration, tokenExpiry, cacheHits, cacheMisses} {
		ch <- d
	}
}

func (s sources) Collect(ch chan<- prometheus.Metric) {
	if s.Pool != nil {
		p := s.Pool()
		for state, n := range map[string]int32{"total": p.Total, "idle": p.Idle, "acquired": p.Acquired, "max": p.MaxConns} {
			ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(n), state)
		}
		ch <- prometheus.MustNewConstMetric(poolGeneration, prometheus.GaugeValue, float64(p.Generation))
	}
	if s.Token != nil {
		if exp := s.Token(); !exp.IsZero() {
			ch <- prometheus.MustNewConstMetric(tokenExpiry, prometheus.GaugeValue, time.Until(exp).Seconds())
		}
	}
	if s.Caches != nil {
		for _, c := range s.Caches() {
			ch <- prometheus.MustNewConstMetric(cacheHits, prometheus.CounterValue, float64(c.Hits), c.Cache)
			ch <- prometheus.MustNewConstMetric(cacheMisses, prometheus.CounterValue, float64(c.Misses), c.Cache)
		}
	}
}
