// Package pgstac is tilefunc's catalog: it calls pgSTAC's SQL API through a
// pgx pool (register a search, read it back, find the items under a
// geometry). It never re-implements pgSTAC's search logic.
package pgstac

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"tilefunc"
)

// Catalog reads and registers searches in one pgSTAC database.
type Catalog struct {
	db             *Pool
	storedSearches int    // collection requests register their search while pgstac.searches holds fewer rows
	app            string // application_name of its connections
}

// Options shape the pool.
type Options struct {
	MinConns, MaxConns int32
	MaxConnIdle        time.Duration // 0: pgx's default
	MaxConnLifetime    time.Duration // 0: pgx's default
	Tokens             Tokens        // token authentication; nil for the password in the connection string
	PgBouncer          bool          // no named prepared statements (transaction pooling)
	// StoredSearches bounds the searches collection requests register: at
	// that many rows of pgstac.searches they are served unregistered (0:
	// no bound, as titiler-pgstac).
	StoredSearches int
	// ApplicationName names the connections in pg_stat_activity ("":
	// tilefunc, the server's); handler doctor's are told apart by theirs.
	ApplicationName string
	Log             *slog.Logger
	// Tracer sees every query and connection (OpenTelemetry spans when
	// tracing is on); nil for none.
	Tracer pgx.QueryTracer
}

// ServerApplication is the application_name of the server's connections.
const ServerApplication = "tilefunc"

// cancelDeadline is how long a cancelled query may take to end before its
// connection is closed under it (fault test: with pgx's 1 s the answer to a
// request whose database link stalled came 1.1 s past its deadline).
const cancelDeadline = 250 * time.Millisecond

// statementTimeout bounds every query, whatever pgSTAC's own limits say:
// on the server where it can be set, and always as the query's deadline.
const statementTimeout = 30 * time.Second

// Open returns a catalog on connString. Connections are made lazily, so
// Open does not wait for the database (nor, with tokens, for a token).
func Open(connString string, o Options) (*Catalog, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, errors.New("the PostgreSQL connection settings are not valid")
	}
	cfg.MinConns, cfg.MaxConns = o.MinConns, o.MaxConns
	if o.MaxConnIdle > 0 {
		cfg.MaxConnIdleTime = o.MaxConnIdle
	}
	if o.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = o.MaxConnLifetime
	}
	if o.PgBouncer {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	// A query whose request is abandoned (the client went away, the
	// deadline passed) is cancelled on the server too, not left running
	// on a connection the pool then closes. If the query has not ended
	// cancelDeadline after the cancel request, the link itself is slow or
	// stalled (the cancel travels it too): the connection is given up so
	// the request answers 503 near its deadline, not a second later.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, CancelRequestDelay: 0, DeadlineDelay: cancelDeadline}
	}
	if o.Tracer != nil {
		cfg.ConnConfig.Tracer = o.Tracer
	}
	rp := cfg.ConnConfig.RuntimeParams
	app := cmp.Or(o.ApplicationName, ServerApplication)
	rp["application_name"] = app
	if !o.PgBouncer { // PgBouncer refuses other startup parameters
		rp["search_path"] = "pgstac,public"
		rp["statement_timeout"] = strconv.Itoa(int(statementTimeout.Milliseconds()))
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	db, err := NewPool(cfg, o.Tokens, o.Log)
	if err != nil {
		return nil, err
	}
	return &Catalog{db: db, storedSearches: o.StoredSearches, app: app}, nil
}

