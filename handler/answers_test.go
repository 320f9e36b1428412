package handler_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"tilefunc/handler"
)

// Every answer of every route conforms to the schema /api declares for it
// (libopenapi-validator checks the body, its media type and its status),
// over a real catalog: a JSON document of each schema, a page, an image.
func TestAnswersConformToTheirDeclaredSchemas(t *testing.T) {
	e := newStylingEnv(t)
	doc, err := libopenapi.NewDocument(okBody(t, get(t, e.url+"/api"), "application/vnd.oai.openapi+json;version=3.0"))
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var registered struct{ ID string }
	post(t, e.url+"/searches/register", `{"collections":["styled-uint8"],"metadata":{"name":"conformance"}}`).json(t, &registered)
	search := registered.ID
	feature := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[3.0,43.7],[3.6,43.7],[3.6,44.0],[3.0,44.0],[3.0,43.7]]]}}`
	tile := fmt.Sprintf("tiles/WebMercatorQuad/%d/%d/%d", fullTile.z, fullTile.x, fullTile.y)
	requests := []struct{ method, path, body, schema string }{
		{"GET", "/", "", "Landing"},
		{"GET", "/conformance", "", "Conformance"},
		{"GET", "/healthz", "", "Health"},
		{"GET", "/tileMatrixSets", "", "TileMatrixSetList"},
		{"GET", "/tileMatrixSets/WorldCRS84Quad", "", "TileMatrixSet"},
		{"GET", "/colorMaps", "", "ColorMapList"},
		{"GET", "/colorMaps/viridis", "", "ColorMap"},
		{"GET", "/algorithms", "", "AlgorithmList"},
		{"GET", "/algorithms/hillshade", "", "Algorithm"},
		{"GET", "/searches", "", "SearchList"},
		{"GET", "/searches/" + search + "/info", "", "SearchInfo"},
		{"GET", u8 + "/info", "", "SearchInfo"},
		{"GET", u8 + "/tiles", "", "TileSetList"},
		{"GET", u8 + "/tiles/WebMercatorQuad", "", "TileSet"},
		{"GET", u8 + "/WebMercatorQuad/tilejson.json?assets=visual", "", "TileJSON"},
		{"GET", u8 + "/" + tile + ".png?assets=visual", "", ""},
		{"GET", u8 + "/" + tile + "/assets", "", "Items"},
		{"GET", u8 + "/point/3.6,43.9?assets=visual", "", "MosaicPoint"},
		{"GET", u8 + "/point/3.6,43.9/assets", "", "Items"},
		{"GET", u8 + "/bbox/3.5,43.8,3.7,44.0/assets", "", "Items"},
		{"POST", u8 + "/statistics?assets=visual", feature, "StatisticsFeatures"},
		{"GET", u8 + "/WebMercatorQuad/map.html?assets=visual", "", ""},
		{"GET", u8 + "/WMTSCapabilities.xml?assets=visual", "", ""},
		{"GET", mixedItem + "/info?assets=dem", "", "Infos"},
		{"GET", mixedItem + "/info.geojson?assets=dem", "", "InfoFeature"},
		{"GET", mixedItem + "/assets", "", "AssetList"},
		{"GET", mixedItem + "/asset_statistics?assets=dem", "", "AssetStatistics"},
		{"GET", mixedItem + "/statistics?assets=dem", "", "Statistics"},
		{"POST", mixedItem + "/statistics?assets=dem", feature, "StatisticsFeatures"},
		{"GET", mixedItem + "/point/3.301,43.851?assets=nir&assets=dem", "", "Point"},
		{"GET", mixedItem + "/renders", "", "RenderList"},
		{"GET", mixedItem + "/preview.png?assets=visual", "", ""},
		{"GET", mixedItem + "/assets/dem/info", "", "Info"},
	}
	for _, c := range requests {
		req, err := http.NewRequest(c.method, e.url+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s %s: %d %s", c.method, c.path, res.StatusCode, body)
			continue
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
		if ok, verrs := v.ValidateHttpResponse(req, res); !ok {
			for _, ve := range verrs {
				t.Errorf("%s %s: %s: %s", c.method, c.path, ve.Message, ve.Reason)
				for _, se := range ve.SchemaValidationErrors {
					t.Errorf("  %s at %s", se.Reason, se.KeywordLocation)
				}
			}
		}
		if c.schema != "" && !declaresSchema(req, c.schema) {
			t.Errorf("%s %s: its 200 does not name schema %s", c.method, c.path, c.schema)
		}
	}
}

// declaresSchema is whether the route req reaches declares schema for its
// JSON 200.
func declaresSchema(req *http.Request, schema string) bool {
	router := mux.NewRouter()
	answers := map[string]handler.Answer{}
	for _, rt := range handler.Routes() {
		router.Handle(rt.Path, http.NotFoundHandler()).Methods(rt.Method).Name(rt.Name)
		answers[rt.Name] = rt.Answer
	}
	var m mux.RouteMatch
	return router.Match(req, &m) && answers[m.Route.GetName()].Schema == schema
}

// Every route declares what its 200 is: media types, the schema of its
// JSON (one /api defines) and its cache class; a route whose f takes html
// also answers text/html, and a path's suffix is what it answers.
func TestEveryRouteDeclaresItsAnswer(t *testing.T) {
	var doc struct {
		Components struct{ Schemas map[string]any }
	}
	if err := json.Unmarshal(openAPIDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	for _, rt := range handler.Routes() {
		a := rt.Answer
		if len(a.Media) == 0 {
			t.Errorf("%s declares no media type", rt.Name)
		}
		if _, ok := doc.Components.Schemas[a.Schema]; a.Schema != "" && !ok {
			t.Errorf("%s: schema %q is not in /api", rt.Name, a.Schema)
		}
		if a.Schema == "" && (slices.Contains(a.Media, "application/json") || slices.Contains(a.Media, "application/geo+json")) {
			t.Errorf("%s answers JSON of no schema", rt.Name)
		}
		for _, p := range rt.Params {
			if p.Name == "f" && slices.Contains(p.Enum, "html") && !slices.Contains(a.Media, "text/html") {
				t.Errorf("%s takes f=html but does not answer text/html", rt.Name)
			}
		}
		switch {
		case strings.HasSuffix(rt.Path, ".html") && !slices.Equal(a.Media, []string{"text/html"}):
			t.Errorf("%s is a page answering %v", rt.Name, a.Media)
		case strings.HasSuffix(rt.Path, ".xml") && !slices.Equal(a.Media, []string{"application/xml"}):
			t.Errorf("%s is XML answering %v", rt.Name, a.Media)
		case strings.HasSuffix(rt.Path, ".geojson") && !slices.Equal(a.Media, []string{"application/geo+json"}):
			t.Errorf("%s is GeoJSON answering %v", rt.Name, a.Media)
		}
	}
}
