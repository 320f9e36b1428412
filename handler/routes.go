package handler

import (
	"context"
	"net"
	"net/http"
	"strings"
)

// Route is one endpoint as the outside sees it. The router, the function.json
// files (package functions) and the OpenAPI document (openapi.go) are all made
// from this one table, so they cannot drift apart.
type Route struct {
	Name   string // the Azure Functions function that serves it; also the mux route name
	Method string
	Path   string // gorilla/mux template: /searches/{search_id}/info
	Write  bool   // changes the catalog: the host asks for a key by default
	// Params are the query parameters the route reads, from the parameter
	// groups its handler parses (nil where the route declares none yet).
	Params []Param
	Answer Answer // what its 200 is (answers.go)
}

// route is a declared endpoint with the code that serves it.
type route struct {
	Route
	handle func(http.ResponseWriter, *http.Request) error
}

// Routes lists every endpoint the router can serve, the optional ones
// included, in declaration order. It needs no wired Server: only the
// declarations are read. (A function whose route is switched off answers
// 404, as titiler-pgstac does without the route.)
func Routes() []Route {
	var out []Route
	for _, rt := range (&Server{AssetRoutes: true, ExternalRoutes: true}).routes() {
		out = append(out, rt.Route)
	}
	return out
}

// routes is every endpoint, grouped by the file that declares it.
func (s *Server) routes() []route {
	var rs []route
	rs = append(rs, s.serviceRoutes()...)
	rs = append(rs, s.openapiRoutes()...)
	rs = append(rs, s.tileMatrixSetRoutes()...)
	rs = append(rs, s.colorMapRoutes()...)
	rs = append(rs, s.algorithmRoutes()...)
	rs = append(rs, s.searchRoutes()...)
	rs = append(rs, s.mosaicRoutes("/searches/{search_id}", "search", s.searchMosaic, nil)...)
	collections := append(s.collectionRoutes(), s.mosaicRoutes("/collections/{collection_id}", "collection", s.collectionMosaic, collectionFilters)...)
	rs = append(rs, lookingUpFirst(collections, func(r *http.Request) (any, error) { return s.collectionMosaic(r) })...)
	return append(rs, s.itemRoutes()...)
}

// resolvedKey holds, in a request's context, what its path names: the
// collection's mosaic or the item, looked up before anything else.
type resolvedKey struct{}

// lookingUpFirst are rs, each looking up what its path names first.
func lookingUpFirst(rs []route, lookup func(*http.Request) (any, error)) []route {
	for i := range rs {
		rs[i].handle = lookUpFirst(lookup, rs[i].handle)
	}
	return rs
}

// lookUpFirst answers a collection or item that does not exist with 404
// before the request's parameters are read, as titiler-pgstac's path
// dependency does (a search id is looked up later, and a bad parameter
// there is a 422 first, as in titiler-pgstac).
func lookUpFirst(lookup func(*http.Request) (any, error), h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := lookup(r)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), resolvedKey{}, v)))
	}
}

// baseKey holds, in a request's context, the scheme and host its links
// are written with.
type baseKey struct{}

// baseURL is the public scheme and host of the request, as the client sees
// it: what withBase worked out.
func baseURL(r *http.Request) string {
	if b, ok := r.Context().Value(baseKey{}).(string); ok {
		return b
	}
	return forwardedBase(r)
}

// withBase works out each request's public base once: PublicURL where it
// is set, else the request's own host, or the X-Forwarded-Host and
// -Proto of a proxy on loopback (the Functions host, a local reverse
// proxy). A client elsewhere cannot point the links of an answer that
// caches share at a host of its choosing.
func (s *Server) withBase(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := s.PublicURL
		if base == "" {
			base = forwardedBase(r)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), baseKey{}, base)))
	})
}

func forwardedBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if fromLoopback(r) {
		if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
			scheme, _, _ = strings.Cut(p, ",")
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" {
			host, _, _ = strings.Cut(h, ",")
		}
	}
	return strings.TrimSpace(scheme) + "://" + strings.TrimSpace(host)
}

// fromLoopback says whether the peer is on this machine: the Functions
// host, or a proxy the operator runs beside the server.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
