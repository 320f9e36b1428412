package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

// miEnv is the app settings of the seed's Step 7 for a role of the test
// database, reached through the local token endpoint.
func miEnv(t *testing.T, cat *testenv.Catalog, role string, ts *testenv.TokenServer) []string {
	host, port, db := testenv.Target(t, cat.DatabaseURL)
	env := []string{
		"USE_POSTGRES_MI=true", "LOCAL_MODE=false",
		"POSTGRES_HOST=" + host, "POSTGRES_PORT=" + port, "POSTGRES_DB=" + db, "POSTGRES_USER=" + role,
		"TILEFUNC_LOCAL_ASSET_DIRS=" + testenv.COGDir(t), "DB_MIN_CONN_SIZE=2", "DB_MAX_CONN_SIZE=6",
	}
	return append(env, ts.Env()...)
}

type health struct {
	DatabaseOnline bool `json:"database_online"`
	Database       struct {
		Auth           string `json:"auth"`
		Generation     int64  `json:"pool_generation"`
		TokenExpiresOn string `json:"token_expires_on"`
		TokenRequests  int64  `json:"token_requests"`
		Error          string `json:"error"`
	} `json:"database"`
}

func getHealth(t *testing.T, base string) health {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h health
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&h) != nil {
		t.Fatalf("healthz answered %d", resp.StatusCode)
	}
	return h
}

func register(t *testing.T, base, body string) (int, string) {
	resp, err := http.Post(base+"/searches/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func registerID(t *testing.T, base, body string) string {
	st, b := register(t, base, body)
	var out struct{ ID string }
	if st != 200 || json.Unmarshal([]byte(b), &out) != nil {
		t.Fatalf("register: %d %s", st, b)
	}
	return out.ID
}

// Tokens that expire every few seconds (their lifetime is the 5-minute
// refresh margin plus 12 s), steady tile and register traffic: no request
// fails, and each rotation costs exactly one token request.
func TestTokenRotationLosesNoRequest(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.Register)
	ts := testenv.NewTokenServer(t, 5*time.Minute+12*time.Second, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	base, logs := start(t, miEnv(t, cat, role, ts)...)
	id := registerID(t, base, `{"collections":["demo-rgb"]}`)

	var ok, failed atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var st int
				var body string
				if i%5 == 4 {
					st, body = register(t, base, fmt.Sprintf(`{"collections":["demo-rgb"],"metadata":{"name":"soak %d %d"}}`, w, i))
				} else {
					resp, err := http.Get(base + "/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual")
					if err != nil {
						t.Error(err)
						return
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					st, body = resp.StatusCode, string(b[:min(len(b), 200)])
				}
				if st == 200 {
					ok.Add(1)
				} else {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("%d %s", st, body))
				}
			}
		}(w)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for getHealth(t, base).Database.Generation < 4 && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	h := getHealth(t, base)
	t.Logf("%d requests served, %d failed, %d pools, %d token requests", ok.Load(), failed.Load(), h.Database.Generation, ts.Requests())
	if failed.Load() != 0 {
		t.Fatalf("%d requests failed, first: %v", failed.Load(), firstFailure.Load())
	}
	if h.Database.Generation < 4 {
		t.Fatalf("only %d pools in 2 minutes: want 3 rotations after the first", h.Database.Generation)
	}
	if ts.Requests() != h.Database.Generation {
		t.Fatalf("%d token requests for %d pools: want one token per rotation plus the first", ts.Requests(), h.Database.Generation)
	}
	if ok.Load() < 50 {
		t.Fatalf("only %d requests served: the traffic was not steady", ok.Load())
	}
	// Each pool built says so in one JSON line, with the time it took.
	swaps := regexp.MustCompile(`"msg":"database pool ready".*"swap_ms":(\d+)`).FindAllStringSubmatch(logs.String(), -1)
	if int64(len(swaps)) != h.Database.Generation {
		t.Fatalf("%d 'database pool ready' lines for %d pools", len(swaps), h.Database.Generation)
	}
	var ms []string
	for _, s := range swaps {
		ms = append(ms, s[1])
	}
	t.Logf("pool swap times (ms): %v", ms)
	assertNoSecret(t, logs.String(), ts.Issued())
}

// assertNoSecret fails when any token or the test cluster's password is in
// the logs.
func assertNoSecret(t *testing.T, logs string, tokens []string) {
	t.Helper()
	if len(tokens) == 0 {
		t.Fatal("no token was issued")
	}
	for _, tok := range tokens {
		if strings.Contains(logs, tok) || strings.Contains(logs, tok[11:40]) {
			t.Fatalf("an issued token is in the logs")
		}
	}
	if strings.Contains(logs, "postgres:postgres") {
		t.Fatalf("the admin password is in the logs")
	}
}

