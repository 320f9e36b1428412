package handler_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"tilefunc/internal/parity"
)

// The algorithms. Those over the DEM are checked against numpy (the
// published formulas applied by scripts/styling_golden.py to the COG's
// heights); those over bands are computed here from the source pixels.
// Every image is a bbox lying on the raster's own pixels, so the
// algorithm's input is the raster's pixels, unwarped.

// collectionOf is the collection of a fixture item/asset.
func collectionOf(raster string) string {
	switch {
	case strings.HasPrefix(raster, "dem-"):
		return f32
	case strings.HasPrefix(raster, "u8-"):
		return u8
	case strings.HasPrefix(raster, "u16/"):
		return u16
	}
	return ov
}

// windowImage asks for the bbox of w×h pixels of a raster's own grid at
// col, row, as w×h pixels: the raster's pixels, unwarped.
func (e *stylingEnv) windowImage(t *testing.T, raster string, win [4]int, format, query string) response {
	t.Helper()
	r := e.raster(t, raster)
	return e.get(t, fmt.Sprintf("%s/bbox/%s/%dx%d.%s?%s", collectionOf(raster), r.bbox(win[0], win[1], win[2], win[3]), win[2], win[3], format, parity.EscapeQuery(query)))
}

// checkGolden draws a golden case and compares its sample pixels with the
// numpy values, each band within tol, and its mask (the last band: 255 or
// 0 in a PNG, the type's top or bottom in .npy, as rio-tiler's mask).
func checkGolden(t *testing.T, e *stylingEnv, name string, tol float64) {
	t.Helper()
	c := goldenCaseOf(t, name)
	resp := e.windowImage(t, c.Raster, c.Window, c.Format, c.Query)
	bands := len(c.Samples[0]) - 3
	var pic picture
	valid, invalid := 255.0, 0.0
	if c.Format == "npy" {
		a := decodeNPY(t, resp)
		valid, invalid = typeRange(t, a.descr)
		pic = a.picture()
	} else {
		pic, _ = decodePNGBands(t, resp)
	}
	if pic.width != c.Window[2] || pic.height != c.Window[3] || pic.bands != bands+1 {
		t.Fatalf("%s: %dx%d with %d bands, want %dx%d with %d and the mask", name, pic.width, pic.height, pic.bands, c.Window[2], c.Window[3], bands)
	}
	for _, s := range c.Samples {
		i, j := int(s[0]), int(s[1])
		got := pic.px(i, j)
		mask := invalid
		if s[len(s)-1] == 255 {
			mask = valid
		}
		if got[bands] != mask {
			t.Errorf("%s: pixel %d,%d has mask %v, want %v", name, i, j, got[bands], mask)
		}
		if mask == invalid {
			continue
		}
		for b, want := range s[2 : 2+bands] {
			if math.Abs(got[b]-want) > tol {
				t.Errorf("%s: pixel %d,%d band %d = %v, numpy %v", name, i, j, b+1, got[b], want)
			}
		}
	}
}

// typeRange is the bottom and top of a numpy type (rasterio's
// dtype_ranges, in which rio-tiler writes masks).
func typeRange(t *testing.T, descr string) (top, bottom float64) {
	t.Helper()
	switch descr[1:] {
	case "u1":
		return 255, 0
	case "i1":
		return 127, -128
	case "u2":
		return 65535, 0
	case "i2":
		return 32767, -32768
	case "u4":
		return math.MaxUint32, 0
	case "i4":
		return math.MaxInt32, math.MinInt32
	case "u8":
		return math.MaxUint64, 0
	case "i8":
		return math.MaxInt64, math.MinInt64
	case "f4":
		return math.MaxFloat32, -math.MaxFloat32
	case "f8":
		return math.MaxFloat64, -math.MaxFloat64
	}
	t.Fatalf("no range for %s", descr)
	return 0, 0
}

func TestHillshadeIsTheShadingOfNumpysGradientOfTheHeights(t *testing.T) {
	e := newStylingEnv(t)
	checkGolden(t, e, "hillshade", 0)        // EPSG:4326, the defaults: azimuth 45, altitude 45
	checkGolden(t, e, "hillshade_params", 0) // UTM, azimuth 315, altitude 30, heights doubled
}

func TestSlopeIsTheGradientPerMetreInDegrees(t *testing.T) {
	e := newStylingEnv(t)
	checkGolden(t, e, "slope", 1e-4)
}

