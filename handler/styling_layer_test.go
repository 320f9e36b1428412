package handler_test

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"tilefunc/internal/parity"
)

// What is read of each item and how: expression, per-asset options,
// asset_as_band, nodata, unscale, resampling and reproject; and the tile's
// own options: return_mask, buffer, padding, tilesize.

// southTile is 2.81-3.52°E 43.07-43.58°N: the water of styled-uint16
// (south of 43.48°N) and its bare ground.
var southTile = tileID{9, 260, 187}

// u16Values are the four bands of the uint16 item at one of its pixels.
type u16Values struct{ blue, green, red, nir float64 }

// checkU16NPY draws a tile of styled-uint16 as .npy and checks every
// clear pixel with data against want of the source bands; pixels in the
// nodata hole must be masked: the mask band is the bottom of the array's
// type there, its top elsewhere (rio-tiler's mask). It returns the array.
func checkU16NPY(t *testing.T, e *stylingEnv, id tileID, query string, bands int, want func(v u16Values) []float64) picture {
	t.Helper()
	a := decodeNPY(t, e.tile(t, u16, id, ".npy?"+parity.EscapeQuery(query)))
	if !reflect.DeepEqual(a.shape, []int{bands + 1, 256, 256}) {
		t.Fatalf(".npy of shape %v, want %d bands and the mask", a.shape, bands)
	}
	pic := a.picture()
	top, bottom := typeRange(t, a.descr)
	stack := e.raster(t, "u16/stack")
	tileSamples(t, grid{id, 256, 0}, stack, 3, 500, func(i, j int, s sample) {
		got := pic.px(i, j)
		if !stack.valid(s) {
			if got[bands] != bottom {
				t.Fatalf("pixel %d,%d is nodata in the source but has mask %v, want %v", i, j, got[bands], bottom)
			}
			return
		}
		v := u16Values{s.values[0], s.values[1], s.values[2], s.values[3]}
		w := want(v)
		for b := range w {
			if !closeTo(got[b], w[b]) {
				t.Fatalf("pixel %d,%d band %d = %v, want %v from the source %+v", i, j, b+1, got[b], w[b], v)
			}
		}
		if got[bands] != top {
			t.Fatalf("pixel %d,%d has mask %v, want %v (data, the top of %s)", i, j, got[bands], top, a.descr)
		}
	})
	return pic
}

// closeTo says whether got is want, or want as float32 (an image of
// float32 values), to the last digit.
func closeTo(got, want float64) bool {
	return got == want || got == float64(float32(want)) || math.Abs(got-want) <= 1e-12*math.Abs(want)
}

func ndvi(v u16Values) float64 { return (v.nir - v.red) / (v.nir + v.red) }

func TestExpressionIsBandMathOverTheSourcePixels(t *testing.T) {
	e := newStylingEnv(t)
	for _, c := range []struct {
		name, query string
		want        func(v u16Values) []float64
	}{
		{"NDVI", "assets=nir&assets=red&expression=(b1-b2)/(b1+b2)",
			func(v u16Values) []float64 { return []float64{ndvi(v)} }},
		{"three outputs separated by ;", "assets=nir&assets=red&assets=green&expression=b1;b2*2;b3",
			func(v u16Values) []float64 { return []float64{v.nir, 2 * v.red, v.green} }},
		{"where()", "assets=nir&assets=red&expression=where(b1>b2*2,1,0)",
			func(v u16Values) []float64 {
				if v.nir > 2*v.red {
					return []float64{1}
				}
				return []float64{0}
			}},
		{"over one asset's bands", "assets=stack&expression=(b4-b3)/(b4+b3)",
			func(v u16Values) []float64 { return []float64{ndvi(v)} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, id := range []tileID{southTile, eastTile} {
				checkU16NPY(t, e, id, c.query, len(c.want(u16Values{1, 1, 1, 1})), c.want)
			}
		})
	}
	// The water is negative, the vegetation near 1: the subtraction is
	// not done in unsigned 16-bit integers.
	pic := checkU16NPY(t, e, southTile, "assets=nir&assets=red&expression=(b1-b2)/(b1+b2)", 1, func(v u16Values) []float64 { return []float64{ndvi(v)} })
	i, j := grid{southTile, 256, 0}.pixel(3.3, 43.4)
	if v := pic.at(0, i, j); math.Abs(v-(250-700)/950.0) > 1e-6 {
		t.Errorf("NDVI over the water is %v, want (250-700)/(250+700)", v)
	}
}

