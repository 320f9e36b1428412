package main

import (
	"flag"
	"fmt"
	"io"

	"tilefunc/internal/cli"
	"tilefunc/pgstac"
)

// sqlGrants is `handler sql grants`: it prints the SQL of the seed guide's
// Steps 4-5 for one role.
func sqlGrants(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("handler sql grants", flag.ContinueOnError)
	role := fs.String("role", "", "database role: the managed identity's name (POSTGRES_USER)")
	mode := fs.String("mode", pgstac.ReadOnly, "readonly (serve tiles) or register (also POST /searches/register)")
	oid := fs.String("object-id", "", "the identity's Entra object id, to create the role (az ad sp show --id <client-id> --query id -o tsv)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: handler sql grants -role ROLE [-mode readonly|register] [-object-id ID]\n\nPrints the SQL that creates the database role and grants it what the mode needs.")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args, stdout, stderr); err != nil {
		return err
	}
	sql, err := pgstac.GrantsSQL(*role, *mode, *oid)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(stdout, sql)
	return err
}
