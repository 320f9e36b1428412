package handler_test

import (
	"net/url"
	"strings"
	"testing"
)

// Bad styling input is the client's error: a 4xx JSON {"detail"} that
// starts with the parameter's name, never a 500.
func TestBadStylingInputGets4xxNamingTheParameter(t *testing.T) {
	e := newStylingEnv(t)
	thousands := strings.TrimSuffix(strings.Repeat("b1;", 10000), ";")
	for _, c := range []struct{ name, collection, query, param string }{
		{"malformed expression", u16, "assets=nir&assets=red&expression=(b1-b2", "expression"},
		{"expression ending in an operator", u16, "assets=nir&expression=b1%2B", "expression"},
		{"expression of a band not read", u16, "assets=nir&expression=b3", "expression"},
		{"expression of 10,000 outputs", u16, "assets=nir&expression=" + thousands, "expression"},
		{"expression of 100 outputs", u16, "assets=nir&expression=" + strings.TrimSuffix(strings.Repeat("b1;", 100), ";"), "expression"},
		{"malformed asset expression", u16, "assets=nir|expression=(b1", "assets"},
		{"unknown colormap_name", u16, "assets=nir&colormap_name=not_a_colormap", "colormap_name"},
		{"colormap not JSON", u16, "assets=nir&colormap=" + url.QueryEscape("{not json"), "colormap"},
		{"colormap a list of numbers", u16, "assets=nir&colormap=" + url.QueryEscape("[1,2,3]"), "colormap"},
		{"colormap a string", u16, "assets=nir&colormap=" + url.QueryEscape(`"viridis"`), "colormap"},
		{"colormap colour not a colour", u16, "assets=nir&colormap=" + url.QueryEscape(`{"1":"not a colour"}`), "colormap"},
		{"rescale of three numbers", u16, "assets=nir&rescale=0,1,2", "rescale"},
		{"rescale not numbers", u16, "assets=nir&rescale=a,b", "rescale"},
		{"buffer not a multiple of 0.5", u8, "assets=visual&buffer=0.3", "buffer"},
		{"buffer negative", u8, "assets=visual&buffer=-1", "buffer"},
		{"algorithm_params of the wrong type", f32, "assets=dem&algorithm=hillshade&algorithm_params=" + url.QueryEscape(`{"azimuth":"north"}`), "algorithm_params"},
		{"algorithm_params not an object", f32, "assets=dem&algorithm=hillshade&algorithm_params=" + url.QueryEscape(`[45]`), "algorithm_params"},
		{"algorithm_params out of range", f32, "assets=dem&algorithm=hillshade&algorithm_params=" + url.QueryEscape(`{"azimuth":999}`), "algorithm_params"},
		{"unknown algorithm", f32, "assets=dem&algorithm=not_an_algorithm", "algorithm"},
		{"color_formula unknown operation", u8, "assets=visual&color_formula=sepia%203", "color_formula"},
		{"color_formula over floats", f32, "assets=dem&color_formula=gamma%20r%202", "color_formula"},
		{"unknown pixel_selection", ov, "assets=value&pixel_selection=not_a_method", "pixel_selection"},
		{"unknown resampling", u8, "assets=visual&resampling=not_a_method", "resampling"},
		{"nodata not a number", u8, "assets=visual&nodata=abc", "nodata"},
		{"nodata nan on integers", u16, "assets=nir&nodata=nan", "nodata"},
		{"nodata beyond the type", u8, "assets=visual&nodata=300", "nodata"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// .npy holds any band count: the error is the parameter's
			r := e.tile(t, c.collection, westTile, ".npy?"+c.query)
			if r.status < 400 || r.status >= 500 {
				t.Fatalf("status %d, want 4xx: %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q, want application/json", ct)
			}
			var body struct{ Detail string }
			r.json(t, &body)
			if !strings.HasPrefix(body.Detail, c.param+":") {
				t.Fatalf("detail %q does not name %s", body.Detail, c.param)
			}
			if len(body.Detail) > 1000 {
				t.Fatalf("detail of %d bytes: want a short message", len(body.Detail))
			}
		})
	}
}
