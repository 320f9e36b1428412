package handler

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tilefunc"
	"tilefunc/pgstac"
)

// listParams are the list routes' own parameters; any other key filters on
// the search metadata (metadata->>key = value), as in titiler-pgstac.
var listParams = map[string]bool{"limit": true, "offset": true, "sortby": true, functionKey: true, "f": true}

// listSearches answers the registered mosaics, a page at a time.
func (s *Server) listSearches(w http.ResponseWriter, r *http.Request) error {
	v := queryValues(r.URL.RawQuery)
	q := newQuery(v)
	o := pgstac.ListOptions{Limit: q.int("limit", 10, 1), Offset: q.int("offset", 0, 0), Metadata: map[string]string{}}
	if q.err != nil {
		return q.err
	}
	if o.Limit > 1000 {
		return tilefunc.Errorf(tilefunc.EINVALID, "limit: %d is above 1000", o.Limit)
	}
	if sb := v.Get("sortby"); sb != "" {
		o.Desc = strings.HasPrefix(sb, "-")
		o.SortBy = strings.TrimLeft(sb, "+- ")
		if o.SortBy != "lastused" && o.SortBy != "usecount" && !strings.HasPrefix(o.SortBy, "metadata.") {
			return tilefunc.Errorf(tilefunc.EINVALID, "sortby: %q: want lastused, usecount or metadata.<property>, with - for descending", sb)
		}
	}
	for k, vals := range v {
		if !listParams[k] && len(vals) > 0 {
			o.Metadata[k] = vals[len(vals)-1]
		}
	}
	searches, matched, err := s.Catalog.ListSearches(r.Context(), o)
	if err != nil {
		return err
	}
	base := baseURL(r)
	entries := make([]map[string]any, 0, len(searches))
	for i := range searches {
		id := searches[i].Hash
		entries = append(entries, map[string]any{"search": &searches[i], "links": searchLinks(base+"/searches/"+id, "metadata")[:2]})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"searches": entries,
		"links":    pageLinks(base+r.URL.Path, v, o, len(searches), matched),
		"context":  map[string]int{"returned": len(searches), "limit": o.Limit, "matched": matched},
	})
	return nil
}

// pageLinks are self, and next and prev where there are such pages.
func pageLinks(self string, v url.Values, o pgstac.ListOptions, returned, matched int) []link {
	at := func(offset int) string {
		u := url.Values{}
		for k, vals := range v {
			if k != functionKey {
				u[k] = vals
			}
		}
		u.Set("offset", strconv.Itoa(offset))
		return self + "?" + u.Encode()
	}
	links := []link{{Href: at(o.Offset), Rel: "self"}}
	if o.Offset+returned < matched {
		links = append(links, link{Href: at(o.Offset + o.Limit), Rel: "next"})
	}
	if o.Offset > 0 {
		links = append(links, link{Href: at(max(0, o.Offset-o.Limit)), Rel: "prev"})
	}
	return links
}