// KeywordConnString is a keyword/value connection string without a
// password: the token is set on the pool's config, never pasted into a
// string (tokens hold characters such as @, : and /). sslrootcert, when not
// "", is the PEM bundle pgx checks the server's certificate against.
func KeywordConnString(host string, port int, db, user, sslmode, sslrootcert string) string {
	q := func(v string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	s := fmt.Sprintf("host=%s port=%d dbname=%s user=%s sslmode=%s", q(host), port, q(db), q(user), q(sslmode))
	if sslrootcert != "" {
		s += " sslrootcert=" + q(sslrootcert)
	}
	return s
}

// Run keeps the pool's token fresh until ctx ends (see Pool.Run).
func (c *Catalog) Run(ctx context.Context) { c.db.Run(ctx, 30*time.Second) }

// Close closes the pool.
func (c *Catalog) Close() { c.db.Close() }

// PoolStats are the current pool's connections (see Pool.Stats).
func (c *Catalog) PoolStats() PoolStats { return c.db.Stats() }

// Status is how the catalog reaches its database.
func (c *Catalog) Status() tilefunc.DatabaseStatus { return c.db.Status() }

// Version is the pgSTAC schema version; it also proves the database answers.
func (c *Catalog) Version(ctx context.Context) (string, error) {
	var v string
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		return p.QueryRow(ctx, "SELECT pgstac.get_version()").Scan(&v)
	})
	return v, dbError(err)
}

// Register stores a search (pgSTAC search_query) and returns it as
// stored: its hash, and its metadata in jsonb's key order.
func (c *Catalog) Register(ctx context.Context, query, metadata json.RawMessage) (*tilefunc.Search, error) {
	var s *tilefunc.Search
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		var readonly, canWrite bool
		if err := p.QueryRow(ctx, `SELECT pgstac.readonly(), has_table_privilege('pgstac.searches', 'INSERT')`).Scan(&readonly, &canWrite); err != nil {
			return err
		}
		switch {
		case readonly:
			return tilefunc.Errorf(tilefunc.EFORBIDDEN, "PgSTAC instance is set to `read-only`, cannot register search query.")
		case !canWrite:
			// search_query is SECURITY DEFINER, so pgSTAC would store the
			// search anyway: honour the operator's read-only grants.
			return tilefunc.Errorf(tilefunc.EFORBIDDEN, "the database role has read-only grants, cannot register search query: register searches with a role granted 'handler sql grants --mode register'")
		}
		var err error
		s, err = scanSearch(p.QueryRow(ctx, "SELECT "+searchColumns+" FROM pgstac.search_query($1::jsonb, _metadata => $2::jsonb)",
			string(query), string(metadata)))
		return err
	})
	return s, dbError(err)
}

// Search returns the registered search with the given hash. It reads the
// searches table, so it needs no write grant.
func (c *Catalog) Search(ctx context.Context, hash string) (*tilefunc.Search, error) {
	var s *tilefunc.Search
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		var err error
		s, err = scanSearch(p.QueryRow(ctx, "SELECT "+searchColumns+" FROM pgstac.searches WHERE hash = $1", hash))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(hash)
	}
	return s, dbError(err)
}

// searchColumns are the columns of a pgstac.searches row that scanSearch reads.
const searchColumns = "hash, search, _where, orderby, lastused, usecount, coalesce(metadata, '{}')"

func scanSearch(row pgx.Row) (*tilefunc.Search, error) {
	var s tilefunc.Search
	var lastused time.Time
	var meta []byte
	if err := row.Scan(&s.Hash, &s.Search, &s.Where, &s.OrderBy, &lastused, &s.UseCount, &meta); err != nil {
		return nil, err
	}
	s.LastUsed = isoTime(lastused)
	if err := json.Unmarshal(meta, &s.Metadata); err != nil {
		return nil, fmt.Errorf("search %s metadata: %w", s.Hash, err)
	}
	return &s, nil
}

// isoTime writes t in UTC as pydantic writes a datetime (titiler-pgstac's
// lastused): microseconds in six digits, left out when zero.
func isoTime(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000Z07:00")
}

func notFound(hash string) error {
	return tilefunc.Errorf(tilefunc.ENOTFOUND, "SearchId `%s` not found", hash)
}

// itemFields are the item fields rendering needs (titiler-pgstac's set).
const itemFields = `{"include":["assets","id","bbox","collection"]}`

