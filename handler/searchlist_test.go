package handler_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

type listPage struct {
	Searches []struct {
		Search struct {
			Hash     string
			Metadata map[string]any
		}
		Links []struct{ Rel, Href string }
	}
	Links   []struct{ Rel, Href string }
	Context struct {
		Returned, Limit, Matched int
	}
}

func TestListSearchesPagesAndFilters(t *testing.T) {
	e := newEnv(t, false)
	for _, name := range []string{"alpha", "beta", "gamma"} {
		e.register(t, `{"collections":["demo-rgb"],"metadata":{"name":"`+name+`"}}`)
	}
	var page listPage
	r := get(t, e.url+"/searches/?limit=2&sortby=metadata.name")
	r.json(t, &page)
	if r.status != 200 || page.Context.Returned != 2 || page.Context.Matched != 3 || page.Context.Limit != 2 {
		t.Fatalf("page 1: %d %+v", r.status, page.Context)
	}
	if page.Searches[0].Search.Metadata["name"] != "alpha" || page.Searches[1].Search.Metadata["name"] != "beta" {
		t.Fatalf("sortby=metadata.name order: %+v", page.Searches)
	}
	if l := page.Searches[0].Links; len(l) != 2 || l[0].Rel != "metadata" || l[1].Rel != "tilejson" {
		t.Fatalf("entry links %+v", l)
	}
	rels := []string{}
	var next string
	for _, l := range page.Links {
		rels = append(rels, l.Rel)
		if l.Rel == "next" {
			next = l.Href
		}
	}
	if strings.Join(rels, ",") != "self,next" || !strings.Contains(next, "offset=2") {
		t.Fatalf("page 1 links %+v", page.Links)
	}
	if r.header.Get("Cache-Control") != "" {
		t.Fatalf("the list must not be cached (titiler-pgstac#174), has %q", r.header.Get("Cache-Control"))
	}
	var page2 listPage
	get(t, next).json(t, &page2)
	if page2.Context.Returned != 1 || page2.Searches[0].Search.Metadata["name"] != "gamma" || page2.Links[len(page2.Links)-1].Rel != "prev" {
		t.Fatalf("page 2 %+v %+v", page2.Context, page2.Links)
	}
	var filtered listPage
	get(t, e.url+"/searches/list?name=beta").json(t, &filtered)
	if filtered.Context.Matched != 1 || filtered.Searches[0].Search.Metadata["name"] != "beta" {
		t.Fatalf("name=beta on the deprecated path: %+v", filtered.Context)
	}
	for _, bad := range []string{"limit=0", "limit=1001", "offset=-1"} {
		get(t, e.url+"/searches?"+bad).detail(t, 422)
	}
	// sortby takes bare metadata keys and comma lists, as titiler-pgstac.
	for sortby, want := range map[string]string{"-name": "gamma,beta,alpha", "usecount,-name": "gamma,beta,alpha", "+name": "alpha,beta,gamma", "-usecount, name": "alpha,beta,gamma"} {
		var p listPage
		get(t, e.url+"/searches?sortby="+url.QueryEscape(sortby)).json(t, &p)
		var names []string
		for _, s := range p.Searches {
			names = append(names, fmt.Sprint(s.Search.Metadata["name"]))
		}
		if got := strings.Join(names, ","); got != want {
			t.Errorf("sortby=%s: %s, want %s", sortby, got, want)
		}
	}
}
