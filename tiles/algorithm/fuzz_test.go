package algorithm_test

import (
	"testing"

	"tilefunc"
	"tilefunc/tiles/algorithm"
	"tilefunc/tiles/raster"
)

// New never panics and refuses only with a 400 or a 422; what it accepts
// applies to a small image without panicking, or answers a 400.
func FuzzNew(f *testing.F) {
	for _, s := range []string{
		"", "{}", `{"azimuth": 300, "angle_altitude": 30, "buffer": 0, "z_exaggeration": 2.5}`,
		`{"azimuth": " 4_5.00 "}`, `{"angle_altitude": "-inf"}`, `{"angle_altitude": NaN}`, `{"buffer": 99}`,
		`{"output_dtype": "int8", "output_min": [1, "2"]}`, `{"nodata_height": -Infinity}`, `{"interval": 0}`,
		`{"minz": 5, "maxz": 5, "increment": 0, "thickness": 10}`, `[1, {"a": [null, true, false]}]`,
		`{"a": "\u00e9\ud83d\ude00\ud800"}`, `{"azimuth": 1e400}`, `{"azimuth": 123456789012345678901234567890}`,
		`{"azimuth": `, `{'a': 1}`, "\ufeff{}", "NaN", "-Infinity", `{"title": null, "description": 5}`,
	} {
		for i, name := range algorithm.Names() {
			if i%5 == len(s)%5 {
				f.Add(name, s)
			}
		}
		f.Add("", s)
	}
	img := fuzzImage()
	f.Fuzz(func(t *testing.T, name, params string) {
		a, err := algorithm.New(name, params)
		if err != nil {
			if code := tilefunc.ErrorCode(err); code != tilefunc.EINVALID && code != tilefunc.EBADREQUEST {
				t.Fatalf("New(%q, %q): %v (code %s)", name, params, err, code)
			}
			return
		}
		if a == nil {
			return
		}
		out, err := a.Apply(img)
		if err != nil && tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST {
			t.Fatalf("Apply after New(%q, %q): %v", name, params, err)
		}
		if err == nil && (out.Width < 1 || out.Height < 1 || len(out.Bands) != len(out.Valid)) {
			t.Fatalf("New(%q, %q): a %dx%d image", name, params, out.Width, out.Height)
		}
	})
}

// fuzzImage is a 3-band 12×12 float32 image with a masked pixel.
func fuzzImage() *raster.Image {
	img := raster.New(12, 12, 3, raster.Float32)
	for b := range img.Bands {
		for p := range img.Bands[b] {
			img.Bands[b][p] = float64(float32(float64(p*(b+1)%97) * 1.5))
			img.Valid[b][p] = p != 17
		}
	}
	img.Bounds = [4]float64{0, 0, 12, 12}
	return img
}
