package parity_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"strings"
	"testing"

	"tilefunc/internal/parity"
)

// plane is a one-band raster of w×h values v(i), with an optional mask.
func plane(dtype string, w, h int, v func(i int) float64, mask func(i int) bool) *parity.Raster {
	r := &parity.Raster{Format: "npy", Width: w, Height: h, DataType: dtype}
	band := make([]float64, w*h)
	for i := range band {
		band[i] = v(i)
	}
	r.Bands = [][]float64{band}
	if mask != nil {
		m := make([]float64, w*h)
		for i := range m {
			if mask(i) {
				m[i] = 255
			}
		}
		r.Bands, r.HasMask = append(r.Bands, m), true
	}
	return r
}

func TestCompareRastersPassesTheSameImageAndCatchesEachDifference(t *testing.T) {
	ramp := func(i int) float64 { return float64(i % 200) }
	most := func(i int) bool { return i%17 != 0 }
	ref := plane("uint8", 16, 16, ramp, most)
	exact := parity.Tolerance{}
	for _, c := range []struct {
		name  string
		got   *parity.Raster
		tol   parity.Tolerance
		match bool
	}{
		{"the same", plane("uint8", 16, 16, ramp, most), exact, true},
		{"one value off by one, max 1", plane("uint8", 16, 16, func(i int) float64 { return ramp(i) + float64(btoi(i == 40)) }, most), parity.Tolerance{Max: 1}, true},
		{"one value off by two, max 1", plane("uint8", 16, 16, func(i int) float64 { return ramp(i) + 2*float64(btoi(i == 40)) }, most), parity.Tolerance{Max: 1}, false},
		{"a difference under the mask", plane("uint8", 16, 16, func(i int) float64 { return ramp(i) + 50*float64(btoi(i == 17)) }, most), exact, true},
		{"one pixel masked in one only", plane("uint8", 16, 16, ramp, func(i int) bool { return most(i) && i != 3 }), exact, false},
		{"no mask band", plane("uint8", 16, 16, ramp, nil), exact, false},
		{"another data type", plane("uint16", 16, 16, ramp, most), exact, false},
		{"another size", plane("uint8", 16, 15, ramp, most), exact, false},
		{"shifted by a row", plane("uint8", 16, 16, func(i int) float64 { return ramp(i + 16) }, most), parity.Tolerance{Max: 1}, false},
		{"noise within a lossy mean", plane("uint8", 16, 16, func(i int) float64 { return ramp(i) + float64(i%3) }, most), parity.Tolerance{Max: 255, Mean: 2}, true},
		{"a brighter image, lossy", plane("uint8", 16, 16, func(i int) float64 { return ramp(i) + 5 }, most), parity.Tolerance{Max: 255, Mean: 2}, false},
	} {
		d := parity.CompareRasters(ref, c.got, c.tol)
		if d.Within(c.tol) != c.match {
			t.Errorf("%s: within %v, want %v (%s)", c.name, d.Within(c.tol), c.match, d.Problem(c.tol))
		}
		if c.match != (d.Problem(c.tol) == "") {
			t.Errorf("%s: problem %q disagrees with the verdict", c.name, d.Problem(c.tol))
		}
	}
}

func TestCompareRastersOnFloatsIsRelativeAndKnowsNaN(t *testing.T) {
	big := func(i int) float64 { return 1000 + float64(i) }
	ref := plane("float32", 8, 8, big, nil)
	tol := parity.Tolerance{Max: 1e-6, Rel: 1e-5}
	near := plane("float32", 8, 8, func(i int) float64 { return big(i) * (1 + 1e-6) }, nil)
	far := plane("float32", 8, 8, func(i int) float64 { return big(i) * (1 + 1e-4) }, nil)
	if d := parity.CompareRasters(ref, near, tol); !d.Within(tol) {
		t.Errorf("values 1e-6 apart relatively: %s", d.Problem(tol))
	}
	if d := parity.CompareRasters(ref, far, tol); d.Within(tol) {
		t.Error("values 1e-4 apart relatively pass a 1e-5 tolerance")
	}
	nan := func(i int) float64 {
		if i == 5 {
			return math.NaN()
		}
		return big(i)
	}
	if d := parity.CompareRasters(plane("float32", 8, 8, nan, nil), plane("float32", 8, 8, nan, nil), tol); !d.Within(tol) {
		t.Errorf("NaN in both at the same place: %s", d.Problem(tol))
	}
	if d := parity.CompareRasters(ref, plane("float32", 8, 8, nan, nil), tol); d.Within(tol) || d.NaN != 1 {
		t.Errorf("NaN in one only: %+v", d)
	}
}

func TestCompareJSONFieldByField(t *testing.T) {
	ref := `{"b1": {"min": 1, "mean": 12.5, "histogram": [[1, 2], [0, 5, 10]], "name": "nir", "masked": null}, "v": NaN}`
	for _, c := range []struct {
		name, got string
		diffs     int
	}{
		{"the same, keys reordered", `{"v": NaN, "b1": {"name": "nir", "mean": 12.5000001, "min": 1, "masked": null, "histogram": [[1, 2], [0, 5, 10]]}}`, 0},
		{"a number off", `{"b1": {"min": 1, "mean": 12.6, "histogram": [[1, 2], [0, 5, 10]], "name": "nir", "masked": null}, "v": NaN}`, 1},
		{"a missing field and a longer array", `{"b1": {"min": 1, "histogram": [[1, 2, 3], [0, 5, 10]], "name": "nir", "masked": null}, "v": NaN}`, 2},
		{"a string and a type", `{"b1": {"min": "1", "mean": 12.5, "histogram": [[1, 2], [0, 5, 10]], "name": "red", "masked": null}, "v": 1}`, 3},
	} {
		d, err := parity.CompareJSON([]byte(ref), []byte(c.got), 1e-9, 1e-6)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(d.Diffs) != c.diffs {
			t.Errorf("%s: %d differences %v, want %d", c.name, len(d.Diffs), d.Diffs, c.diffs)
		}
	}
}