func TestPerAssetOptionsChooseTheBandsOfEachAsset(t *testing.T) {
	e := newStylingEnv(t)
	t.Run("bidx reorders", func(t *testing.T) {
		checkU8Tile(t, e, westTile, "assets=visual|bidx=3,2,1", func(rgb []float64) []float64 { return []float64{rgb[2], rgb[1], rgb[0]} })
	})
	t.Run("bands by eo:bands common name", func(t *testing.T) {
		checkU16NPY(t, e, eastTile, "assets=stack|bands=nir,red", 2, func(v u16Values) []float64 { return []float64{v.nir, v.red} })
	})
	t.Run("an asset's expression", func(t *testing.T) {
		checkU16NPY(t, e, eastTile, "assets=nir|expression=b1/2&assets=red", 2, func(v u16Values) []float64 { return []float64{v.nir / 2, v.red} })
	})
	t.Run("an asset's expression over bytes", func(t *testing.T) {
		pic := npyOf(t, e.tile(t, u8, westTile, ".npy?"+parity.EscapeQuery("assets=visual|expression=b1*2")), "", 2, 256, 256)
		west := e.raster(t, "u8-west/visual")
		tileSamples(t, grid{westTile, 256, 0}, west, 3, 2000, func(i, j int, s sample) {
			if got := pic.at(0, i, j); got != 2*s.values[0] {
				t.Fatalf("pixel %d,%d = %v, want 2 × red %v (not wrapped at 255)", i, j, got, s.values[0])
			}
		})
	})
}

// asset_as_band names each band after its asset (a point shows it); the
// picture is the same as without.
func TestAssetAsBandNamesBandsByAssetAndDrawsTheSameValues(t *testing.T) {
	e := newStylingEnv(t)
	rgb := "assets=red&assets=green&assets=blue&rescale=0,2000"
	want := func(r, g, b float64) [3]float64 {
		return [3]float64{rescaled(r, 0, 2000), rescaled(g, 0, 2000), rescaled(b, 0, 2000)}
	}
	checkRGBTile(t, e, rgb+"&asset_as_band=true", want)
	var p pointAnswer
	r := e.get(t, u16+"/point/3.3,43.85?assets=red&assets=nir&asset_as_band=true")
	if r.status != 200 {
		t.Fatalf("point: %d %s", r.status, r.body)
	}
	r.json(t, &p)
	s := e.raster(t, "u16/stack").at(3.3, 43.85)
	if len(p.Assets) != 1 || !reflect.DeepEqual(p.Assets[0].BandDescriptions, []string{"red", "nir"}) ||
		!reflect.DeepEqual(deref(p.Assets[0].Values), []float64{s.values[2], s.values[3]}) {
		t.Errorf("point with asset_as_band: %+v, want descriptions red, nir and values %v, %v", p.Assets, s.values[2], s.values[3])
	}
	e.tile(t, u16, eastTile, ".png?assets=stack&asset_as_band=true").detail(t, 400)
}

// nodata replaces the rasters' own: the value given is masked, and the
// rasters' nodata (0) is data again.
func TestNodataParameterMasksItsValueInsteadOfTheRasters(t *testing.T) {
	e := newStylingEnv(t)
	pic := pngOf(t, e.tile(t, u16, eastTile, ".png?assets=nir&nodata=1800&rescale=0,6000"), 256, 256, 2)
	nir := e.raster(t, "u16/nir")
	count := map[float64]int{}
	tileSamples(t, grid{eastTile, 256, 0}, nir, 1, 10000, func(i, j int, s sample) {
		got, v := pic.px(i, j), s.values[0]
		switch v {
		case 1800:
			if got[1] != 0 {
				t.Fatalf("pixel %d,%d holds the nodata value 1800 but has alpha %v", i, j, got[1])
			}
		default:
			if got[0] != rescaled(v, 0, 6000) || got[1] != 255 {
				t.Fatalf("pixel %d,%d = %v, want %v opaque from %v", i, j, got, rescaled(v, 0, 6000), v)
			}
		}
		count[v]++
	})
	if count[1800] == 0 || count[0] == 0 {
		t.Fatalf("the tile should hold bare ground (1800) and the hole (0): %d and %d pixels", count[1800], count[0])
	}
}

// unscale applies the bands' scale (0.0001) and offset: float32
// reflectances.
func TestUnscaleAppliesTheRastersScaleAndOffset(t *testing.T) {
	e := newStylingEnv(t)
	nir := e.raster(t, "u16/nir")
	if nir.scale != 0.0001 {
		t.Fatalf("the nir COG's scale is %v", nir.scale)
	}
	pic := npyOf(t, e.tile(t, u16, eastTile, ".npy?assets=nir&unscale=true"), "<f4", 2, 256, 256)
	tileSamples(t, grid{eastTile, 256, 0}, nir, 3, 2000, func(i, j int, s sample) {
		if !nir.valid(s) {
			return
		}
		if got, want := pic.at(0, i, j), float64(float32(s.values[0]*0.0001)); got != want {
			t.Fatalf("pixel %d,%d = %v, want %v × 0.0001 = %v", i, j, got, s.values[0], want)
		}
	})
}