// With no token endpoint at start-up the process stays up, says why, and
// heals by itself when the endpoint comes back.
func TestTokenEndpointDownAtStartRecovers(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	ts.Down()
	base, logs := start(t, miEnv(t, cat, role, ts)...)

	h := getHealth(t, base)
	for start := time.Now(); !strings.Contains(h.Database.Error, "fix:") && time.Since(start) < 30*time.Second; h = getHealth(t, base) {
		time.Sleep(200 * time.Millisecond)
	}
	if h.DatabaseOnline || !strings.Contains(h.Database.Error, "token") || !strings.Contains(h.Database.Error, "fix:") {
		t.Fatalf("healthz should say the token is missing and how to fix it: %+v", h)
	}
	t.Logf("healthz with the endpoint down: %s", h.Database.Error)
	resp, err := http.Get(base + "/searches/0123456789abcdef0123456789abcdef/info")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), `"detail"`) || !strings.Contains(string(b), "token") {
		t.Fatalf("want 503 JSON with the reason, got %d %s", resp.StatusCode, b)
	}

	ts.Up(t)
	deadline := time.Now().Add(30 * time.Second)
	for !getHealth(t, base).DatabaseOnline {
		if time.Now().After(deadline) {
			t.Fatalf("did not recover within 30 s of the endpoint's return: %+v", getHealth(t, base))
		}
		time.Sleep(200 * time.Millisecond)
	}
	id := registerIDAsAdmin(t, cat)
	resp, err = http.Get(base + "/searches/" + id + "/tiles/WebMercatorQuad/8/124/92.png?assets=visual")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("tile after recovery: %d", resp.StatusCode)
	}
	assertNoSecret(t, logs.String(), ts.Issued())
}

// registerIDAsAdmin registers the RGB search with the database owner's
// password, for tests whose handler role may not register.
func registerIDAsAdmin(t *testing.T, cat *testenv.Catalog) string {
	c, err := pgstac.Open(cat.DatabaseURL, pgstac.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Register(t.Context(), []byte(`{"collections":["demo-rgb"]}`), []byte(`{"type":"mosaic"}`))
	if err != nil {
		t.Fatal(err)
	}
	return s.Hash
}

// The read-only grants that 'handler sql grants --mode readonly' prints
// serve tiles; registration gets a clear refusal, not a 500.
func TestReadOnlyRoleServesTilesAndRefusesRegistration(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	base, _ := start(t, miEnv(t, cat, role, ts)...)
	id := registerIDAsAdmin(t, cat)
	before := searchRows(t, cat.DatabaseURL)

	paths := []string{"/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual", "/searches/" + id + "/point/0.7,44.5?assets=visual"}
	for day := 1; day <= 5; day++ { // every datetime would be a new search row
		paths = append(paths, fmt.Sprintf("/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual&datetime=2000-01-%02dT00:00:00Z/..", day))
	}
	paths = append(paths, "/collections/demo-rgb/info", "/collections/demo-rgb/point/0.7,44.5?assets=visual")
	for _, path := range paths {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s with read-only grants: %d", path, resp.StatusCode)
		}
	}
	// The generated grants bound the role's statements, also behind a
	// PgBouncer that passes no startup parameter.
	c, err := pgx.Connect(context.Background(), cat.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var settings []string
	if err := c.QueryRow(context.Background(), `SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
		WHERE r.rolname = $1`, role).Scan(&settings); err != nil || !slices.Contains(settings, "statement_timeout=30s") {
		t.Fatalf("role settings %v (%v), want statement_timeout=30s", settings, err)
	}
	// Nothing a read-only role serves writes: no search stored, no use
	// counted, no search statistics (pgSTAC's functions would, being
	// SECURITY DEFINER).
	if after := searchRows(t, cat.DatabaseURL); after != before {
		t.Fatalf("searches, uses, search_wheres: %v before, %v after", before, after)
	}
	st, body := register(t, base, `{"collections":["demo-elevation"]}`)
	if st != http.StatusForbidden || !strings.Contains(body, "read-only") {
		t.Fatalf("register with read-only grants: want 403 saying read-only, got %d %s", st, body)
	}
}

// searchRows counts what pgSTAC writes for a search: the rows of searches,
// their uses, the rows of search_wheres.
func searchRows(t *testing.T, dbURL string) [3]int64 {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n [3]int64
	if err := c.QueryRow(ctx, `SELECT (SELECT count(*) FROM pgstac.searches), (SELECT coalesce(sum(usecount), 0) FROM pgstac.searches),
		(SELECT count(*) FROM pgstac.search_wheres)`).Scan(&n[0], &n[1], &n[2]); err != nil {
		t.Fatal(err)
	}
	return n
}

// Collection requests register their search, as titiler-pgstac does, only
// while pgstac.searches holds fewer rows than TILEFUNC_STORED_SEARCHES_MAX
// (pgSTAC's geojsonsearch adds a second row, without metadata, for each):
// past it, a request with a new datetime is served the same tile and
// writes nothing.
func TestCollectionSearchesStopRegisteringAtTheBound(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	bound := searchRows(t, cat.DatabaseURL)[0] + 3
	base, _ := start(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t), fmt.Sprint("TILEFUNC_STORED_SEARCHES_MAX=", bound))
	var rows []int64
	for day := 1; day <= 6; day++ {
		path := fmt.Sprintf("/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual&datetime=2000-01-%02dT00:00:00Z/..", day)
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		n := searchRows(t, cat.DatabaseURL)
		if n[2] != 0 {
			t.Fatalf("%d search_wheres rows", n[2])
		}
		rows = append(rows, n[0])
	}
	// The first registers (2 rows), the second too (below the bound),
	// then nothing: at most one request's rows past the bound.
	if rows[0] != bound-1 || rows[1] != bound+1 || rows[5] != rows[1] {
		t.Fatalf("searches after each request: %v, want %d, %d, then no more (bound %d)", rows, bound-1, bound+1, bound)
	}
}
