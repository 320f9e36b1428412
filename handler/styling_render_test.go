package handler_test

import (
	"math"
	"net/url"
	"testing"

	"tilefunc/internal/parity"
)

// The rendering parameters: rescale, color_formula, colormap_name and
// colormap, each checked on tiles against the formula applied to the
// GDAL-read source pixels under the tile's pixels.

// rescaled is rio-tiler's linear_rescale of v from lo..hi to a byte:
// clipped to the range, scaled in float64, cut toward zero.
func rescaled(v, lo, hi float64) float64 {
	return math.Trunc((math.Min(math.Max(v, lo), hi) - lo) / (hi - lo) * 255)
}

// checkRGBTile draws a 256 px tile of the u16 red, green and blue assets
// and checks each clear pixel: want gives the RGB of the source values,
// and the uint16 hole (nodata in every band) is transparent.
func checkRGBTile(t *testing.T, e *stylingEnv, query string, want func(r, g, b float64) [3]float64) {
	t.Helper()
	pic := pngOf(t, e.tile(t, u16, eastTile, ".png?"+parity.EscapeQuery(query)), 256, 256, 4)
	red, green, blue := e.raster(t, "u16/red"), e.raster(t, "u16/green"), e.raster(t, "u16/blue")
	holes := 0
	tileSamples(t, grid{eastTile, 256, 0}, red, 3, 2000, func(i, j int, s sample) {
		got := pic.px(i, j)
		if !red.valid(s) {
			holes++
			if got[3] != 0 {
				t.Fatalf("pixel %d,%d is in the nodata hole but has alpha %v", i, j, got[3])
			}
			return
		}
		w := want(s.values[0], green.value(0, s.col, s.row), blue.value(0, s.col, s.row))
		if got[0] != w[0] || got[1] != w[1] || got[2] != w[2] || got[3] != 255 {
			t.Fatalf("pixel %d,%d = %v, want %v opaque from red, green, blue %v, %v, %v", i, j, got, w,
				s.values[0], green.value(0, s.col, s.row), blue.value(0, s.col, s.row))
		}
	})
	if holes == 0 {
		t.Fatalf("no pixel of the tile in the nodata hole")
	}
}

func TestRescaleOneRangeMapsEveryBandLinearlyToBytes(t *testing.T) {
	e := newStylingEnv(t)
	checkRGBTile(t, e, "assets=red&assets=green&assets=blue&rescale=0,2000", func(r, g, b float64) [3]float64 {
		return [3]float64{rescaled(r, 0, 2000), rescaled(g, 0, 2000), rescaled(b, 0, 2000)}
	})
}

func TestRescalePerBandMapsEachBandByItsOwnRange(t *testing.T) {
	e := newStylingEnv(t)
	checkRGBTile(t, e, "assets=red&assets=green&assets=blue&rescale=0,1500&rescale=0,2000&rescale=300,1200", func(r, g, b float64) [3]float64 {
		return [3]float64{rescaled(r, 0, 1500), rescaled(g, 0, 2000), rescaled(b, 300, 1200)}
	})
	// [min,max] and one value of 2n numbers are the same ranges.
	checkRGBTile(t, e, "assets=red&assets=green&assets=blue&rescale=[0,1500]&rescale=[0,2000]&rescale=[300,1200]", func(r, g, b float64) [3]float64 {
		return [3]float64{rescaled(r, 0, 1500), rescaled(g, 0, 2000), rescaled(b, 300, 1200)}
	})
}

// titiler's rule (rio-tiler's rescale_image): when the ranges are not one
// per band, the first range rescales every band.
func TestRescaleWithFewerRangesThanBandsUsesTheFirstForEveryBand(t *testing.T) {
	e := newStylingEnv(t)
	checkRGBTile(t, e, "assets=red&assets=green&assets=blue&rescale=300,1200&rescale=0,20000", func(r, g, b float64) [3]float64 {
		return [3]float64{rescaled(r, 300, 1200), rescaled(g, 300, 1200), rescaled(b, 300, 1200)}
	})
}

