package handler

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"tilefunc/tiles"
)

// The map page: Leaflet, proj4 and Proj4Leaflet (npm, copied into
// viewer/ by `make viewer`) inlined into viewer.html, so that map.html
// stays one route (one function of the Functions app, one answer the
// ETag and gzip layers already handle) and loads no script from elsewhere.
var (
	//go:embed viewer.html
	viewerHTML string
	//go:embed viewer
	viewerFiles embed.FS
)

// viewerLibraries are the embedded library files in the order the page
// loads them: proj4leaflet needs L and proj4 first.
var viewerLibraries = []string{"leaflet/leaflet.js", "proj4/proj4.js", "proj4leaflet/proj4leaflet.js"}

// viewerLicences are the libraries' licences, shown by the page.
var viewerLicences = []string{"leaflet/LICENSE", "proj4/LICENSE.md", "proj4leaflet/LICENSE"}

var viewer = template.Must(template.New("viewer").Parse(viewerHTML))

// viewerAssets are the page's fixed parts, read once from the binary.
var viewerAssets = func() (a struct {
	CSS      template.CSS
	Scripts  []template.JS
	Licences string
}) {
	css, err := viewerFiles.ReadFile("viewer/leaflet/leaflet.css")
	if err != nil {
		panic(err)
	}
	// html/template would escape them as text; they are trusted code from
	// the binary, checked (TestCommittedViewerLibrariesAreNodeModules) to
	// hold no closing tag.
	a.CSS = template.CSS(css)
	for _, f := range viewerLibraries {
		b, err := viewerFiles.ReadFile("viewer/" + f)
		if err != nil {
			panic(err)
		}
		a.Scripts = append(a.Scripts, template.JS(b))
	}
	var lic strings.Builder
	for _, f := range viewerLicences {
		b, err := viewerFiles.ReadFile("viewer/" + f)
		if err != nil {
			panic(err)
		}
		lic.WriteString(strings.SplitN(f, "/", 2)[0] + ":\n" + string(b) + "\n")
	}
	a.Licences = lic.String()
	return a
}()

// viewerConfig is what the page's script is told: where its TileJSON,
// tile matrix set, point values and control choices are, and the basemap.
type viewerConfig struct {
	TileJSON      string `json:"tilejson"`      // with the layer's query
	TileMatrixSet string `json:"tileMatrixSet"` // the set's OGC document
	// Proj4 defines the set's CRS for proj4 ("" for WebMercatorQuad, which
	// Leaflet knows, or a CRS the viewer has no definition of).
	Proj4       string `json:"proj4"`
	Point       string `json:"point"` // the point route, {lon},{lat} to replace
	ColorMaps   string `json:"colorMaps"`
	Algorithms  string `json:"algorithms"`
	Basemap     string `json:"basemap"` // XYZ template; "" for none
	Attribution string `json:"basemapAttribution"`
}

// renderViewer writes the map page of the mosaic or item at path (its
// public prefix) in tms, showing the TileJSON at tilejsonURL.
func (s *Server) renderViewer(w http.ResponseWriter, r *http.Request, path string, tms *tiles.TileMatrixSet, tilejsonURL string) error {
	base := baseURL(r)
	c := viewerConfig{
		TileJSON:      tilejsonURL,
		TileMatrixSet: base + "/tileMatrixSets/" + tms.ID,
		Proj4:         viewerProj4[tms.SRS],
		Point:         base + path + "/point/{lon},{lat}",
		ColorMaps:     base + "/colorMaps",
		Algorithms:    base + "/algorithms",
	}
	if tms.SRS == "EPSG:3857" {
		// An XYZ basemap is Web Mercator: under another set it would not
		// line up.
		c.Basemap, c.Attribution = s.ViewerBasemap, s.ViewerBasemapAttribution
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	return viewer.Execute(w, map[string]any{
		"Config": c, "CSS": viewerAssets.CSS, "Scripts": viewerAssets.Scripts, "Licences": viewerAssets.Licences,
	})
}

// viewerProj4 are PROJ definitions of the CRSs of the embedded tile matrix
// sets (by TileMatrixSet.SRS), for proj4 in the browser, which knows only
// a few codes itself. TestViewerProj4MatchesGDAL checks each against PROJ.
var viewerProj4 = map[string]string{
	"OGC:CRS84":  "+proj=longlat +datum=WGS84 +no_defs",
	"EPSG:4326":  "+proj=longlat +datum=WGS84 +no_defs",
	"EPSG:3395":  "+proj=merc +lon_0=0 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
	"EPSG:3035":  "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs",
	"EPSG:3978":  "+proj=lcc +lat_0=49 +lon_0=-95 +lat_1=49 +lat_2=77 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs",
	"EPSG:32631": "+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs",
	"EPSG:2193":  "+proj=tmerc +lat_0=0 +lon_0=173 +k=0.9996 +x_0=1600000 +y_0=10000000 +ellps=GRS80 +units=m +no_defs",
	"EPSG:5041":  "+proj=stere +lat_0=90 +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs",
	"EPSG:5042":  "+proj=stere +lat_0=-90 +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs",
	"EPSG:5482":  "+proj=stere +lat_0=-90 +lon_0=180 +k=0.994 +x_0=5000000 +y_0=1000000 +ellps=GRS80 +units=m +no_defs",
}
