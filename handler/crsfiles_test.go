package handler_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A CRS given as WKT with an EXTENSION (a PROJ string, whose init= PROJ
// would read from a file) is refused with a 422 saying why, for output
// and coordinate CRSs alike, whatever PROJ string it holds.
func TestCRSWKTNamingFilesIsRefused(t *testing.T) {
	e := newEnv(t, false)
	item := "/collections/demo-rgb/items/rgb_west"
	for _, proj := range []string{"+proj=longlat +init=epsg:4326", "+proj=longlat +datum=WGS84 +no_defs"} {
		wkt := url.QueryEscape(`GEOGCS["x",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],` +
			`UNIT["degree",0.0174532925199433],EXTENSION["PROJ4","` + proj + `"]]`)
		for _, path := range []string{
			"/bbox/-5,44,-4,45.png?assets=visual&dst_crs=" + wkt,
			"/bbox/-5,44,-4,45.png?assets=visual&coord_crs=" + wkt,
			"/point/-5,45?assets=visual&coord_crs=" + wkt,
			"/preview.png?assets=visual&dst_crs=" + wkt,
		} {
			r := get(t, e.url+item+path)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "name files") {
				t.Errorf("%s %.40s: %d %.200q, want 422 saying it names files", proj, path, r.status, r.body)
			}
		}
	}
}
