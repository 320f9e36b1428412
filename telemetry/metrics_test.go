package telemetry_test

import (
	"testing"

	"tilefunc/telemetry"
)

// Route templates get titiler-pgstac's operation labels, so its
// dashboards' queries select the same requests.
func TestOperationIsTitilerPgstacsLabel(t *testing.T) {
	for route, want := range map[string]string{
		"/":                          "landing",
		"/conformance":               "conformance",
		"/searches/register":         "register_search",
		"/searches":                  "list_searches",
		"/searches/list":             "search",
		"/searches/{search_id}/info": "search_info",
		"/searches/{search_id}/tiles/{tileMatrixSetId}/{z}/{x}/{y}":                        "tiles",
		"/collections/{collection_id}/tiles":                                               "tiles",
		"/collections/{collection_id}/items/{item_id}/tiles/{tileMatrixSetId}/{z}/{x}/{y}": "tiles",
		"/searches/{search_id}/point/{lon},{lat}":                                          "point",
		"/collections/{collection_id}/items/{item_id}/info":                                "item",
		"/collections/{collection_id}/info":                                                "collection",
		"/searches/{search_id}/WMTSCapabilities.xml":                                       "search",
		"/external/info":                    "external",
		"/tileMatrixSets/{tileMatrixSetId}": "tms",
		"/algorithms":                       "algorithms",
		"/colorMaps/{colorMapId}":           "colormaps",
		"/api":                              "other",
		"":                                  "unknown",
	} {
		if got := telemetry.Operation(route); got != want {
			t.Errorf("Operation(%q) = %q, want %q", route, got, want)
		}
	}
}
