package handler_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A query whose client went away is cancelled on the server, not left
// waiting: with pgstac.searches locked, a search's info blocks; the client
// gives up, and tilefunc's backend stops waiting within a second or two
// (not at the 30 s statement timeout, nor when the lock goes).
func TestAnAbandonedQueryIsCancelledOnTheServer(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"metadata":{"name":"cancel"}}`)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, e.catalog.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE pgstac.searches IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	waiting := func() int {
		c, err := pgx.Connect(ctx, e.catalog.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tilefunc'
			AND datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(rctx, http.MethodGet, e.url+"/searches/"+id+"/info", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	for start := time.Now(); waiting() == 0; time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > time.Second {
			t.Fatal("the info's query never waited on the lock")
		}
	}
	if st := <-answered; st != 0 {
		t.Fatalf("the info answered %d under the lock", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for waiting() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("tilefunc's query still waits on the server 5 s after its client went away")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Backends killed under the pool (a server restart, an operator's
// pg_terminate_backend) cost no request: the query that finds its
// connection dead is tried again once, on a fresh one.
func TestKilledBackendsAreRetried(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"metadata":{"name":"killed"}}`)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, e.catalog.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for round := 0; round < 3; round++ {
		if r := get(t, e.url+"/searches/"+id+"/info"); r.status != http.StatusOK {
			t.Fatalf("round %d, before: %d %s", round, r.status, r.body)
		}
		var killed int
		if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'tilefunc' AND datname = current_database()`).Scan(&killed); err != nil || killed == 0 {
			t.Fatalf("round %d: killed %d backends: %v", round, killed, err)
		}
		if r := get(t, e.url+"/searches/"+id+"/info"); r.status != http.StatusOK {
			t.Fatalf("round %d, after %d backends were killed: %d %s", round, killed, r.status, r.body)
		}
	}
}
