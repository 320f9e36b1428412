package handler_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"tilefunc/handler"
)

// describer is a server that serves only what describes the API: /api and
// /api.html read no catalog.
func describer(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer((&handler.Server{Version: "test", AssetRoutes: true, ExternalRoutes: true}).Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// openAPIDocument is GET /api, checked to be answered as titiler-pgstac
// answers it.
func openAPIDocument(t *testing.T) []byte {
	t.Helper()
	r := get(t, describer(t)+"/api")
	return okBody(t, r, "application/vnd.oai.openapi+json;version=3.0")
}

// The document validates as OpenAPI 3.1 (pb33f/libopenapi-validator, the
// specification's own schema) and builds into a model without errors.
func TestOpenAPIDocumentIsValidOpenAPI31(t *testing.T) {
	body := openAPIDocument(t)
	doc, err := libopenapi.NewDocument(body)
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetSpecInfo().Version; v != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", v)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Errorf("building the model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.KeywordLocation)
			}
		}
	}
}

type openAPIDoc struct {
	Paths map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name     string
			In       string
			Required bool
		}
		RequestBody *struct{ Content map[string]any }
		Responses   map[string]struct{ Content map[string]any }
	}
}

var muxVar = regexp.MustCompile(`\{([^{}:]+)(?::[^{}]*)?\}`)

// Every route is in the document, with each {…} of its path as a required
// path parameter and each declared query parameter; its 200 names a media
// type and its 4xx is titiler's {"detail": …}.
func TestOpenAPIDocumentHasEveryRouteAndParameter(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	for _, rt := range handler.Routes() {
		op, ok := doc.Paths[muxVar.ReplaceAllString(rt.Path, "{$1}")][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s (%s) is not in /api", rt.Method, rt.Path, rt.Name)
			continue
		}
		in := map[string]string{}
		required := map[string]bool{}
		for _, p := range op.Parameters {
			in[p.Name] = p.In
			required[p.Name] = p.Required
		}
		for _, m := range muxVar.FindAllStringSubmatch(rt.Path, -1) {
			if in[m[1]] != "path" || !required[m[1]] {
				t.Errorf("%s: path parameter %s is %q (required %v)", rt.Name, m[1], in[m[1]], required[m[1]])
			}
		}
		for _, p := range rt.Params {
			if in[p.Name] == "path" { // {width}x{height}: the path's
				continue
			}
			if in[p.Name] != "query" || required[p.Name] != p.Required {
				t.Errorf("%s: query parameter %s is %q (required %v)", rt.Name, p.Name, in[p.Name], required[p.Name])
			}
		}
		if len(op.Responses["200"].Content) == 0 {
			t.Errorf("%s: 200 names no media type", rt.Name)
		}
		if _, ok := op.Responses["4XX"].Content["application/json"]; !ok {
			t.Errorf("%s: no 4XX error body", rt.Name)
		}
		if (rt.Method == http.MethodPost) != (op.RequestBody != nil) {
			t.Errorf("%s %s: request body %v", rt.Method, rt.Name, op.RequestBody != nil)
		}
	}
}

// The media types are those the routes answer.
func TestOpenAPIDocumentNamesWhatRoutesAnswer(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, media string }{
		{"GET", "/searches/{search_id}/tiles/{tileMatrixSetId}/{z}/{x}/{y}", "image/png"},
		{"GET", "/collections/{collection_id}/items/{item_id}/preview.{format}", "image/tiff; application=geotiff"},
		{"POST", "/searches/{search_id}/feature", "image/webp"},
		{"POST", "/searches/{search_id}/statistics", "application/geo+json"},
		{"GET", "/collections/{collection_id}/items/{item_id}/info.geojson", "application/geo+json"},
		{"GET", "/searches/{search_id}/info", "application/json"},
		{"GET", "/tileMatrixSets", "text/html"},
		{"GET", "/collections/{collection_id}/{tileMatrixSetId}/map.html", "text/html"},
		{"GET", "/searches/{search_id}/WMTSCapabilities.xml", "application/xml"},
		{"GET", "/colorMaps/{colorMapId}", "image/png"},
		{"POST", "/searches/register", "application/json"},
		{"GET", "/metrics", "text/plain"},
	} {
		op := doc.Paths[c.path][strings.ToLower(c.method)]
		if _, ok := op.Responses["200"].Content[c.media]; !ok {
			t.Errorf("%s %s: 200 is %v, want %s among them", c.method, c.path, op.Responses["200"].Content, c.media)
		}
	}
}