func TestContoursAreTerrainColoursWithBlackLinesEveryIncrement(t *testing.T) {
	e := newStylingEnv(t)
	checkGolden(t, e, "contours", 0)        // every 35 m, 1 m thick, colours from -12000..8000 m
	checkGolden(t, e, "contours_params", 0) // every 250 m, 10 m thick, colours from 0..3000 m
}

// demWindow is the dem-geo window of the golden cases: 60×60 pixels at
// column 40, row 80.
var demWindow = [4]int{40, 80, 60, 60}

// Terrarium (Mapzen) and Terrain-RGB (Mapbox) encode heights as RGB; the
// numpy values are checked, and decoding the RGB gives back the GDAL-read
// height to the encoding's step.
func TestTerrariumAndTerrainRGBEncodeTheHeights(t *testing.T) {
	e := newStylingEnv(t)
	for _, name := range []string{"terrarium", "terrarium_corner", "terrarium_nodata_height", "terrainrgb", "terrainrgb_params"} {
		t.Run(name, func(t *testing.T) { checkGolden(t, e, name, 0) })
	}
	dem := e.raster(t, "dem-geo/dem")
	for _, c := range []struct {
		algorithm string
		decode    func(r, g, b float64) float64
		step      float64
	}{
		{"terrarium", func(r, g, b float64) float64 { return r*256 + g + b/256 - 32768 }, 1.0 / 256},
		{"terrainrgb", func(r, g, b float64) float64 { return -10000 + (r*65536+g*256+b)*0.1 }, 0.05},
	} {
		pic := pngOf(t, e.windowImage(t, "dem-geo/dem", demWindow, "png", "assets=dem&algorithm="+c.algorithm), 60, 60, 4)
		for j := 0; j < 60; j++ {
			for i := 0; i < 60; i++ {
				px := pic.px(i, j)
				h := dem.value(0, demWindow[0]+i, demWindow[1]+j)
				if got := c.decode(px[0], px[1], px[2]); math.Abs(got-h) > c.step+1e-9 {
					t.Fatalf("%s pixel %d,%d decodes to %v m, the DEM holds %v", c.algorithm, i, j, got, h)
				}
			}
		}
	}
}

// bandWindows are two windows of the uint16 item: one with the nodata
// hole and bare ground, one from the west vegetation patch to the water.
var bandWindows = [][4]int{{150, 20, 80, 60}, {40, 60, 100, 145}}

// checkBandAlgorithm draws an algorithm over the stack's four bands in
// each band window and checks every pixel against want of the source
// bands; pixels of the hole are masked.
func checkBandAlgorithm(t *testing.T, e *stylingEnv, query string, want func(v []float64) float64) {
	t.Helper()
	stack := e.raster(t, "u16/stack")
	for _, win := range bandWindows {
		a := decodeNPY(t, e.windowImage(t, "u16/stack", win, "npy", query))
		pic := a.picture()
		if pic.width != win[2] || pic.height != win[3] || pic.bands != 2 {
			t.Fatalf("%s: %dx%d with %d bands, want %dx%d, one band and the mask", query, pic.width, pic.height, pic.bands, win[2], win[3])
		}
		top, bottom := typeRange(t, a.descr)
		for j := 0; j < win[3]; j++ {
			for i := 0; i < win[2]; i++ {
				var v []float64
				for b := range 4 {
					v = append(v, stack.value(b, win[0]+i, win[1]+j))
				}
				got := pic.px(i, j)
				if v[0] == 0 {
					if got[1] != bottom {
						t.Fatalf("%s: pixel %d,%d is nodata but has mask %v", query, i, j, got[1])
					}
					continue
				}
				if w := want(v); !closeTo(got[0], w) || got[1] != top {
					t.Fatalf("%s: pixel %d,%d = %v, want %v and mask %v from the bands %v", query, i, j, got, w, top, v)
				}
			}
		}
	}
}

func TestNormalizedIndexIsTheSecondBandMinusTheFirstOverTheirSum(t *testing.T) {
	e := newStylingEnv(t)
	checkBandAlgorithm(t, e, "assets=red&assets=nir&algorithm=normalizedIndex", func(v []float64) float64 {
		return (v[3] - v[2]) / (v[3] + v[2])
	})
}

