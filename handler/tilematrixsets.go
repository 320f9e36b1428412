package handler

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc/tiles"
)

// tileMatrixSetRoutes declares the OGC tile matrix set routes.
func (s *Server) tileMatrixSetRoutes() []route {
	return []route{
		{Route{Name: "tilematrixsets", Method: http.MethodGet, Path: "/tileMatrixSets", Params: paramsOf(formParam{}), Answer: formAnswer("TileMatrixSetList", CacheService)}, jsonForm(s.tileMatrixSets)},
		{Route{Name: "tilematrixset", Method: http.MethodGet, Path: "/tileMatrixSets/{tileMatrixSetId}", Params: paramsOf(formParam{}), Answer: formAnswer("TileMatrixSet", CacheService)}, jsonForm(s.tileMatrixSet)},
	}
}

// tileMatrixSets lists the sets, as titiler's TMSFactory.
func (s *Server) tileMatrixSets(w http.ResponseWriter, r *http.Request) error {
	base := baseURL(r)
	type entry struct {
		ID    string `json:"id"`
		Links []link `json:"links"`
	}
	var out []entry
	for _, t := range tiles.TMSList() {
		out = append(out, entry{ID: t.ID, Links: []link{{
			Href: base + "/tileMatrixSets/" + t.ID, Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
			Type: "application/json", Title: "Definition of " + t.ID + " tileMatrixSet",
		}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tileMatrixSets": out})
	return nil
}

// tileMatrixSet answers the OGC JSON document of one set, as morecantile
// writes it: each matrix names its cornerOfOrigin, topLeft where the
// shipped document leaves the default unsaid.
func (s *Server) tileMatrixSet(w http.ResponseWriter, r *http.Request) error {
	tms, err := lookupTMS(mux.Vars(r)["tileMatrixSetId"])
	if err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(tms.JSON(), &doc); err != nil {
		return err
	}
	var matrices []map[string]json.RawMessage
	if err := json.Unmarshal(doc["tileMatrices"], &matrices); err != nil {
		return err
	}
	for _, m := range matrices {
		if _, ok := m["cornerOfOrigin"]; !ok {
			m["cornerOfOrigin"] = json.RawMessage(`"topLeft"`)
		}
	}
	doc["tileMatrices"], _ = json.Marshal(matrices)
	writeJSON(w, http.StatusOK, doc)
	return nil
}
