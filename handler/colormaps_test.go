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
	"tilefunc/tiles/colormap"
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
	if r := get(t, base+"/colorMaps?f=html"); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("f=html: %d %s", r.status, r.header.Get("Content-Type"))
	}
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
// The legend of a table is a 256 px bar of its colours, 20 px high; a
// vertical one 256 px high; the sizes asked for are kept; f=html is
// refused with a 422 naming it (tilefunc serves no HTML form yet).
func TestColorMapLegendImages(t *testing.T) {
	base := newColorMapServer(t)
	viridis, _ := colormap.Named("viridis")
	r := get(t, base+"/colorMaps/viridis?f=png")
	img := decodePNG(t, r)
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 20 {
		t.Fatalf("legend is %dx%d, want 256x20", b.Dx(), b.Dy())
	}
	for _, x := range []int{0, 100, 255} {
		c := nrgba(img, x, 10)
		if want := viridis[x]; c.R != want[0] || c.G != want[1] || c.B != want[2] || c.A != want[3] {
			t.Errorf("pixel %d = %v, viridis[%d] = %v", x, c, x, want)
		}
	}
	v := decodePNG(t, get(t, base+"/colorMaps/viridis?f=png&orientation=vertical&width=30&height=300"))
	if b := v.Bounds(); b.Dx() != 30 || b.Dy() != 300 {
		t.Errorf("vertical legend is %dx%d, want 30x300", b.Dx(), b.Dy())
	}
	for _, f := range []string{"npy", "tif", "jpeg", "jp2", "webp", "pngraw"} {
		if r := get(t, base+"/colorMaps/viridis?f="+f); r.status != http.StatusOK || len(r.body) < 50 {
			t.Errorf("f=%s: %d, %d bytes", f, r.status, len(r.body))
		}
	}
	if d := get(t, base+"/colorMaps/viridis?f=html").detail(t, http.StatusUnprocessableEntity); !strings.Contains(d, "f=html") {
		t.Errorf("f=html detail %q does not name it", d)
	}
}
