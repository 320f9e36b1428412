package main

import (
	"flag"
	"fmt"
	"io"

	"tilefunc/pgstac"
)

// sqlGrants prints the SQL of the seed guide's Steps 4-5 for one role.
func sqlGrants(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("handler sql grants", flag.ContinueOnError)
	role := fs.String("role", "", "database role: the managed identity's name (POSTGRES_USER)")
	mode := fs.String("mode", pgstac.ReadOnly, "readonly (serve tiles) or register (also POST /searches/register)")
	oid := fs.String("object-id", "", "the identity's Entra object id, to create the role (az ad sp show --id <client-id> --query id -o tsv)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sql, err := pgstac.GrantsSQL(*role, *mode, *oid)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(out, sql)
	return err
}
