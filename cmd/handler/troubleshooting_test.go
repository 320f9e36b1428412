package main_test

import (
	"context"
	"flag"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

var updateDocs = flag.Bool("update", false, "rewrite the doctor output blocks of docs/troubleshooting.md")

const troubleshootingDoc = "../../docs/troubleshooting.md"

// situation is one entry of the seed guide's Troubleshooting section,
// produced on the real local stack.
type situation struct {
	name string // the block's marker in docs/troubleshooting.md
	env  func(t *testing.T) (env []string, vars map[string]string)
	want []string // the failing check and its fix, as doctor prints them
}

// Each entry of the seed's Troubleshooting section, produced for real:
// doctor names the failing check and its fix, and docs/troubleshooting.md
// shows exactly what it prints.
func TestDoctorOnTheSeedsTroubleshootingEntries(t *testing.T) {
	for _, s := range situations {
		t.Run(s.name, func(t *testing.T) {
			// In parallel: the missing identity alone takes azidentity's
			// retries, about 12 s.
			t.Parallel()
			env, vars := s.env(t)
			out, err := runBinary(t, env, "doctor")
			if err == nil {
				t.Fatalf("doctor passed:\n%s", out)
			}
			got := normalise(out, vars)
			for _, w := range s.want {
				if !strings.Contains(got, w) {
					t.Errorf("doctor output lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(out, "eyJ0@") {
				t.Error("a token is in the output")
			}
			if *updateDocs {
				writeDocBlock(t, s.name, got)
				return
			}
			if doc := docBlock(t, s.name); doc != got {
				t.Errorf("docs/troubleshooting.md's block %q is\n%s\nwant (go test ./cmd/handler -run TestDoctorOnTheSeeds -update):\n%s", s.name, doc, got)
			}
		})
	}
}

var situations = []situation{
	{name: "no-identity", env: func(t *testing.T) ([]string, map[string]string) {
		cat, role := readOnlyRole(t)
		ts := testenv.NewTokenServer(t, time.Hour, nil)
		ts.Down() // nothing listens where IDENTITY_ENDPOINT points
		env, vars := tokenEnv(t, cat, role, ts)
		return env, vars
	}, want: []string{"FAIL Entra token for PostgreSQL", "fix: no managed identity answers"}},
	{name: "wrong-client-id", env: func(t *testing.T) ([]string, map[string]string) {
		cat, role := readOnlyRole(t)
		ts := testenv.NewTokenServer(t, time.Hour, nil)
		env, vars := tokenEnv(t, cat, role, ts)
		other := "00000000-0000-0000-0000-000000000000" // not the endpoint's identity
		vars[other] = "<client id>"
		return append(env, "AZURE_CLIENT_ID="+other), vars
	}, want: []string{"FAIL Entra token for PostgreSQL", "fix: AZURE_CLIENT_ID"}},
	{name: "no-role", env: func(t *testing.T) ([]string, map[string]string) {
		cat := testenv.DemoCatalog(t, false)
		ts := testenv.NewTokenServer(t, time.Hour, nil) // tokens for a role nobody created
		return tokenEnv(t, cat, "mi-nobody-created-this", ts)
	}, want: []string{"ok   Entra token for PostgreSQL", "FAIL database login"}},
	{name: "no-grants", env: func(t *testing.T) ([]string, map[string]string) {
		cat, role := readOnlyRole(t)
		admin(t, cat.DatabaseURL, "REVOKE pgstac_read FROM "+pgx.Identifier{role}.Sanitize(),
			"REVOKE SELECT ON ALL TABLES IN SCHEMA pgstac FROM "+pgx.Identifier{role}.Sanitize())
		return tokenEnv(t, cat, role, passwordTokens(t, role, time.Hour))
	}, want: []string{"ok   database login", "FAIL read grants", "fix: "}},
	{name: "closed-port", env: func(t *testing.T) ([]string, map[string]string) {
		cat, role := readOnlyRole(t)
		env, vars := tokenEnv(t, cat, role, passwordTokens(t, role, time.Hour))
		port := closedPort(t)
		vars[port] = "<port>"
		return append(env, "POSTGRES_PORT="+port), vars
	}, want: []string{"FAIL database login", "fix: "}},
	{name: "expired-token", env: func(t *testing.T) ([]string, map[string]string) {
		cat, role := readOnlyRole(t)
		// The endpoint's token is good for an hour, but PostgreSQL holds it
		// as expired a minute ago: a login with it is refused.
		ts := testenv.NewTokenServer(t, time.Hour, func(tok string, _ time.Time) error {
			return testenv.SetPassword(role, tok, time.Now().Add(-time.Minute))
		})
		return tokenEnv(t, cat, role, ts)
	}, want: []string{"ok   Entra token for PostgreSQL", "FAIL database login"}},
}

func readOnlyRole(t *testing.T) (*testenv.Catalog, string) {
	cat := testenv.DemoCatalog(t, false)
	return cat, testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
}

// passwordTokens is a token endpoint whose tokens are role's password.
func passwordTokens(t *testing.T, role string, life time.Duration) *testenv.TokenServer {
	return testenv.NewTokenServer(t, life, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
}

// tokenEnv is token mode against cat as role, and the placeholders the
// docs show for this run's variable parts.
func tokenEnv(t *testing.T, cat *testenv.Catalog, role string, ts *testenv.TokenServer) ([]string, map[string]string) {
	host, port, db := testenv.Target(t, cat.DatabaseURL)
	env := []string{"USE_POSTGRES_MI=true", "LOCAL_MODE=false",
		"POSTGRES_HOST=" + host, "POSTGRES_PORT=" + port, "POSTGRES_DB=" + db, "POSTGRES_USER=" + role}
	vars := map[string]string{role: "titiler-db-access", db: "<db>", strings.TrimPrefix(ts.Endpoint, "http://"): "<identity endpoint>", strings.TrimSuffix(strings.TrimPrefix(ts.Endpoint, "http://"), "/msi/token"): "<identity endpoint address>",
		ts.ClientID: "<client id>", host + ":" + port: "<host>:<port>", host: "<host>"}
	return append(env, ts.Env()...), vars
}

func admin(t *testing.T, dbURL string, stmts ...string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// closedPort is a local port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

var timestamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// normalise puts placeholders for the parts that differ between runs:
// names, ports, times. Longer values first, so a host:port goes before
// its host.
func normalise(out string, vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if len(keys[j]) > len(keys[i]) {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	for _, k := range keys {
		out = strings.ReplaceAll(out, k, vars[k])
	}
	return timestamp.ReplaceAllString(out, "<time>")
}

const fence = "```"

// docBlock is the fenced block after <!-- doctor: name --> in the doc.
func docBlock(t *testing.T, name string) string {
	b, err := os.ReadFile(troubleshootingDoc)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "<!-- doctor: "+name+" -->\n"+fence+"console\n$ handler doctor\n")
	if !ok {
		t.Fatalf("%s has no block <!-- doctor: %s --> (a console block starting $ handler doctor)", troubleshootingDoc, name)
	}
	block, _, _ := strings.Cut(after, fence+"\n")
	return block
}

// docMu serialises the rewrites of the doc by parallel subtests.
var docMu sync.Mutex

func writeDocBlock(t *testing.T, name, out string) {
	docMu.Lock()
	defer docMu.Unlock()
	b, err := os.ReadFile(troubleshootingDoc)
	if err != nil {
		t.Fatal(err)
	}
	old := docBlock(t, name)
	head := "<!-- doctor: " + name + " -->\n" + fence + "console\n$ handler doctor\n"
	doc := strings.Replace(string(b), head+old, head+out, 1)
	if err := os.WriteFile(troubleshootingDoc, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
}
