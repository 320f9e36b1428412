package handler_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tilefunc/handler"
)

// Links follow X-Forwarded-Host and -Proto only from a proxy on loopback
// (the Functions host); a client elsewhere gets the request's own host,
// and with PublicURL every link is written with it.
func TestLinksTrustForwardedHeadersFromLoopbackOnly(t *testing.T) {
	landing := func(s *handler.Server, peer string) string {
		req := httptest.NewRequest(http.MethodGet, "http://tiles.internal:8080/", nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("landing from %s: %d %s", peer, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	for _, c := range []struct {
		server     *handler.Server
		peer, want string
	}{
		{&handler.Server{}, "127.0.0.1:50000", `"https://evil.example/api"`},
		{&handler.Server{}, "[::1]:50000", `"https://evil.example/api"`},
		{&handler.Server{}, "203.0.113.7:50000", `"http://tiles.internal:8080/api"`},
		{&handler.Server{PublicURL: "https://tiles.example.org"}, "127.0.0.1:50000", `"https://tiles.example.org/api"`},
		{&handler.Server{PublicURL: "https://tiles.example.org"}, "203.0.113.7:50000", `"https://tiles.example.org/api"`},
	} {
		if body := landing(c.server, c.peer); !strings.Contains(body, c.want) {
			t.Errorf("from %s with PublicURL %q: links %s, want %s", c.peer, c.server.PublicURL, body, c.want)
		}
	}
}
