package handler_test

import (
	"net/http"
	"strings"
	"testing"

	"tilefunc/handler"
)

// Every per-mosaic route answers under /collections/{id} too, against the
// real catalog: the factory declares them once for both prefixes.
func TestEveryCollectionRouteAnswers(t *testing.T) {
	e := newEnv(t, false)
	const c = "/collections/demo-rgb"
	const feature = `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[-1,44],[2,44],[2,46],[-1,46],[-1,44]]]}}`
	cases := []struct {
		route, method, path, body, contentType string
	}{
		{"collection_info", "GET", c + "/info", "", "application/json"},
		{"collection_tilesets", "GET", c + "/tiles?assets=visual", "", "application/json"},
		{"collection_tileset", "GET", c + "/tiles/WebMercatorQuad?assets=visual", "", "application/json"},
		{"collection_tile", "GET", c + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual", "", "image/png"},
		{"collection_tile_assets", "GET", c + "/tiles/WebMercatorQuad/8/128/92/assets", "", "application/json"},
		{"collection_tilejson", "GET", c + "/WebMercatorQuad/tilejson.json?assets=visual", "", "application/json"},
		{"collection_map", "GET", c + "/WebMercatorQuad/map.html?assets=visual", "", "text/html; charset=utf-8"},
		{"collection_wmts", "GET", c + "/WMTSCapabilities.xml?assets=visual", "", "application/xml"},
		{"collection_point", "GET", c + "/point/-5,45?assets=visual", "", "application/json"},
		{"collection_point_assets", "GET", c + "/point/-5,45/assets", "", "application/json"},
		{"collection_bbox", "GET", c + "/bbox/-1,44,2,46.png?assets=visual&max_size=64", "", "image/png"},
		{"collection_bbox_size", "GET", c + "/bbox/-1,44,2,46/64x32.png?assets=visual", "", "image/png"},
		{"collection_bbox_assets", "GET", c + "/bbox/-1,44,2,46/assets", "", "application/json"},
		{"collection_feature", "POST", c + "/feature?assets=visual&max_size=64", feature, "image/"}, // JPEG or PNG, as titiler picks
		{"collection_feature_format", "POST", c + "/feature.jpg?assets=visual&max_size=64", feature, "image/jpg"},
		{"collection_feature_size", "POST", c + "/feature/64x32.png?assets=visual", feature, "image/png"},
		{"collection_statistics", "POST", c + "/statistics?assets=visual&max_size=64", feature, "application/geo+json"},
	}
	tested := map[string]bool{}
	for _, tc := range cases {
		tested[tc.route] = true
		var r response
		if tc.method == "POST" {
			r = post(t, e.url+tc.path, tc.body)
		} else {
			r = get(t, e.url+tc.path)
		}
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), tc.contentType) || len(r.body) == 0 {
			t.Errorf("%s %s: %d %q %.200s", tc.method, tc.path, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	for _, rt := range handler.Routes() {
		if strings.HasPrefix(rt.Name, "collection_") && !tested[rt.Name] {
			t.Errorf("route %s has no case here", rt.Name)
		}
	}
}
