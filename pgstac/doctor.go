package pgstac

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Grants is what the connected role may do in pgSTAC.
type Grants struct {
	Role        string
	Version     string // pgSTAC schema version
	CanRead     bool   // SELECT on items, collections and searches
	CanRegister bool   // INSERT on searches
	ReadOnly    bool   // pgstac.readonly() is on
	SearchPath  bool   // the role's own search path finds pgSTAC (needed behind PgBouncer)
}

// Grants checks the connected role's privileges, as the seed guide's
// verification queries do.
func (c *Catalog) Grants(ctx context.Context) (Grants, error) {
	var g Grants
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		return p.QueryRow(ctx, `SELECT current_user, pgstac.get_version(),
			has_table_privilege('pgstac.items', 'SELECT') AND has_table_privilege('pgstac.collections', 'SELECT')
				AND has_table_privilege('pgstac.searches', 'SELECT'),
			has_table_privilege('pgstac.searches', 'INSERT'), pgstac.readonly(),
			coalesce((SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting
				WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)), '') LIKE '%search_path=pgstac%'`).
			Scan(&g.Role, &g.Version, &g.CanRead, &g.CanRegister, &g.ReadOnly, &g.SearchPath)
	})
	return g, dbError(err)
}
