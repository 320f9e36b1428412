package handler

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
)

// searchRoutes declares the routes of registered searches themselves.
func (s *Server) searchRoutes() []route {
	return []route{
		{Route{Name: "search_list", Method: http.MethodGet, Path: "/searches", Params: paramsOf(&listParams{}), Answer: jsonAnswer("SearchList", CacheNever)}, s.listSearches},
		{Route{Name: "search_list_deprecated", Method: http.MethodGet, Path: "/searches/list", Params: paramsOf(&listParams{}), Answer: jsonAnswer("SearchList", CacheNever)}, s.listSearches},
		{Route{Name: "search_register", Method: http.MethodPost, Path: "/searches/register", Write: true, Answer: jsonAnswer("RegisterResponse", CacheNever)}, s.registerSearch},
		{Route{Name: "search_info", Method: http.MethodGet, Path: "/searches/{search_id}/info", Answer: jsonAnswer("SearchInfo", CacheDocuments)}, s.searchInfo},
	}
}

// searchMosaic resolves /searches/{search_id} to its registered search.
func (s *Server) searchMosaic(r *http.Request) (*mosaic, error) {
	id := mux.Vars(r)["search_id"]
	return s.mosaics.get("search "+id, func() (*mosaic, error) {
		search, err := s.Catalog.Search(r.Context(), id)
		if err != nil {
			return nil, err
		}
		return &mosaic{key: "search " + id, hash: id, path: "/searches/" + id, search: search,
			items: func(ctx context.Context, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
				return s.Catalog.Items(ctx, id, bbox, o)
			}}, nil
	})
}

// link is a titiler-pgstac link object.
type link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Templated bool   `json:"templated,omitempty"`
	Title     string `json:"title,omitempty"`
}

// maxRegisterBody bounds a registration body; searches are small.
const maxRegisterBody = 1 << 20

// registerSearch stores a search (pgSTAC search_query) and answers its id
// and links, as titiler-pgstac's POST /searches/register.
func (s *Server) registerSearch(w http.ResponseWriter, r *http.Request) error {
	if err := s.admitRegistration(r); err != nil {
		return err
	}
	body, err := readLimited(r, maxRegisterBody)
	if err != nil {
		return err
	}
	query, metadata, err := parseRegister(body)
	if err != nil {
		return err
	}
	// The links come from the metadata as stored, as titiler-pgstac's do:
	// render presets in jsonb's key order.
	search, err := s.Catalog.Register(r.Context(), query, metadata)
	if err != nil {
		return err
	}
	base := baseURL(r) + "/searches/" + search.Hash
	links := append(searchLinks(base, "metadata"), renderLinks(base, s.tileRenders(search.Metadata), "tilejson", "tilejson.json", "TileJSON")...)
	writeJSON(w, http.StatusOK, map[string]any{"id": search.Hash, "links": links})
	return nil
}

// searchLinks are a search's links, the first to its info with rel first.
func searchLinks(base, first string) []link {
	return []link{
		{Href: base + "/info", Rel: first, Title: "Mosaic metadata"},
		{Href: base + "/{tileMatrixSetId}/tilejson.json", Rel: "tilejson", Templated: true, Title: "Link for TileJSON (Template URL)"},
		{Href: base + "/{tileMatrixSetId}/map.html", Rel: "map", Templated: true, Title: "Link for Map viewer (Template URL)"},
		{Href: base + "/WMTSCapabilities.xml", Rel: "wmts", Title: "WMTS Capabilities link."},
	}
}

// infoLinks are /info's links: self, the TileJSON template and one per
// render preset, the map template and one per preset, WMTS (titiler-pgstac
// titles these templates otherwise than registration's).
func infoLinks(base string, rs []render) []link {
	l := searchLinks(base, "self")
	l[1].Title, l[2].Title = "TileJSON link (Template URL).", "Map viewer link (Template URL)."
	out := []link{l[0], l[1]}
	out = append(out, renderLinks(base, rs, "tilejson", "tilejson.json", "TileJSON")...)
	out = append(out, l[2])
	out = append(out, renderLinks(base, rs, "map", "map.html", "Map viewer")...)
	return append(out, l[3])
}

// searchInfo answers a registered search and its links.
func (s *Server) searchInfo(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["search_id"]
	search, err := s.Catalog.Search(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"search": search, "links": infoLinks(baseURL(r)+"/searches/"+id, s.tileRenders(search.Metadata))})
	return nil
}