// Items returns the items of search hash that intersect bbox (lon/lat), in
// the search's order, through pgSTAC's geojsonsearch. A bbox whose corners
// are one point searches that point.
func (c *Catalog) Items(ctx context.Context, hash string, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	var fc struct {
		Features []tilefunc.Item `json:"features"`
	}
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		return p.QueryRow(ctx, "SELECT pgstac.geojsonsearch($1::jsonb, $2, $3::jsonb, $4, $5, $6::interval, $7, $8) FROM "+readOnlyUnlessGranted,
			polygon(bbox), hash, itemFields, o.ScanLimit, o.ItemsLimit,
			fmt.Sprintf("%d milliseconds", o.TimeLimit.Milliseconds()), o.ExitWhenFull, o.SkipCovered).
			Scan(&fc)
	})
	if err != nil {
		if strings.Contains(err.Error(), "Not Found") {
			return nil, notFound(hash)
		}
		return nil, dbError(err)
	}
	return fc.Features, nil
}

// readOnlyUnlessGranted turns pgSTAC's read-only mode on for the one
// statement it is the FROM clause of when the role may not write searches.
// pgSTAC's search functions are SECURITY DEFINER: without it, a read-only
// role's tile requests still insert searches and count their use. A role
// setting (ALTER ROLE ... SET pgstac.readonly) would do the same, but
// PostgreSQL 15 lets only a superuser set a placeholder parameter on a
// role, which Azure's administrator is not; set_config(..., true) needs no
// privilege and ends with the statement's transaction, so it is safe
// behind PgBouncer too.
const readOnlyUnlessGranted = `(SELECT set_config('pgstac.readonly',
	CASE WHEN pgstac.readonly() OR NOT has_table_privilege('pgstac.searches', 'INSERT') THEN 'true' ELSE 'false' END, true)) AS ro`

// readOnly is pgSTAC's read-only mode for the one statement, whatever the
// role may do: an unregistered search is meant to leave no row.
const readOnly = `(SELECT set_config('pgstac.readonly', 'true', true)) AS ro`

// polygon is bbox as a GeoJSON polygon, or a point where it has no extent
// (titiler-pgstac searches a point as a GeoJSON Point).
func polygon(b [4]float64) string {
	if b[0] == b[2] && b[1] == b[3] {
		return fmt.Sprintf(`{"type":"Point","coordinates":[%g,%g]}`, b[0], b[1])
	}
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%[1]g,%[2]g],[%[3]g,%[2]g],[%[3]g,%[4]g],[%[1]g,%[4]g],[%[1]g,%[2]g]]]}`,
		b[0], b[1], b[2], b[3])
}

// lostConnection says whether err is the connection going away under a
// query (a server restart, a backend killed, a network cut), not a fault
// of tilefunc's.
func lostConnection(err error) bool {
	var ne net.Error
	return transient(err) || pgconn.Timeout(err) || errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "conn closed")
}

// dbError turns the database's refusals into client-safe errors; anything
// else stays internal.
func dbError(err error) error {
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce) && !errors.As(err, &pe):
		return &tilefunc.Error{Code: tilefunc.EUNAVAILABLE, Message: "database unavailable: " + loginError(err)}
	case errors.Is(err, context.DeadlineExceeded):
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "database unavailable: no answer in time")
	case !errors.As(err, &pe) && lostConnection(err):
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "database unavailable for a moment (the connection was lost): try again")
	case !errors.As(err, &pe):
		return err
	}
	if refusedLogin(err) {
		return &tilefunc.Error{Code: tilefunc.EUNAVAILABLE, Message: "database unavailable: " + loginError(err)}
	}
	if transient(err) {
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "database unavailable for a moment (SQLSTATE %s): try again", pe.Code)
	}
	switch {
	case pe.Code == "42501": // insufficient_privilege
		return tilefunc.Errorf(tilefunc.EFORBIDDEN, "the database role may not do this (%s): registering searches needs the register grants", pe.Message)
	case pe.Code == "25006": // read_only_sql_transaction
		return tilefunc.Errorf(tilefunc.EFORBIDDEN, "the database is read-only: cannot register search query")
	case strings.HasPrefix(pe.Code, "22"), pe.Code == "P0001", pe.Code == "42883", pe.Code == "42703":
		return tilefunc.Errorf(tilefunc.EINVALID, "invalid search: %s", pe.Message)
	case pe.Code == "57014": // query_canceled: statement timeout
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "the catalog query took too long")
	}
	return err
}
