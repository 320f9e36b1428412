package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
	"tilefunc/tiles/colormap"
	"tilefunc/tiles/raster"
)

// colorMapRoutes declares the colormap routes (titiler's ColorMapFactory).
func (s *Server) colorMapRoutes() []route {
	return []route{
		{Route{Name: "colormaps", Method: http.MethodGet, Path: "/colorMaps", Params: paramsOf(formParam{}), Answer: formAnswer("ColorMapList", CacheService)}, jsonForm(s.colorMaps)},
		{Route{Name: "colormap", Method: http.MethodGet, Path: "/colorMaps/{colorMapId}", Params: paramsOf(&legendParams{}), Answer: Answer{Media: append(append([]string{mediaJSON}, imageMediaTypes()...), mediaHTML), Schema: "ColorMap", Cache: CacheService}}, s.colorMap},
	}
}

// legendFormats are the image forms /colorMaps/{colorMapId} draws, the f
// values titiler takes besides json and html.
var legendFormats = []string{"png", "npy", "tif", "tiff", "jpeg", "jpg", "jp2", "webp", "pngraw"}

// colorMaps lists the named colormaps, sorted by name: titiler lists them
// in the order its package files happen to be on disk.
func (s *Server) colorMaps(w http.ResponseWriter, r *http.Request) error {
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
	var p legendParams
	if err := parseQuery(r.URL.RawQuery, &p); err != nil {
		return err
	}
	switch p.f {
	case "json":
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
	img, err := colormap.Legend(c, p.orientation, p.width, p.height)
	if err != nil {
		return err
	}
	return encodeLegend(w, img, p.f)
}

// legendParams are the query of /colorMaps/{colorMapId}: the answer's form
// (JSON, or the legend as an image) and the legend's shape.
type legendParams struct {
	f, orientation string
	width, height  int
}

func (*legendParams) params() []Param {
	return []Param{
		{Name: "f", Type: "string", Default: "json", Enum: append([]string{"json"}, legendFormats...),
			Description: "json, or the legend as an image in this format (titiler's html form is not served)."},
		{Name: "orientation", Type: "string", Default: "horizontal", Enum: []string{"horizontal", "vertical"}, Description: "The legend's direction."},
		{Name: "width", Type: "integer", Description: fmt.Sprintf("Legend width in pixels, at most %d.", colormap.MaxLegendSide)},
		{Name: "height", Type: "integer", Description: fmt.Sprintf("Legend height in pixels, at most %d.", colormap.MaxLegendSide)},
	}
}

func (p *legendParams) parse(q *query) {
	p.f = q.choice("f", "json", append([]string{"json", "html"}, legendFormats...))
	p.orientation = q.choice("orientation", "", []string{"horizontal", "vertical"})
	// 0 is titiler's default too: it takes a falsy size as none given.
	// colormap.Legend checks the sizes against its caps before drawing.
	p.width, p.height = q.int("width", 0, 0), q.int("height", 0, 0)
}

// encodeLegend writes a legend in format (one of legendFormats) as titiler
// renders it: the coloured bar with the colormap's alpha.
func encodeLegend(w http.ResponseWriter, img *raster.Image, format string) error {
	f, err := tiles.ParseFormat(format)
	if err != nil {
		return err
	}
	return writeImage(context.Background(), w, img, tiles.Style{ReturnMask: true}, &f, "") // a legend is not timed
}
