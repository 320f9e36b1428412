//go:build parity

package titilertests

import (
	"context"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The service: tests/test_health.py and tests/test_readonly.py. Their
// offline and read-only cases run on databases and servers of their own.

var healthPy = pyFile{"test_health.py", []pyTest{
	{"test_database_online", testDatabaseOnline},
	{"test_database_offline", testDatabaseOffline},
}}

// test_health.py::test_database_online
func testDatabaseOnline(c *check) {
	a := c.get("/healthz")
	a.wantStatus(200)
	c.assert(a.header.Get("Cache-Control") == "", "%v: Cache-Control %q", a, a.header.Get("Cache-Control"))
	c.assert(a.json().at("database_online").truthy(), "%v: database offline", a)
}

// test_health.py::test_database_offline. titiler's test makes the
// database fail under the server with mocks: a query that fails, then a
// pool with no connection to give. Over HTTP the database goes away under
// a server of its own: the first request finds its pooled connection
// broken, the next cannot connect.
func testDatabaseOffline(c *check) {
	db := c.srv.cat.database(c.t)
	off := c.srv.fork(start(c.t, db, c.srv.cat)).check(c.t)
	dropDatabase(c, db)
	for range 2 {
		a := off.get("/healthz")
		a.wantStatus(200)
		c.assert(!a.json().at("database_online").truthy(), "%v: database online", a)
	}
}

// dropDatabase drops db, ending its connections.
func dropDatabase(c *check, db string) {
	u, err := url.Parse(db)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv("TILEFUNC_TEST_ADMIN_URL"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()+" WITH (FORCE)"); err != nil {
		c.t.Fatal(err)
	}
}

var readonlyPy = pyFile{"test_readonly.py", []pyTest{
	{"read_only", func(c *check) { readonlyTests(c, true) }},
	{"read_write", func(c *check) { readonlyTests(c, false) }},
}}

// readonlyTests are test_readonly.py's tests on its fixture pgstac_ro: a
// database with one search registered, read-only when ro. (Its
// test_pgstac_config asks a route of its own test app, not ported.)
func readonlyTests(c *check, ro bool) {
	db := c.srv.cat.database(c.t, func(ctx context.Context, conn *pgx.Conn) error {
		// The search and metadata as titiler-pgstac's models write them,
		// with the search_path its connections use.
		if _, err := conn.Exec(ctx, "SET search_path TO pgstac, public"); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "SELECT * FROM search_query($1::jsonb, _metadata => $2::jsonb)",
			`{"collections":["noaa-emergency-response"],"filter-lang":"cql2-json"}`, `{"type":"mosaic","name":"noaa-emergency-response"}`); err != nil {
			return err
		}
		if ro {
			_, err := conn.Exec(ctx, "UPDATE pgstac.pgstac_settings SET value = true WHERE name = 'readonly'")
			return err
		}
		return nil
	})
	c = c.srv.fork(start(c.t, db, c.srv.cat)).check(c.t)

	// test_readonly.py::test_searches_ro
	a := c.get("/searches/list", "limit", "1")
	a.wantStatus(200)
	c.equal(a.req+" matched", a.json().at("context", "matched").value(), 1)
	id := a.json().at("searches", 0, "search", "hash").str()
	c.get("/searches/" + id + "/info").wantStatus(200)
	a = c.post("/searches/register", map[string]any{"collections": []string{"collection"}})
	if ro {
		// titiler raises ReadOnlyPgSTACError, which its app answers 500.
		a.wantStatus(pick(c, "D3", 500, 403))
	} else {
		a.wantStatus(200)
	}

	// test_readonly.py::test_collections_ro
	a = c.get("/collections/noaa-emergency-response/info")
	if ro {
		a.wantStatus(pick(c, "D4", 500, 200))
	} else {
		a.wantStatus(200)
	}
}
