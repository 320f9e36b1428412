// Package handler is tilefunc's HTTP API: the titiler-pgstac routes, their
// parameters, errors and middleware. It is the only package that knows HTTP.
package handler

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/internal/timing"
	"tilefunc/pgstac"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// Catalog finds searches and the items under a geometry (pgstac.Catalog).
type Catalog interface {
	Register(ctx context.Context, query, metadata json.RawMessage) (*tilefunc.Search, error)
	Search(ctx context.Context, hash string) (*tilefunc.Search, error)
	Items(ctx context.Context, hash string, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error)
	Version(ctx context.Context) (string, error)
	Status() tilefunc.DatabaseStatus
	Collection(ctx context.Context, id string) (json.RawMessage, error)
	EnsureSearch(ctx context.Context, query, metadata json.RawMessage) (hash string, registered bool, err error)
	SearchItems(ctx context.Context, query json.RawMessage, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error)
	ListSearches(ctx context.Context, o pgstac.ListOptions) ([]tilefunc.Search, int, error)
	Item(ctx context.Context, collection, id string) (*tilefunc.Item, error)
}

// Storage is the blob store, when one is configured (storage.Blob).
type Storage interface {
	Ping(ctx context.Context) error
}

// Renderer turns items into an image, or reads their values at a point
// (tiles.Renderer).
type Renderer interface {
	Image(ctx context.Context, items []tilefunc.Item, win tiles.Window, spec tiles.Spec) (*raster.Image, error)
	Point(ctx context.Context, items []tilefunc.Item, x, y float64, crs tiles.CRS, spec tiles.Spec) ([]tiles.PointValues, error)
	// One item's image, its values at a point, its assets' descriptions.
	Item(ctx context.Context, item tilefunc.Item, win tiles.Window, spec tiles.Spec) (*raster.Image, error)
	ItemPoint(ctx context.Context, item tilefunc.Item, x, y float64, crs tiles.CRS, spec tiles.Spec) (*raster.Image, error)
	Info(ctx context.Context, item tilefunc.Item, assets []string) ([]tiles.AssetInfo, error)
}

// Server serves the API.
type Server struct {
	Catalog      Catalog
	Renderer     Renderer
	Storage      Storage                // nil when no blob store is configured
	Search       tilefunc.SearchOptions // pgSTAC search defaults
	CacheControl CachePolicy            // of each class of GET answers below 500
	Version      string                 // tilefunc's version, shown by /healthz
	Logger       *slog.Logger
	CacheTTL     time.Duration // how long a resolved search or collection is reused; 0: not at all
	// AssetRoutes and ExternalRoutes switch on titiler-pgstac's optional
	// routes: one asset of an item, and a raster at a URL (off by default,
	// as TITILER_PGSTAC_API_ENABLE_ASSETS_ENDPOINTS and
	// TITILER_PGSTAC_API_ENABLE_EXTERNAL_DATASET_ENDPOINTS).
	AssetRoutes, ExternalRoutes bool
	// Debug adds X-Assets to mosaic images (the items they were made of)
	// and Server-Timing's total to every answer (TITILER_PGSTAC_API_DEBUG);
	// image answers carry Server-Timing always, with their stages.
	Debug bool
	// StrictZoom refuses a mosaic tile outside the mosaic's zooms with a
	// 400 (MOSAIC_STRICT_ZOOM, off by default as in titiler).
	StrictZoom bool
	// PublicURL is the scheme and host links are written with
	// (https://tiles.example.org); "" for the request's own, or a
	// loopback proxy's X-Forwarded-Host and -Proto.
	PublicURL string
	// Register guards search registration with a key and a rate per
	// client; nil for neither.
	Register *RegisterGuard
	// RequestTimeout is each request's deadline: what it reads is
	// abandoned then, and it answers 503 with Retry-After; 0 for none.
	RequestTimeout time.Duration
	// Attribution is the attribution of every TileJSON and of an item's
	// tilesets (TITILER_DEFAULT_ATTRIBUTION); "" for none.
	Attribution string
	// ViewerBasemap is the XYZ URL template of the basemap map.html pages
	// in WebMercatorQuad draw under the layer, ViewerBasemapAttribution its
	// attribution (TILEFUNC_VIEWER_BASEMAP, ..._ATTRIBUTION); "" for none.
	ViewerBasemap, ViewerBasemapAttribution string
	// CORSOrigins are the origins browsers may read answers from, "*" for
	// any; CORSMethods the methods a preflight allows, "*" for all
	// (TITILER_PGSTAC_API_CORS_ORIGINS, TITILER_PGSTAC_API_CORS_ALLOW_METHODS).
	// nil: titiler's defaults, any origin and GET, POST, OPTIONS.
	CORSOrigins, CORSMethods []string
	// Metrics counts each request and serves /metrics; nil: /metrics is
	// 404 (TITILER_PGSTAC_API_METRICS_ENABLED, off by default).
	Metrics Metrics
	// TileItemsCacheBytes bounds the memory of the items kept per tile
	// (estimated as their JSON size); 0: 64 MB.
	TileItemsCacheBytes int64

	router   *mux.Router
	mosaics  *ttlCache[*mosaic]
	items    *ttlCache[[]tilefunc.Item] // tile → items, so a busy map does not search per request
	itemDocs *ttlCache[*itemDoc]        // collection/item → the item, for its own routes
}

