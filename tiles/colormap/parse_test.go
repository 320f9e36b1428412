package colormap_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/tiles/colormap"
	"tilefunc/tiles/raster"
)

// many is a JSON object of the values 0 to n-1.
func many(n int) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, fmt.Sprintf(`"%d":[1,2,3]`, i))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// repeated is a JSON list or object of n copies of entry: 5,000 entries
// short enough to pass the cap on bytes.
func repeated(open, entry, end string, n int) string {
	return open + strings.Repeat(entry+",", n-1) + entry + end
}

// badColormaps are colormap parameters titiler refuses or fails on, and
// what tilefunc's 400 says about each.
var badColormaps = map[string]string{
	`nope`:                                 "Could not parse the colormap value.",
	`{"1":[1,2,3]`:                         "Could not parse the colormap value.",
	`{"1":[1,2,3]} {}`:                     "Could not parse the colormap value.",
	`5`:                                    "neither an object",
	`"abc"`:                                "neither an object",
	`true`:                                 "neither an object",
	`[1,2,3]`:                              "entry 0 is not an interval",
	`[[0,1]]`:                              "interval 0: 0 is not [min, max]",
	`[[[0,1],[1,2,3]], {"1":[1,2,3]}]`:     "entry 1 is not an interval",
	`[[[0],[1,2,3]]]`:                      "interval 0: [0] is not [min, max]",
	`[[[0,"a"],[1,2,3]]]`:                  "interval 0: bound a is not a number",
	`[[[0,1],"#ggg"]]`:                     "interval 0: invalid color format",
	`{"a":[1,2,3]}`:                        `key "a" is not a whole number`,
	`{"1.5":[1,2,3]}`:                      `key "1.5" is not a whole number`,
	`{"1e2":[1,2,3]}`:                      `key "1e2" is not a whole number`,
	`{"99999999999999999999":[1,2,3]}`:     "out of range",
	`{"1":"#ggg"}`:                         `key "1": invalid color format: "#ggg"`,
	`{"1":"fff"}`:                          "invalid color format",
	`{"1":"#fffff"}`:                       "invalid color format",
	`{"1":[1,2]}`:                          "invalid color format: [1,2]",
	`{"1":[1,2,3,4,5]}`:                    "invalid color format",
	`{"1":null}`:                           "invalid color format",
	`{"1":{"2":[1,2,3]}}`:                  "invalid color format",
	`{"1":[300,0,0]}`:                      "components are numbers from 0 to 255",
	`{"1":[-1,0,0]}`:                       "components are numbers from 0 to 255",
	`{"1":[1e400,0,0]}`:                    "components are numbers from 0 to 255",
	`{"1":[true,false,true]}`:              "components are numbers from 0 to 255",
	`{"1":["a","b","c"]}`:                  "components are numbers from 0 to 255",
	`{"1":[NaN,0,0]}`:                      "components are numbers from 0 to 255",
	repeated("{", `"1":"#fff"`, "}", 5000): "more than 4096 entries",
	repeated("[", `[[0,1],"#fff"]`, "]", 4100): "more than 4096 intervals",
	many(5000): "at most 65536",
	`{"1":"` + strings.Repeat("f", 100<<10) + `"}`: "at most 65536",
}

func TestParseRefusesWhatIsNotAColormap(t *testing.T) {
	for text, want := range badColormaps {
		_, err := colormap.Parse(text)
		if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%.60s): %v, want a bad request saying %q", text, err, want)
		}
	}
}

// colours is what Apply gives a float64 image of values, as RGBA.
func colours(t *testing.T, c colormap.Colormap, values ...float64) [][4]float64 {
	t.Helper()
	img := raster.New(len(values), 1, 1, raster.Float64)
	copy(img.Bands[0], values)
	for p := range values {
		img.Valid[0][p] = true
	}
	out, err := c.Apply(img)
	if err != nil {
		t.Fatal(err)
	}
	var rgba [][4]float64
	for p := range values {
		rgba = append(rgba, [4]float64{out.Bands[0][p], out.Bands[1][p], out.Bands[2][p], out.Alpha[p]})
	}
	return rgba
}

