package handler_test

import (
	"net/http"
	"strings"
	"testing"
)

// Bad input gets a 4xx JSON {"detail": ...}, never a 500.
func TestBadRequestsGetJSONErrors(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	tile := e.url + "/searches/" + id + "/tiles/WebMercatorQuad/"
	cases := []struct {
		name, url string
		status    int
		mention   string
	}{
		{"unknown search", e.url + "/searches/0123456789abcdef0123456789abcdef/tiles/WebMercatorQuad/8/124/92.png?assets=visual", 404, "not found"},
		{"unknown search info", e.url + "/searches/nope/info", 404, "not found"},
		{"z not a number", tile + "a/124/92.png?assets=visual", 422, "tile address"},
		{"x negative", tile + "8/-1/92.png?assets=visual", 404, "outside"},
		{"y malformed", tile + "8/124/92..png?assets=visual", 422, "tile address"},
		{"unknown format", tile + "8/124/92.gif?assets=visual", 422, "format"},
		{"unknown tile matrix set", e.url + "/searches/" + id + "/tiles/NoSuchTMS/8/124/92.png?assets=visual", 422, "tileMatrixSetId"},
		{"tile outside the matrix set", tile + "8/300/92.png?assets=visual", 404, "outside"},
		{"zoom outside the matrix set", tile + "30/0/0.png?assets=visual", 404, "outside"},
		{"missing assets", tile + "8/124/92.png", 422, "assets"},
		{"rescale not numbers", tile + "8/124/92.png?assets=visual&rescale=a,b", 422, "rescale"},
		{"rescale odd count", tile + "8/124/92.png?assets=visual&rescale=0,10,20", 422, "rescale"},
		{"tilesize zero", tile + "8/124/92.png?assets=visual&tilesize=0", 422, "tilesize"},
		{"tilesize huge", tile + "8/124/92.png?assets=visual&tilesize=100000", 422, "tilesize"},
		{"nodata not a number", tile + "8/124/92.png?assets=visual&nodata=x", 422, "nodata"},
		{"unknown asset", tile + "8/124/92.png?assets=nope", 404, "nope"}, // titiler's InvalidAssetName
		{"band out of range", tile + "8/124/92.png?assets=visual|bidx=9", 400, "band"},
		{"bad asset option", tile + "8/124/92.png?assets=visual|foo=1", 422, "assets"},
		{"unknown route", e.url + "/nothing/here", 404, "Not Found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := get(t, c.url).detail(t, c.status)
			if !strings.Contains(strings.ToLower(d), strings.ToLower(c.mention)) {
				t.Fatalf("detail %q does not mention %q", d, c.mention)
			}
		})
	}
}

func TestBadRegisterBodiesGet422(t *testing.T) {
	e := newEnv(t, false)
	for name, body := range map[string]string{
		"not JSON":            `collections=demo`,
		"truncated JSON":      `{"collections":["demo-rgb"`,
		"a list":              `["demo-rgb"]`,
		"collections string":  `{"collections":"demo-rgb"}`,
		"bbox of three":       `{"bbox":[1,2,3]}`,
		"metadata not object": `{"metadata":"x"}`,
		"minzoom not number":  `{"metadata":{"minzoom":"low"}}`,
		"empty":               ``,
	} {
		t.Run(name, func(t *testing.T) {
			post(t, e.url+"/searches/register", body).detail(t, http.StatusUnprocessableEntity)
		})
	}
}

func TestNoSecretInAnyError(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	get(t, e.url+"/searches/"+id+"/tiles/WebMercatorQuad/8/124/92.png?assets=nope")
	get(t, e.url+"/searches/zzz/info")
	if strings.Contains(e.logs.String(), "postgres:postgres") || strings.Contains(e.logs.String(), "AccountKey") {
		t.Fatalf("a secret reached the log: %s", e.logs.String())
	}
}

// The routes titiler also answers as HTML answer a page with f=html, or
// when the Accept header prefers text/html (a browser); JSON with f=json,
// an Accept of */*, or none; 422 for another f.
func TestHTMLFormsShowTheDocument(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	for _, path := range []string{"/", "/conformance", "/tileMatrixSets", "/tileMatrixSets/WebMercatorQuad", "/algorithms", "/algorithms/hillshade",
		"/colorMaps", "/searches/" + id + "/tiles", "/searches/" + id + "/tiles/WebMercatorQuad"} {
		r := get(t, e.url+path+"?f=html")
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "<pre>{") {
			t.Errorf("%s?f=html: %d %s %.80s", path, r.status, r.header.Get("Content-Type"), r.body)
		}
		for accept, html := range map[string]bool{"text/html,application/xhtml+xml,*/*;q=0.8": true, "*/*": false, "": false, "application/json": false, "application/json;q=0.5,text/html;q=0.4": false} {
			r := request(t, http.MethodGet, e.url+path, "", map[string]string{"Accept": accept})
			if got := strings.HasPrefix(r.header.Get("Content-Type"), "text/html"); r.status != http.StatusOK || got != html {
				t.Errorf("%s with Accept %q: %d %s, want HTML %v", path, accept, r.status, r.header.Get("Content-Type"), html)
			}
		}
		get(t, e.url+path+"?f=xml").detail(t, http.StatusUnprocessableEntity)
		if r := get(t, e.url+path+"?f=json"); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s?f=json: %d", path, r.status)
		}
	}
	// The landing page's links are links on its page.
	if r := get(t, e.url+"/?f=html"); !strings.Contains(string(r.body), `<a href="`+e.url+`/tileMatrixSets">`) {
		t.Errorf("landing page lacks its links: %s", r.body)
	}
}
