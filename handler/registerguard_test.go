package handler_test

import (
	"net/http"
	"strings"
	"testing"

	"tilefunc/handler"
	"tilefunc/internal/testenv"
)

// With a registration key, POST /searches/register needs it as a bearer
// token (401 naming how, with WWW-Authenticate); the key is never echoed.
// Each client has its own rate: past it, 429 with Retry-After, while
// another client (by the address the proxy on loopback added) registers.
func TestRegistrationNeedsTheKeyAndKeepsToItsRate(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	testenv.NoteSecret("s3cret-k3y")
	url, logs := serve(t, cat.DatabaseURL, nil, []string{testenv.COGDir(t)}, "", func(s *handler.Server) {
		s.Register = &handler.RegisterGuard{Key: "s3cret-k3y", PerHour: 10} // a burst of 1
	})
	body := `{"collections":["demo-rgb"]}`
	reg := func(auth, client string) response {
		h := map[string]string{"Content-Type": "application/json"}
		if auth != "" {
			h["Authorization"] = auth
		}
		if client != "" {
			h["X-Forwarded-For"] = "203.0.113.9, " + client
		}
		return request(t, http.MethodPost, url+"/searches/register", body, h)
	}
	for _, auth := range []string{"", "Bearer wrong", "Basic czNjcmV0LWszeQ==", "s3cret-k3y"} {
		r := reg(auth, "198.51.100.1")
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != "Bearer" || !strings.Contains(string(r.body), "Bearer") {
			t.Fatalf("Authorization %q: %d %q %s", auth, r.status, r.header.Get("WWW-Authenticate"), r.body)
		}
	}
	if r := reg("Bearer s3cret-k3y", "198.51.100.1"); r.status != http.StatusOK {
		t.Fatalf("with the key: %d %s", r.status, r.body)
	}
	r := reg("Bearer s3cret-k3y", "198.51.100.1")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("past the rate: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if r := reg("Bearer s3cret-k3y", "198.51.100.2"); r.status != http.StatusOK {
		t.Fatalf("another client: %d %s", r.status, r.body)
	}
	if strings.Contains(logs.String(), "s3cret-k3y") {
		t.Fatalf("the key is in the log")
	}
}

// A body above its bound is a 413, on its Content-Length or as read.
func TestOversizedBodiesAre413(t *testing.T) {
	e := newEnv(t, false)
	big := `{"type":"Feature","properties":{"pad":"` + strings.Repeat("x", 5<<20) + `"},"geometry":null}`
	for _, path := range []string{"/collections/demo-rgb/statistics?assets=visual", "/searches/register"} {
		if r := post(t, e.url+path, big); r.status != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.body), `"detail"`) {
			t.Errorf("POST %s of 5 MB: %d %.200s", path, r.status, r.body)
		}
	}
}
