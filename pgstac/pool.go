package pgstac

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/singleflight"

	"tilefunc"
	"tilefunc/identity"
)

// Tokens gives the current database token (identity.Cache).
type Tokens interface {
	Token(ctx context.Context) (identity.Token, error)
	Status() identity.Status
}

// Pool is a pgx pool whose password may be a short-lived token: when the
// token changes, a new pool is built with it, pinged and swapped in; the
// old one drains (queries in flight finish) and closes.
type Pool struct {
	base   *pgxpool.Config // everything but the password
	tokens Tokens          // nil in password mode
	log    *slog.Logger

	mu    sync.RWMutex
	cur   *generation
	gens  atomic.Int64
	swaps singleflight.Group
}

// generation is one pool and the token it logs in with.
type generation struct {
	pool    *pgxpool.Pool
	token   string
	expires time.Time
	n       int64
	users   sync.WaitGroup // requests using this pool
}

func (g *generation) release() { g.users.Done() }

// pingTimeout bounds the check of a new pool before it is swapped in.
const pingTimeout = 10 * time.Second

// NewPool returns a pool on base. With tokens, connections log in with the
// current token and nothing connects until the first use or Run.
func NewPool(base *pgxpool.Config, tokens Tokens, log *slog.Logger) (*Pool, error) {
	p := &Pool{base: base, tokens: tokens, log: log}
	if tokens == nil {
		pool, err := pgxpool.NewWithConfig(context.Background(), base)
		if err != nil {
			return nil, err
		}
		p.cur = &generation{pool: pool, n: p.gens.Add(1)}
	}
	return p, nil
}

// Run refreshes the pool every interval until ctx ends, starting now: the
// cold-start token is fetched here, after the listener opened. Requests
// check too, since a Consumption instance can be frozen past a tick.
func (p *Pool) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if g, err := p.acquire(ctx); err == nil {
			g.release()
		} else if ctx.Err() == nil {
			args := []any{"error", err.Error()}
			if p.tokens != nil && p.tokens.Status().Err != nil {
				args = append(args, "cause", p.tokens.Status().Err.Error())
			}
			p.log.Warn("database not ready", args...)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// acquire returns the current generation, swapping in a new one first when
// the token changed. Release it when done.
func (p *Pool) acquire(ctx context.Context) (*generation, error) {
	if p.tokens != nil {
		if err := p.follow(ctx); err != nil {
			return nil, err
		}
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	g := p.cur
	if g == nil {
		return nil, tilefunc.Errorf(tilefunc.EUNAVAILABLE, "database unavailable: the pool is closed")
	}
	g.users.Add(1) // under the read lock: a swap cannot start draining g meanwhile
	return g, nil
}

// follow makes the current generation use the current token. When no new
// token can be had, the current pool serves while its token is valid.
func (p *Pool) follow(ctx context.Context) error {
	p.mu.RLock()
	cur := p.cur
	p.mu.RUnlock()
	if cur != nil && time.Now().Before(cur.expires) {
		// The current token still logs in: a refresh the endpoint is slow
		// to answer goes on in the background (the cache's fetch is
		// detached) while this request uses the current pool. Waiting for
		// it made every request of a token endpoint outage 503 at its
		// deadline, minutes before the token ended (fault test).
		wait, cancel := context.WithTimeout(ctx, refreshWait)
		defer cancel()
		ctx = wait
	}
	tok, err := p.tokens.Token(ctx)
	if err != nil {
		if cur != nil && time.Now().Before(cur.expires) {
			return nil
		}
		if p.tokens.Status().Err == nil && ctx.Err() != nil {
			return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "database unavailable: waiting for an Entra token for PostgreSQL: the token endpoint has not answered yet")
		}
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "database unavailable: %s", noToken)
	}
	if cur != nil && cur.token == tok.Value {
		return nil
	}
	_, err, _ = p.swaps.Do(tok.Value, func() (any, error) { return nil, p.swap(tok) })
	return err
}

// refreshWait is how long a request waits for a token refresh while the
// current token is still valid: a healthy endpoint answers well within it.
const refreshWait = 200 * time.Millisecond

// swap builds, pings and installs a pool for tok, then drains the old one.
func (p *Pool) swap(tok identity.Token) error {
	p.mu.RLock()
	done := p.cur != nil && p.cur.token == tok.Value
	p.mu.RUnlock()
	if done {
		return nil
	}
	cfg := p.base.Copy()
	cfg.ConnConfig.Password = tok.Value
	start := time.Now()
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return &tilefunc.Error{Code: tilefunc.EUNAVAILABLE, Message: "database unavailable: " + loginError(err)}
	}
	g := &generation{pool: pool, token: tok.Value, expires: tok.ExpiresOn, n: p.gens.Add(1)}
	p.mu.Lock()
	old := p.cur
	p.cur = g
	p.mu.Unlock()
	p.log.Info("database pool ready", "generation", g.n, "token_expires_on", tok.ExpiresOn.UTC().Format(time.RFC3339), "swap_ms", time.Since(start).Milliseconds())
	if old != nil {
		go func() {
			old.users.Wait()
			old.pool.Close()
		}()
	}
	return nil
}

