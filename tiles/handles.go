package tiles

import (
	"container/list"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/airbusgeo/godal"

	"tilefunc/storage"
)

// KeepDatasets bounds the opened datasets kept between requests, over
// every asset (TILEFUNC_DATASET_HANDLES, 128 unless set): each holds its
// parsed header (a COG's directories) and its share of GDAL's block
// cache, whose size GDAL_CACHEMAX bounds. 0 keeps none. Call it before
// serving.
func KeepDatasets(n int) { assetHandles = newHandles(n) }

// handles keeps opened asset datasets between requests, so that a tile
// does not parse a COG's header again nor decode again the blocks GDAL's
// block cache holds for it (they belong to the dataset: closing it drops
// them). A GDAL dataset is not safe for concurrent use: each is lent to
// one reader at a time, and another reader of the same asset opens its
// own. Idle datasets beyond maxIdleHandles are closed, least recently
// returned first.
type handles struct {
	mu   sync.Mutex
	idle map[string][]*list.Element // by key, most recent last
	lru  *list.List                 // of idleHandle, least recent first
	max  int
}

type idleHandle struct {
	key string
	ds  *godal.Dataset
}

var assetHandles = newHandles(128)

func newHandles(max int) *handles {
	return &handles{idle: map[string][]*list.Element{}, lru: list.New(), max: max}
}

// take lends an idle dataset of key, or nil.
func (h *handles) take(key string) *godal.Dataset {
	h.mu.Lock()
	defer h.mu.Unlock()
	els := h.idle[key]
	if len(els) == 0 {
		return nil
	}
	el := els[len(els)-1]
	h.forget(key, el)
	return el.Value.(idleHandle).ds
}

// give takes back a dataset of key, closing the least recent beyond max.
func (h *handles) give(key string, ds *godal.Dataset) {
	h.mu.Lock()
	h.idle[key] = append(h.idle[key], h.lru.PushBack(idleHandle{key, ds}))
	var evicted []*godal.Dataset
	for h.lru.Len() > h.max {
		el := h.lru.Front()
		old := el.Value.(idleHandle)
		h.forget(old.key, el)
		evicted = append(evicted, old.ds)
	}
	h.mu.Unlock()
	for _, d := range evicted {
		d.Close()
	}
}

func (h *handles) forget(key string, el *list.Element) {
	h.lru.Remove(el)
	els := h.idle[key]
	for i, e := range els {
		if e == el {
			els = append(els[:i], els[i+1:]...)
			break
		}
	}
	if len(els) == 0 {
		delete(h.idle, key)
	} else {
		h.idle[key] = els
	}
}

// handleKey names what a dataset opened at path with opts reads, or ""
// when it cannot be named safely (then it is not kept). A blob's GDAL
// path names its version (its ETag); a local file is named by its inode,
// size and modification time, so a file replaced or rewritten in place is
// opened again. Files read over https have no version GDAL's path tells.
func handleKey(path string, opts []string) string {
	o := strings.Join(opts, "\x00")
	switch {
	case strings.HasPrefix(path, storage.BlobPrefix):
		return path + "\x00" + o
	case strings.HasPrefix(path, "/vsi"):
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	ino := uint64(0)
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return fmt.Sprintf("%s\x00%d:%d:%d\x00%s", path, ino, fi.Size(), fi.ModTime().UnixNano(), o)
}
