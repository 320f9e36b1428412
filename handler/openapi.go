package handler

import (
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"tilefunc/tiles"
)

// openapiRoutes declares the routes that describe the API: the OpenAPI
// document, made from the route table, and Swagger UI reading it.
func (s *Server) openapiRoutes() []route {
	return []route{
		{Route{Name: "openapi", Method: http.MethodGet, Path: "/api"}, s.openapi},
		{Route{Name: "openapi_html", Method: http.MethodGet, Path: "/api.html"}, s.openapiHTML},
	}
}

// openapiMediaType is the Content-Type titiler-pgstac answers /api with
// (the document itself says 3.1, as titiler-pgstac's does).
const openapiMediaType = "application/vnd.oai.openapi+json;version=3.0"

// openapi writes the OpenAPI document of the routes this server serves.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	var rs []Route
	for _, rt := range s.routes() {
		rs = append(rs, rt.Route)
	}
	b, err := json.Marshal(OpenAPI(rs, s.Version))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", openapiMediaType)
	_, err = w.Write(b)
	return err
}

// titilerOperationIDs are titiler-pgstac's operationIds by "METHOD path",
// read from its own /api (apidocs/titiler-operation-ids.json says which
// version); a route titiler-pgstac lacks is named by its function name.
var titilerOperationIDs = func() map[string]string {
	var t struct{ OperationIDs map[string]string }
	if err := json.Unmarshal(titilerOperationIDsJSON, &t); err != nil {
		panic("apidocs/titiler-operation-ids.json: " + err.Error())
	}
	return t.OperationIDs
}()

//go:embed apidocs/titiler-operation-ids.json
var titilerOperationIDsJSON []byte

// titilerPath is the path titiler-pgstac serves a route at: the same
// template, but for the search list, which titiler-pgstac writes with a
// trailing slash.
func titilerPath(rt Route) string {
	if rt.Name == "search_list" {
		return "/searches/"
	}
	return rt.Path
}

// operationID is titiler-pgstac's operationId for rt, else rt's name.
func operationID(rt Route) string {
	if id, ok := titilerOperationIDs[rt.Method+" "+titilerPath(rt)]; ok {
		return id
	}
	return rt.Name
}

// pathVar is one {name} or {name:pattern} segment of a mux template.
var pathVar = regexp.MustCompile(`\{([^{}:]+)(?::[^{}]*)?\}`)

// OpenAPI is the OpenAPI 3.1 document of routes: each route with its path
// and query parameters, its request body and the media types it answers.
func OpenAPI(routes []Route, version string) map[string]any {
	if version == "" {
		version = "dev"
	}
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		path := pathVar.ReplaceAllString(rt.Path, "{$1}")
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(rt.Method)] = operation(rt)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "tilefunc",
			"description": "Dynamic map tiles from a pgSTAC catalog (the titiler-pgstac API).",
			"version":     version,
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": map[string]any{
				"Error": map[string]any{
					"type":       "object",
					"properties": map[string]any{"detail": map[string]any{"type": "string"}},
					"required":   []string{"detail"},
				},
			},
		},
	}
}

// operation is one route's OpenAPI operation.
func operation(rt Route) map[string]any {
	var params []any
	inPath := map[string]bool{}
	for _, m := range pathVar.FindAllStringSubmatch(rt.Path, -1) {
		inPath[m[1]] = true
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": pathSchema(m[1])})
	}
	for _, p := range rt.Params {
		// The sized routes' {width}x{height} are their width and height,
		// described once, in the path, as titiler-pgstac does.
		if !inPath[p.Name] {
			params = append(params, queryParameter(p))
		}
	}
	content := map[string]any{}
	for _, mt := range responseMediaTypes(rt) {
		content[mt] = map[string]any{}
	}
	errorContent := map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.Name,
		"responses": map[string]any{
			"200": map[string]any{"description": "Successful Response", "content": content},
			"4XX": map[string]any{"description": "The request cannot be served (detail says why)", "content": errorContent},
		},
	}
	if params != nil {
		op["parameters"] = params
	}
	if body := requestBody(rt); body != nil {
		op["requestBody"] = body
	}
	return op
}

// pathSchema is the schema of a path variable: the tile's column and row
// and the output size are whole numbers, coordinates numbers, format an
// image format; the rest (and the tile's {y}, which may carry
// @{scale}x.{format}) strings.
func pathSchema(name string) map[string]any {
	switch name {
	case "z", "x", "width", "height":
		return map[string]any{"type": "integer"}
	case "lon", "lat", "minx", "miny", "maxx", "maxy":
		return map[string]any{"type": "number"}
	case "format":
		return map[string]any{"type": "string", "enum": tiles.FormatNames()}
	}
	return map[string]any{"type": "string"}
}

