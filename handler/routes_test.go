package handler_test

import (
	"testing"

	"tilefunc/handler"
)

// Every route declares the query parameters it reads, once each, so that
// the route table can describe the API; the exceptions read none.
func TestEveryRouteDeclaresItsParameters(t *testing.T) {
	readsNone := map[string]bool{"search_register": true, "search_info": true, "item_assets": true, "item_renders": true, "item_render": true,
		"asset_info": true, "openapi": true, "openapi_html": true, "metrics": true}
	for _, rt := range handler.Routes() {
		if readsNone[rt.Name] {
			if len(rt.Params) > 0 {
				t.Errorf("%s declares %d parameters but is listed as reading none", rt.Name, len(rt.Params))
			}
			continue
		}
		if len(rt.Params) == 0 {
			t.Errorf("%s %s declares no parameters", rt.Name, rt.Path)
		}
		seen := map[string]bool{}
		for _, p := range rt.Params {
			if p.Name == "" || p.Type == "" {
				t.Errorf("%s: parameter %+v has no name or type", rt.Name, p)
			}
			if seen[p.Name] {
				t.Errorf("%s declares %s twice", rt.Name, p.Name)
			}
			seen[p.Name] = true
		}
	}
}
