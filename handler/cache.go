package handler

import (
	"sync"
	"time"
)

// ttlCache keeps up to max values for ttl, so a busy map does not ask the
// catalog the same question for every tile. A zero ttl disables it.
type ttlCache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[string]cached[V]
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
		return e.v, nil
	}
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
