// Command handler is tilefunc: the titiler-pgstac API as an Azure Functions
// custom handler. Run alone it is a plain HTTP server.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"tilefunc/config"
	"tilefunc/handler"
	"tilefunc/pgstac"
	"tilefunc/storage"
	"tilefunc/tiles"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run listens first (the Functions host waits for the port), then wires
// config → storage → tiles and pgstac → handler, and serves until a signal.
func run(log *slog.Logger) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set FUNCTIONS_CUSTOMHANDLER_PORT or TILEFUNC_ADDR)", cfg.Addr, err)
	}
	go tiles.Warm()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if cfg.Database.UseMI || cfg.Storage.UseAzureAuth {
		return errors.New("config: USE_POSTGRES_MI=true and USE_AZURE_AUTH=true (Azure credentials) are not built yet in this version: use DATABASE_URL and AZURE_STORAGE_CONNECTION_STRING")
	}
	catalog, err := pgstac.Open(ctx, cfg.Database.URL, pgstac.Options{MinConns: cfg.Database.MinConns, MaxConns: cfg.Database.MaxConns})
	if err != nil {
		return err
	}
	defer catalog.Close()
	resolver, err := newResolver(cfg)
	if err != nil {
		return err
	}
	srv := &handler.Server{
		Catalog:      catalog,
		Renderer:     tiles.NewRenderer(resolver, cfg.Concurrency),
		Search:       cfg.Search,
		CacheControl: cfg.CacheControl,
		Version:      version,
		Logger:       log,
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Info("tilefunc listening", "addr", ln.Addr().String(), "version", version)
	logPlatform(log)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(shut)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newResolver allows the configured blob account, local folders and hosts.
func newResolver(cfg *config.Config) (*storage.Resolver, error) {
	var blob *storage.Blob
	if cs := cfg.Storage.ConnectionString; cs != "" {
		b, err := storage.NewBlobFromConnectionString(cs)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := b.Register(); err != nil {
			return nil, err
		}
		blob = b
	}
	return storage.NewResolver(blob, cfg.Storage.Account, cfg.Storage.LocalDirs, cfg.Storage.AllowedHosts), nil
}
