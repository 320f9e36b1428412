// Command handler is tilefunc: the titiler-pgstac API as an Azure Functions
// custom handler. Run alone it is a plain HTTP server.
//
//	handler                       serve (the port comes from FUNCTIONS_CUSTOMHANDLER_PORT)
//	handler sql grants ...        print the SQL that creates and grants the database role
//	handler doctor                check identity, database grants and blob access
//	handler functions -out DIR    write the function.json folders the Functions host needs
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
	"tilefunc/functions"
	"tilefunc/handler"
	"tilefunc/tiles"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "functions":
		err = functions.Command(os.Args[2:], os.Stdout, os.Stderr)
	case len(os.Args) > 2 && os.Args[1] == "sql" && os.Args[2] == "grants":
		err = sqlGrants(os.Stdout, os.Args[3:])
	case len(os.Args) > 1 && os.Args[1] == "doctor":
		err = doctor(os.Stdout)
	case len(os.Args) > 1:
		err = fmt.Errorf("unknown command %q: use 'handler', 'handler sql grants', 'handler doctor' or 'handler functions'", os.Args[1])
	default:
		err = serve(log)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// serve listens first (the Functions host waits for the port), then wires
// config → identity → pgstac and storage → tiles → handler, and serves
// until a signal. The token and the pool come up in the background.
func serve(log *slog.Logger) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set FUNCTIONS_CUSTOMHANDLER_PORT or TILEFUNC_ADDR)", cfg.Addr, err)
	}
	log.Info("tilefunc listening", "addr", ln.Addr().String(), "version", version)
	logPlatform(log)
	go func() {
		if err := tiles.Warm(); err != nil {
			log.Warn("tile matrix sets", "error", err.Error())
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	deps, err := wire(cfg, log)
	if err != nil {
		return err
	}
	defer deps.catalog.Close()
	go deps.catalog.Run(ctx)
	srv := &handler.Server{
		Catalog:        deps.catalog,
		Renderer:       tiles.NewRenderer(deps.resolver, cfg.Concurrency),
		Search:         cfg.Search,
		CacheControl:   cfg.CacheControl,
		CORSOrigins:    cfg.CORSOrigins,
		CORSMethods:    cfg.CORSMethods,
		CacheTTL:       cfg.CacheTTL,
		AssetRoutes:    cfg.AssetRoutes,
		ExternalRoutes: cfg.ExternalRoutes,
		Attribution:    cfg.Attribution,
		StrictZoom:     cfg.StrictZoom,
		Debug:          cfg.Debug,
		Version:        version,
		Logger:         log,
	}
	if deps.blob != nil {
		srv.Storage = deps.blob
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		// net/http's own complaints (a ';' in a query, TLS noise) are not errors
		// of ours: on stderr the Functions host would log them as Errors.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
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