func TestBandReductionsCombineTheFourBandsOfEachPixel(t *testing.T) {
	e := newStylingEnv(t)
	sum := func(v []float64) float64 { return v[0] + v[1] + v[2] + v[3] }
	mean := func(v []float64) float64 { return sum(v) / 4 }
	variance := func(v []float64) float64 { // numpy's ddof=1, as titiler asks
		m, s := mean(v), 0.0
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return s / 3
	}
	for name, want := range map[string]func(v []float64) float64{
		"min": func(v []float64) float64 { return math.Min(math.Min(v[0], v[1]), math.Min(v[2], v[3])) },
		"max": func(v []float64) float64 { return math.Max(math.Max(v[0], v[1]), math.Max(v[2], v[3])) },
		"median": func(v []float64) float64 {
			s := append([]float64(nil), v...)
			sort.Float64s(s)
			return (s[1] + s[2]) / 2
		},
		"mean": mean,
		"sum":  sum,
		"var":  variance,
		"std":  func(v []float64) float64 { return math.Sqrt(variance(v)) },
	} {
		t.Run(name, func(t *testing.T) {
			checkBandAlgorithm(t, e, "assets=stack&algorithm="+name, want)
		})
	}
}

// cast, ceil and floor turn heights over 20 (0-150, not whole) to bytes.
func TestCastCeilAndFloorRoundValuesToBytes(t *testing.T) {
	e := newStylingEnv(t)
	dem := e.raster(t, "dem-geo/dem")
	for name, round := range map[string]func(float64) float64{"cast": math.Trunc, "ceil": math.Ceil, "floor": math.Floor} {
		t.Run(name, func(t *testing.T) {
			pic := npyOf(t, e.windowImage(t, "dem-geo/dem", demWindow, "npy", "assets=dem&expression=b1/20&algorithm="+name), "|u1", 2, 60, 60)
			fractional := 0
			for j := 0; j < 60; j++ {
				for i := 0; i < 60; i++ {
					x := dem.value(0, demWindow[0]+i, demWindow[1]+j) / 20
					if got := pic.at(0, i, j); got != round(x) {
						t.Fatalf("pixel %d,%d = %v, want %s(%v)", i, j, got, name, x)
					}
					if x != math.Trunc(x) {
						fractional++
					}
				}
			}
			if fractional < 3000 {
				t.Fatalf("only %d values are not whole: ceil and floor would agree", fractional)
			}
		})
	}
}

// rgbWindow is a window of u8-west crossing grid lines (blue 0).
var rgbWindow = [4]int{100, 50, 60, 60}

// luma is ITU-R 601-2: 0.299 R + 0.587 G + 0.114 B, as titiler writes it.
func luma(r, g, b float64) float64 { return r*299/1000 + g*587/1000 + b*114/1000 }

func TestGrayscaleIsTheLumaOfRGBAndBitonalItsThresholdAt127(t *testing.T) {
	e := newStylingEnv(t)
	src := e.raster(t, "u8-west/visual")
	gray := pngOf(t, e.windowImage(t, "u8-west/visual", rgbWindow, "png", "assets=visual&algorithm=grayscale"), 60, 60, 2)
	bitonal := pngOf(t, e.windowImage(t, "u8-west/visual", rgbWindow, "png", "assets=visual&algorithm=bitonal"), 60, 60, 2)
	white := 0
	for j := 0; j < 60; j++ {
		for i := 0; i < 60; i++ {
			c, r := rgbWindow[0]+i, rgbWindow[1]+j
			y := luma(src.value(0, c, r), src.value(1, c, r), src.value(2, c, r))
			if got := gray.px(i, j); got[0] != math.Trunc(y) || got[1] != 255 {
				t.Fatalf("grayscale pixel %d,%d = %v, want luma %v cut to %v", i, j, got, y, math.Trunc(y))
			}
			want := 0.0
			if y > 127 {
				want, white = 255, white+1
			}
			if got := bitonal.px(i, j); got[0] != want || got[1] != 255 {
				t.Fatalf("bitonal pixel %d,%d = %v, want %v for luma %v", i, j, got, want, y)
			}
		}
	}
	if white == 0 || white == 3600 {
		t.Fatalf("%d of 3600 pixels white: want both", white)
	}
	// One band: its own values against 127 (the ramp, 1 to 250).
	ramp := e.raster(t, "ov-ramp/value")
	pic := pngOf(t, e.windowImage(t, "ov-ramp/value", [4]int{0, 0, ramp.width, ramp.height}, "png", "assets=value&algorithm=bitonal"), ramp.width, ramp.height, 2)
	for i := 0; i < ramp.width; i++ {
		want := 0.0
		if ramp.value(0, i, 10) > 127 {
			want = 255
		}
		if got := pic.px(i, 10); got[0] != want {
			t.Fatalf("bitonal of the ramp at column %d = %v, want %v for %v", i, got[0], want, ramp.value(0, i, 10))
		}
	}
}
