package testenv

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/pgstac"
)

// TokenServer is the one stand-in of the test harness: a local managed
// identity endpoint speaking the App Service protocol (IDENTITY_ENDPOINT,
// IDENTITY_HEADER, api-version 2019-08-01), so that azidentity's real
// ManagedIdentityCredential runs against it. Each token it issues becomes
// the password of a real PostgreSQL role, valid until the token expires.
type TokenServer struct {
	Endpoint string // IDENTITY_ENDPOINT
	Header   string // IDENTITY_HEADER
	ClientID string // the only client_id it knows
	Lifetime time.Duration

	onIssue func(token string, expires time.Time) error
	addr    string
	mu      sync.Mutex
	ln      net.Listener
	srv     *http.Server
	issued  []string
	reqs    atomic.Int64
}

// NewTokenServer starts an endpoint issuing tokens of the given lifetime;
// onIssue runs before a token is handed out.
func NewTokenServer(t testing.TB, lifetime time.Duration, onIssue func(string, time.Time) error) *TokenServer {
	t.Helper()
	s := &TokenServer{Header: randomName("hdr"), ClientID: "6a3c9f8e-2b1d-4c5e-9f70-1a2b3c4d5e6f", Lifetime: lifetime, onIssue: onIssue}
	NoteSecret(s.Header)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.Endpoint = "http://" + s.addr + "/msi/token"
	s.serve(ln)
	t.Cleanup(func() { s.Down() })
	return s
}

func (s *TokenServer) serve(ln net.Listener) {
	s.ln = ln
	s.srv = &http.Server{Handler: http.HandlerFunc(s.token)}
	go s.srv.Serve(ln)
}

// Down closes the endpoint: connections are refused until Up.
func (s *TokenServer) Down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		s.srv.Close()
		s.srv = nil
	}
}

// Up reopens the endpoint on the same address.
func (s *TokenServer) Up(t testing.TB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatalf("reopen token endpoint: %v", err)
	}
	s.serve(ln)
}

// Requests counts token requests answered with a token.
func (s *TokenServer) Requests() int64 { return s.reqs.Load() }

// Issued lists every token handed out.
func (s *TokenServer) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// Env is the environment a process needs to reach this endpoint.
func (s *TokenServer) Env() []string {
	return []string{"IDENTITY_ENDPOINT=" + s.Endpoint, "IDENTITY_HEADER=" + s.Header, "AZURE_CLIENT_ID=" + s.ClientID}
}

func (s *TokenServer) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case r.Header.Get("X-IDENTITY-HEADER") != s.Header:
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	case q.Get("api-version") != "2019-08-01":
		http.Error(w, `{"error":"invalid api-version"}`, http.StatusBadRequest)
		return
	case q.Get("client_id") != s.ClientID:
		http.Error(w, `{"statusCode":400,"message":"Unable to load the proper Managed Identity."}`, http.StatusBadRequest)
		return
	}
	exp := time.Now().Add(s.Lifetime).Truncate(time.Second)
	if strings.Contains(q.Get("resource"), "storage.azure.com") {
		s.reply(w, q.Get("resource"), storageJWT(exp), exp)
		return
	}
	tok := newToken()
	if s.onIssue != nil {
		if err := s.onIssue(tok, exp); err != nil {
			http.Error(w, `{"error":"issue failed"}`, http.StatusInternalServerError)
			return
		}
	}
	s.reqs.Add(1)
	s.reply(w, q.Get("resource"), tok, exp)
}

func (s *TokenServer) reply(w http.ResponseWriter, resource, tok string, exp time.Time) {
	s.mu.Lock()
	s.issued = append(s.issued, tok)
	s.mu.Unlock()
	NoteSecret(tok)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{
		"access_token": tok, "expires_on": strconv.FormatInt(exp.Unix(), 10),
		"resource": resource, "token_type": "Bearer", "client_id": s.ClientID,
	})
}

// storageJWT is a token Azurite's OAuth check accepts: an Entra issuer,
// the storage audience and an expiry (Azurite checks no signature).
func storageJWT(exp time.Time) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	now := time.Now().Unix()
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(map[string]any{
		"aud": "https://storage.azure.com", "iss": "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
		"iat": now, "nbf": now, "exp": exp.Unix(), "oid": "0b3c1d2e-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
	}) + ".c2lnbmF0dXJl"
}

// newToken is random, with the characters that break a token pasted into
// a connection URL: @ : / ? # % and a quote.
func newToken() string {
	b := make([]byte, 96)
	rand.Read(b)
	return "eyJ0@:/?#%'" + base64.RawURLEncoding.EncodeToString(b)
}

// Role creates a login role named like a managed identity (with a dash,
// as the seed's titiler-db-access), applies tilefunc's generated grants
// for mode to the database at dbURL, and returns the role's name.
func Role(t testing.TB, dbURL, mode string) string {
	t.Helper()
	role := "mi-" + randomName("")
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, need(t, "TILEFUNC_TEST_ADMIN_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	sql, err := pgstac.GrantsSQL(role, mode, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, sql); err != nil {
		t.Fatalf("apply generated grants: %v\n%s", err, sql)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(ctx, dbURL); err == nil {
			c.Exec(ctx, "DROP OWNED BY "+pgx.Identifier{role}.Sanitize())
			c.Close(ctx)
		}
		if c, err := pgx.Connect(ctx, need(t, "TILEFUNC_TEST_ADMIN_URL")); err == nil {
			c.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{role}.Sanitize())
			c.Close(ctx)
		}
	})
	return role
}

// SetPassword makes token the role's password until expires, as Entra
// makes a token valid for its lifetime.
func SetPassword(role, token string, expires time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, mustEnv("TILEFUNC_TEST_ADMIN_URL"))
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	_, err = admin.Exec(ctx, "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" PASSWORD "+quote(token)+
		" VALID UNTIL "+quote(expires.UTC().Format(time.RFC3339)))
	return err
}

func mustEnv(name string) string { return strings.TrimSpace(getenv(name)) }

// Target splits a database URL into the POSTGRES_* settings of token mode.
func Target(t testing.TB, dbURL string) (host, port, db string) {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname(), u.Port(), strings.TrimPrefix(u.Path, "/")
}
