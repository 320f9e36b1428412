package handler

import (
	"net/http"
	"slices"
	"strings"
)

// allMethods is what a method list of "*" allows (Starlette's ALL_METHODS).
var allMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY"}

// cors answers preflights and marks answers readable by the origins
// allowed, as titiler-pgstac's Starlette CORSMiddleware with
// allow_credentials=True and allow_headers=["*"]: with credentials, an
// allowed origin is echoed rather than "*". The origins allowed may read
// the answers' timings (Timing-Allow-Origin) as well.
func (s *Server) cors(next http.Handler) http.Handler {
	origins := s.CORSOrigins
	if origins == nil {
		origins = []string{"*"}
	}
	methods := s.CORSMethods
	if methods == nil {
		methods = []string{http.MethodGet, http.MethodPost, http.MethodOptions}
	}
	if slices.Contains(methods, "*") {
		methods = allMethods
	}
	anyOrigin := slices.Contains(origins, "*")
	allowed := func(o string) bool { return anyOrigin || slices.Contains(origins, o) }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		origin := r.Header.Get("Origin")
		if origin != "" && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network")
			h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
			h.Set("Access-Control-Max-Age", "600")
			h.Set("Access-Control-Allow-Credentials", "true")
			if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
				h.Set("Access-Control-Allow-Headers", rh)
			}
			var failures []string
			if allowed(origin) {
				h.Set("Access-Control-Allow-Origin", origin)
			} else {
				failures = append(failures, "origin")
			}
			if !slices.Contains(methods, r.Header.Get("Access-Control-Request-Method")) {
				failures = append(failures, "method")
			}
			h.Set("Content-Type", "text/plain; charset=utf-8")
			if len(failures) > 0 {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte("Disallowed CORS " + strings.Join(failures, ", ")))
				return
			}
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("OK"))
			return
		}
		if origin != "" {
			h.Set("Access-Control-Allow-Credentials", "true")
			if allowed(origin) {
				h.Set("Access-Control-Allow-Origin", origin)
				// A page there may read the images' Server-Timing too.
				h.Set("Timing-Allow-Origin", origin)
			}
		}
		addVary(h, "Origin")
		next.ServeHTTP(w, r)
	})
}