// Handler returns the server's root handler with its middleware.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	s.mosaics = newTTLCache[*mosaic](s.CacheTTL, 512)
	s.items = newSizedCache(s.CacheTTL, 4096, cmp.Or(s.TileItemsCacheBytes, defaultTileItemsBytes), itemsSize)
	s.itemDocs = newTTLCache[*itemDoc](s.CacheTTL, 512)
	s.router = mux.NewRouter()
	for _, rt := range s.routes() {
		h := rt.handle
		if declaresForm(rt.Params) {
			h = htmlForm(h)
		}
		methods := []string{rt.Method}
		if rt.Method == http.MethodGet {
			methods = append(methods, http.MethodHead) // GET's headers, no body (represent)
		}
		s.router.Handle(rt.Path, named(rt.Route, s.endpoint(h, rt.Answer.Cache, rt.Answer.isImage()))).Methods(methods...).Name(rt.Name)
	}
	s.router.NotFoundHandler = s.endpoint(func(w http.ResponseWriter, r *http.Request) error {
		return &tilefunc.Error{Code: tilefunc.ENOTFOUND, Message: "Not Found"}
	}, CacheDocuments, false)
	s.router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
	})
	return s.accessLog(s.cors(s.recoverer(represent(s.deadline(s.withBase(trimSlash(s.router)))))))
}

// trimSlash serves /searches/ as /searches: titiler-pgstac's list lives at
// /searches/, and clients write both.
func trimSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r.URL.Path = strings.TrimRight(p, "/")
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}

// endpoint adapts a handler that returns an error, writing the error, and
// sets the Cache-Control of its class on what a client may cache. An
// image's stages are timed for its Server-Timing (timed).
func (s *Server) endpoint(h func(http.ResponseWriter, *http.Request) error, class CacheClass, timed bool) http.Handler {
	value := s.CacheControl.of(class)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &cacheWriter{ResponseWriter: w}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			cw.value = value
		}
		switch {
		case timed:
			cw.timings = timing.New()
			ctx, done := tiles.HoldRenders(timing.With(r.Context(), cw.timings))
			defer done()
			r = r.WithContext(ctx)
		case s.Debug:
			cw.start = time.Now()
		}
		if err := h(cw, r); err != nil {
			s.Error(cw, r, err)
		}
	})
}

