package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"tilefunc/config"
	"tilefunc/identity"
	"tilefunc/internal/cli"
	"tilefunc/pgstac"
)

// doctor is `handler doctor`: it runs the seed guide's troubleshooting
// checks with the app's own settings and prints one line per check; a
// failed one is a FAIL line naming what failed and a fix line.
// docs/troubleshooting.md shows its output for each entry of the seed's
// Troubleshooting section (a test keeps them equal).
func doctor(args []string, out, stderr io.Writer) error {
	fs := flag.NewFlagSet("handler doctor", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: handler doctor\n\nChecks the identity's token, the database login, pgSTAC, the read grants, the mode and\nblob access with the settings the server reads from the environment; prints each with its fix.\n"+
			"Lists the role's connections (pg_stat_activity), those of a server running as it.")
	}
	if err := cli.Parse(fs, args, out, stderr); err != nil {
		return err
	}
	r := &report{out: out}
	r.run()
	if r.failed {
		return fmt.Errorf("doctor: checks failed")
	}
	return nil
}

// report prints the checks as they run and remembers a failure.
type report struct {
	out    io.Writer
	failed bool
}

func (r *report) ok(format string, args ...any) {
	fmt.Fprintf(r.out, "ok   "+format+"\n", args...)
}

func (r *report) fail(what, fix string) {
	r.failed = true
	fmt.Fprintf(r.out, "FAIL %s\n     fix: %s\n", what, fix)
}

// run stops at the first check the later ones depend on.
func (r *report) run() {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		r.fail("settings: "+err.Error(), "set the setting the line names (docs/configuration.md lists them all)")
		return
	}
	r.ok("settings")
	d, err := wire(cfg, slog.New(slog.DiscardHandler), doctorApplication)
	if err != nil {
		r.fail("services: "+err.Error(), "correct the setting the line names")
		return
	}
	defer d.catalog.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if d.tokens != nil && !r.token(ctx, d, cfg) {
		fmt.Fprintln(r.out, "skip database login, grants: they need the token")
		return
	}
	if r.database(ctx, d, cfg) && d.blob != nil {
		if err := d.blob.Ping(ctx); err != nil {
			r.fail("blob storage: "+err.Error(), "grant the identity Storage Blob Data Reader on the account (or check AZURE_STORAGE_CONNECTION_STRING)")
		} else {
			r.ok("blob storage reachable")
		}
	}
}

// token checks the Entra token for PostgreSQL: the seed's "Failed to
// create Azure credential" and "Failed to get PostgreSQL OAuth token".
func (r *report) token(ctx context.Context, d *deps, cfg *config.Config) bool {
	who := "Azure CLI"
	switch {
	case cfg.Database.LocalMode:
	case cfg.Database.ClientID == "":
		who = "managed identity, system-assigned: no AZURE_CLIENT_ID"
	default:
		who = "managed identity, AZURE_CLIENT_ID " + cfg.Database.ClientID
	}
	tok, err := d.tokens.Token(ctx)
	var te *identity.TokenError
	switch {
	case errors.As(err, &te):
		r.fail("Entra token for PostgreSQL ("+who+"): "+te.Cause, te.Hint)
		return false
	case err != nil:
		r.fail("Entra token for PostgreSQL ("+who+"): "+err.Error(), "check the identity is assigned to the app")
		return false
	}
	r.ok("Entra token for PostgreSQL (%s): expires %s", who, tok.ExpiresOn.UTC().Format(time.RFC3339))
	return true
}

// database checks the login, pgSTAC and the grants: the seed's "Role does
// not exist", "Permission denied for table X", "Connection timed out" and
// "Token expired".
func (r *report) database(ctx context.Context, d *deps, cfg *config.Config) bool {
	t := d.catalog.Target()
	err := d.catalog.CheckLogin(ctx)
	var f *pgstac.Finding
	switch {
	case errors.As(err, &f):
		r.fail(f.What, f.Fix)
		return false
	case err != nil:
		r.fail("database login: "+err.Error(), "check POSTGRES_HOST, POSTGRES_PORT and POSTGRES_USER")
		return false
	}
	r.ok("database login as %q at %s, database %s", t.User, t.Host, t.Database)
	g, err := d.catalog.Grants(ctx)
	if err != nil {
		r.fail("read grants: "+err.Error(), "run the SQL of 'handler sql grants' as the Entra administrator")
		return false
	}
	if f := g.Missing(t.Database); f != nil {
		r.fail(f.What, f.Fix)
		return false
	}
	r.ok("read grants: SELECT on pgSTAC %s's tables", g.Version)
	if cfg.Database.PgBouncer {
		if g.SearchPath {
			r.ok("role search_path includes pgstac (PgBouncer passes none)")
		} else {
			r.fail(fmt.Sprintf("role %q has no search_path with pgstac (PgBouncer passes none)", g.Role),
				"ALTER ROLE \""+g.Role+"\" SET search_path = pgstac, public; ('handler sql grants' includes it)")
		}
	}
	mode := "readonly: POST /searches/register answers 403"
	if g.CanRegister && !g.ReadOnly {
		mode = "register: POST /searches/register stores searches"
	}
	fmt.Fprintf(r.out, "info mode %s\n", mode)
	r.connections(ctx, d, t.User)
	return true
}

// doctorApplication names the doctor's own connections, which the
// connections check leaves out.
const doctorApplication = "tilefunc doctor"

// connections shows the role's sessions as the seed's "Verify Token in
// Database" query does: those of the running server, logged in with the
// identity's token, from the app's address.
func (r *report) connections(ctx context.Context, d *deps, role string) {
	groups, err := d.catalog.Connections(ctx)
	if err != nil {
		r.fail("connections of role "+strconv.Quote(role)+": "+err.Error(), "check the role may read pg_stat_activity (every role may, by default)")
		return
	}
	if len(groups) == 0 {
		fmt.Fprintf(r.out, "info connections of role %q: none but this check's (no server is logged in as the role)\n", role)
		return
	}
	n := 0
	for _, g := range groups {
		n += g.Count
	}
	r.ok("connections of role %q (pg_stat_activity, this check's own left out): %d", role, n)
	for _, g := range groups {
		r.ok("  %d %s, application %q, from %s, the oldest since %s", g.Count, cmp.Or(g.State, "no state"), g.Application, g.Client,
			g.Oldest.UTC().Format(time.RFC3339))
	}
}
