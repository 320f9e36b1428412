package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/faultproxy"
	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

// dbFault is one database fault: inject starts it (and returns what it
// did, for the log), clear ends it.
type dbFault struct {
	name          string
	inject, clear func(t *testing.T) string
	hold          time.Duration // how long the fault lasts
	recoverWithin time.Duration
	mustFail      bool // the fault cannot be hidden by the retry: some 503 must show
}

// Database faults under steady load, one process through a TCP proxy the
// test controls: a restart (every connection reset, new ones refused for
// 2 s), backends killed by the server, connections reset on the wire,
// packets slower than the deadline, the role's connection slots all
// taken. Each: no 500, no answer past the deadline, answers 200 again
// soon after the fault clears, and the process back at rest afterwards
// (goroutines, pool connections = server backends <= the pool's maximum).
func TestDatabaseFaultsUnderLoad(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.Register)
	const password = "fault-test-password"
	if err := testenv.SetPassword(role, password, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	px := faultproxy.NewTCP(t, hostPort(t, cat.DatabaseURL))
	env := faultEnv("DATABASE_URL="+viaProxy(t, cat.DatabaseURL, px.Addr, role, password), "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t))
	base, _ := start(t, env...)
	id := registerID(t, base, `{"collections":["demo-rgb"]}`)
	paths := []string{
		"/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual",
		"/searches/" + id + "/info",
		"/collections/demo-rgb/tiles/WebMercatorQuad/8/127/92.png?assets=visual",
	}
	warm(t, base, paths)
	before := measure(t, base, cat.DatabaseURL)

	var held []*pgx.Conn
	faults := []dbFault{{
		name: "restart", hold: 2 * time.Second, recoverWithin: 2 * time.Second, mustFail: true,
		inject: func(t *testing.T) string { return sprint("reset ", px.Down(), " connections, refusing new ones") },
		clear:  func(t *testing.T) string { px.Up(t); return "listening again" },
	}, {
		name: "backends killed", hold: 1500 * time.Millisecond, recoverWithin: time.Second,
		inject: func(t *testing.T) string { return killEvery(t, cat.DatabaseURL, 300*time.Millisecond, 5) },
		clear:  func(t *testing.T) string { return "" },
	}, {
		name: "connections reset", hold: 1500 * time.Millisecond, recoverWithin: time.Second,
		inject: func(t *testing.T) string { return cutEvery(px, 300*time.Millisecond, 5) },
		clear:  func(t *testing.T) string { return "" },
	}, {
		name: "packets slower than the deadline", hold: 3 * time.Second, recoverWithin: faultDeadline + time.Second, mustFail: true,
		inject: func(t *testing.T) string { px.SetLatency(2 * faultDeadline); return "each chunk delayed 6 s" },
		clear:  func(t *testing.T) string { px.SetLatency(0); return "no delay" },
	}, {
		name: "connection slots taken", hold: 2 * time.Second, recoverWithin: 2 * time.Second, mustFail: true,
		inject: func(t *testing.T) string {
			held = takeSlots(t, cat.DatabaseURL, role, password, 3)
			return sprint("role limited to the 3 connections the test holds; ", kill(t, cat.DatabaseURL), " tilefunc backends killed")
		},
		clear: func(t *testing.T) string { releaseSlots(t, cat.DatabaseURL, role, held); return "slots released" },
	}}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			runDBFault(t, base, paths, cat.DatabaseURL, f, before)
		})
	}
}

func runDBFault(t *testing.T, base string, paths []string, dbURL string, f dbFault, before footprint) {
	tr := startTraffic(base, paths, 4)
	time.Sleep(time.Second)
	from := time.Now()
	t.Logf("fault: %s", f.inject(t))
	time.Sleep(time.Until(from.Add(f.hold)))
	t.Logf("cleared: %s", f.clear(t))
	cleared := time.Now()
	time.Sleep(f.recoverWithin + 2*time.Second)
	o := summarize(tr.halt(), from, cleared)
	o.check(t, f.recoverWithin)
	if f.mustFail && o.during[503] == 0 {
		t.Errorf("no 503 during the fault: it did not reach the requests")
	}
	settle(t, base, dbURL, before)
}

// killEvery terminates tilefunc's backends n times, every interval.
func killEvery(t *testing.T, dbURL string, every time.Duration, n int) string {
	total := 0
	for i := 0; i < n; i++ {
		total += kill(t, dbURL)
		time.Sleep(every)
	}
	if total == 0 {
		t.Errorf("no backend to kill")
	}
	return sprint(total, " backends terminated in ", n, " rounds")
}

// kill terminates every backend of application_name tilefunc on dbURL's
// database, as an administrator or a failover does (57P01).
func kill(t *testing.T, dbURL string) int {
	var n int
	withAdmin(t, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'tilefunc' AND datname = $1`, dbName(t, dbURL)).Scan(&n)
	})
	return n
}

// cutEvery resets the proxy's connections n times, every interval.
func cutEvery(px *faultproxy.TCP, every time.Duration, n int) string {
	total := 0
	for i := 0; i < n; i++ {
		total += px.Cut()
		time.Sleep(every)
	}
	return sprint(total, " connections reset in ", n, " rounds")
}

// takeSlots opens n connections as role, sets the role's CONNECTION
// LIMIT to n: the server then refuses the role's next login with 53300
// (too_many_connections), as a full server does.
func takeSlots(t *testing.T, dbURL, role, password string, n int) []*pgx.Conn {
	ctx := context.Background()
	var held []*pgx.Conn
	for i := 0; i < n; i++ {
		c, err := pgx.Connect(ctx, viaProxy(t, dbURL, hostPort(t, dbURL), role, password))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	asAdmin(t, "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" CONNECTION LIMIT "+sprint(n))
	return held
}

func releaseSlots(t *testing.T, dbURL, role string, held []*pgx.Conn) {
	asAdmin(t, "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" CONNECTION LIMIT -1")
	for _, c := range held {
		c.Close(context.Background())
	}
}

func asAdmin(t *testing.T, sql string) {
	withAdmin(t, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, sql)
		return err
	})
}

// withAdmin runs f on a connection of the administrator, within 5 s.
func withAdmin(t *testing.T, f func(context.Context, *pgx.Conn) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, adminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if err := f(ctx, c); err != nil {
		t.Fatal(err)
	}
}
