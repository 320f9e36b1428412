package main

import (
	"fmt"
	"log/slog"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"tilefunc/config"
	"tilefunc/identity"
	"tilefunc/pgstac"
	"tilefunc/storage"
)

// deps are the concrete services the handler runs on.
type deps struct {
	catalog  *pgstac.Catalog
	blob     *storage.Blob // nil without a blob store
	resolver *storage.Resolver
	tokens   *identity.Cache // nil in password mode
}

// wire builds the services from the settings. Nothing here waits on the
// network: the pool connects, and the token is fetched, on first use.
func wire(cfg *config.Config, log *slog.Logger) (*deps, error) {
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
		MaxConnLifetime: db.Lifetime, PgBouncer: db.PgBouncer, StoredSearches: db.StoredSearches, Log: log}
	conn := db.URL
	if db.UseMI {
		conn = pgstac.KeywordConnString(db.Host, db.Port, db.Name, db.User, db.SSLMode)
		opts.Tokens = d.tokens
		log.Info("database with Entra tokens", "host", db.Host, "database", db.Name, "user", db.User, "sslmode", db.SSLMode)
	}
	var err error
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
