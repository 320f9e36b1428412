package colormap_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"tilefunc/tiles/colormap"
	"tilefunc/tiles/raster"
)

// reference is testdata/reference.json, what titiler and rio-tiler drew
// (testdata/reference.py writes it).
type reference struct {
	Colormaps map[string]struct{ Kind, Text string }
	Apply     []struct {
		Name, Colormap, Dtype string
		Width, Height         int
		Values                []string
		Valid                 []bool
		Alpha                 []string
		OutDtype              string `json:"out_dtype"`
		Out                   [][]float64
	}
	Legend []struct {
		Name, Colormap, Orientation string
		Width, Height               int
		OutWidth                    int    `json:"out_width"`
		OutHeight                   int    `json:"out_height"`
		OutDtype                    string `json:"out_dtype"`
		Out                         string
	}
}

func readReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// colormapOf is a reference colormap read as tilefunc reads it.
func (ref reference) colormapOf(t *testing.T, name string) colormap.Colormap {
	t.Helper()
	def := ref.Colormaps[name]
	if def.Kind == "name" {
		c, ok := colormap.Lookup(def.Text)
		if !ok {
			t.Fatalf("no colormap named %s", def.Text)
		}
		return c
	}
	c, err := colormap.Parse(def.Text)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func floats(t *testing.T, s []string) []float64 {
	t.Helper()
	var out []float64
	for _, v := range s {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// Every kind of colormap colours uint8, uint16 and float32 data with
// masked pixels (and with an alpha band of their own) exactly as titiler's
// render_image does: wrapping casts for tables, exact values (negative,
// past 255, rounded to float32) for discrete maps, half-open overlapping
// intervals, and the colormap's alpha only where there is data.
func TestApplyMatchesTitilerRenderImage(t *testing.T) {
	ref := readReference(t)
	for _, tc := range ref.Apply {
		t.Run(tc.Name, func(t *testing.T) {
			img := raster.New(tc.Width, tc.Height, 1, raster.DataType(tc.Dtype))
			img.Bands[0] = floats(t, tc.Values)
			img.Valid[0] = tc.Valid
			if tc.Alpha != nil {
				img.Alpha = floats(t, tc.Alpha)
			}
			out, err := ref.colormapOf(t, tc.Colormap).Apply(img)
			if err != nil {
				t.Fatal(err)
			}
			if string(out.Type) != tc.OutDtype || out.Count() != 3 {
				t.Fatalf("%d bands of %s, titiler gives 3 of %s", out.Count(), out.Type, tc.OutDtype)
			}
			got := append(append([][]float64{}, out.Bands...), out.Alpha)
			for b, band := range tc.Out {
				for p, want := range band {
					if got[b][p] != want {
						t.Errorf("band %d pixel %d (value %s): %v, titiler %v", b, p, tc.Values[p], got[b][p], want)
					}
				}
			}
		})
	}
}

// Legends are titiler's _image_from_colormap images, coloured: tables,
// discrete maps and intervals, both orientations, default and resized
// sizes, and a map longer than the default 256 pixels.
func TestLegendMatchesTitiler(t *testing.T) {
	ref := readReference(t)
	for _, tc := range ref.Legend {
		t.Run(tc.Name, func(t *testing.T) {
			img, err := colormap.Legend(ref.colormapOf(t, tc.Colormap), tc.Orientation, tc.Width, tc.Height)
			if err != nil {
				t.Fatal(err)
			}
			if img.Width != tc.OutWidth || img.Height != tc.OutHeight || string(img.Type) != tc.OutDtype {
				t.Fatalf("%d×%d %s, titiler %d×%d %s", img.Width, img.Height, img.Type, tc.OutWidth, tc.OutHeight, tc.OutDtype)
			}
			want, err := hex.DecodeString(tc.Out)
			if err != nil {
				t.Fatal(err)
			}
			planes := append(append([][]float64{}, img.Bands...), img.Alpha)
			bad := 0
			for i, w := range want {
				b, p := i/img.Pixels(), i%img.Pixels()
				if planes[b][p] != float64(w) && bad < 10 {
					bad++
					t.Errorf("band %d pixel %d,%d: %v, titiler %d", b, p%img.Width, p/img.Width, planes[b][p], w)
				}
			}
		})
	}
}
