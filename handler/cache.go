package handler

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"tilefunc"
)

// ttlCache keeps values for ttl, so a busy map does not ask the catalog
// the same question for every tile. It holds at most max entries and, when
// it is given a size, at most maxBytes of them; the oldest go first. Misses
// for one key load once, however many requests wait. A zero ttl disables
// it.
type ttlCache[V any] struct {
	mu       sync.Mutex
	ttl      time.Duration
	max      int
	maxBytes int64         // 0: bounded by entries only
	size     func(V) int64 // an entry's estimated bytes; nil: not counted
	order    *list.List    // of *cached[V], newest first
	items    map[string]*list.Element
	bytes    int64
	group    singleflight.Group
	// hits and misses count lookups, for /metrics.
	hits, misses atomic.Int64
}

type cached[V any] struct {
	key   string
	v     V
	at    time.Time
	bytes int64
}

func newTTLCache[V any](ttl time.Duration, max int) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, order: list.New(), items: map[string]*list.Element{}}
}

// newSizedCache is a ttlCache also bounded by the bytes size says each
// value takes.
func newSizedCache[V any](ttl time.Duration, max int, maxBytes int64, size func(V) int64) *ttlCache[V] {
	c := newTTLCache[V](ttl, max)
	c.maxBytes, c.size = maxBytes, size
	return c
}

// get returns the value for key, calling load on a miss or expiry, once
// for all the callers missing the same key. Errors are not cached.
func (c *ttlCache[V]) get(key string, load func() (V, error)) (V, error) {
	if c == nil || c.ttl <= 0 {
		return load()
	}
	if v, ok := c.lookup(key); ok {
		c.hits.Add(1)
		return v, nil
	}
	c.misses.Add(1)
	v, err, shared := c.group.Do(key, func() (any, error) {
		v, err := load()
		if err == nil {
			c.put(key, v)
		}
		return v, err
	})
	if shared && errors.Is(err, context.Canceled) {
		// The request that loaded went away; this one has not.
		return load()
	}
	return v.(V), err
}

func (c *ttlCache[V]) lookup(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		if en := e.Value.(*cached[V]); time.Since(en.at) < c.ttl {
			return en.v, true
		}
		c.remove(e)
	}
	var zero V
	return zero, false
}

// put stores v, then drops the oldest entries above the bounds. A value
// larger than the whole bound is not kept.
func (c *ttlCache[V]) put(key string, v V) {
	var n int64
	if c.size != nil {
		n = c.size(v)
		if c.maxBytes > 0 && n > c.maxBytes {
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
	c.items[key] = c.order.PushFront(&cached[V]{key, v, time.Now(), n})
	c.bytes += n
	for c.order.Len() > c.max || (c.maxBytes > 0 && c.bytes > c.maxBytes) {
		c.remove(c.order.Back())
	}
}

func (c *ttlCache[V]) remove(e *list.Element) {
	en := c.order.Remove(e).(*cached[V])
	delete(c.items, en.key)
	c.bytes -= en.bytes
}

// defaultTileItemsBytes bounds the tile → items cache: a low-zoom tile can
// be covered by hundreds of items, so a count alone does not bound memory.
const defaultTileItemsBytes = 64 << 20

// itemsSize estimates the memory items take as their JSON's length: the
// strings and numbers they hold, as pgSTAC sent them.
func itemsSize(items []tilefunc.Item) int64 {
	b, err := json.Marshal(items)
	if err != nil {
		return 0
	}
	return int64(len(b))
}

// CacheStats are a cache's lookups since start, and what it holds now.
type CacheStats struct {
	Name         string
	Hits, Misses int64
	Entries      int
	Bytes        int64 // estimated; 0 for caches bounded by entries only
}

func (c *ttlCache[V]) stats(name string) CacheStats {
	if c == nil {
		return CacheStats{Name: name}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Name: name, Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: c.order.Len(), Bytes: c.bytes}
}

// CacheStats are the lookups of the server's caches (resolved searches and
// collections, the items under a tile, items), for /metrics. Lookups with
// the caches disabled (TITILER_PGSTAC_CACHE_TTL=0) count as neither.
func (s *Server) CacheStats() []CacheStats {
	return []CacheStats{s.mosaics.stats("mosaics"), s.items.stats("tile_items"), s.itemDocs.stats("items")}
}