// checkU8Tile draws a tile of the RGB uint8 items and checks each clear
// pixel inside an item against want of the source RGB; pixels outside
// every item are transparent.
func checkU8Tile(t *testing.T, e *stylingEnv, id tileID, query string, want func(rgb []float64) []float64) {
	t.Helper()
	pic := pngOf(t, e.tile(t, u8, id, ".png?"+parity.EscapeQuery(query)), 256, 256, 4)
	west, east := e.raster(t, "u8-west/visual"), e.raster(t, "u8-east/visual")
	g := grid{id, 256, 0}
	outside, inside := 0, 0
	for j := 1; j < 256; j += 3 {
		for i := 1; i < 256; i += 3 {
			lon, lat := g.lonLat(i, j)
			s := west.at(lon, lat)
			if !s.inside {
				s = east.at(lon, lat)
			}
			got := pic.px(i, j)
			if !s.inside {
				if lon < 2.89 || lon > 4.11 || lat < 43.29 || lat > 44.21 {
					outside++
					if got[3] != 0 {
						t.Fatalf("pixel %d,%d (%.4f,%.4f) is outside both items but has alpha %v", i, j, lon, lat, got[3])
					}
				}
				continue
			}
			if !s.clear {
				continue
			}
			inside++
			w := want(s.values)
			if got[0] != w[0] || got[1] != w[1] || got[2] != w[2] || got[3] != 255 {
				t.Fatalf("pixel %d,%d = %v, want %v opaque from the source %v", i, j, got, w, s.values)
			}
		}
	}
	if inside < 1000 {
		t.Fatalf("only %d pixels checked inside the items", inside)
	}
	if id == westTile && outside == 0 {
		t.Fatalf("no pixel of the west tile outside the items")
	}
}

// formulaBytes applies f to each byte as rio-color does: the byte over
// 255, f in float64, times 255 cut toward zero.
func formulaBytes(f func(x float64) float64) func(v float64) float64 {
	return func(v float64) float64 { return math.Trunc(f(v/255) * 255) }
}

// gamma is rio-color's gamma: x^(1/g).
func gamma(g float64) func(v float64) float64 {
	return formulaBytes(func(x float64) float64 { return math.Pow(x, 1/g) })
}

// sigmoidal is rio-color's sigmoidal contrast with contrast β and bias α,
// scaled so that 0 and 1 stay put.
func sigmoidal(beta, alpha float64) func(v float64) float64 {
	s := func(x float64) float64 { return 1 / (1 + math.Exp(beta*(alpha-x))) }
	return formulaBytes(func(x float64) float64 { return (s(x) - s(0)) / (s(1) - s(0)) })
}

func TestColorFormulaGammaAndSigmoidalFollowRioColorsFormulasOnBytes(t *testing.T) {
	e := newStylingEnv(t)
	same := func(v float64) float64 { return v }
	for _, c := range []struct {
		formula string
		r, g, b func(v float64) float64
	}{
		{"gamma rgb 1.8", gamma(1.8), gamma(1.8), gamma(1.8)},
		{"gamma b 0.5", same, same, gamma(0.5)},
		{"sigmoidal rgb 10 0.5", sigmoidal(10, 0.5), sigmoidal(10, 0.5), sigmoidal(10, 0.5)},
		{"sigmoidal rg 6 0.3", sigmoidal(6, 0.3), sigmoidal(6, 0.3), same},
		// operations chain, each from the bytes the previous one left
		{"gamma r 2, sigmoidal r 4 0.6", func(v float64) float64 { return sigmoidal(4, 0.6)(gamma(2)(v)) }, same, same},
	} {
		t.Run(c.formula, func(t *testing.T) {
			checkU8Tile(t, e, westTile, "assets=visual&color_formula="+c.formula, func(rgb []float64) []float64 {
				return []float64{c.r(rgb[0]), c.g(rgb[1]), c.b(rgb[2])}
			})
		})
	}
}

// On uint16 values a formula works from the type's range: v / 65535,
// then back to bytes.
func TestColorFormulaOnUint16WorksFromItsTypeRangeToBytes(t *testing.T) {
	e := newStylingEnv(t)
	pic, h := decodePNGBands(t, e.tile(t, u16, eastTile, ".png?assets=nir&color_formula="+url.QueryEscape("gamma r 2")))
	if h.depth != 8 {
		t.Fatalf("PNG of %d bits, want bytes", h.depth)
	}
	checkNirTile(t, e, eastTile, pic, 255, func(v float64) float64 { return math.Trunc(math.Sqrt(v/65535) * 255) })
}

// Saturation works in the LCH colour space: the expected values are
// rio-color's own (color_operations, in scripts/styling_golden.py) on the
// source bytes of a window of u8-west.
func TestColorFormulaSaturationMatchesRioColorOnTheSourceBytes(t *testing.T) {
	e := newStylingEnv(t)
	for _, name := range []string{"saturation", "saturation_low"} {
		t.Run(name, func(t *testing.T) { checkGolden(t, e, name, 0) })
	}
}

