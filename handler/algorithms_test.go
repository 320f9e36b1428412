package handler_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// peerAnswer is one answer of titiler-pgstac to an algorithm route, as
// scripts/algorithms_peer.py recorded it (its base URL as {base}).
type peerAnswer struct {
	Path   string
	Status int
	Body   string
}

// The algorithm routes answer what titiler-pgstac answers, byte for byte:
// the list of 18 with its links (and titiler's nulls), each algorithm's
// metadata with the JSON schema of its parameters, and a 422 for an
// unknown id.
func TestAlgorithmRoutesAnswerAsTitiler(t *testing.T) {
	b, err := os.ReadFile("testdata/titiler_algorithms.json")
	if err != nil {
		t.Fatal(err)
	}
	var answers []peerAnswer
	if err := json.Unmarshal(b, &answers); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, false)
	for _, want := range answers {
		got := get(t, e.url+want.Path)
		if got.status != want.Status {
			t.Errorf("%s: status %d, titiler %d: %s", want.Path, got.status, want.Status, got.body)
			continue
		}
		if want.Status != 200 {
			if d := got.detail(t, want.Status); !strings.Contains(d, "algorithmId") || !strings.Contains(d, "'hillshade'") {
				t.Errorf("%s: detail %q does not name algorithmId and the choices", want.Path, d)
			}
			continue
		}
		if body := strings.ReplaceAll(want.Body, "{base}", e.url); string(got.body) != body {
			t.Errorf("%s:\n%s\ntitiler:\n%s", want.Path, got.body, body)
		}
		if ct := got.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", want.Path, ct)
		}
	}
}

// The list has titiler's 18 algorithms in its order, each linking to its
// definition on this server.
func TestAlgorithmListLinksEachDefinition(t *testing.T) {
	e := newEnv(t, false)
	var list struct {
		Algorithms []struct {
			ID    string
			Title *string
			Links []struct{ Href, Rel, Type, Title string }
		}
	}
	get(t, e.url+"/algorithms").json(t, &list)
	if len(list.Algorithms) != 18 || list.Algorithms[0].ID != "hillshade" || list.Algorithms[17].ID != "bitonal" {
		t.Fatalf("%d algorithms: %+v", len(list.Algorithms), list.Algorithms)
	}
	for _, a := range list.Algorithms {
		if len(a.Links) != 1 || a.Links[0].Rel != "item" {
			t.Fatalf("%s: links %+v", a.ID, a.Links)
		}
		var def struct {
			Title      string
			Parameters map[string]any
		}
		get(t, a.Links[0].Href).json(t, &def)
		if def.Title == "" || def.Parameters == nil {
			t.Errorf("%s: definition %+v", a.ID, def)
		}
	}
	var hill struct {
		Parameters map[string]struct {
			Default, Minimum, Maximum float64
			Type                      string
		}
	}
	get(t, e.url+"/algorithms/hillshade").json(t, &hill)
	if az := hill.Parameters["azimuth"]; az.Default != 45 || az.Minimum != 0 || az.Maximum != 360 || az.Type != "integer" {
		t.Errorf("hillshade azimuth %+v", az)
	}
}
