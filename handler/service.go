package handler

import (
	"context"
	"net/http"
	"runtime"
	"time"

	"tilefunc"
	"tilefunc/tiles"
)

// serviceRoutes declares the routes about the service itself.
func (s *Server) serviceRoutes() []route {
	return []route{
		{Route{Name: "landing", Method: http.MethodGet, Path: "/", Params: paramsOf(formParam{}), Answer: formAnswer("Landing", CacheService)}, jsonForm(s.landing)},
		{Route{Name: "conformance", Method: http.MethodGet, Path: "/conformance", Params: paramsOf(formParam{}), Answer: formAnswer("Conformance", CacheService)}, jsonForm(s.conformance)},
		{Route{Name: "healthz", Method: http.MethodGet, Path: "/healthz", Params: paramsOf(&healthParams{}), Answer: jsonAnswer("Health", CacheNever)}, s.healthz},
		{Route{Name: "metrics", Method: http.MethodGet, Path: "/metrics", Answer: Answer{Media: []string{"text/plain"}, Cache: CacheNever}}, s.metrics},
	}
}

// metrics serves the Prometheus metrics when they are on, and is 404 as
// titiler-pgstac is without them.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) error {
	if s.Metrics == nil {
		return &tilefunc.Error{Code: tilefunc.ENOTFOUND, Message: "Not Found"}
	}
	s.Metrics.ServeHTTP(w, r)
	return nil
}

// landing is titiler-pgstac's landing page: links to the API's
// description and documentation, the conformance
// declaration, the mosaic list, the viewers of a search, a collection and
// an item, and the lists of tile matrix sets, algorithms and colormaps.
// It is cheap on purpose: the Functions host polls GET / until the
// handler answers, before the database or GDAL are ready.
func (s *Server) landing(w http.ResponseWriter, r *http.Request) error {
	base := baseURL(r)
	viewer := "/{tileMatrixSetId}/map.html"
	writeJSON(w, http.StatusOK, map[string]any{
		"title":       "tilefunc",
		"description": "Dynamic map tiles from a pgSTAC catalog (the titiler-pgstac API)",
		"links": []link{
			{Href: base + "/", Rel: "self", Type: "text/html", Title: "Landing page"},
			{Href: base + "/api", Rel: "service-desc", Type: openapiMediaType, Title: "the API definition (JSON)"},
			{Href: base + "/api.html", Rel: "service-doc", Type: "text/html", Title: "the API documentation"},
			{Href: base + "/conformance", Rel: "http://www.opengis.net/def/rel/ogc/1.0/conformance", Type: "text/html", Title: "Conformance Declaration"},
			{Href: base + "/searches/", Rel: "data", Type: "application/json", Title: "PgSTAC Virtual Mosaic list (JSON)"},
			{Href: base + "/searches/{search_id}" + viewer, Rel: "data", Type: "text/html", Templated: true, Title: "PgSTAC Virtual Mosaic viewer (template URL)"},
			{Href: base + "/collections/{collection_id}" + viewer, Rel: "data", Type: "text/html", Templated: true, Title: "PgSTAC Collection viewer (template URL)"},
			{Href: base + itemPrefix + viewer, Rel: "data", Type: "text/html", Templated: true, Title: "PgSTAC Item viewer (template URL)"},
			{Href: base + "/tileMatrixSets", Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", Type: "application/json", Title: "List of Available TileMatrixSets"},
			{Href: base + "/algorithms", Rel: "data", Type: "application/json", Title: "List of Available Algorithms"},
			{Href: base + "/colorMaps", Rel: "data", Type: "application/json", Title: "List of Available ColorMaps"},
			{Href: base + "/healthz", Rel: "service-status", Type: "application/json", Title: "Health"},
		},
	})
	return nil
}

// conformsTo are the OGC conformance classes titiler-pgstac declares.
var conformsTo = []string{
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/jpeg",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tiff",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
}

func (s *Server) conformance(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"conformsTo": conformsTo})
	return nil
}

// healthz always answers 200; database_online says whether pgSTAC answered
// within ?timeout= seconds (default 1). tilefunc adds how it logs in (pool
// generation, token expiry, the reason it cannot) and the blob store's
// reachability; never a secret.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	var p healthParams
	if err := parseQuery(r.URL.RawQuery, &p); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(p.timeout)*time.Second)
	defer cancel()
	pgstacVersion, err := s.Catalog.Version(ctx)
	versions := map[string]string{"tilefunc": s.Version, "gdal": tiles.GDALVersion(), "go": runtime.Version()}
	db := s.Catalog.Status()
	if err == nil {
		versions["pgstac"] = pgstacVersion
	} else if db.Problem == "" {
		db.Problem = tilefunc.ErrorMessage(err)
	}
	body := map[string]any{"database_online": err == nil, "versions": versions, "database": db}
	if s.Storage != nil {
		st := map[string]any{"online": true}
		if err := s.Storage.Ping(ctx); err != nil {
			st = map[string]any{"online": false, "error": "the blob account cannot be listed; fix: grant the identity Storage Blob Data Reader on it (or check AZURE_STORAGE_CONNECTION_STRING)"}
		}
		body["storage"] = st
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// healthParams are /healthz's: how long to wait for pgSTAC.
type healthParams struct{ timeout int }

func (*healthParams) params() []Param {
	return []Param{{Name: "timeout", Type: "integer", Default: 1, Description: "Seconds to wait for pgSTAC."}}
}

func (p *healthParams) parse(q *query) { p.timeout = q.int("timeout", 1, 1) }
