package main_test

import (
	"testing"
	"time"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

// A token endpoint outage that spans the token's end, under load: the
// pool keeps serving past the token's refresh point on the connections it
// has; once the database refuses the token, new logins fail and answers
// are 503 with Retry-After (never 500, never past the deadline); when the
// endpoint returns, a new token and pool serve within seconds, and the
// process is back at rest.
//
// The cache refreshes 5 minutes before expiry (identity.Cache.Margin, not
// settable from outside), so a token that really ends within the test
// would be refreshed on every request. Instead the token's lifetime is the
// margin plus 6 s (its refresh is due 6 s after issue) and the database
// honours it for 12 s (VALID UNTIL issue+12 s): the end as the database
// sees it, which is what refuses the logins.
func TestTokenOutageAcrossExpiry(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	const honoured = 12 * time.Second
	var issued time.Time // of the first token
	ts := testenv.NewTokenServer(t, 5*time.Minute+6*time.Second, func(tok string, _ time.Time) error {
		if issued.IsZero() {
			issued = time.Now()
		}
		return testenv.SetPassword(role, tok, time.Now().Add(honoured))
	})
	base, logs := start(t, append(faultEnv(), miEnv(t, cat, role, ts)...)...)
	id := registerIDAsAdmin(t, cat)
	paths := []string{"/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual", "/searches/" + id + "/info"}
	warm(t, base, paths)
	before := measure(t, base, cat.DatabaseURL)
	gen := getHealth(t, base).Database.Generation

	tr := startTraffic(base, paths, 4)
	time.Sleep(2 * time.Second)
	from := time.Now()
	ts.Down()
	time.Sleep(time.Until(issued.Add(honoured + time.Second)))
	// Past the token's end: the connections the pool had still work (the
	// server checks a password at login only); kill them to make it log in.
	killed := kill(t, cat.DatabaseURL)
	time.Sleep(3 * time.Second)
	ts.Up(t)
	cleared := time.Now()
	time.Sleep(8 * time.Second)
	samples := tr.halt()
	o := summarize(samples, from, cleared)
	t.Logf("endpoint down %v, %d backends killed after the token's end", cleared.Sub(from).Round(time.Second), killed)
	// Retry-After is 5 s of the token cache plus a login: recovery within 7 s.
	o.check(t, 7*time.Second)
	if servedPastRefresh(samples, issued.Add(6*time.Second), issued.Add(honoured)) == 0 {
		t.Errorf("no answer 200 between the token's refresh point and its end: the pool did not serve on")
	}
	if o.during[503] == 0 {
		t.Errorf("no 503 while the database refused the token: the fault did not reach the requests")
	}
	if g := getHealth(t, base).Database.Generation; g <= gen {
		t.Errorf("pool generation %d after the endpoint returned, was %d: no new pool", g, gen)
	}
	settle(t, base, cat.DatabaseURL, before)
	assertNoSecret(t, logs.String(), ts.Issued())
}

// servedPastRefresh counts 200s that ended between a and b.
func servedPastRefresh(samples []sample, a, b time.Time) int {
	n := 0
	for _, s := range samples {
		if s.status == 200 && s.end.After(a) && s.end.Before(b) {
			n++
		}
	}
	return n
}
