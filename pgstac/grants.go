package pgstac

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Grant modes: what the database role of the tile server may do.
const (
	ReadOnly = "readonly" // serve tiles and read searches (the seed's Option A)
	Register = "register" // also register searches (the seed's Option B)
)

var uuid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// GrantsSQL is the SQL that sets up role for mode: with objectID, the Entra
// principal for a managed identity first (Azure's documented
// pgaadauth_create_principal_with_oid, in the postgres database), then the
// grants on pgSTAC (in the pgSTAC database). Names and literals are quoted.
func GrantsSQL(role, mode, objectID string) (string, error) {
	if role == "" {
		return "", fmt.Errorf("--role is required: the identity's name (POSTGRES_USER)")
	}
	if mode != ReadOnly && mode != Register {
		return "", fmt.Errorf("--mode %q: want %s or %s", mode, ReadOnly, Register)
	}
	if objectID != "" && !uuid.MatchString(objectID) {
		return "", fmt.Errorf("--object-id %q is not an object id (a GUID: az ad sp show --id <client-id> --query id -o tsv)", objectID)
	}
	id := pgx.Identifier{role}.Sanitize()
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("-- tilefunc: database role %s, mode %s", id, mode)
	if objectID != "" {
		w("")
		w("-- 1. In the `postgres` database, connected as the server's Entra administrator:")
		w("SELECT * FROM pgaadauth_create_principal_with_oid(%s, %s, 'service', false, false);", literal(role), literal(objectID))
		w("")
		w("-- 2. In the pgSTAC database (POSTGRES_DB), as the Entra administrator:")
	} else {
		w("-- In the pgSTAC database (POSTGRES_DB); the role must exist (pass --object-id to create it for a managed identity):")
	}
	w("GRANT USAGE ON SCHEMA pgstac TO %s;", id)
	w("GRANT SELECT ON ALL TABLES IN SCHEMA pgstac TO %s;", id)
	w("GRANT SELECT ON ALL SEQUENCES IN SCHEMA pgstac TO %s;", id)
	w("-- pgSTAC's tables are created by pgstac_admin: future ones need its default privileges.")
	w("ALTER DEFAULT PRIVILEGES FOR ROLE pgstac_admin IN SCHEMA pgstac GRANT SELECT ON TABLES TO %s;", id)
	w("GRANT pgstac_read TO %s;", id)
	w("-- pgSTAC's functions find their tables through the search path; a PgBouncer in")
	w("-- transaction mode passes no search_path at login, so the role carries it.")
	w("ALTER ROLE %s SET search_path = pgstac, public;", id)
	w("-- A bound on every statement, which tilefunc also sets at login where it can (PgBouncer")
	w("-- in transaction mode passes no startup parameter).")
	w("ALTER ROLE %s SET statement_timeout = '30s';", id)
	if mode == ReadOnly {
		w("-- Without INSERT on searches, tilefunc turns pgSTAC's read-only mode on for each of")
		w("-- its search statements, so that pgSTAC's SECURITY DEFINER functions write nothing.")
	}
	if mode == Register {
		w("-- Registering searches writes pgstac.searches.")
		w("GRANT INSERT, UPDATE ON pgstac.searches TO %s;", id)
	}
	w("")
	w("-- Check: SELECT has_table_privilege(%s, 'pgstac.items', 'SELECT') AS can_read,", literal(role))
	w("--        has_table_privilege(%s, 'pgstac.searches', 'INSERT') AS can_register;", literal(role))
	return b.String(), nil
}

// literal quotes s as an SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
