package handler

import (
	"net/http"
	"strconv"
	"strings"

	"tilefunc/pgstac"
)

// listParams are the list routes' own parameters; any other key filters on
// the search metadata (metadata->>key = value), as in titiler-pgstac.
type listParams struct{ pgstac.ListOptions }

func (*listParams) params() []Param {
	return []Param{
		{Name: "limit", Type: "integer", Default: 10, Description: "Searches per page, 1 to 1000."},
		{Name: "offset", Type: "integer", Default: 0, Description: "Searches skipped."},
		{Name: "sortby", Type: "string", Description: "Comma-separated keys, each lastused, usecount or a metadata property (name, or metadata.name), - for descending."},
		{Name: "f", Type: "string", Enum: []string{"json"}, Description: "Response form: json."},
	}
}

func (p *listParams) parse(q *query) {
	p.ListOptions = pgstac.ListOptions{Limit: q.int("limit", 10, 1), Offset: q.int("offset", 0, 0), Metadata: map[string]string{}}
	if p.Limit > 1000 {
		q.fail("limit", "%d is above 1000", p.Limit)
	}
	if sb := q.v.Get("sortby"); sb != "" {
		p.Sort = listSort(sb)
	}
	own := map[string]bool{}
	for _, o := range p.params() {
		own[o.Name] = true
	}
	for k, vals := range q.v {
		if !own[k] && !strings.EqualFold(k, functionKey) && len(vals) > 0 {
			p.Metadata[k] = vals[len(vals)-1]
		}
	}
}

// listSort reads sortby as titiler-pgstac does: comma-separated keys, each
// led by an optional + or -; lastused and usecount are columns, any other
// key a metadata property. metadata.<prop>, the form titiler-pgstac's
// documentation writes, names <prop> too (titiler-pgstac would sort by a
// property named "metadata.<prop>", which no search has).
func listSort(sb string) []pgstac.ListSort {
	var out []pgstac.ListSort
	for _, s := range strings.Split(sb, ",") {
		s = strings.TrimLeft(s, " ")
		k := pgstac.ListSort{Desc: strings.HasPrefix(s, "-")}
		k.Key = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+"), "metadata.")
		if len(out) < maxListSort {
			out = append(out, k)
		}
	}
	return out
}

// maxListSort bounds the keys of one list's order.
const maxListSort = 8

// listSearches answers the registered mosaics, a page at a time.
func (s *Server) listSearches(w http.ResponseWriter, r *http.Request) error {
	v := queryValues(r.URL.RawQuery)
	var p listParams
	if err := newQuery(v).parse(&p); err != nil {
		return err
	}
	o := p.ListOptions
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
	// In titiler-pgstac's key order: searches, links, context.
	writeJSON(w, http.StatusOK, struct {
		Searches []map[string]any `json:"searches"`
		Links    []link           `json:"links"`
		Context  listContext      `json:"context"`
	}{entries, pageLinks(base, r.URL.RawQuery, o, len(searches), matched), listContext{len(searches), o.Limit, matched}})
	return nil
}

// listContext is a list page's context, in titiler-pgstac's key order.
type listContext struct {
	Returned int `json:"returned"`
	Limit    int `json:"limit"`
	Matched  int `json:"matched"`
}

// pageLinks are self, and next and prev where there are such pages, as
// titiler-pgstac writes them: to /searches/list (the name its list route
// has), the request's parameters in their order, each once with its last
// value, limit and offset set. (titiler-pgstac offers next whenever a page
// is shorter than the whole list, even the last one; tilefunc only where
// there is one.)
func pageLinks(base, raw string, o pgstac.ListOptions, returned, matched int) []link {
	at := func(offset int) string {
		return base + "/searches/list?" + strings.Join(pageQuery(raw, o.Limit, offset), "&")
	}
	links := []link{{Href: at(o.Offset), Rel: "self"}}
	if o.Offset+returned < matched {
		links = append(links, link{Href: at(o.Offset + returned), Rel: "next"})
	}
	if o.Offset > 0 {
		links = append(links, link{Href: at(max(0, o.Offset-o.Limit)), Rel: "prev"})
	}
	return links
}

// pageQuery is the request's query as a Python dict of it: keys in the
// order first written, each with its last value, limit and offset set.
func pageQuery(raw string, limit, offset int) []string {
	var keys []string
	vals := map[string]string{}
	for _, pair := range passQuery(raw) {
		k, v, _ := strings.Cut(pair, "=")
		if _, seen := vals[k]; !seen {
			keys = append(keys, k)
		}
		vals[k] = v
	}
	for _, kv := range []struct {
		k string
		v int
	}{{"limit", limit}, {"offset", offset}} {
		if _, seen := vals[kv.k]; !seen {
			keys = append(keys, kv.k)
		}
		vals[kv.k] = strconv.Itoa(kv.v)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + vals[k]
	}
	return out
}
