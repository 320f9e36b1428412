package handler

import (
	"sync"
	"sync/atomic"
	"time"
)

// ttlCache keeps up to max values for ttl, so a busy map does not ask the
// catalog the same question for every tile. A zero ttl disables it.
type ttlCache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[string]cached[V]
	// hits and misses count lookups, for /metrics.
	hits, misses atomic.Int64
}

type cached[V any] struct {
	v  V
	at time.Time
}

func newTTLCache[V any](ttl time.Duration, max int) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, items: map[string]cached[V]{}}
}

// get returns the value for key, calling load on a miss or expiry. Errors
// are not cached.
func (c *ttlCache[V]) get(key string, load func() (V, error)) (V, error) {
	if c == nil || c.ttl <= 0 {
		return load()
	}
	c.mu.Lock()
	e, ok := c.items[key]
	c.mu.Unlock()
	if ok && time.Since(e.at) < c.ttl {
		c.hits.Add(1)
		return e.v, nil
	}
	c.misses.Add(1)
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		c.evict()
	}
	c.items[key] = cached[V]{v, time.Now()}
	return v, nil
}

// evict drops expired entries, or everything when none has expired: a
// cache this small is cheaper to refill than to order.
func (c *ttlCache[V]) evict() {
	for k, e := range c.items {
		if time.Since(e.at) >= c.ttl {
			delete(c.items, k)
		}
	}
	if len(c.items) >= c.max {
		clear(c.items)
	}
}

// CacheStats are a cache's lookups since start.
type CacheStats struct {
	Name         string
	Hits, Misses int64
}

func (c *ttlCache[V]) stats(name string) CacheStats {
	if c == nil {
		return CacheStats{Name: name}
	}
	return CacheStats{Name: name, Hits: c.hits.Load(), Misses: c.misses.Load()}
}

// CacheStats are the lookups of the server's caches (resolved searches and
// collections, the items under a tile, items), for /metrics. Lookups with
// the caches disabled (TITILER_PGSTAC_CACHE_TTL=0) count as neither.
func (s *Server) CacheStats() []CacheStats {
	return []CacheStats{s.mosaics.stats("mosaics"), s.items.stats("tile_items"), s.itemDocs.stats("items")}
}