func mustParse(t *testing.T, text string) colormap.Colormap {
	t.Helper()
	c, err := colormap.Parse(text)
	if err != nil {
		t.Fatalf("Parse(%s): %v", text, err)
	}
	return c
}

// Colours and keys read as titiler reads them (checked against its
// ColorMapParams).
func TestParseReadsColoursAndKeysAsTitiler(t *testing.T) {
	c := mustParse(t, `{"1":"#fff","2":"#ffff","3":"#ff000080","4":"#FF00","5":[1.5,2,1e2]," 6":[1,2,3,4],"+7":"#abc","1_0":"#000","01":[9,9,9]}`)
	if c.Kind() != colormap.Discrete || c.Len() != 8 {
		t.Fatalf("kind %v, %d entries", c.Kind(), c.Len())
	}
	got := colours(t, c, 1, 2, 3, 4, 5, 6, 7, 10, 11)
	want := [][4]float64{{9, 9, 9, 255}, {255, 255, 255, 255}, {255, 0, 0, 128}, {255, 255, 0, 0}, {1, 2, 100, 255},
		{1, 2, 3, 4}, {170, 187, 204, 255}, {0, 0, 0, 255}, {0, 0, 0, 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("colours %v\nwant    %v", got, want)
	}
	b, _ := json.Marshal(c)
	if string(b) != `{"1":[9,9,9,255],"2":[255,255,255,255],"3":[255,0,0,128],"4":[255,255,0,0],"5":[1,2,100,255],"6":[1,2,3,4],"7":[170,187,204,255],"10":[0,0,0,255]}` {
		t.Fatalf("JSON %s: values in the order first given, the last colour of each", b)
	}
}

// {}, [] and null are no colormap for titiler: it renders without one.
func TestEmptyColormapIsNone(t *testing.T) {
	for _, text := range []string{`{}`, `[]`, `null`, ` {} `} {
		c := mustParse(t, text)
		img := raster.New(2, 1, 2, raster.Uint16)
		if out, err := c.Apply(img); c.Kind() != colormap.NoColormap || err != nil || out != img {
			t.Errorf("%s: kind %v, Apply %v: want no colormap, the image as it is", text, c.Kind(), err)
		}
		if _, err := colormap.Legend(c, "", 0, 0); tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST {
			t.Errorf("%s: legend %v", text, err)
		}
	}
}

// An object of exactly the values 0-255 is a table: rio-tiler casts
// values to bytes for it, so 300 wraps to 44, where a discrete map of 255
// values leaves 300 transparent.
func TestAllByteValuesMakeATable(t *testing.T) {
	c := mustParse(t, many(256))
	if c.Kind() != colormap.LUT || colours(t, c, 300)[0] != [4]float64{1, 2, 3, 255} {
		t.Fatalf("256 values: kind %v, 300 → %v", c.Kind(), colours(t, c, 300))
	}
	c = mustParse(t, many(255))
	if c.Kind() != colormap.Discrete || colours(t, c, 300)[0] != [4]float64{} {
		t.Fatalf("255 values: kind %v, 300 → %v", c.Kind(), colours(t, c, 300))
	}
}

// Intervals are [min, max); a later one wins where they overlap; Python's
// -Infinity bounds an open end and the JSON writes it back as a string
// Parse reads.
func TestIntervalsAreHalfOpenAndLaterOnesWin(t *testing.T) {
	text := `[[[-Infinity,0],[1,1,1]],[[0,10],[2,2,2]],[[5,6],[3,3,3]],[[10,NaN],[4,4,4]],[[20,10],[5,5,5]]]`
	c := mustParse(t, text)
	got := colours(t, c, math.Inf(-1), -1, 0, 4.99, 5, 6, 9.999, 10, 15, math.NaN())
	want := [][4]float64{{1, 1, 1, 255}, {1, 1, 1, 255}, {2, 2, 2, 255}, {2, 2, 2, 255}, {3, 3, 3, 255}, {2, 2, 2, 255}, {2, 2, 2, 255}, {}, {}, {}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("colours %v\nwant    %v", got, want)
	}
	b, _ := json.Marshal(c)
	const js = `[[["-Infinity",0],[1,1,1,255]],[[0,10],[2,2,2,255]],[[5,6],[3,3,3,255]],[[10,"NaN"],[4,4,4,255]],[[20,10],[5,5,5,255]]]`
	if string(b) != js {
		t.Fatalf("JSON %s\nwant %s", b, js)
	}
	if b2, _ := json.Marshal(mustParse(t, js)); string(b2) != js {
		t.Fatalf("JSON does not read back: %s", b2)
	}
}

func TestApplyWantsOneBand(t *testing.T) {
	c, _ := colormap.Lookup("viridis")
	_, err := c.Apply(raster.New(2, 2, 3, raster.Uint8))
	if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST || !strings.Contains(err.Error(), "must be 1 band") {
		t.Fatalf("3 bands: %v", err)
	}
}

func TestLegendRefusesSizesPastItsCaps(t *testing.T) {
	c, _ := colormap.Lookup("viridis")
	for _, size := range [][2]int{{-1, 0}, {0, -5}, {4097, 20}, {20, 5000}, {4096, 4096}} {
		if _, err := colormap.Legend(c, "", size[0], size[1]); tilefunc.ErrorCode(err) != tilefunc.EINVALID {
			t.Errorf("%v: %v", size, err)
		}
	}
	if _, err := colormap.Legend(c, "diagonal", 0, 0); tilefunc.ErrorCode(err) != tilefunc.EINVALID {
		t.Errorf("orientation diagonal: %v", err)
	}
}

// FuzzParse: whatever the text, Parse answers a colormap or a bad request,
// never a panic; what it reads writes back as JSON it reads the same, and
// colours any image and legend.
func FuzzParse(f *testing.F) {
	for text := range badColormaps {
		if len(text) < 1000 {
			f.Add(text)
		}
	}
	for _, seed := range []string{`{"1":"#fff","-5":[1,2,3,4],"300":"#ff000080"}`, `[[[0,1],[1,2,3]],[[-Infinity,0.5],"#abcd"]]`,
		`{}`, `[]`, `null`, `{"1_0":[1,2,3]," +2 ":[1,2,3]}`, `[[[NaN,Infinity],[0,0,0]]]`, `{"\u0031":"#fff"}`, `["NaN"]`, `"Infinity"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := colormap.Parse(text)
		if err != nil {
			if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST {
				t.Fatalf("Parse(%q): %v is not a bad request", text, err)
			}
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("Parse(%q) writes no JSON: %v", text, err)
		}
		again, err := colormap.Parse(string(b))
		if b2, _ := json.Marshal(again); err != nil || string(b2) != string(b) {
			t.Fatalf("Parse(%q) → %s → %s, %v", text, b, b2, err)
		}
		img := raster.New(4, 1, 1, raster.Float32)
		copy(img.Bands[0], []float64{-1, 0, 0.5, 300})
		if _, err := c.Apply(img); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if c.Kind() != colormap.NoColormap {
			if _, err := colormap.Legend(c, "vertical", 0, 0); err != nil {
				t.Fatalf("Legend: %v", err)
			}
		}
	})
}

func TestParseTakesUpToMaxEntries(t *testing.T) {
	if c := mustParse(t, many(colormap.MaxEntries)); c.Kind() != colormap.Discrete || c.Len() != colormap.MaxEntries {
		t.Fatalf("%d values: kind %v, %d entries", colormap.MaxEntries, c.Kind(), c.Len())
	}
}

// Large colormaps colour a 512 × 512 image in time that does not
// grow with their entries.
func BenchmarkApply(b *testing.B) {
	var ivs []string
	for i := 0; i < 3000; i++ { // as many as fit the cap on bytes
		ivs = append(ivs, fmt.Sprintf(`[[%d,%d],"#123"]`, i*3, i*3+5))
	}
	kinds := map[string]string{"discrete": many(colormap.MaxEntries), "intervals": "[" + strings.Join(ivs, ",") + "]"}
	img := raster.New(512, 512, 1, raster.Float32)
	for p := range img.Bands[0] {
		img.Bands[0][p], img.Valid[0][p] = float64(p%13000), true
	}
	for name, text := range kinds {
		c, err := colormap.Parse(text)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.Apply(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
