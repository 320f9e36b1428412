package pgstac

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Finding is a failed check of `handler doctor`: what failed, and what the
// operator does about it. Neither part holds a password or a token.
type Finding struct {
	What string
	Fix  string
}

func (f *Finding) Error() string { return f.What + "; fix: " + f.Fix }

// Target is where the catalog logs in, for the doctor's report.
type Target struct{ Host, Database, User string }

// Target reports the server address, database and role the pool uses.
func (c *Catalog) Target() Target {
	cc := c.db.base.ConnConfig
	return Target{Host: net.JoinHostPort(cc.Host, fmt.Sprint(cc.Port)), Database: cc.Database, User: cc.User}
}

// CheckLogin logs in once as the pool would (with the current token in
// token mode) and, when that fails, says why as a Finding. The pool's own
// errors are shortened for /healthz; the doctor needs the cause.
func (c *Catalog) CheckLogin(ctx context.Context) error {
	cfg := c.db.base.ConnConfig.Copy()
	if c.db.tokens != nil {
		tok, err := c.db.tokens.Token(ctx)
		if err != nil {
			return err
		}
		cfg.Password = tok.Value
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return explainLogin(err, cfg, c.db.tokens != nil)
	}
	return conn.Close(ctx)
}

// explainLogin turns a failed login into the seed guide's troubleshooting
// entry for it.
func explainLogin(err error, cfg *pgx.ConnConfig, tokens bool) *Finding {
	role := pgx.Identifier{cfg.User}.Sanitize()
	grants := fmt.Sprintf("'handler sql grants --role %s --mode readonly --object-id <principal id>'", shellQuote(cfg.User))
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" && tokens:
			// PostgreSQL answers a missing role, a token for another identity
			// and an expired one alike (it tells a client nothing more).
			return &Finding{"database login: PostgreSQL refused the Entra token for role " + role + " (" + pe.Message + ")",
				"create the role for this identity as the Entra administrator (" + grants + ") and check POSTGRES_USER is its name; " +
					"a role that exists is for another object id, or the server holds the token as expired (check its clock)"}
		case pe.Code == "28P01":
			return &Finding{"database login: PostgreSQL refused the password for role " + role + " (" + pe.Message + ")",
				"check the user and password in DATABASE_URL"}
		case pe.Code == "28000" && strings.Contains(pe.Message, "pg_hba.conf"):
			return &Finding{"database login: the server admits no connection from here (" + pe.Message + ")",
				"allow this app's address in the server's firewall (Bicep: postgresAllowAzureServices or postgresFirewallRules) and keep POSTGRES_SSLMODE=require"}
		case pe.Code == "28000":
			return &Finding{"database login: " + pe.Message,
				"create the role for this identity as the Entra administrator (" + grants + ") and check POSTGRES_USER is its name"}
		case pe.Code == "3D000":
			return &Finding{"database login: " + pe.Message, "set POSTGRES_DB to the pgSTAC database (the deployment's POSTGRES_DB output)"}
		case pe.Code == "08P01" && strings.Contains(pe.Message, "unsupported startup parameter"):
			return &Finding{"database login: " + pe.Message, "a PgBouncer is in front (port 6432 on Azure): set TILEFUNC_PGBOUNCER=true"}
		}
		return &Finding{"database login: " + pe.Message, "see PostgreSQL's message; 'handler sql grants' prints the role's SQL"}
	}
	addr := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	reach := "check POSTGRES_HOST and POSTGRES_PORT (5432, or 6432 for the server's PgBouncer) and that the server's firewall admits this app (Bicep: postgresAllowAzureServices, or VNet integration)"
	var ne net.Error
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Finding{"database login: cannot reach PostgreSQL at " + addr + ": connection refused", reach}
	case errors.As(err, &dns):
		return &Finding{"database login: no such host " + cfg.Host, "check POSTGRES_HOST (SERVER.postgres.database.azure.com)"}
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return &Finding{"database login: no answer from PostgreSQL at " + addr + " (connection timed out)", reach}
	case strings.Contains(strings.ToLower(err.Error()), "tls"):
		return &Finding{"database login: TLS with PostgreSQL at " + addr + " failed", "the server must accept TLS (POSTGRES_SSLMODE=require; verify-ca and verify-full need its CA trusted)"}
	}
	return &Finding{"database login: cannot reach PostgreSQL at " + addr, reach}
}

// shellQuote quotes a role name for the command line when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Missing is the Finding for grants that do not let the role read pgSTAC
// (the seed's "Permission denied for table X"), or nil.
func (g Grants) Missing(database string) *Finding {
	fix := fmt.Sprintf("as the Entra administrator, in database %s, run the SQL of 'handler sql grants --role %s --mode readonly' (the seed's Step 5)", database, shellQuote(g.Role))
	role := pgx.Identifier{g.Role}.Sanitize()
	switch {
	case !g.Usage:
		return &Finding{"read grants: role " + role + " may not use schema pgstac", fix}
	case !g.CanRead:
		return &Finding{"read grants: role " + role + " may not SELECT pgstac's items, collections, searches and migrations", fix}
	}
	return nil
}

// Grants is what the connected role may do in pgSTAC.
type Grants struct {
	Role        string
	Version     string // pgSTAC schema version ("" when the role may not read it)
	Usage       bool   // USAGE on schema pgstac
	CanRead     bool   // SELECT on items, collections and searches
	CanRegister bool   // INSERT on searches
	ReadOnly    bool   // pgstac.readonly() is on
	SearchPath  bool   // the role's own search path finds pgSTAC (needed behind PgBouncer)
}

// Grants checks the connected role's privileges, as the seed guide's
// verification queries do. Missing grants are reported in the fields, not
// as an error: the query asks before it touches pgSTAC's tables.
func (c *Catalog) Grants(ctx context.Context) (Grants, error) {
	var g Grants
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		err := p.QueryRow(ctx, `SELECT current_user, has_schema_privilege('pgstac', 'USAGE'),
			coalesce(CASE WHEN has_schema_privilege('pgstac', 'USAGE') THEN
				has_table_privilege('pgstac.items', 'SELECT') AND has_table_privilege('pgstac.collections', 'SELECT')
				AND has_table_privilege('pgstac.searches', 'SELECT') AND has_table_privilege('pgstac.migrations', 'SELECT') END, false),
			coalesce(CASE WHEN has_schema_privilege('pgstac', 'USAGE') THEN has_table_privilege('pgstac.searches', 'INSERT') END, false),
			coalesce((SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting
				WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)), '') LIKE '%search_path=pgstac%'`).
			Scan(&g.Role, &g.Usage, &g.CanRead, &g.CanRegister, &g.SearchPath)
		if err != nil || !g.CanRead {
			return err
		}
		return p.QueryRow(ctx, `SELECT pgstac.get_version(), pgstac.readonly()`).Scan(&g.Version, &g.ReadOnly)
	})
	return g, dbError(err)
}
