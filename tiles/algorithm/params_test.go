package algorithm_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/tiles/algorithm"
)

// status is the HTTP status the handler gives an error of New.
func status(err error) int {
	switch tilefunc.ErrorCode(err) {
	case "":
	case tilefunc.EINVALID:
		return http.StatusUnprocessableEntity
	case tilefunc.EBADREQUEST:
		return http.StatusBadRequest
	}
	if err == nil {
		return http.StatusOK
	}
	return http.StatusInternalServerError
}

// algorithm_params is accepted and refused as titiler accepts and refuses
// it (pydantic's lax coercions, bounds, JSON as Python reads it), with the
// same status, and each refused field is named. titiler's 500 for JSON
// that is not an object is a 400 here.
func TestParamsValidateAsTitiler(t *testing.T) {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Validation []struct {
			Algorithm, Params string
			Status            int
			Fields            []string
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Validation {
		want := c.Status
		if want == http.StatusInternalServerError {
			want = http.StatusBadRequest
		}
		_, err := algorithm.New(c.Algorithm, c.Params)
		if got := status(err); got != want {
			t.Errorf("%s %s: status %d (%v), titiler %d", c.Algorithm, c.Params, got, err, c.Status)
			continue
		}
		for _, f := range c.Fields {
			if !strings.Contains(err.Error(), f+": ") {
				t.Errorf("%s %s: %q does not name %s", c.Algorithm, c.Params, err, f)
			}
		}
	}
}

// Bad parameters get the right status and a message naming the parameter
// and the rule broken.
func TestBadParamsAreNamed(t *testing.T) {
	cases := []struct {
		algorithm, params string
		status            int
		mentions          []string
	}{
		{"hillshade", `{"azimuth": "east"}`, 400, []string{"azimuth", "valid integer"}},
		{"hillshade", `{"azimuth": 361}`, 400, []string{"azimuth", "less than or equal to 360"}},
		{"hillshade", `{"azimuth": -1}`, 400, []string{"azimuth", "greater than or equal to 0"}},
		{"hillshade", `{"azimuth": 45.5}`, 400, []string{"azimuth", "fractional part"}},
		{"hillshade", `{"angle_altitude": null}`, 400, []string{"angle_altitude", "valid number"}},
		{"hillshade", `{"angle_altitude": NaN}`, 400, []string{"angle_altitude", "less than or equal to 90"}},
		{"hillshade", `{"buffer": 100}`, 400, []string{"buffer", "less than or equal to 99"}},
		{"hillshade", `{"z_exaggeration": 0}`, 400, []string{"z_exaggeration", "greater than or equal to 0.000001"}},
		{"hillshade", `{"azimuth": 400, "buffer": -1}`, 400, []string{"azimuth: ", "; buffer: "}},
		{"hillshade", `{"output_dtype": "f4"}`, 400, []string{"output_dtype", "uint8"}},
		{"hillshade", `{"title": 5}`, 400, []string{"title", "valid string"}},
		{"hillshade", `[1, 2]`, 400, []string{"hillshade", "JSON object"}},
		{"hillshade", `"hillshade"`, 400, []string{"JSON object"}},
		{"hillshade", `{"azimuth": `, 422, []string{"algorithm_params", "invalid JSON"}},
		{"hillshade", `{'azimuth': 1}`, 422, []string{"algorithm_params", "invalid JSON"}},
		{"hillshade", `{"pad": "` + strings.Repeat("x", 10<<10) + `"}`, 422, []string{"algorithm_params", "4096"}},
		{"shade", ``, 422, []string{"algorithm", "'hillshade'", "or 'bitonal'"}},
		{"slope", `{"output_min": "low"}`, 400, []string{"output_min", "valid list"}},
		{"cast", `{"output_min": [1.5]}`, 400, []string{"output_min.0", "fractional part"}},
		{"contours", `{"increment": 1000}`, 400, []string{"increment", "999"}},
		{"terrarium", `{"nodata_height": "low"}`, 400, []string{"nodata_height", "valid number"}},
		{"terrainrgb", `{"interval": 2}`, 400, []string{"interval", "less than or equal to 1"}},
		{"terrainrgb", `{"interval": 0, "nodata_height": 1}`, 400, []string{"terrainrgb", "interval"}},
	}
	for _, c := range cases {
		_, err := algorithm.New(c.algorithm, c.params)
		if got := status(err); got != c.status {
			t.Errorf("%s %.60s: status %d (%v), want %d", c.algorithm, c.params, got, err, c.status)
			continue
		}
		for _, m := range c.mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s %.60s: %q does not mention %q", c.algorithm, c.params, err, m)
			}
		}
	}
}

func TestNamesAreTitilersInOrder(t *testing.T) {
	want := "hillshade slope contours normalizedIndex terrarium terrainrgb cast ceil floor min max median mean std var sum grayscale bitonal"
	if got := strings.Join(algorithm.Names(), " "); got != want {
		t.Fatalf("names %s, want %s", got, want)
	}
	for _, n := range algorithm.Names() {
		if _, ok := algorithm.Metadata(n); !ok {
			t.Errorf("%s has no metadata", n)
		}
	}
	if _, ok := algorithm.Metadata("shade"); ok {
		t.Error("an unknown algorithm has metadata")
	}
}

// Hillshade and slope ask for their buffer of extra pixels; the others
// need none.
func TestBufferIsTheParameter(t *testing.T) {
	for _, c := range []struct {
		name, params string
		buffer       int
	}{{"hillshade", "", 3}, {"hillshade", `{"buffer": 0}`, 0}, {"slope", `{"buffer": 7}`, 7}, {"contours", "", 0}, {"mean", "", 0}} {
		a, err := algorithm.New(c.name, c.params)
		if err != nil || a.Buffer() != c.buffer {
			t.Errorf("%s %s: buffer %v, %v; want %d", c.name, c.params, a, err, c.buffer)
		}
	}
}

// No algorithm named: nothing to apply, but the text must still be JSON.
func TestNoAlgorithmStillChecksTheJSON(t *testing.T) {
	if a, err := algorithm.New("", `{"azimuth": 1000}`); a != nil || err != nil {
		t.Fatalf("New(\"\", valid JSON) = %v, %v; want nil, nil", a, err)
	}
	if _, err := algorithm.New("", `{`); status(err) != http.StatusUnprocessableEntity {
		t.Fatalf("New(\"\", \"{\") = %v, want a 422", err)
	}
}
