package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/jackc/pgx/v5"

	"tilefunc/config"
	"tilefunc/handler"
	"tilefunc/identity"
	"tilefunc/pgstac"
	"tilefunc/storage"
	"tilefunc/telemetry"
)

// deps are the concrete services the handler runs on.
type deps struct {
	catalog  *pgstac.Catalog
	blob     *storage.Blob // nil without a blob store
	resolver *storage.Resolver
	tokens   *identity.Cache    // nil in password mode
	tracing  *telemetry.Tracing // nil unless TITILER_PGSTAC_API_TELEMETRY_ENABLED
}

// wire builds the services from the settings; the pool's connections are
// named app in pg_stat_activity. Nothing here waits on the network: the
// pool connects, and the token is fetched, on first use.
func wire(cfg *config.Config, log *slog.Logger, app string) (*deps, error) {
	d := &deps{}
	var cred azcore.TokenCredential
	if cfg.Database.UseMI || cfg.Storage.UseAzureAuth {
		c, kind, err := identity.NewCredential(cfg.Database.LocalMode, cfg.Database.ClientID)
		if err != nil {
			return nil, fmt.Errorf("identity: %w", err)
		}
		cred = c
		log.Info("azure credential", "kind", kind, "client_id", cfg.Database.ClientID)
		if cfg.Database.UseMI {
			d.tokens = identity.NewCache(c, kind, identity.PostgresScope)
		}
	}
	db := cfg.Database
	opts := pgstac.Options{MinConns: db.MinConns, MaxConns: db.MaxConns, MaxConnIdle: db.MaxIdle,
		MaxConnLifetime: db.Lifetime, PgBouncer: db.PgBouncer, StoredSearches: db.StoredSearches, ApplicationName: app, Log: log}
	var err error
	if cfg.Telemetry {
		if d.tracing, err = telemetry.StartTracing(context.Background(), version, log); err != nil {
			return nil, err
		}
		opts.Tracer = d.tracing.QueryTracer()
	}
	conn := db.URL
	if db.UseMI {
		conn = pgstac.KeywordConnString(db.Host, db.Port, db.Name, db.User, db.SSLMode, db.SSLRootCert)
		opts.Tokens = d.tokens
		log.Info("database with Entra tokens", "mode", d.tokens.Status().Kind, "host", db.Host, "database", db.Name, "user", db.User, "sslmode", db.SSLMode, "sslrootcert", db.SSLRootCert)
	} else {
		logPasswordDatabase(log, conn)
	}
	if d.catalog, err = pgstac.Open(conn, opts); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	st := cfg.Storage
	switch {
	case st.UseAzureAuth:
		d.blob, err = storage.NewBlobWithCredential(st.Endpoint, cred, st.CacheMB)
	case st.ConnectionString != "":
		d.blob, err = storage.NewBlobFromConnectionString(st.ConnectionString, st.CacheMB)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if d.blob != nil {
		if err := d.blob.Register(); err != nil {
			return nil, err
		}
	}
	d.resolver = storage.NewResolver(d.blob, st.Account, st.LocalDirs, st.AllowedHosts)
	return d, nil
}

// logPasswordDatabase tells where a DATABASE_URL points, and as whom:
// never its password.
func logPasswordDatabase(log *slog.Logger, conn string) {
	c, err := pgx.ParseConfig(conn)
	if err != nil {
		return // Load has refused it already
	}
	log.Info("database with a password", "mode", "password", "host", c.Host, "port", c.Port, "database", c.Database, "user", c.User)
}

// metricSources are what /metrics reads from the services: the pool, the
// token's expiry, and the hits of the handler's and the blob store's caches.
func metricSources(d *deps, srv *handler.Server) telemetry.Sources {
	src := telemetry.Sources{
		Pool: func() telemetry.Pool {
			p := d.catalog.PoolStats()
			return telemetry.Pool{Generation: p.Generation, Total: p.Total, Idle: p.Idle, Acquired: p.Acquired, MaxConns: p.MaxConns}
		},
		Caches: func() []telemetry.CacheHits {
			var out []telemetry.CacheHits
			for _, c := range srv.CacheStats() {
				out = append(out, telemetry.CacheHits{Cache: c.Name, Hits: c.Hits, Misses: c.Misses})
			}
			if d.blob != nil {
				hits, misses := d.blob.CacheStats()
				out = append(out, telemetry.CacheHits{Cache: "blob_blocks", Hits: hits, Misses: misses})
			}
			return out
		},
	}
	if d.tokens != nil {
		src.Token = func() time.Time { return d.tokens.Status().ExpiresOn }
	}
	return src
}

// telemetryTarget is where traces go, for the start-up log: the endpoint
// without any user or password in it.
func telemetryTarget(getenv func(string) string) string {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if v := getenv(name); v != "" {
			if u, err := url.Parse(v); err == nil {
				u.User, u.RawQuery = nil, ""
				return u.String()
			}
			return "(unparsable " + name + ")"
		}
	}
	return "http://localhost:4318"
}
