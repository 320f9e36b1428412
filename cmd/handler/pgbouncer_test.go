package main_test

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

// Function instances share a server through Azure's built-in PgBouncer
// (transaction pooling, Entra tokens accepted): the tile path works through
// a real PgBouncer with token logins, under concurrent load.
func TestTilesThroughPgBouncerInTransactionMode(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.Register)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	bouncer := testenv.PgBouncer(t)
	env := miEnv(t, cat, role, ts)
	for i, kv := range env {
		if len(kv) > 14 && kv[:14] == "POSTGRES_PORT=" {
			env[i] = "POSTGRES_PORT=" + bouncer
		}
	}
	env = append(env, "TILEFUNC_PGBOUNCER=true", "DB_MAX_CONN_SIZE=8")
	base, logs := start(t, env...)
	defer func() {
		if t.Failed() {
			t.Logf("handler log:\n%s", logs)
		}
	}()

	id := registerID(t, base, `{"collections":["demo-rgb"],"metadata":{"name":"through pgbouncer"}}`)
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				resp, err := http.Get(base + "/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual")
				if err != nil {
					errs <- err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- string(b)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("a tile through PgBouncer failed: %s", e)
	}
	if h := getHealth(t, base); !h.DatabaseOnline {
		t.Fatalf("healthz through PgBouncer: %+v", h)
	}
}
