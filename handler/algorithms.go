package handler

import (
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles/algorithm"
)

// algorithmRoutes declares titiler's algorithm routes: the post-processing
// a tile request may name in `algorithm`.
func (s *Server) algorithmRoutes() []route {
	return []route{
		{Route{Name: "algorithms", Method: http.MethodGet, Path: "/algorithms", Params: paramsOf(formParam{}), Answer: formAnswer("AlgorithmList", CacheService)}, jsonForm(s.algorithms)},
		{Route{Name: "algorithm", Method: http.MethodGet, Path: "/algorithms/{algorithmId}", Params: paramsOf(formParam{}), Answer: formAnswer("Algorithm", CacheService)}, jsonForm(s.algorithm)},
	}
}

// fullLink is titiler's Link model with every field, as the algorithm
// routes write it (unset ones as null; /tileMatrixSets omits them).
type fullLink struct {
	Href      string  `json:"href"`
	Rel       string  `json:"rel"`
	Type      string  `json:"type"`
	Templated *bool   `json:"templated"`
	VarBase   *string `json:"varBase"`
	Hreflang  *string `json:"hreflang"`
	Title     string  `json:"title"`
	Length    *int    `json:"length"`
}

// algorithms lists the algorithms, as titiler's AlgorithmFactory (whose
// entries have no title: null).
func (s *Server) algorithms(w http.ResponseWriter, r *http.Request) error {
	type entry struct {
		ID    string     `json:"id"`
		Title *string    `json:"title"`
		Links []fullLink `json:"links"`
	}
	base := baseURL(r)
	out := []entry{}
	for _, id := range algorithm.Names() {
		out = append(out, entry{ID: id, Links: []fullLink{{
			Href: base + "/algorithms/" + id, Rel: "item", Type: "application/json",
			Title: "Definition of " + id + " Algorithm",
		}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"algorithms": out})
	return nil
}

// algorithm answers titiler's metadata document of one algorithm; an
// unknown id is a 422, as titiler validates the path against the names.
func (s *Server) algorithm(w http.ResponseWriter, r *http.Request) error {
	doc, ok := algorithm.Metadata(mux.Vars(r)["algorithmId"])
	if !ok {
		return tilefunc.Errorf(tilefunc.EINVALID, "algorithmId: Input should be %s", algorithm.Choices())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(doc)
	return err
}
