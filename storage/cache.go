package storage

import (
	"container/list"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// blockSize is the unit of range reads and of the cache: a COG's header and
// a few tiles fit in one or two blocks.
const blockSize = 256 * 1024

// blockCache keeps recently read blocks of blobs across GDAL opens, so each
// tile does not download the same COG header again. Least recently used
// blocks go first.
type blockCache struct {
	mu    sync.Mutex
	max   int // blocks
	ll    *list.List
	items map[string]*list.Element
	group singleflight.Group
	// hits and misses count block lookups, for /metrics.
	hits, misses atomic.Int64
}

type block struct {
	key  string
	data []byte
}

func newBlockCache(megabytes int) *blockCache {
	return &blockCache{max: megabytes * 1024 * 1024 / blockSize, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *blockCache) get(k string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*block).data, true
	}
	return nil, false
}

func (c *blockCache) put(k string, data []byte) {
	if c.max == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.ll.PushFront(&block{k, data})
	for c.ll.Len() > c.max {
		e := c.ll.Back()
		c.ll.Remove(e)
		delete(c.items, e.Value.(*block).key)
	}
}

// drop forgets the blocks of key (a blob version found replaced), so they
// do not hold memory the new version needs.
func (c *blockCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prefix := key + "#"
	for k, e := range c.items {
		if strings.HasPrefix(k, prefix) {
			c.ll.Remove(e)
			delete(c.items, k)
		}
	}
}

// readAt fills buf from the blocks of a blob of the given size, fetching
// missing blocks with fetch (one download per block however many readers
// wait for it).
func (c *blockCache) readAt(key string, size int64, buf []byte, off int64, fetch func(off, n int64) ([]byte, error)) (int, error) {
	if off >= size {
		return 0, io.EOF
	}
	n := 0
	for n < len(buf) && off+int64(n) < size {
		pos := off + int64(n)
		b := pos / blockSize
		k := fmt.Sprintf("%s#%d", key, b)
		data, ok := c.get(k)
		if ok {
			c.hits.Add(1)
		} else {
			c.misses.Add(1)
			v, err, _ := c.group.Do(k, func() (any, error) {
				start := b * blockSize
				d, err := fetch(start, min(blockSize, size-start))
				if err == nil {
					c.put(k, d)
				}
				return d, err
			})
			if err != nil {
				return n, err
			}
			data = v.([]byte)
		}
		n += copy(buf[n:], data[pos-b*blockSize:])
	}
	if n < len(buf) {
		return n, io.EOF
	}
	return n, nil
}