func pngOf(t *testing.T, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gray(w, h int, v func(x, y int) uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetGray(x, y, color.Gray{Y: v(x, y)})
		}
	}
	return img
}

func TestJudgeComparesStatusTypeAndPixels(t *testing.T) {
	req := parity.ParseRequest("/collections/c/tiles/WebMercatorQuad/9/1/2.png?assets=a")
	img := pngOf(t, gray(8, 8, func(x, y int) uint8 { return uint8(10 * x) }))
	other := pngOf(t, gray(8, 8, func(x, y int) uint8 { return uint8(10 * y) }))
	ok := func(body []byte) parity.Response {
		return parity.Response{Status: http.StatusOK, Type: "image/png", Body: body}
	}
	bad := parity.Response{Status: 400, Type: "application/json", Body: []byte(`{"detail":"no"}`)}
	server := parity.Response{Status: 500, Type: "application/json", Body: []byte(`{"detail":"boom"}`)}
	for _, c := range []struct {
		name     string
		ref, got parity.Response
		check    parity.Check
		verdict  string
	}{
		{"the same image", ok(img), ok(img), parity.Check{}, "match"},
		{"another image", ok(img), ok(other), parity.Check{}, "MISMATCH"},
		{"another content type", ok(img), parity.Response{Status: 200, Type: "image/jpeg", Body: img}, parity.Check{}, "MISMATCH"},
		{"the same error status", bad, bad, parity.Check{}, "match"},
		{"another status", bad, ok(img), parity.Check{}, "MISMATCH"},
		{"a documented difference", ok(img), ok(other), parity.Check{Differs: "on purpose"}, "differs"},
		{"a documented difference that is gone", ok(img), ok(img), parity.Check{Differs: "on purpose"}, "differs, now matches"},
		{"a 400 where the reference fails with 500", server, bad, parity.Check{Differs: "a client error", Status: 400}, "differs, now matches"},
		{"a 500 where a 400 was promised", server, server, parity.Check{Differs: "a client error", Status: 400}, "MISMATCH"},
		{"a documented difference in another content type", ok(img), parity.Response{Status: 200, Type: "image/jpeg", Body: img}, parity.Check{Differs: "on purpose"}, "MISMATCH"},
	} {
		o := parity.Judge(req, c.ref, c.got, c.check)
		if o.Verdict() != c.verdict {
			t.Errorf("%s: %s (%s), want %s", c.name, o.Verdict(), o.Problem, c.verdict)
		}
		if o.Failed() != (c.verdict == "MISMATCH") {
			t.Errorf("%s: failed %v", c.name, o.Failed())
		}
	}
}

func TestRequestsKeepReadableQueriesAndSendThemEscaped(t *testing.T) {
	r := parity.ParseRequest("/c/tiles/1/2/3.npy?assets=nir&assets=red&expression=(b1-b2)/(b1+b2);b1*2&return_mask=false")
	if r.Method != http.MethodGet || !strings.Contains(r.URL(), "expression=%28b1-b2%29%2F%28b1%2Bb2%29%3Bb1%2A2") {
		t.Errorf("%s %s", r.Method, r.URL())
	}
	if q := r.Query(); q.Get("expression") != "(b1-b2)/(b1+b2);b1*2" || len(q["assets"]) != 2 || q.Get("return_mask") != "false" {
		t.Errorf("query %v", q)
	}
	p := parity.ParseRequest(`POST /c/statistics?assets=nir {"type": "Feature"}`)
	if p.Method != http.MethodPost || p.Path != "/c/statistics?assets=nir" || p.Body != `{"type": "Feature"}` || p.String() != "POST /c/statistics?assets=nir" {
		t.Errorf("%+v", p)
	}
}

func TestMarkdownHasOneRowPerOutcome(t *testing.T) {
	req := parity.ParseRequest("/c/x.png?assets=a|bidx=1")
	outcomes := []parity.Outcome{
		parity.Judge(req, parity.Response{Status: 404}, parity.Response{Status: 404}, parity.Check{}),
		parity.Judge(req, parity.Response{Status: 200, Type: "image/png", Body: pngOf(t, gray(2, 2, func(x, y int) uint8 { return 1 }))},
			parity.Response{Status: 500}, parity.Check{}),
	}
	md := parity.Markdown(outcomes)
	lines := strings.Split(strings.TrimSpace(md), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "| match |") || !strings.Contains(lines[3], "| MISMATCH |") || !strings.Contains(lines[2], `a\|bidx=1`) {
		t.Errorf("markdown:\n%s", md)
	}
	if v := parity.Verdicts(outcomes); v["match"] != 1 || v["MISMATCH"] != 1 {
		t.Errorf("verdicts %v", v)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
