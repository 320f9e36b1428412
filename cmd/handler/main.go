// Command handler is tilefunc: the titiler-pgstac API as an Azure Functions
// custom handler. Run alone it is a plain HTTP server.
//
//	handler                       serve (the port comes from FUNCTIONS_CUSTOMHANDLER_PORT)
//	handler sql grants ...        print the SQL that creates and grants the database role
//	handler doctor                check identity, database grants and blob access; list the role's connections
//	handler smoke URL             check a deployed app: /healthz, a registration, a tile, WMTS
//	handler functions -out DIR    write the function.json folders the Functions host needs
//
// Each command, and handler itself, prints its usage with --help.
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
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"tilefunc/config"
	"tilefunc/handler"
	"tilefunc/internal/cli"
	"tilefunc/internal/malloc"
	"tilefunc/pgstac"
	"tilefunc/telemetry"
	"tilefunc/tiles"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	// JSON lines, which Application Insights parses field by field.
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	err := dispatch(os.Args[1:], os.Stdout, os.Stderr, func() error { return serve(log) })
	code := cli.ExitCode(err)
	if code == 1 {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// warmRestAfter is when the tile matrix sets no request has asked for yet
// are prepared, after start-up.
const warmRestAfter = 10 * time.Second

// goMemoryLimit is the Go heap's share of the process's memory limit (0:
// none known): what is left once GDAL's block cache and C's other memory
// (the mapped code, warp buffers, datasets; an eighth, 128 MB at least)
// are set aside. Go's own limit, GOMEMLIMIT as the runtime reads it, counts
// only Go's memory, so a heap let grow to it would carry the process past.
func goMemoryLimit(limit, blockCache int64) int64 {
	if limit <= 0 {
		return 0
	}
	return max(limit-blockCache-max(limit/8, 128<<20), limit/4)
}

// serve listens first (the Functions host waits for the port), then wires
// config → identity → pgstac and storage → tiles → handler, and serves
// until a signal. The token and the pool come up in the background.
func serve(log *slog.Logger) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	if cfg.GDALCacheMB > 0 { // before GDAL's first read sizes its cache
		os.Setenv("GDAL_CACHEMAX", strconv.Itoa(cfg.GDALCacheMB))
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set FUNCTIONS_CUSTOMHANDLER_PORT or TILEFUNC_ADDR)", cfg.Addr, err)
	}
	log.Info("tilefunc listening", "addr", ln.Addr().String(), "version", version)
	logPlatform(log)
	if cfg.PprofAddr != "" {
		closePprof, err := startPprof(cfg.PprofAddr, log)
		if err != nil {
			return err
		}
		defer closePprof()
	}
	go func() {
		err := tiles.Warm()
		// The other sets are checked once the first requests are served: a
		// PROJ that cannot prepare one (a package without proj.db) is
		// logged, and a cold start does not wait for it.
		if err == nil {
			time.Sleep(warmRestAfter)
			err = tiles.CheckTMS()
		}
		if err != nil {
			log.Warn("tile matrix sets", "error", err.Error())
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	deps, err := wire(cfg, log, pgstac.ServerApplication)
	if err != nil {
		return err
	}
	defer deps.catalog.Close()
	go deps.catalog.Run(ctx)
	cache := tiles.BlockCacheBytes()
	goLimit := goMemoryLimit(cfg.Memory, cache)
	if goLimit > 0 {
		debug.SetMemoryLimit(goLimit)
	}
	tiles.KeepDatasets(cfg.Datasets)
	tr := tiles.NewRenderer(deps.resolver, cfg.Concurrency)
	tr.Limit(cfg.RenderMemory)
	tr.Renders(cfg.Renders)
	log.Info("renders", "at_once", cfg.Renders, "memory_mb", cfg.RenderMemory>>20, "concurrency", cfg.Concurrency, "datasets_kept", cfg.Datasets, "gdal_cache_mb", cache>>20, "go_limit_mb", goLimit>>20, "allocator", malloc.Allocator())
	var renderer handler.Renderer = tr
	if deps.tracing != nil {
		renderer = handler.TracedRenderer(renderer)
	}
	srv := &handler.Server{
		Catalog:        deps.catalog,
		Renderer:       renderer,
		Search:         cfg.Search,
		CacheControl:   handler.CachePolicy(cfg.CacheControl),
		CORSOrigins:    cfg.CORSOrigins,
		CORSMethods:    cfg.CORSMethods,
		CacheTTL:       cfg.CacheTTL,
		AssetRoutes:    cfg.AssetRoutes,
		ExternalRoutes: cfg.ExternalRoutes,
		Attribution:    cfg.Attribution,
		StrictZoom:     cfg.StrictZoom,
		Debug:          cfg.Debug,
		RequestTimeout: cfg.RequestTimeout,
		PublicURL:      cfg.PublicURL,
		Register:       &handler.RegisterGuard{Key: cfg.RegisterKey, PerHour: float64(cfg.RegisterPerHour)},
		Version:        version,
		Logger:         log,
	}
	srv.ViewerBasemap, srv.ViewerBasemapAttribution = cfg.ViewerBasemap, cfg.ViewerBasemapAttribution
	if deps.blob != nil {
		srv.Storage = deps.blob
	}
	if cfg.Metrics {
		srv.Metrics = telemetry.NewMetrics(metricSources(deps, srv))
	}
	h := srv.Handler()
	if deps.tracing != nil {
		h = deps.tracing.Handler(h)
		defer flush(deps.tracing, log)
	}
	log.Info("telemetry", "metrics", cfg.Metrics, "traces", cfg.Telemetry, "traces_to", tracesTo(cfg))
	// A request gives up at its deadline (the handler's own); the
	// connection's write limit leaves it time to say so. A body must
	// arrive within ReadTimeout, an idle keep-alive is closed after a while.
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: cfg.RequestTimeout + 10*time.Second, IdleTimeout: 2 * time.Minute,
		// net/http's own complaints (a ';' in a query, TLS noise) are not errors
		// of ours: on stderr the Functions host would log them as Errors.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(shut)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-drained // requests in flight finish (and end their spans) before the pool closes and spans flush
	return nil
}

// tracesTo is where spans go, or "" with tracing off.
func tracesTo(cfg *config.Config) string {
	if !cfg.Telemetry {
		return ""
	}
	return telemetryTarget(os.Getenv)
}

// flush sends the spans still buffered before the process exits.
func flush(t *telemetry.Tracing, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.Shutdown(ctx); err != nil {
		log.Warn("telemetry: spans not sent at exit", "error", err.Error())
	}
}