func queryParameter(p Param) map[string]any {
	schema := map[string]any{"type": p.Type}
	if len(p.Enum) > 0 {
		schema["enum"] = p.Enum
	}
	if p.Default != nil {
		schema["default"] = p.Default
	}
	if p.Array {
		schema = map[string]any{"type": "array", "items": schema}
	}
	out := map[string]any{"name": p.Name, "in": "query", "schema": schema}
	if p.Required {
		out["required"] = true
	}
	if p.Description != "" {
		out["description"] = p.Description
	}
	return out
}

// requestBody is what a POST route reads: a search to register, or the
// GeoJSON Feature or FeatureCollection of a feature or statistics route.
func requestBody(rt Route) map[string]any {
	if rt.Method != http.MethodPost {
		return nil
	}
	if rt.Name == "search_register" {
		return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"type": "object", "description": "A STAC search (collections, ids, bbox, intersects, datetime, query, filter, filter-lang, sortby) and its metadata."},
		}}}
	}
	geojson := map[string]any{
		"type":        "object",
		"description": "A GeoJSON Feature or FeatureCollection.",
		"properties":  map[string]any{"type": map[string]any{"enum": []string{"Feature", "FeatureCollection"}}},
		"required":    []string{"type"},
	}
	return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": geojson}}}
}

// imageMediaTypes are the media types of the image formats, in titiler's order.
func imageMediaTypes() []string {
	var out []string
	for _, name := range []string{"png", "jpeg", "jpg", "webp", "jp2", "tif", "npy"} {
		f, err := tiles.ParseFormat(name)
		if err == nil && !contains(out, f.MediaType) {
			out = append(out, f.MediaType)
		}
	}
	return out
}

// responseMediaTypes are the media types a route's 200 answers with, from
// what its declaration says it is: its path's suffix, its kind (the name
// after its prefix: search_tile is a tile) and its f parameter.
func responseMediaTypes(rt Route) []string {
	_, kind, _ := strings.Cut(rt.Name, "_")
	switch {
	case rt.Name == "openapi":
		return []string{openapiMediaType}
	case rt.Name == "metrics": // the Prometheus text format
		return []string{"text/plain"}
	case strings.HasSuffix(rt.Path, ".html"):
		return []string{"text/html"}
	case strings.HasSuffix(rt.Path, ".xml"):
		return []string{"application/xml"}
	case rt.Name == "colormap":
		return append(append([]string{"application/json"}, imageMediaTypes()...), "text/html")
	case contains([]string{"tile", "bbox", "bbox_size", "feature", "feature_format", "feature_size", "preview", "preview_format", "preview_size"}, kind):
		return imageMediaTypes()
	case strings.HasSuffix(rt.Path, ".geojson"), rt.Method == http.MethodPost && strings.HasSuffix(kind, "statistics"):
		return []string{"application/geo+json"}
	}
	for _, p := range rt.Params {
		if p.Name == "f" && contains(p.Enum, "html") {
			return []string{"application/json", "text/html"}
		}
	}
	return []string{"application/json"}
}

// Swagger UI (npm swagger-ui-dist, copied by `make apidocs`), inlined into
// the one page so that /api.html is a single route and loads nothing from
// elsewhere.
var (
	//go:embed apidocs/swagger-ui-bundle.js
	swaggerUIBundle string
	//go:embed apidocs/swagger-ui.css
	swaggerUICSS string
)

var apiPage = template.Must(template.New("api.html").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tilefunc - API documentation</title>
<style>{{.CSS}}</style>
</head>
<body>
<div id="swagger-ui" data-spec="{{.SpecURL}}"></div>
<script>{{.Bundle}}</script>
<script>
window.ui = SwaggerUIBundle({url: document.getElementById("swagger-ui").dataset.spec, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null});
</script>
</body>
</html>
`))

// openapiHTML is Swagger UI showing /api.
func (s *Server) openapiHTML(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return apiPage.Execute(w, map[string]any{
		// html/template would escape the bundle as text; it is trusted
		// code from the binary, checked to hold no closing tag.
		"CSS":     template.CSS(swaggerUICSS),
		"Bundle":  template.JS(swaggerUIBundle),
		"SpecURL": baseURL(r) + "/api",
	})
}
