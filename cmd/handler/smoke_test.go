package main_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

// smokeKey is a key as the Functions host makes them: random, so a test
// that finds it in the output has found a leak; make test's log scan
// looks for it in the server logs too.
func smokeKey() string {
	b := make([]byte, 24)
	rand.Read(b)
	key := "fk-" + hex.EncodeToString(b)
	testenv.NoteSecret(key)
	return key
}

// checkLines are the output's lines that start with prefix, by check name.
func checkLines(out, prefix string) map[string]string {
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			name, _, _ := strings.Cut(rest, ":")
			lines[name] = l
		}
	}
	return lines
}

// After a rollout: the server logs in with the identity's tokens and asks
// a key for registration; `handler smoke` with that key passes every check
// and shows the token's expiry as /healthz has it, and never the key.
func TestSmokePassesAgainstAServerWithTokens(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.Register)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	key := smokeKey()
	base, logs := start(t, append(miEnv(t, cat, role, ts), "TILEFUNC_REGISTER_KEY="+key)...)

	out, err := runBinary(t, nil, "smoke", "-key", key, "-collection", "demo-rgb", base)
	t.Logf("handler smoke:\n%s", out)
	if err != nil {
		t.Fatalf("smoke failed: %v", err)
	}
	ok := checkLines(out, "ok   ")
	for name, want := range map[string]string{
		"healthz":  "managed_identity token expires " + getHealth(t, base).Database.TokenExpiresOn,
		"register": "for collection demo-rgb, with the key: search ",
		"tile":     " PNG, ",
		"wmts":     " layers, WebMercatorQuad tiles at " + base,
	} {
		if !strings.Contains(ok[name], want) {
			t.Errorf("no ok %s line with %q", name, want)
		}
	}
	if m := regexp.MustCompile(`(\d+)% of it opaque`).FindStringSubmatch(ok["tile"]); m == nil || m[1] == "0" {
		t.Errorf("the tile is not rendered where the item has data: %q", ok["tile"])
	}
	if strings.Contains(out, "FAIL") || strings.Contains(out, key) {
		t.Errorf("a FAIL line, or the key, in the output")
	}

	// The key as the portal's function URL carries it, and the collection
	// from the search the first run stored.
	out, err = runBinary(t, nil, "smoke", base+"/?code="+key)
	if err != nil || !strings.Contains(out, "ok   register: POST /searches/register for collection demo-rgb, with the key: search ") ||
		strings.Contains(out, key) {
		t.Fatalf("smoke with ?code=: %v\n%s", err, out)
	}
	assertNoSecret(t, logs.String()+out, ts.Issued())
}

// With no database behind it the server still answers /healthz: smoke
// says the database is offline, with the fix, and skips the rest.
func TestSmokeFailsWhenTheDatabaseIsGone(t *testing.T) {
	base, _ := start(t, "DATABASE_URL=postgresql://postgres:s3cret@127.0.0.1:"+freePort(t)+"/tilefunc?sslmode=disable")
	out, err := runBinary(t, nil, "smoke", base)
	t.Logf("handler smoke:\n%s", out)
	if err == nil {
		t.Fatal("smoke passed without a database")
	}
	fail := checkLines(out, "FAIL ")
	if !strings.Contains(fail["healthz"], "database offline") || !regexp.MustCompile(`(?m)^FAIL healthz: .*\n     fix: \S`).MatchString(out) ||
		!strings.Contains(out, "skip register, tile, wmts") || strings.Contains(out, "ok   ") {
		t.Errorf("want a FAIL healthz line saying the database is offline, a fix line, the rest skipped")
	}
	if strings.Contains(out, "s3cret") {
		t.Error("the database password is in the output")
	}
}

// A wrong key, or none, where registration needs one: the register check
// fails naming the 401, and the tile and the WMTS document are still
// checked on the collection's own mosaic.
func TestSmokeNamesARefusedKey(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	base, _ := start(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t), "TILEFUNC_REGISTER_KEY="+smokeKey())
	wrong := smokeKey()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"a wrong key", []string{"-key", wrong}, "answered 401: the key given is not one of this app's"},
		{"no key", nil, "answered 401 without a key: the deployment needs the function key"},
	} {
		out, err := runBinary(t, nil, append(append([]string{"smoke", "-collection", "demo-elevation", "-params", "rescale=0,3000"}, c.args...), base)...)
		t.Logf("handler smoke with %s:\n%s", c.name, out)
		if err == nil {
			t.Fatalf("smoke passed with %s", c.name)
		}
		ok, fail := checkLines(out, "ok   "), checkLines(out, "FAIL ")
		if !strings.Contains(fail["register"], c.want) || !regexp.MustCompile(`(?m)^FAIL register: .*\n     fix: pass the app's function key`).MatchString(out) {
			t.Errorf("%s: want FAIL register saying %q, with the fix", c.name, c.want)
		}
		if ok["healthz"] == "" || !strings.Contains(ok["tile"], "/collections/demo-elevation/tiles/WebMercatorQuad/") || ok["wmts"] == "" || len(fail) != 1 {
			t.Errorf("%s: want healthz, tile (of the collection) and wmts ok, register alone failed", c.name)
		}
		if strings.Contains(out, wrong) {
			t.Errorf("%s: the key is in the output", c.name)
		}
	}
}

// A front end that redirects registration elsewhere: smoke does not
// follow, so the key's header never reaches the other host, and says
// where the redirect pointed.
func TestSmokeSendsTheKeyNowhereElse(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	base, _ := start(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t))
	var leaked atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-functions-key") != "" || r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer elsewhere.Close()
	target, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/searches/register" {
			http.Redirect(w, r, elsewhere.URL+"/searches/register", http.StatusTemporaryRedirect)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	out, err := runBinary(t, nil, "smoke", "-key", smokeKey(), "-collection", "demo-rgb", front.URL)
	t.Logf("handler smoke:\n%s", out)
	if err == nil || !strings.Contains(checkLines(out, "FAIL ")["register"], "answered 307: a redirect to "+elsewhere.URL+"/searches/register (not followed)") {
		t.Errorf("want FAIL register naming the redirect")
	}
	if leaked.Load() != 0 {
		t.Fatalf("the key reached the host the redirect named")
	}
}
