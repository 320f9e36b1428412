package handler

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// The access log: one JSON line per request (the logger's format), with
// what ties it to the Functions host's own record of the invocation
// (X-Azure-Functions-InvocationId, traceparent) and the function that
// served it. The query is left out of the line: it may carry the
// function key (code=). The same place counts the request for /metrics
// and names its span, when those are on.

// Metrics counts answered requests and serves /metrics (telemetry.Metrics,
// with TITILER_PGSTAC_API_METRICS_ENABLED).
type Metrics interface {
	http.Handler
	// Observe counts a request of function, whose route template is route.
	Observe(function, route, method string, status int, d time.Duration)
}

// servedKey is the context key of the holder the router fills with the
// route (the Azure Functions function) that served a request.
type servedKey struct{}

// served is the function that served a request and its route template;
// empty when no route matched.
type served struct{ name, path string }

// accessLog logs each request once it is answered.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := new(served)
		lw := &logWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r.WithContext(context.WithValue(r.Context(), servedKey{}, rt)))
		status := lw.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		nameSpan(r, rt)
		if s.Metrics != nil && rt.name != "" { // unmatched paths are not counted, as in titiler-pgstac
			s.Metrics.Observe(rt.name, rt.path, r.Method, status, d)
		}
		level := slog.LevelInfo
		if status >= 500 && !errors.Is(r.Context().Err(), context.Canceled) {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("function", rt.name),
			slog.Int("status", status), slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.Int64("bytes", lw.bytes),
		}
		if id := r.Header.Get("X-Azure-Functions-InvocationId"); id != "" {
			attrs = append(attrs, slog.String("invocation_id", id))
		}
		if tp := r.Header.Get("traceparent"); tp != "" {
			attrs = append(attrs, slog.String("traceparent", tp))
		}
		if errors.Is(r.Context().Err(), context.Canceled) {
			attrs = append(attrs, slog.Bool("client_gone", true))
		}
		s.Logger.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// named records the route that serves a request for the access log.
func named(rt Route, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if holder, ok := r.Context().Value(servedKey{}).(*served); ok {
			*holder = served{name: rt.Name, path: rt.Path}
		}
		h.ServeHTTP(w, r)
	})
}

// nameSpan names the request's span after the function that served it,
// with its route template and the host's invocation id. The span is
// started before routing (it covers the middleware); without tracing it
// is a no-op.
func nameSpan(r *http.Request, rt *served) {
	span := trace.SpanFromContext(r.Context())
	if !span.IsRecording() || rt.name == "" {
		return
	}
	span.SetName(rt.name)
	span.SetAttributes(semconv.HTTPRoute(rt.path))
	if id := r.Header.Get("X-Azure-Functions-InvocationId"); id != "" {
		span.SetAttributes(semconv.FaaSInvocationID(id))
	}
}

// logWriter notes an answer's status and size.
type logWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (l *logWriter) WriteHeader(code int) {
	if l.status == 0 {
		l.status = code
	}
	l.ResponseWriter.WriteHeader(code)
}

func (l *logWriter) Write(b []byte) (int, error) {
	if l.status == 0 {
		l.status = http.StatusOK
	}
	n, err := l.ResponseWriter.Write(b)
	l.bytes += int64(n)
	return n, err
}
