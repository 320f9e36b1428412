package handler_test

import (
	"context"
	"fmt"
	"log/slog"
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
