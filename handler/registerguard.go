package handler

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"tilefunc"
)

// RegisterGuard protects POST /searches/register where the server runs
// alone (the Functions host asks for a function key in front of it): a
// bearer key, and a rate per client, since every registration is a row
// pgSTAC keeps (the seed's Option B warning).
type RegisterGuard struct {
	Key     string  // "" for none; compared in constant time, never logged
	PerHour float64 // registrations a client may make per hour; 0 for no bound

	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

// maxTrackedClients bounds the limiters kept: past it the table starts
// again, so that many addresses cannot grow it without end.
const maxTrackedClients = 10000

func (s *Server) admitRegistration(r *http.Request) error {
	g := s.Register
	if g == nil {
		return nil
	}
	if g.Key != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(g.Key)) != 1 {
			return tilefunc.Errorf(tilefunc.EUNAUTHORIZED, "registering a search needs the registration key: Authorization: Bearer <key>")
		}
	}
	if g.PerHour > 0 && !g.limiter(clientAddr(r)).Allow() {
		return tilefunc.Errorf(tilefunc.ETOOMANY, "too many registrations from this client: at most %g an hour", g.PerHour)
	}
	return nil
}

// limiter is the client's rate, a burst of a tenth of the hour's.
func (g *RegisterGuard) limiter(client string) *rate.Limiter {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.clients == nil || len(g.clients) >= maxTrackedClients {
		g.clients = map[string]*rate.Limiter{}
	}
	l, ok := g.clients[client]
	if !ok {
		l = rate.NewLimiter(rate.Every(time.Duration(float64(time.Hour)/g.PerHour)), max(1, int(g.PerHour/10)))
		g.clients[client] = l
	}
	return l
}

// clientAddr is who sent the request: the peer's address, or, from a
// proxy on loopback (the Functions host, a local reverse proxy), the last
// address of X-Forwarded-For, the one the proxy in front of it added (a
// client can write any before it).
func clientAddr(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" && fromLoopback(r) {
		parts := strings.Split(xff, ",")
		return strings.TrimSpace(parts[len(parts)-1])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
