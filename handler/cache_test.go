package handler_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"tilefunc"
	"tilefunc/handler"
	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
	"tilefunc/storage"
	"tilefunc/tiles"
)

// countingCatalog counts the catalog questions a server asks.
type countingCatalog struct {
	handler.Catalog
	searches, items atomic.Int64
}

func (c *countingCatalog) Search(ctx context.Context, hash string) (*tilefunc.Search, error) {
	c.searches.Add(1)
	return c.Catalog.Search(ctx, hash)
}

func (c *countingCatalog) Items(ctx context.Context, hash string, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	c.items.Add(1)
	return c.Catalog.Items(ctx, hash, bbox, o)
}

// With TITILER_PGSTAC_CACHE_TTL, the same tile asked again does not ask
// pgSTAC again for the search nor for the items under it.
func TestRepeatedTilesAskTheCatalogOnce(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	pg, err := pgstac.Open(cat.DatabaseURL, pgstac.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	counting := &countingCatalog{Catalog: pg}
	srv := &handler.Server{Catalog: counting, Search: defaults, CacheTTL: time.Minute, Logger: slog.New(slog.DiscardHandler),
		Renderer: tiles.NewRenderer(storage.NewResolver(nil, "", []string{testenv.COGDir(t)}, nil), 2)}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	e := &env{url: ts.URL, catalog: cat}
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	url := fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/124/92.png?assets=visual", ts.URL, id)
	for i := 0; i < 5; i++ {
		if r := get(t, url); r.status != 200 {
			t.Fatalf("tile: %d", r.status)
		}
	}
	if counting.searches.Load() != 1 || counting.items.Load() != 1 {
		t.Fatalf("5 identical tiles asked for the search %d times and the items %d times, want 1 and 1", counting.searches.Load(), counting.items.Load())
	}
	get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/125/92.png?assets=visual", ts.URL, id))
	if counting.items.Load() != 2 {
		t.Fatalf("another tile should search again: %d", counting.items.Load())
	}
}

// slowCatalog is a countingCatalog whose items take a while to come, as
// a busy pgSTAC's do, so that concurrent misses overlap.
type slowCatalog struct{ countingCatalog }

func (c *slowCatalog) Items(ctx context.Context, hash string, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	time.Sleep(100 * time.Millisecond)
	return c.countingCatalog.Items(ctx, hash, bbox, o)
}

func cachingServer(t *testing.T, cat handler.Catalog, itemsBytes int64) (*handler.Server, *env) {
	t.Helper()
	srv := &handler.Server{Catalog: cat, Search: defaults, CacheTTL: time.Minute, Logger: slog.New(slog.DiscardHandler),
		TileItemsCacheBytes: itemsBytes,
		Renderer:            tiles.NewRenderer(storage.NewResolver(nil, "", []string{testenv.COGDir(t)}, nil), 2)}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, &env{url: ts.URL}
}

func demoPG(t *testing.T) (*testenv.Catalog, *pgstac.Catalog) {
	t.Helper()
	cat := testenv.DemoCatalog(t, false)
	pg, err := pgstac.Open(cat.DatabaseURL, pgstac.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	return cat, pg
}

// Many clients asking for the same cold tile at once cost one pgSTAC
// items query, and all get the tile.
func TestConcurrentColdTileAsksTheCatalogOnce(t *testing.T) {
	_, pg := demoPG(t)
	slow := &slowCatalog{countingCatalog{Catalog: pg}}
	_, e := cachingServer(t, slow, 0)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	url := fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/124/92.png?assets=visual", e.url, id)
	const n = 12
	statuses := make(chan int, n)
	for range n {
		go func() {
			resp, err := http.Get(url)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	for range n {
		if s := <-statuses; s != http.StatusOK {
			t.Fatalf("a concurrent tile: %d", s)
		}
	}
	if got := slow.items.Load(); got != 1 {
		t.Fatalf("%d concurrent requests for a cold tile asked pgSTAC for its items %d times, want 1", n, got)
	}
}

// The items kept per tile stay under their byte bound however many
// tiles are asked; tiles pushed out are searched again.
func TestTileItemsCacheStaysUnderItsByteBound(t *testing.T) {
	_, pg := demoPG(t)
	counting := &countingCatalog{Catalog: pg}
	const bound = 4000
	srv, e := cachingServer(t, counting, bound)
	id := e.register(t, `{"collections":["demo-rgb","demo-elevation"]}`)
	tile := func(x, y int) string {
		return fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/8/%d/%d.png?assets=visual", e.url, id, x, y)
	}
	for x := 121; x <= 128; x++ {
		for y := 86; y <= 92; y++ {
			get(t, tile(x, y))
			st := tileItemsStats(srv)
			if st.Bytes > bound {
				t.Fatalf("after tile %d/%d the tile items cache holds %d bytes, above its bound %d", x, y, st.Bytes, bound)
			}
		}
	}
	st := tileItemsStats(srv)
	if st.Entries == 0 || st.Bytes == 0 {
		t.Fatalf("the cache keeps nothing: %+v", st)
	}
	before := counting.items.Load()
	get(t, tile(121, 86))
	if counting.items.Load() != before+1 {
		t.Fatal("the first tile, long pushed out, should be searched again")
	}
}

func tileItemsStats(s *handler.Server) handler.CacheStats {
	for _, c := range s.CacheStats() {
		if c.Name == "tile_items" {
			return c
		}
	}
	return handler.CacheStats{}
}
