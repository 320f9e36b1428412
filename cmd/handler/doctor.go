package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"tilefunc/config"
	"tilefunc/internal/cli"
)

// doctor is `handler doctor`: it runs the seed guide's troubleshooting
// checks with the app's own settings and prints one pass/fail line per
// check, with the fix.
func doctor(args []string, out, stderr io.Writer) error {
	fs := flag.NewFlagSet("handler doctor", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: handler doctor\n\nChecks the identity's token, the database login, pgSTAC, the read grants, the mode and\nblob access with the settings the server reads from the environment; prints each with its fix.")
	}
	if err := cli.Parse(fs, args, out, stderr); err != nil {
		return err
	}
	ok := true
	check := func(name string, err error, fix string) bool {
		if err != nil {
			ok = false
			fmt.Fprintf(out, "FAIL %s: %v\n     fix: %s\n", name, err, fix)
			return false
		}
		fmt.Fprintf(out, "ok   %s\n", name)
		return true
	}
	cfg, err := config.Load(os.Getenv)
	if !check("settings", err, "set the setting named above") {
		return fmt.Errorf("doctor: checks failed")
	}
	d, err := wire(cfg, slog.New(slog.DiscardHandler))
	if !check("wiring", err, "see the message above") {
		return fmt.Errorf("doctor: checks failed")
	}
	defer d.catalog.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if d.tokens != nil {
		tok, err := d.tokens.Token(ctx)
		if check("Entra token for PostgreSQL", err, "see the hint above") {
			fmt.Fprintf(out, "     expires %s\n", tok.ExpiresOn.UTC().Format(time.RFC3339))
		}
	}
	g, err := d.catalog.Grants(ctx)
	if check("database login and pgSTAC", err, "see the hint above; 'handler sql grants' prints the role's SQL") {
		fmt.Fprintf(out, "     role %s, pgSTAC %s\n", g.Role, g.Version)
		check("read grants (SELECT on pgstac items, collections, searches)", boolErr(g.CanRead, "missing"),
			"run 'handler sql grants --role "+g.Role+" --mode readonly' as the admin")
		if cfg.Database.PgBouncer {
			check("role search_path includes pgstac (PgBouncer passes none)", boolErr(g.SearchPath, "not set"),
				"ALTER ROLE \""+g.Role+"\" SET search_path = pgstac, public; ('handler sql grants' includes it)")
		}
		mode := "readonly: POST /searches/register answers 403"
		if g.CanRegister && !g.ReadOnly {
			mode = "register: POST /searches/register stores searches"
		}
		fmt.Fprintf(out, "info mode %s\n", mode)
	}
	if d.blob != nil {
		check("blob storage reachable", d.blob.Ping(ctx), "grant the identity Storage Blob Data Reader on the account (or check AZURE_STORAGE_CONNECTION_STRING)")
	}
	if !ok {
		return fmt.Errorf("doctor: checks failed")
	}
	return nil
}

func boolErr(ok bool, msg string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("%s", msg)
}