// neighbourhood is the lowest and highest value of band 0 over the 3×3
// source pixels around a sample, and whether all hold data.
func (r *sourceRaster) neighbourhood(s sample) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			c, w := s.col+dc, s.row+dr
			if c < 0 || w < 0 || c >= r.width || w >= r.height {
				return 0, 0, false
			}
			v := r.value(0, c, w)
			if r.nodata != nil && v == *r.nodata {
				return 0, 0, false
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi, true
}

// Bilinear warping draws values between the source pixels around each
// tile pixel, so other values than nearest's but never outside them.
func TestReprojectBilinearStaysWithinTheSourceNeighbourhoodAndDiffersFromNearest(t *testing.T) {
	e := newStylingEnv(t)
	for _, c := range []struct{ collection, raster, asset string }{
		{u16, "u16/nir", "nir"},     // EPSG:4326 onto WebMercator
		{f32, "dem-utm/dem", "dem"}, // UTM onto WebMercator
	} {
		t.Run(c.raster, func(t *testing.T) {
			near := npyOf(t, e.tile(t, c.collection, eastTile, ".npy?assets="+c.asset), "", 2, 256, 256)
			bil := npyOf(t, e.tile(t, c.collection, eastTile, ".npy?assets="+c.asset+"&reproject=bilinear"), "", 2, 256, 256)
			r := e.raster(t, c.raster)
			g := grid{eastTile, 256, 0}
			differ, checked := 0, 0
			for j := 0; j < 256; j++ {
				for i := 0; i < 256; i++ {
					lo, hi, ok := r.neighbourhood(r.at(g.lonLat(i, j)))
					if !ok {
						continue
					}
					checked++
					v := bil.at(0, i, j)
					if v < lo-1e-3 || v > hi+1e-3 {
						t.Fatalf("pixel %d,%d = %v, outside the source values around it, %v..%v", i, j, v, lo, hi)
					}
					if v != near.at(0, i, j) {
						differ++
					}
				}
			}
			if checked < 10000 || differ*4 < checked {
				t.Fatalf("%d of %d pixels differ from nearest: want most of them", differ, checked)
			}
		})
	}
}

// resampling is how a read that changes size samples the raster: a bbox
// read at a third of its pixels, in the raster's own CRS. GDAL may read
// it from an overview (every second pixel), so an average may take in the
// pixels just around its 3×3 block.
func TestResamplingAverageOfADecimatedReadStaysWithinTheSourceBlock(t *testing.T) {
	e := newStylingEnv(t)
	nir := e.raster(t, "u16/nir")
	const col, row, w, h = 60, 60, 120, 90 // over the west vegetation patch
	path := fmt.Sprintf("%s/bbox/%s/%dx%d.npy?assets=nir", u16, nir.bbox(col, row, w, h), w/3, h/3)
	near := npyOf(t, e.get(t, path), "<u2", 2, w/3, h/3)
	avg := npyOf(t, e.get(t, path+"&resampling=average"), "<u2", 2, w/3, h/3)
	differ := 0
	for j := 0; j < h/3; j++ {
		for i := 0; i < w/3; i++ {
			block := func(grow int) (lo, hi float64) {
				lo, hi = math.Inf(1), math.Inf(-1)
				for y := row + 3*j - grow; y < row+3*j+3+grow; y++ {
					for x := col + 3*i - grow; x < col+3*i+3+grow; x++ {
						lo, hi = math.Min(lo, nir.value(0, x, y)), math.Max(hi, nir.value(0, x, y))
					}
				}
				return lo, hi
			}
			if lo, hi := block(0); near.at(0, i, j) < lo || near.at(0, i, j) > hi {
				t.Fatalf("nearest pixel %d,%d = %v, not one of its 3×3 source pixels, %v..%v", i, j, near.at(0, i, j), lo, hi)
			}
			if lo, hi := block(1); avg.at(0, i, j) < lo || avg.at(0, i, j) > hi {
				t.Fatalf("average pixel %d,%d = %v, outside the source pixels of its block and around, %v..%v", i, j, avg.at(0, i, j), lo, hi)
			}
			if avg.at(0, i, j) != near.at(0, i, j) {
				differ++
			}
		}
	}
	if differ < w*h/9/2 {
		t.Fatalf("only %d of %d pixels differ between average and nearest", differ, w*h/9)
	}
}

