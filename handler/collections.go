package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"tilefunc"
)

// collectionRoutes declares the routes of a collection mosaic itself.
func (s *Server) collectionRoutes() []route {
	return []route{
		{Route{Name: "collection_info", Method: http.MethodGet, Path: "/collections/{collection_id}/info", Params: collectionFilters}, s.collectionInfo},
	}
}

// collectionInfo answers the search a collection request resolves to (with
// its filters), as /searches/{id}/info answers a registered one.
func (s *Server) collectionInfo(w http.ResponseWriter, r *http.Request) error {
	mo, err := s.collectionMosaic(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"search": mo.search, "links": infoLinks(baseURL(r)+mo.path, s.tileRenders(mo.search.Metadata))})
	return nil
}

// collectionMosaic resolves /collections/{collection_id} to a mosaic of the
// collection's items, narrowed by the request's filters (ids, bbox,
// datetime, query, sortby, filter). The search is registered as
// titiler-pgstac does when the catalog allows writes; when it is read-only
// (pgstac.readonly() or a role with read-only grants) the items come from
// pgSTAC's search function instead, so collections keep working.
func (s *Server) collectionMosaic(r *http.Request) (*mosaic, error) {
	id := mux.Vars(r)["collection_id"]
	query, err := collectionQuery(id, queryValues(r.URL.RawQuery))
	if err != nil {
		return nil, err
	}
	key := string(query)
	return s.mosaics.get("collection "+key, func() (*mosaic, error) {
		return s.loadCollectionMosaic(r.Context(), id, query)
	})
}

func (s *Server) loadCollectionMosaic(ctx context.Context, id string, query json.RawMessage) (*mosaic, error) {
	doc, err := s.Catalog.Collection(ctx, id)
	if err != nil {
		return nil, err
	}
	meta := collectionMetadata(id, doc, query)
	metaJSON, _ := json.Marshal(meta)
	hash, registered, err := s.Catalog.EnsureSearch(ctx, query, metaJSON)
	if err != nil {
		return nil, err
	}
	mo := &mosaic{key: "collection " + string(query), hash: hash, path: "/collections/" + id,
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
// route (titiler-pgstac's CollectionIdParams): collectionQuery reads them
// when the route resolves its mosaic.
var collectionFilters = []Param{
	{Name: "ids", Type: "string", Description: "Comma-separated item ids."},
	{Name: "bbox", Type: "string", Description: "minx,miny,maxx,maxy in EPSG:4326."},
	{Name: "datetime", Type: "string", Description: "An RFC 3339 instant or interval (.. for an open end)."},
	{Name: "query", Type: "string", Description: "The STAC query extension's object, as JSON."},
	{Name: "filter", Type: "string", Description: "A CQL2-JSON filter."},
	{Name: "filter-lang", Type: "string", Enum: []string{"cql2-json"}, Description: "The filter's language: cql2-json only."},
	{Name: "sortby", Type: "string", Description: "Comma-separated fields, - for descending (-gsd,+datetime)."},
}

// collectionQuery is the pgSTAC search of a collection request.
func collectionQuery(id string, v map[string][]string) (json.RawMessage, error) {
	get := func(k string) string {
		if vs := v[k]; len(vs) > 0 {
			return vs[len(vs)-1]
		}
		return ""
	}
	q := map[string]any{"collections": []string{id}}
	if ids := get("ids"); ids != "" {
		q["ids"] = strings.Split(ids, ",")
	}
	if b := get("bbox"); b != "" {
		bbox, err := parseBBox(b)
		if err != nil {
			return nil, err
		}
		q["bbox"] = bbox
	}
	if dt := get("datetime"); dt != "" {
		q["datetime"] = dt
	}
	for _, k := range []string{"query", "filter"} {
		if raw := get(k); raw != "" {
			var obj map[string]any
			if err := json.Unmarshal([]byte(raw), &obj); err != nil {
				if k == "filter" {
					return nil, tilefunc.Errorf(tilefunc.EINVALID, "filter: only CQL2-JSON is supported (filter-lang=cql2-json): %v", err)
				}
				return nil, tilefunc.Errorf(tilefunc.EINVALID, "query: want a JSON object: %v", err)
			}
			q[k] = obj
		}
	}
	if fl := get("filter-lang"); fl != "" && fl != "cql2-json" {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "filter-lang: %q is not supported: use cql2-json", fl)
	}
	if q["filter"] != nil {
		q["filter-lang"] = "cql2-json"
	}
	if sb := get("sortby"); sb != "" {
		q["sortby"] = parseSortBy(sb)
	}
	b, _ := json.Marshal(q)
	return b, nil
}

func parseBBox(s string) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "bbox: want minx,miny,maxx,maxy")
	}
	out := make([]float64, 4)
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "bbox: %q is not a number", p)
		}
		out[i] = f
	}
	return out, nil
}

// parseSortBy reads "-gsd,+datetime" as STAC sortby objects.
func parseSortBy(s string) []map[string]string {
	var out []map[string]string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		dir := "asc"
		if strings.HasPrefix(f, "-") {
			dir = "desc"
		}
		if f = strings.TrimLeft(f, "+- "); f != "" {
			out = append(out, map[string]string{"field": f, "direction": dir})
		}
	}
	return out
}

// collectionMetadata is titiler-pgstac's metadata for a collection mosaic:
// its name, bounds (the bbox filter or the collection's extent), assets
// (item_assets) and render presets (renders).
func collectionMetadata(id string, doc json.RawMessage, query json.RawMessage) tilefunc.SearchMetadata {
	var c struct {
		Extent struct {
			Spatial struct {
				BBox [][]float64 `json:"bbox"`
			} `json:"spatial"`
		} `json:"extent"`
		ItemAssets map[string]json.RawMessage `json:"item_assets"`
		Renders    map[string]map[string]any  `json:"renders"`
	}
	json.Unmarshal(doc, &c)
	m := tilefunc.SearchMetadata{Type: "mosaic", Name: fmt.Sprintf("Mosaic for '%s' Collection", id), Extra: map[string]json.RawMessage{}}
	var q struct {
		BBox []float64 `json:"bbox"`
	}
	json.Unmarshal(query, &q)
	switch {
	case len(q.BBox) == 4:
		m.Bounds = q.BBox
	case len(c.Extent.Spatial.BBox) > 0 && len(c.Extent.Spatial.BBox[0]) >= 4:
		b := c.Extent.Spatial.BBox[0]
		m.Bounds = []float64{b[0], b[1], b[len(b)/2], b[len(b)/2+1]}
	}
	if len(c.ItemAssets) > 0 {
		var names []string
		for k := range c.ItemAssets {
			names = append(names, k)
		}
		m.Extra["assets"], _ = json.Marshal(names)
	}
	if len(c.Renders) > 0 {
		defaults := map[string]map[string]any{}
		for name, r := range c.Renders {
			d := map[string]any{}
			for k, v := range r {
				switch k {
				case "title", "tilematrixsets":
				case "minmax_zoom":
					if mm, ok := v.([]any); ok && len(mm) == 2 {
						d["minzoom"], d["maxzoom"] = mm[0], mm[1]
					}
				default:
					d[k] = v
				}
			}
			defaults[name] = d
		}
		m.Extra["defaults"], _ = json.Marshal(defaults)
	}
	return m
}
