package handler

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// The access log: one JSON line per request (the logger's format), with
// what ties it to the Functions host's own record of the invocation
// (X-Azure-Functions-InvocationId, traceparent) and the function that
// served it. The query is left out of the line: it may carry the
// function key (code=).

// routeNameKey is the context key of the holder the router fills with the
// name of the route (the Azure Functions function) that served a request.
type routeNameKey struct{}

// accessLog logs each request once it is answered.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		name := new(string)
		lw := &logWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r.WithContext(context.WithValue(r.Context(), routeNameKey{}, name)))
		status := lw.status
		if status == 0 {
			status = http.StatusOK
		}
		level := slog.LevelInfo
		if status >= 500 && !errors.Is(r.Context().Err(), context.Canceled) {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("function", *name),
			slog.Int("status", status), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
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

// named records the route's function name for the access log.
func named(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if holder, ok := r.Context().Value(routeNameKey{}).(*string); ok {
			*holder = name
		}
		h.ServeHTTP(w, r)
	})
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
