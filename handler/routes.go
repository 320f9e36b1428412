package handler

import (
	"net/http"
	"strings"
)

// route is one declared endpoint. The same table feeds the router and, in
// time, the function.json templates and the OpenAPI document, so they cannot
// drift apart.
type route struct {
	name   string // Azure Functions function name
	method string
	path   string // gorilla/mux template
	handle func(http.ResponseWriter, *http.Request) error
}

// routes is every endpoint, grouped by the file that declares it.
func (s *Server) routes() []route {
	var rs []route
	rs = append(rs, s.serviceRoutes()...)
	rs = append(rs, s.searchRoutes()...)
	rs = append(rs, s.mosaicRoutes("/searches/{search_id}", "search", s.searchMosaic)...)
	return rs
}

// baseURL is the public scheme and host of the request, as the client sees
// it behind a proxy or the Functions front end.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme, _, _ = strings.Cut(p, ",")
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host, _, _ = strings.Cut(h, ",")
	}
	return strings.TrimSpace(scheme) + "://" + strings.TrimSpace(host)
}
