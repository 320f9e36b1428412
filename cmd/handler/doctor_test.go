package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

func runBinary(t *testing.T, env []string, args ...string) (string, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestDoctorPassesForAReadOnlyIdentity(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	out, err := runBinary(t, miEnv(t, cat, role, ts), "doctor")
	if err != nil {
		t.Fatalf("doctor failed: %v\n%s", err, out)
	}
	for _, want := range []string{"ok   Entra token for PostgreSQL", "ok   database login as \"" + role + "\"", "ok   read grants: SELECT on pgSTAC 0.9", "info mode readonly"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	assertNoSecret(t, out, ts.Issued())
}

func TestDoctorNamesTheFixWhenNoIdentityAnswers(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, nil)
	env := miEnv(t, cat, role, ts)
	env = append(env, "AZURE_CLIENT_ID=00000000-0000-0000-0000-000000000000") // not the endpoint's identity
	out, err := runBinary(t, env, "doctor")
	if err == nil || !strings.Contains(out, "FAIL Entra token for PostgreSQL") || !strings.Contains(out, "AZURE_CLIENT_ID does not match") {
		t.Fatalf("want a failed token check naming AZURE_CLIENT_ID, got %v:\n%s", err, out)
	}
}

// LOCAL_MODE=true takes tokens from the Azure CLI: a stand-in 'az' on PATH
// answers as 'az account get-access-token' does, so azidentity's real CLI
// credential runs.
func TestLocalModeUsesTheAzureCLI(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	tok := "cli-token-@:/" + role
	exp := time.Now().Add(time.Hour)
	if err := testenv.SetPassword(role, tok, exp); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := "#!/bin/sh\ncase \"$*\" in *ossrdbms-aad*) ;; *) echo 'wrong resource' >&2; exit 1;; esac\n" +
		"printf '{\"accessToken\":\"%s\",\"expiresOn\":\"%s\",\"expires_on\":%d,\"tokenType\":\"Bearer\"}\\n' '" + tok + "' '" +
		exp.Local().Format("2006-01-02 15:04:05.000000") + "' " + strconvI(exp.Unix()) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	host, port, db := testenv.Target(t, cat.DatabaseURL)
	env := []string{"USE_POSTGRES_MI=true", "LOCAL_MODE=true", "POSTGRES_HOST=" + host, "POSTGRES_PORT=" + port,
		"POSTGRES_DB=" + db, "POSTGRES_USER=" + role}
	cmd := exec.Command(binary, "doctor")
	cmd.Env = append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok   database login as") {
		t.Fatalf("doctor in local mode: %v\n%s", err, out)
	}
	if strings.Contains(string(out), tok) {
		t.Fatal("the CLI token is in the output")
	}
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

func TestSQLGrantsPrintsQuotedSQL(t *testing.T) {
	out, err := runBinary(t, nil, "sql", "grants", "--role", "titiler-db-access", "--mode", "readonly", "--object-id", "0b3c1d2e-4f5a-6b7c-8d9e-0f1a2b3c4d5e")
	if err != nil || !strings.Contains(out, `GRANT USAGE ON SCHEMA pgstac TO "titiler-db-access";`) || !strings.Contains(out, "pgaadauth_create_principal_with_oid") {
		t.Fatalf("sql grants: %v\n%s", err, out)
	}
	if out, err := runBinary(t, nil, "sql", "grants", "--role", "x", "--mode", "superuser"); err == nil {
		t.Fatalf("an unknown mode should fail: %s", out)
	}
}

// The seed's "Verify Token in Database": with the server running as the
// role, doctor lists the role's connections from pg_stat_activity, the
// server's pool and not its own.
func TestDoctorShowsTheServersConnections(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	env := miEnv(t, cat, role, ts) // DB_MIN_CONN_SIZE=2
	base, _ := start(t, env...)
	getHealth(t, base)
	server := func() int {
		var n int
		if err := adminQuery(t, `SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND application_name = 'tilefunc'`, role).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); server() < 2; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server's pool holds %d connections, want its 2", server())
		}
	}
	out, err := runBinary(t, env, "doctor")
	if err != nil {
		t.Fatalf("doctor failed: %v\n%s", err, out)
	}
	t.Logf("doctor:\n%s", out)
	want := regexp.MustCompile(`(?m)^ok   connections of role "` + regexp.QuoteMeta(role) + `" \(pg_stat_activity, this check's own left out\): (\d+)\n` +
		`ok     (\d+) idle, application "tilefunc", from 127\.0\.0\.1, the oldest since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	m := want.FindStringSubmatch(out)
	if m == nil || m[1] != strconv.Itoa(server()) || m[2] != m[1] {
		t.Fatalf("want the server's %d idle connections from 127.0.0.1, alone, got %q", server(), m)
	}
	assertNoSecret(t, out, ts.Issued())
}

// adminQuery runs a query as the test cluster's superuser.
func adminQuery(t *testing.T, sql string, args ...any) pgx.Row {
	t.Helper()
	c, err := pgx.Connect(t.Context(), os.Getenv("TILEFUNC_TEST_ADMIN_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c.QueryRow(t.Context(), sql, args...)
}
