package pgstac

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sessions are some of the role's connections in pg_stat_activity that
// share a state, an application and a client address: the seed's "Verify
// Token in Database" query, counted.
type Sessions struct {
	Count       int
	State       string // active, idle, idle in transaction, ...
	Application string // application_name: tilefunc for the server's
	Client      string // the client's address, or "local socket"
	Oldest      time.Time
}

// Connections lists the sessions of the role the catalog logs in as, other
// than the catalog's own (by application_name): the server's, when the
// doctor asks. A role sees every column of its own sessions' rows, so no
// grant beyond the login is needed.
func (c *Catalog) Connections(ctx context.Context) ([]Sessions, error) {
	var out []Sessions
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		rows, err := p.Query(ctx, `SELECT count(*), coalesce(state, ''), application_name,
				coalesce(host(client_addr), 'local socket'), min(backend_start)
			FROM pg_stat_activity
			WHERE usename = current_user AND application_name <> $1 AND pid <> pg_backend_pid()
			GROUP BY 2, 3, 4 ORDER BY 1 DESC, 2, 3, 4`, c.app)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Sessions, error) {
			var s Sessions
			err := r.Scan(&s.Count, &s.State, &s.Application, &s.Client, &s.Oldest)
			return s, err
		})
		return err
	})
	return out, dbError(err)
}
