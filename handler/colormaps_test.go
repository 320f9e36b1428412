package handler_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"tilefunc/handler"
)

// newColorMapServer serves the API with no services wired: the colormap
// routes need none.
func newColorMapServer(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer((&handler.Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// /colorMaps lists rio-tiler's 211 colormaps in titiler's shape, sorted
// by name.
func TestColorMapsListsEveryNamedColormap(t *testing.T) {
	base := newColorMapServer(t)
	var list struct {
		Colormaps []struct {
			ID    string
			Links []map[string]string
		}
	}
	get(t, base+"/colorMaps").json(t, &list)
	var ids []string
	for _, c := range list.Colormaps {
		ids = append(ids, c.ID)
		want := []map[string]string{{"href": base + "/colorMaps/" + c.ID, "rel": "item", "type": "application/json", "title": "Definition of " + c.ID + " ColorMap"}}
		if !reflect.DeepEqual(c.Links, want) {
			t.Fatalf("links of %s: %v, want %v", c.ID, c.Links, want)
		}
	}
	if len(ids) != 211 || !sort.StringsAreSorted(ids) || !strings.Contains(strings.Join(ids, " "), "viridis") {
		t.Fatalf("%d colormaps (sorted: %v): %v", len(ids), sort.StringsAreSorted(ids), ids)
	}
	if r := get(t, base+"/colorMaps?f=json"); r.status != http.StatusOK {
		t.Fatalf("f=json: %d", r.status)
	}
	get(t, base+"/colorMaps?f=png").detail(t, http.StatusUnprocessableEntity)
	get(t, base+"/colorMaps?f=html").detail(t, http.StatusNotImplemented)
}

// /colorMaps/viridis answers byte for byte what titiler-pgstac 3.2
// answers (testdata/titiler_colormap_viridis.json, fetched from the peer).
func TestColorMapIsTitilersJSON(t *testing.T) {
	base := newColorMapServer(t)
	want, err := os.ReadFile("testdata/titiler_colormap_viridis.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"", "?f=json"} {
		r := get(t, base+"/colorMaps/viridis"+q)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" || !bytes.Equal(r.body, want) {
			t.Fatalf("/colorMaps/viridis%s: %d %s\n%.200s\nwant\n%.200s", q, r.status, r.header.Get("Content-Type"), r.body, want)
		}
	}
}

// Where titiler answers 422 (an unknown id, a value outside a closed set,
// a size that is not a number) so does tilefunc, and where titiler fails
// with a 500 (a negative size, a size too large to allocate) too.
func TestColorMapRefusesWhatTitilerRefuses(t *testing.T) {
	base := newColorMapServer(t)
	for _, q := range []string{"/nope", "/viridis?f=xml", "/viridis?orientation=diagonal", "/viridis?f=png&width=abc",
		"/viridis?f=png&width=-5", "/viridis?f=png&height=5000", "/viridis?f=png&width=4096&height=4096"} {
		if d := get(t, base+"/colorMaps"+q).detail(t, http.StatusUnprocessableEntity); !strings.Contains(d, ":") {
			t.Errorf("%s: detail %q names no parameter", q, d)
		}
	}
}

// The image and HTML forms answer 501 until their encoders land (the
// legend is built before encodeLegend is reached).
func TestColorMapImagesAreNotServedYet(t *testing.T) {
	base := newColorMapServer(t)
	for _, q := range []string{"?f=html", "?f=png", "?f=npy&orientation=vertical&width=30&height=300", "?f=webp&width=0"} {
		get(t, base+"/colorMaps/viridis"+q).detail(t, http.StatusNotImplemented)
	}
}