// cacheWriter adds Cache-Control to responses below 500 that set none,
// and Server-Timing.
type cacheWriter struct {
	http.ResponseWriter
	value   string
	written bool
	start   time.Time       // in debug mode: when the request came, for Server-Timing
	timings *timing.Timings // an image's stages; nil for other answers
}

func (c *cacheWriter) WriteHeader(code int) {
	if c.written {
		return
	}
	c.written = true
	h := c.Header()
	if c.value != "" && code < 500 && h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", c.value)
	}
	switch {
	case c.timings != nil: // an error's stages would be partial: its total alone
		h.Set("Server-Timing", c.timings.Header(code < 400))
	case !c.start.IsZero(): // titiler's TotalTimeMiddleware, in debug mode
		h.Set("Server-Timing", timing.Total(c.start))
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *cacheWriter) Write(b []byte) (int, error) {
	if !c.written && c.Header().Get("Content-Type") == "" {
		c.Header().Set("Content-Type", http.DetectContentType(b))
	}
	c.WriteHeader(http.StatusOK)
	return c.ResponseWriter.Write(b)
}

// status maps error codes to HTTP statuses.
var status = map[string]int{
	tilefunc.ENOTFOUND:     http.StatusNotFound,
	tilefunc.EINVALID:      http.StatusUnprocessableEntity,
	tilefunc.EBADREQUEST:   http.StatusBadRequest,
	tilefunc.ENOCONTENT:    http.StatusNoContent,
	tilefunc.EFORBIDDEN:    http.StatusForbidden,
	tilefunc.EUNAVAILABLE:  http.StatusServiceUnavailable,
	tilefunc.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	tilefunc.ETOOMANY:      http.StatusTooManyRequests,
	tilefunc.EUNAUTHORIZED: http.StatusUnauthorized,
	tilefunc.EINTERNAL:     http.StatusInternalServerError,
}

// Error writes err as {"detail": ...} with its code's status; 204 has no
// body. Internal errors are logged and shown as a generic message.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := tilefunc.ErrorCode(err)
	st := status[code]
	switch {
	case st == http.StatusNoContent:
		w.WriteHeader(st)
		return
	case st >= 500 && errors.Is(r.Context().Err(), context.DeadlineExceeded): // whatever gave up first, the deadline is why
		err, st = tilefunc.Errorf(tilefunc.EUNAVAILABLE, "the request took longer than %s: try again, or ask for less", s.RequestTimeout), http.StatusServiceUnavailable
		s.Logger.Warn("request deadline", "method", r.Method, "path", r.URL.Path, "invocation_id", r.Header.Get("X-Azure-Functions-InvocationId"))
	case st >= 500:
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", st, "error", tilefunc.Redact(err.Error()),
			"invocation_id", r.Header.Get("X-Azure-Functions-InvocationId"))
	}
	switch st {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests: // it passes: say when to come back
		w.Header().Set("Retry-After", "5")
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeJSON(w, st, map[string]string{"detail": tilefunc.Redact(tilefunc.ErrorMessage(err))})
}

// writeItems answers the items found as pgSTAC returns them ([] for none),
// but for the signatures of SAS tokens in their hrefs.
func writeItems(w http.ResponseWriter, items []tilefunc.Item) {
	if items == nil {
		items = []tilefunc.Item{}
	}
	b, err := json.Marshal(items)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"detail": "internal server error"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(tilefunc.Redact(string(b))))
}

// deadline gives each request its RequestTimeout.
func (s *Server) deadline(next http.Handler) http.Handler {
	if s.RequestTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeBody answers 200 with a body already encoded.
func writeBody(w http.ResponseWriter, contentType string, body []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

func writeJSON(w http.ResponseWriter, st int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		st, b = http.StatusInternalServerError, []byte(`{"detail":"internal server error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st)
	w.Write(b)
}

// recoverer turns a panic into a 500, so one bad request cannot stop the
// process.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeJSON(w, http.StatusInternalServerError, map[string]string{"detail": "internal server error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}
