package handler

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"tilefunc"
)

// tileAssets lists the items pgSTAC finds under a tile, with the same
// geojsonsearch call and search options a tile makes: what the tile would
// be made of (titiler-pgstac's /tiles/{tms}/{z}/{x}/{y}/assets). No item is
// an empty list, not a 204.
func (m mosaicHandlers) tileAssets(w http.ResponseWriter, r *http.Request) error {
	vars := mux.Vars(r)
	ref, err := parseTileRef(vars)
	if err != nil {
		return err
	}
	if _, err := strconv.Atoi(vars["y"]); err != nil { // no format nor scale here
		return tilefunc.Errorf(tilefunc.EINVALID, "y: %q is not a whole number", vars["y"])
	}
	search := searchParams{defaults: m.s.Search}
	if err := parseQuery(r.URL.RawQuery, &search); err != nil {
		return err
	}
	opts := search.SearchOptions
	geo, err := ref.tms.GeoBounds(ref.tile)
	if err != nil {
		return err
	}
	mo, err := m.resolve(r)
	if err != nil {
		return err
	}
	items, err := mo.items(r.Context(), geo, opts)
	if err != nil {
		return err
	}
	writeItems(w, items)
	return nil
}
