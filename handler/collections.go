package handler

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
)

// collectionRoutes declares the routes of a collection mosaic itself.
func (s *Server) collectionRoutes() []route {
	return []route{
		{Route{Name: "collection_info", Method: http.MethodGet, Path: "/collections/{collection_id}/info", Params: collectionFilters, Answer: jsonAnswer("SearchInfo", CacheDocuments)}, s.collectionInfo},
	}
}

// collectionInfo answers the search a collection request resolves to (with
// its filters), as /searches/{id}/info answers a registered one.
func (s *Server) collectionInfo(w http.ResponseWriter, r *http.Request) error {
	mo, err := s.collectionMosaic(r)
	if err != nil {
		return err
	}
	search := mo.search
	if mo.stored { // the row, with its use count, as titiler-pgstac answers it
		if search, err = s.Catalog.Search(r.Context(), mo.hash); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"search": search, "links": infoLinks(baseURL(r)+mo.path, s.tileRenders(search.Metadata))})
	return nil
}

// collectionMosaic resolves /collections/{collection_id} to a mosaic of the
// collection's items, narrowed by the request's filters (ids, bbox,
// datetime, query, sortby, filter). The search is registered as
// titiler-pgstac does when the catalog allows writes; when it is read-only
// (pgstac.readonly() or a role with read-only grants) the items come from
// pgSTAC's search function instead, so collections keep working.
func (s *Server) collectionMosaic(r *http.Request) (*mosaic, error) {
	if mo, ok := r.Context().Value(resolvedKey{}).(*mosaic); ok {
		return mo, nil
	}
	id := mux.Vars(r)["collection_id"]
	search, err := collectionSearch(id, queryValues(r.URL.RawQuery))
	if err != nil {
		return nil, err
	}
	query, _ := json.Marshal(search)
	return s.mosaics.get("collection "+string(query), func() (*mosaic, error) {
		return s.loadCollectionMosaic(r.Context(), id, search)
	})
}

func (s *Server) loadCollectionMosaic(ctx context.Context, id string, search map[string]any) (*mosaic, error) {
	doc, err := s.Catalog.Collection(ctx, id)
	if err != nil {
		return nil, err
	}
	query, _ := json.Marshal(search)
	metaJSON, _ := json.Marshal(collectionMetadata(id, doc, search))
	var meta tilefunc.SearchMetadata
	if err := json.Unmarshal(metaJSON, &meta); err != nil {
		return nil, err
	}
	hash, registered, err := s.Catalog.EnsureSearch(ctx, query, metaJSON)
	if err != nil {
		return nil, err
	}
	mo := &mosaic{key: "collection " + string(query), hash: hash, path: "/collections/" + id, stored: registered,
		search: &tilefunc.Search{Hash: hash, Search: query, Metadata: meta}}
	mo.items = func(ctx context.Context, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
		if registered {
			return s.Catalog.Items(ctx, hash, bbox, o)
		}
		return s.Catalog.SearchItems(ctx, query, bbox, o)
	}
	return mo, nil
}

// collectionFilters are the query parameters of every collection mosaic
// route (titiler-pgstac's CollectionIdParams): collectionSearch reads them
// when the route resolves its mosaic.
var collectionFilters = []Param{
	{Name: "ids", Type: "string", Description: "Comma-separated item ids."},
	{Name: "bbox", Type: "string", Description: "minx,miny,maxx,maxy (or with minz and maxz: 6 numbers) in EPSG:4326."},
	{Name: "datetime", Type: "string", Description: "An RFC 3339 instant or interval (.. for an open end)."},
	{Name: "query", Type: "string", Description: "The STAC query extension's object, as JSON."},
	{Name: "filter", Type: "string", Description: "A CQL2-JSON filter."},
	{Name: "filter-lang", Type: "string", Enum: []string{"cql2-json"}, Description: "The filter's language: cql2-json only."},
	{Name: "sortby", Type: "string", Description: "Comma-separated fields, - for descending (-gsd,+datetime)."},
}