// noToken is what /healthz and 503 answers say when the identity gives no
// token: a fixed sentence, the identity's own answer being in the log
// ("database not ready") and in 'handler doctor'.
const noToken = "no Entra token for PostgreSQL; fix: assign the managed identity to the app and set AZURE_CLIENT_ID to its client id ('handler doctor' says which is wrong)"

// loginError says why a login failed, with the seed guide's fixes: a
// fixed sentence per cause, since it reaches /healthz and 503 answers
// (the server's own words, naming roles and hosts, are for 'handler
// doctor'); never the password.
func loginError(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000":
			return "PostgreSQL refused the login of the role: create the role for the identity ('handler sql grants --object-id ...' prints the SQL) and check POSTGRES_USER is its name"
		case "3D000":
			return "PostgreSQL has no database of the name POSTGRES_DB gives"
		case "08P01":
			if strings.Contains(pe.Message, "unsupported startup parameter") {
				return "a startup parameter was refused, so a PgBouncer is in front (port 6432 on Azure): set TILEFUNC_PGBOUNCER=true"
			}
		}
		return "PostgreSQL refused the connection (SQLSTATE " + pe.Code + "): 'handler doctor' says why"
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return "cannot reach PostgreSQL: check POSTGRES_HOST, POSTGRES_PORT and the server's firewall rules"
	}
	return "cannot reach PostgreSQL"
}

// with runs fn on a pooled connection of the current generation. A
// failure that means "try again" (a connection the server closed or the
// network reset, a server restarting or full) is retried a moment later,
// up to retries times: every call is a read or an idempotent upsert. A login refused on a generation that has since
// been replaced (the token rotated while the query waited for a
// connection) is retried once on the new one.
func (p *Pool) with(ctx context.Context, fn func(*pgxpool.Pool) error) error {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	g, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	err = fn(g.pool)
	for try := 0; try < retries && err != nil && lostConnection(err) && ctx.Err() == nil; try++ {
		select {
		case <-time.After(retryDelay):
			err = fn(g.pool)
		case <-ctx.Done():
		}
	}
	g.release()
	if err == nil || !refusedLogin(err) || p.tokens == nil {
		return err
	}
	g2, err2 := p.acquire(ctx)
	if err2 != nil {
		return err2
	}
	defer g2.release()
	if g2 == g {
		return &tilefunc.Error{Code: tilefunc.EUNAVAILABLE, Message: "database unavailable: " + loginError(err)}
	}
	return fn(g2.pool)
}

// retryDelay is the pause before a transient failure is retried; retries
// bounds the tries. One retry is not enough: when backends are killed or a
// route resets, every idle connection of the pool is dead, pgx drops each
// only when it fails, and a retry may draw the next dead one (fault test:
// 3 of 335 answers were 503 with one retry while backends were killed, 9
// of 407 while the proxy reset connections). Three stay well inside any
// request deadline (600 ms in all).
const (
	retryDelay = 200 * time.Millisecond
	retries    = 3
)

// transient says whether err means the database may answer if asked again:
// the query never reached it, or the server was shutting down, starting,
// out of connections or dropped the connection.
func transient(err error) bool {
	if pgconn.SafeToRetry(err) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "53300": // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
			return true
		}
		return strings.HasPrefix(pe.Code, "08") // connection exceptions
	}
	return false
}

func refusedLogin(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000")
}

// Close closes the current pool.
func (p *Pool) Close() {
	p.mu.Lock()
	g := p.cur
	p.cur = nil
	p.mu.Unlock()
	if g != nil {
		g.pool.Close()
	}
}

// PoolStats are the connections of the pool in use, for /metrics.
type PoolStats struct {
	Generation            int64 // pools built so far; 0 before the first
	Total, Idle, Acquired int32 // connections open, idle, in use
	MaxConns              int32
}

// Stats reports the current generation's pool.
func (p *Pool) Stats() PoolStats {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.cur == nil {
		return PoolStats{}
	}
	st := p.cur.pool.Stat()
	return PoolStats{Generation: p.cur.n, Total: st.TotalConns(), Idle: st.IdleConns(), Acquired: st.AcquiredConns(), MaxConns: st.MaxConns()}
}

// Status is the pool's side of /healthz.
func (p *Pool) Status() tilefunc.DatabaseStatus {
	p.mu.RLock()
	defer p.mu.RUnlock()
	s := tilefunc.DatabaseStatus{Auth: "password"}
	if p.cur != nil {
		s.Generation = p.cur.n
	}
	if p.tokens != nil {
		ts := p.tokens.Status()
		s.Auth = string(ts.Kind)
		if !ts.ExpiresOn.IsZero() {
			e := ts.ExpiresOn.UTC()
			s.TokenExpiresOn = &e
		}
		if ts.Err != nil {
			s.Problem = noToken
		}
		s.TokenRequests = ts.Fetches
	}
	return s
}