// return_mask=false drops the alpha band: RGB PNG, pixels without data
// black and opaque.
func TestReturnMaskFalseDrawsNoAlphaBand(t *testing.T) {
	e := newStylingEnv(t)
	r := e.tile(t, u8, westTile, ".png?assets=visual&return_mask=false")
	pic := pngOf(t, r, 256, 256, 3)
	west := e.raster(t, "u8-west/visual")
	g := grid{westTile, 256, 0}
	outside := 0
	for j := 0; j < 256; j += 2 {
		for i := 0; i < 256; i += 2 {
			lon, lat := g.lonLat(i, j)
			if lon < 2.89 {
				outside++
				if got := pic.px(i, j); got[0]+got[1]+got[2] != 0 {
					t.Fatalf("pixel %d,%d is west of the items but is %v, want black", i, j, got)
				}
				continue
			}
			if s := west.at(lon, lat); s.clear && s.inside {
				if got := pic.px(i, j); !reflect.DeepEqual(got, s.values) {
					t.Fatalf("pixel %d,%d = %v, source %v", i, j, got, s.values)
				}
			}
		}
	}
	if outside == 0 {
		t.Fatal("no pixel west of the items")
	}
	npyOf(t, e.tile(t, u8, westTile, ".npy?assets=visual&return_mask=false"), "|u1", 3, 256, 256)
}

// checkSourceTile checks every pixel of a u8 tile of the grid g whose
// centre is clearly inside a source pixel, the buffer included; it
// returns how many of those lie in the buffer.
func checkSourceTile(t *testing.T, e *stylingEnv, g grid, query string) int {
	t.Helper()
	side := g.size + int(2*g.buffer)
	pic := pngOf(t, e.tile(t, u8, g.tile, ".png?"+query), side, side, 4)
	west, east := e.raster(t, "u8-west/visual"), e.raster(t, "u8-east/visual")
	border := 0
	for j := 0; j < side; j++ {
		for i := 0; i < side; i++ {
			lon, lat := g.lonLat(i, j)
			s := west.at(lon, lat)
			if !s.inside {
				s = east.at(lon, lat)
			}
			if !s.clear {
				continue
			}
			if got := pic.px(i, j); !reflect.DeepEqual(got[:3], s.values) || got[3] != 255 {
				t.Fatalf("pixel %d,%d of %d = %v, source %v", i, j, side, got, s.values)
			}
			if float64(i) < 2*g.buffer || float64(j) < 2*g.buffer || i >= side-int(2*g.buffer) || j >= side-int(2*g.buffer) {
				border++
			}
		}
	}
	return border
}

// buffer adds pixels around the tile, on the tile's grid: their values
// are the source pixels beyond the tile's edges.
func TestBufferAddsTheNeighbouringSourcePixelsAroundTheTile(t *testing.T) {
	e := newStylingEnv(t)
	for _, b := range []float64{0.5, 1, 3} {
		t.Run(fmt.Sprint(b), func(t *testing.T) {
			if n := checkSourceTile(t, e, grid{fullTile, 256, b}, fmt.Sprintf("assets=visual&buffer=%g", b)); n < 100 {
				t.Fatalf("only %d buffer pixels checked", n)
			}
		})
	}
}

// padding reads pixels around the tile and drops them: a nearest tile is
// the same with or without.
func TestPaddingKeepsTheTileSizeAndItsNearestPixels(t *testing.T) {
	e := newStylingEnv(t)
	plain := pngOf(t, e.tile(t, u8, westTile, ".png?assets=visual"), 256, 256, 4)
	padded := pngOf(t, e.tile(t, u8, westTile, ".png?assets=visual&padding=2"), 256, 256, 4)
	for j := 0; j < 256; j++ {
		for i := 0; i < 256; i++ {
			if a, b := plain.px(i, j), padded.px(i, j); !reflect.DeepEqual(a, b) {
				t.Fatalf("pixel %d,%d: %v without padding, %v with", i, j, a, b)
			}
		}
	}
	checkSourceTile(t, e, grid{westTile, 256, 0}, "assets=visual&padding=2")
}

// tilesize sets the pixels of the tile's side: the same area, finer.
func TestTilesizeDrawsTheSameAreaOnMorePixels(t *testing.T) {
	e := newStylingEnv(t)
	for _, size := range []int{128, 512} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			checkSourceTile(t, e, grid{fullTile, size, 0}, fmt.Sprintf("assets=visual&tilesize=%d", size))
		})
	}
}