// titilerOperations is titiler-pgstac's own (METHOD path → operationId),
// read from its /api.
func titilerOperations(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("apidocs/titiler-operation-ids.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ OperationIDs map[string]string }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v.OperationIDs
}

// Every operation of titiler-pgstac's is a tilefunc operation with the
// same operationId, but its tile routes with .{format}, which tilefunc
// serves on the route without (its {y} carries .{format}); operationIds
// are unique.
func TestOpenAPIOperationIDsAreTitilerPgstacs(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	seen := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + path
			ours[key] = op.OperationID
			if other, ok := seen[op.OperationID]; ok {
				t.Errorf("operationId %s is both %s and %s", op.OperationID, other, key)
			}
			seen[op.OperationID] = key
		}
	}
	for key, id := range titilerOperations(t) {
		if strings.HasSuffix(key, "/{z}/{x}/{y}.{format}") {
			continue
		}
		if key == "GET /searches/" {
			key = "GET /searches"
		}
		if ours[key] != id {
			t.Errorf("%s: operationId %q, titiler-pgstac's is %q", key, ours[key], id)
		}
	}
}

// /api.html is Swagger UI, in the page itself: it loads nothing from
// elsewhere and reads the document from /api.
func TestAPIPageIsSwaggerUIWithoutExternalURLs(t *testing.T) {
	url := describer(t)
	page := string(okBody(t, get(t, url+"/api.html"), "text/html; charset=utf-8"))
	if !strings.Contains(page, "SwaggerUIBundle") || !strings.Contains(page, `data-spec="`+url+`/api"`) {
		t.Fatalf("not Swagger UI reading %s/api:\n%.500s", url, page)
	}
	// The markup around the inlined bundle and stylesheet names no URL but
	// the document's; the bundle itself only mentions some (its licences).
	markup := regexp.MustCompile(`(?s)<(script|style)>.*?</(script|style)>`).ReplaceAllString(page, "<$1></$2>")
	if strings.Contains(markup, " src=") || strings.Contains(markup, "<link") {
		t.Errorf("the page loads a file:\n%s", markup)
	}
	if n := strings.Count(markup, "http"); n != 1 {
		t.Errorf("the page markup has %d URLs, want the document's only:\n%s", n, markup)
	}
	if n := strings.Count(strings.ToLower(page), "</script"); n != 2 {
		t.Errorf("the page closes %d script elements, want 2: the inlined bundle closes one", n)
	}
	if !strings.Contains(page, "validatorUrl: null") {
		t.Errorf("Swagger UI would ask validator.swagger.io about the document")
	}
}

// The Swagger UI files go:embed puts into the binary are node_modules'
// (package.json's swagger-ui-dist): run `make apidocs` after updating it.
func TestCommittedSwaggerUIIsNodeModules(t *testing.T) {
	const dist = "../node_modules/swagger-ui-dist/"
	if _, err := os.Stat(dist); err != nil {
		t.Skip("no node_modules (scripts/deps.sh installs it)")
	}
	for _, f := range []string{"swagger-ui-bundle.js", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui.css", "LICENSE", "NOTICE"} {
		want, err := os.ReadFile(dist + f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile("apidocs/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("apidocs/%s is not node_modules' (make apidocs)", f)
		}
	}
}