// checkColormapTile draws the u16 nir band rescaled to bytes through a
// named colormap, and checks each clear pixel: the table's colour for the
// rescaled value, transparent in the nodata hole.
func checkColormapTile(t *testing.T, e *stylingEnv, name string) {
	t.Helper()
	table := colormapTable(t, name)
	pic := pngOf(t, e.tile(t, u16, eastTile, ".png?assets=nir&rescale=0,6000&colormap_name="+name), 256, 256, 4)
	nir := e.raster(t, "u16/nir")
	entries := map[float64]bool{}
	tileSamples(t, grid{eastTile, 256, 0}, nir, 3, 2000, func(i, j int, s sample) {
		got := pic.px(i, j)
		if !nir.valid(s) {
			if got[3] != 0 {
				t.Fatalf("%s: pixel %d,%d is in the nodata hole but has alpha %v", name, i, j, got[3])
			}
			return
		}
		v := rescaled(s.values[0], 0, 6000)
		entries[v] = true
		if w := table[int(v)]; got[0] != w[0] || got[1] != w[1] || got[2] != w[2] || got[3] != w[3] {
			t.Fatalf("%s: pixel %d,%d = %v, want entry %v of the table, %v (nir %v)", name, i, j, got, v, w, s.values[0])
		}
	})
	if len(entries) < 20 {
		t.Fatalf("%s: only %d table entries seen", name, len(entries))
	}
}

func TestColormapNameColoursEachPixelByTheTableEntryOfItsRescaledValue(t *testing.T) {
	e := newStylingEnv(t)
	checkColormapTile(t, e, "viridis")
}

// Twenty of rio-tiler's tables (scripts/styling_golden.py copies them
// from rio-tiler's .npy files), sequential, diverging, cyclic, reversed.
func TestTwentyNamedColormapsEachDrawTheirOwnTable(t *testing.T) {
	e := newStylingEnv(t)
	names := []string{"viridis", "magma", "inferno", "plasma", "cividis", "terrain", "rdylgn", "rdylgn_r", "spectral", "coolwarm",
		"jet", "gist_earth", "greys_r", "blues", "ylgn", "cfastie", "rplumbo", "schwarzwald", "twilight", "turbo_r"}
	if len(loadGolden(t).Colormaps) != len(names) {
		t.Fatalf("the golden file has %d colormaps, the test names %d", len(loadGolden(t).Colormaps), len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) { checkColormapTile(t, e, name) })
	}
}

// checkPlanesColormap draws the highest of the overlapping planes through
// a JSON colormap and checks each pixel clear in every plane under it.
func checkPlanesColormap(t *testing.T, e *stylingEnv, colormap string, want func(v float64) [4]float64) map[[4]float64]int {
	t.Helper()
	pic := pngOf(t, e.tile(t, ov, westTile, ".png?assets=value&"+allItems+"&pixel_selection=highest&colormap="+url.QueryEscape(colormap)), 256, 256, 4)
	seen := map[[4]float64]int{}
	g := grid{westTile, 256, 0}
	for j := 1; j < 256; j += 3 {
		for i := 1; i < 256; i += 3 {
			lon, lat := g.lonLat(i, j)
			planes, clear := planesAt(t, e, lon, lat)
			if !clear {
				continue
			}
			got := pic.px(i, j)
			if len(planes) == 0 {
				if got[3] != 0 {
					t.Fatalf("pixel %d,%d is under no plane but has alpha %v", i, j, got[3])
				}
				continue
			}
			highest := 0.0
			for _, v := range planes {
				highest = math.Max(highest, v)
			}
			w := want(highest)
			if [4]float64(got) != w {
				t.Fatalf("pixel %d,%d = %v, want %v for the highest plane, %v", i, j, got, w, highest)
			}
			seen[w]++
		}
	}
	return seen
}

// A discrete colormap colours the values it lists (#rrggbbaa keeps its
// alpha) and leaves every other value transparent.
func TestDiscreteColormapColoursListedValuesAndHidesTheRest(t *testing.T) {
	e := newStylingEnv(t)
	cm := `{"10":"#ff0000","20":"#00ff00","30":[0,0,255,255],"80":"#ffff0080"}`
	seen := checkPlanesColormap(t, e, cm, func(v float64) [4]float64 {
		switch v {
		case 10:
			return [4]float64{255, 0, 0, 255}
		case 20:
			return [4]float64{0, 255, 0, 255}
		case 30:
			return [4]float64{0, 0, 255, 255}
		case 80:
			return [4]float64{255, 255, 0, 128}
		}
		return [4]float64{0, 0, 0, 0}
	})
	if len(seen) != 5 {
		t.Fatalf("want the four colours and transparent pixels, seen %v", seen)
	}
}

// An interval colormap colours [min, max) ranges.
func TestIntervalColormapColoursHalfOpenRanges(t *testing.T) {
	e := newStylingEnv(t)
	cm := `[[[0,20],"#ff0000"],[[20,30],[0,255,0,255]],[[30,81],"#0000ff"]]`
	seen := checkPlanesColormap(t, e, cm, func(v float64) [4]float64 {
		switch {
		case v < 20:
			return [4]float64{255, 0, 0, 255}
		case v < 30:
			return [4]float64{0, 255, 0, 255}
		case v < 81:
			return [4]float64{0, 0, 255, 255}
		}
		return [4]float64{0, 0, 0, 0}
	})
	if len(seen) != 4 {
		t.Fatalf("want the three interval colours and transparent pixels (ramp values from 81), seen %v", seen)
	}
}
