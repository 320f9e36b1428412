package handler

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
	"tilefunc/tiles/colormap"
	"tilefunc/tiles/raster"
)

// colorMapRoutes declares the colormap routes (titiler's ColorMapFactory).
func (s *Server) colorMapRoutes() []route {
	return []route{
		{Route{Name: "colormaps", Method: http.MethodGet, Path: "/colorMaps"}, s.colorMaps},
		{Route{Name: "colormap", Method: http.MethodGet, Path: "/colorMaps/{colorMapId}"}, s.colorMap},
	}
}

// legendFormats are the image forms /colorMaps/{colorMapId} draws, the f
// values titiler takes besides json and html.
var legendFormats = []string{"png", "npy", "tif", "tiff", "jpeg", "jpg", "jp2", "webp", "pngraw"}

// colorMaps lists the named colormaps, sorted by name: titiler lists them
// in the order its package files happen to be on disk.
func (s *Server) colorMaps(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(queryValues(r.URL.RawQuery))
	f := q.oneOf("f", "json", "html")
	if q.err != nil {
		return q.err
	}
	if f == "html" {
		return notServed("f", "html", "the HTML list of colormaps; use f=json")
	}
	type entry struct {
		ID    string `json:"id"`
		Links []link `json:"links"`
	}
	base := baseURL(r)
	out := []entry{}
	for _, name := range colormap.Names() {
		out = append(out, entry{ID: name, Links: []link{{
			Href: base + "/colorMaps/" + name, Rel: "item", Type: "application/json",
			Title: "Definition of " + name + " ColorMap",
		}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"colormaps": out})
	return nil
}

// colorMap answers one named colormap: its JSON ({"0": [r, g, b, a], ...})
// or its legend as an image.
func (s *Server) colorMap(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["colorMapId"]
	c, ok := colormap.Lookup(id)
	if !ok {
		// 422 as titiler's: the id is a path parameter of a closed set.
		return tilefunc.Errorf(tilefunc.EINVALID, "colorMapId: unknown colormap %q: GET /colorMaps lists them", id)
	}
	q := newQuery(queryValues(r.URL.RawQuery))
	f := q.oneOf("f", append([]string{"json", "html"}, legendFormats...)...)
	orientation := q.oneOf("orientation", "horizontal", "vertical")
	// 0 is titiler's default too: it takes a falsy size as none given.
	width, height := q.int("width", 0, 0), q.int("height", 0, 0)
	if q.err != nil {
		return q.err
	}
	switch f {
	case "", "json":
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		_, err = w.Write(b)
		return err
	case "html":
		return notServed("f", "html", "the HTML page of a colormap; use f=json or an image format")
	}
	img, err := colormap.Legend(c, orientation, width, height)
	if err != nil {
		return err
	}
	return encodeLegend(w, img, f)
}

// encodeLegend writes a legend in format (one of legendFormats) as titiler
// renders it: the coloured bar with the colormap's alpha.
func encodeLegend(w http.ResponseWriter, img *raster.Image, format string) error {
	f, err := tiles.ParseFormat(format)
	if err != nil {
		return err
	}
	return writeImage(w, img, tiles.Style{ReturnMask: true}, &f, "")
}

// oneOf reads a parameter that takes one of a closed set of values; ""
// when it is absent.
func (q *query) oneOf(name string, values ...string) string {
	s := q.v.Get(name)
	if s != "" && !slices.Contains(values, s) {
		q.fail(name, "%q is not one of %s", s, strings.Join(values, ", "))
		return ""
	}
	return s
}
