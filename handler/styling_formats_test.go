package handler_test

import (
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Output formats of non-byte data, and part images of explicit sizes.

// u16Plain is 3.16-3.52°E 43.83-44.09°N: uint16 data everywhere, no
// nodata, so the automatic format is JPEG.
var u16Plain = tileID{10, 521, 372}

// toByte is titiler's rescale of a value from its type's range 0..top to
// a byte (cut toward zero).
func toByte(v, top float64) float64 { return math.Trunc(v / top * 255) }

// checkNirTile checks every clear pixel of a tile of the nir band: band 0
// against want of the source value, the mask band (when alpha >= 0)
// against alpha where there is data and 0 in the hole.
func checkNirTile(t *testing.T, e *stylingEnv, id tileID, pic picture, alpha float64, want func(v float64) float64) {
	t.Helper()
	nir := e.raster(t, "u16/nir")
	tileSamples(t, grid{id, 256, 0}, nir, 3, 2000, func(i, j int, s sample) {
		got := pic.px(i, j)
		if !nir.valid(s) {
			if alpha >= 0 && got[1] != 0 {
				t.Fatalf("pixel %d,%d is in the nodata hole but has alpha %v", i, j, got[1])
			}
			return
		}
		if w := want(s.values[0]); got[0] != w || alpha >= 0 && got[1] != alpha {
			t.Fatalf("pixel %d,%d = %v, want %v (alpha %v) from nir %v", i, j, got, w, alpha, s.values[0])
		}
	})
}

func TestUint16PNGKeepsSixteenBitsWithAFullRangeAlpha(t *testing.T) {
	e := newStylingEnv(t)
	for _, ext := range []string{"png", "pngraw"} {
		t.Run(ext, func(t *testing.T) {
			pic, h := decodePNGBands(t, e.tile(t, u16, eastTile, "."+ext+"?assets=nir"))
			if h.depth != 16 || h.colorType != 4 {
				t.Fatalf("PNG of %d bits, colour type %d: want 16-bit grey and alpha", h.depth, h.colorType)
			}
			checkNirTile(t, e, eastTile, pic, 65535, func(v float64) float64 { return v })
		})
	}
}

// Without a format, a tile with masked pixels is an 8-bit PNG, one
// without a JPEG; both rescale uint16 from 0-65535 to bytes.
func TestAutomaticFormatRescalesUint16FromItsTypeRangeToBytes(t *testing.T) {
	e := newStylingEnv(t)
	masked := e.tile(t, u16, eastTile, "?assets=nir")
	pic, h := decodePNGBands(t, masked)
	if h.depth != 8 || h.colorType != 4 {
		t.Fatalf("automatic PNG of %d bits, colour type %d: want 8-bit grey and alpha", h.depth, h.colorType)
	}
	checkNirTile(t, e, eastTile, pic, 255, func(v float64) float64 { return toByte(v, 65535) })

	full := e.tile(t, u16, u16Plain, "?assets=nir")
	if ct := full.header.Get("Content-Type"); ct != "image/jpeg" {
		t.Fatalf("a tile without a masked pixel is %q, want image/jpeg", ct)
	}
	checkJPEGNir(t, e, u16Plain, full)
}

// float32 heights of 0-3000 m rescaled from the type's whole range
// (±3.4e38) all fall on the middle grey. The alpha is titiler's: the
// float mask (±3.4e38) cast to a byte by numpy, 0, so the PNG is
// transparent; rescale gives a visible picture.
func TestFloat32PNGIsRescaledFromItsTypeRangeToMiddleGrey(t *testing.T) {
	e := newStylingEnv(t)
	pic, h := decodePNGBands(t, e.tile(t, f32, westTile, ".png?assets=dem"))
	if h.depth != 8 || h.colorType != 4 {
		t.Fatalf("PNG of %d bits, colour type %d: want 8-bit grey and alpha", h.depth, h.colorType)
	}
	dem := e.raster(t, "dem-geo/dem")
	tileSamples(t, grid{westTile, 256, 0}, dem, 3, 2000, func(i, j int, s sample) {
		got := pic.px(i, j)
		if got[1] != 0 {
			t.Fatalf("pixel %d,%d has alpha %v: titiler's cast makes it 0", i, j, got[1])
		}
		if !dem.valid(s) {
			return
		}
		if want := math.Trunc((s.values[0] + math.MaxFloat32) / (2 * math.MaxFloat32) * 255); got[0] != want {
			t.Fatalf("pixel %d,%d = %v, want %v for %v m", i, j, got[0], want, s.values[0])
		}
	})
	pic = pngOf(t, e.tile(t, f32, westTile, ".png?assets=dem&rescale=0,3000"), 256, 256, 2)
	tileSamples(t, grid{westTile, 256, 0}, dem, 3, 2000, func(i, j int, s sample) {
		if got := pic.px(i, j); dem.valid(s) && (got[0] != rescaled(s.values[0], 0, 3000) || got[1] != 255) {
			t.Fatalf("rescaled pixel %d,%d = %v, want %v opaque", i, j, got, rescaled(s.values[0], 0, 3000))
		}
	})
}

// checkJPEGNir reads a JPEG of the nir band back with GDAL: grey, 8-bit,
// within JPEG's loss of the rescaled source values.
func checkJPEGNir(t *testing.T, e *stylingEnv, id tileID, r response) {
	t.Helper()
	img := readGDAL(t, r, "tile.jpg")
	if img.driver != "JPEG" || img.bands != 1 || img.width != 256 {
		t.Fatalf("%s of %d bands, %d px: want a 256 px grey JPEG", img.driver, img.bands, img.width)
	}
	sum, n := 0.0, 0.0
	nir := e.raster(t, "u16/nir")
	tileSamples(t, grid{id, 256, 0}, nir, 2, 2000, func(i, j int, s sample) {
		if !nir.valid(s) {
			return
		}
		d := math.Abs(img.at(0, i, j) - toByte(s.values[0], 65535))
		if d > 3 {
			t.Fatalf("JPEG pixel %d,%d = %v, want about %v", i, j, img.at(0, i, j), toByte(s.values[0], 65535))
		}
		sum, n = sum+d, n+1
	})
	if sum/n > 0.3 {
		t.Fatalf("JPEG pixels differ by %.2f on average from the rescaled source", sum/n)
	}
}

func TestJPEGRescalesUint16FromItsTypeRange(t *testing.T) {
	e := newStylingEnv(t)
	r := e.tile(t, u16, eastTile, ".jpeg?assets=nir")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("%d %q", r.status, r.header.Get("Content-Type"))
	}
	checkJPEGNir(t, e, eastTile, r)
}

// A GeoTIFF tile is the tile's grid in EPSG:3857 with the source values
// in their type and the mask as an alpha band.
func TestGeoTIFFTileIsGeoreferencedWithTheSourceValues(t *testing.T) {
	e := newStylingEnv(t)
	img := readGDAL(t, e.tile(t, u16, eastTile, ".tif?assets=nir"), "tile.tif")
	if img.driver != "GTiff" || img.epsg != "3857" || img.bands != 2 || !img.alpha[1] {
		t.Fatalf("%s, EPSG:%s, %d bands (alpha %v): want a GeoTIFF in EPSG:3857, nir and alpha", img.driver, img.epsg, img.bands, img.alpha)
	}
	const half = math.Pi * 6378137
	size := 2 * half / float64(int(1)<<eastTile.z)
	want := [6]float64{-half + float64(eastTile.x)*size, size / 256, 0, half - float64(eastTile.y)*size, 0, -size / 256}
	for k := range want {
		if math.Abs(img.gt[k]-want[k]) > 1e-6 {
			t.Fatalf("geotransform %v, want the tile's %v", img.gt, want)
		}
	}
	checkNirTile(t, e, eastTile, img.picture, 65535, func(v float64) float64 { return v })
	dem := readGDAL(t, e.tile(t, f32, westTile, ".tif?assets=dem"), "dem.tif")
	if dem.bands != 2 || dem.types[0].String() != "Float32" {
		t.Fatalf("DEM GeoTIFF of %d bands, %v: want float32 and the mask", dem.bands, dem.types)
	}
}

// .npy is the values in their type, the mask last: the type's top where
// there is data, its bottom where there is none (rio-tiler's mask).
func TestNPYHoldsTheTypedValuesAndTheMaskInTheTypesRange(t *testing.T) {
	e := newStylingEnv(t)
	u := npyOf(t, e.tile(t, u16, eastTile, ".npy?assets=nir"), "<u2", 2, 256, 256)
	checkNirTile(t, e, eastTile, u, 65535, func(v float64) float64 { return v })

	f := npyOf(t, e.tile(t, f32, westTile, ".npy?assets=dem"), "<f4", 2, 256, 256)
	dem := e.raster(t, "dem-geo/dem")
	empty := 0
	tileSamples(t, grid{westTile, 256, 0}, dem, 3, 2000, func(i, j int, s sample) {
		got := f.px(i, j)
		if !dem.valid(s) {
			empty++
			if got[1] != -math.MaxFloat32 {
				t.Fatalf("pixel %d,%d is nodata but has mask %v", i, j, got[1])
			}
			return
		}
		if got[0] != s.values[0] || got[1] != math.MaxFloat32 {
			t.Fatalf("pixel %d,%d = %v, want height %v and mask %v", i, j, got, s.values[0], float32(math.MaxFloat32))
		}
	})
	if empty == 0 {
		t.Fatal("no pixel of the DEM's empty corner in the tile")
	}
}

// WebP and JPEG 2000 are lossy here: read back with GDAL, their values are
// near the source and the mask is kept.
func TestWebPAndJPEG2000AreNearTheSourceWithTheirMask(t *testing.T) {
	e := newStylingEnv(t)
	for _, c := range []struct {
		ext, driver string
		collection  string
		raster      string
		bands       int
		top         float64
		meanErr     float64
	}{
		{"webp", "WEBP", u8, "u8-west/visual", 4, 255, 5},
		{"jp2", "JP2OpenJPEG", u16, "u16/nir", 2, 65535, 2}, // uint16 kept
	} {
		t.Run(c.ext, func(t *testing.T) {
			asset := c.raster[strings.Index(c.raster, "/")+1:]
			img := readGDAL(t, e.tile(t, c.collection, westTile, "."+c.ext+"?assets="+asset), "tile."+c.ext)
			if img.driver != c.driver || img.bands != c.bands || img.width != 256 || img.height != 256 {
				t.Fatalf("%s of %d bands, %dx%d: want %s of %d bands, 256 px", img.driver, img.bands, img.width, img.height, c.driver, c.bands)
			}
			if want := map[float64]string{255: "Byte", 65535: "UInt16"}[c.top]; img.types[0].String() != want {
				t.Fatalf("%s bands of %v, want %s", c.ext, img.types[0], want)
			}
			src := e.raster(t, c.raster)
			sum, n, outside := 0.0, 0.0, 0
			g := grid{westTile, 256, 0}
			for j := 0; j < 256; j += 2 {
				for i := 0; i < 256; i += 2 {
					lon, lat := g.lonLat(i, j)
					s := src.at(lon, lat)
					got := img.px(i, j)
					alpha := got[c.bands-1]
					if !s.inside {
						outside++
						if lon < src.gt[0]-0.01 && alpha > c.top/10 {
							t.Fatalf("pixel %d,%d is west of the raster but has alpha %v", i, j, alpha)
						}
						continue
					}
					if !s.clear || !src.valid(s) {
						continue
					}
					if alpha < c.top*0.9 {
						t.Fatalf("pixel %d,%d has data but alpha %v", i, j, alpha)
					}
					for b := 0; b < c.bands-1; b++ {
						sum, n = sum+math.Abs(got[b]-s.values[b]), n+1
					}
				}
			}
			if outside == 0 || n < 1000 {
				t.Fatalf("%d pixels outside, %v values compared", outside, n)
			}
			if sum/n > c.meanErr {
				t.Fatalf("values differ from the source by %.2f on average, want at most %v", sum/n, c.meanErr)
			}
		})
	}
}

// checkExactPart checks every pixel of a w×h part image of the uint8
// items over west,south,east,north: the source pixel under its centre
// when inside (covered is set), transparent outside.
func checkExactPart(t *testing.T, e *stylingEnv, pic picture, b [4]float64, covered func(lon, lat float64) (in, out bool)) {
	t.Helper()
	west, east := e.raster(t, "u8-west/visual"), e.raster(t, "u8-east/visual")
	inside := 0
	for j := 0; j < pic.height; j++ {
		for i := 0; i < pic.width; i++ {
			lon := b[0] + (float64(i)+0.5)*(b[2]-b[0])/float64(pic.width)
			lat := b[3] - (float64(j)+0.5)*(b[3]-b[1])/float64(pic.height)
			got := pic.px(i, j)
			in, out := covered(lon, lat)
			switch {
			case in:
				s := west.at(lon, lat)
				if !s.inside {
					s = east.at(lon, lat)
				}
				if !reflect.DeepEqual(got[:3], s.values) || got[3] != 255 {
					t.Fatalf("pixel %d,%d (%.5f,%.5f) = %v, the source pixel %d,%d is %v", i, j, lon, lat, got, s.col, s.row, s.values)
				}
				inside++
			case out:
				if got[3] != 0 {
					t.Fatalf("pixel %d,%d (%.5f,%.5f) is outside the feature but has alpha %v", i, j, lon, lat, got[3])
				}
			}
		}
	}
	if inside < pic.width*pic.height/3 {
		t.Fatalf("only %d pixels checked", inside)
	}
}

// An explicit size reads the full resolution source by nearest
// neighbour: every pixel is the source pixel under its centre (256×160
// over 200×125 source pixels puts no centre on a source pixel's edge).
func TestBBoxOfExplicitSizeIsAnExactNearestReadOfTheSource(t *testing.T) {
	e := newStylingEnv(t)
	b := [4]float64{3.0, 43.5, 3.8, 44.0} // across the seam of the two items
	pic := pngOf(t, e.get(t, u8+"/bbox/3.0,43.5,3.8,44.0/256x160.png?assets=visual"), 256, 160, 4)
	checkExactPart(t, e, pic, b, func(lon, lat float64) (bool, bool) { return true, false })

	a := npyOf(t, e.get(t, u16+"/bbox/3.0,43.5,3.8,44.0/256x160.npy?assets=nir"), "<u2", 2, 256, 160)
	nir := e.raster(t, "u16/nir")
	for j := 0; j < 160; j++ {
		for i := 0; i < 256; i++ {
			s := nir.at(b[0]+(float64(i)+0.5)*0.8/256, b[3]-(float64(j)+0.5)*0.5/160)
			if got := a.at(0, i, j); got != s.values[0] {
				t.Fatalf("nir pixel %d,%d = %v, the source pixel %d,%d is %v", i, j, got, s.col, s.row, s.values[0])
			}
		}
	}
}

// A feature's image is its bounds read as a bbox, the pixels outside its
// geometry transparent.
func TestFeatureOfExplicitSizeIsAnExactNearestReadInsideItsGeometry(t *testing.T) {
	e := newStylingEnv(t)
	// a right triangle: its bounds 3.0,43.5,3.8,44.0, its hypotenuse from
	// the south-east corner to the north-west one
	feature := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[3.0,43.5],[3.8,43.5],[3.0,44.0],[3.0,43.5]]]}}`
	r := post(t, e.url+u8+"/feature/256x160.png?assets=visual", feature)
	pic := pngOf(t, r, 256, 160, 4)
	checkExactPart(t, e, pic, [4]float64{3.0, 43.5, 3.8, 44.0}, func(lon, lat float64) (bool, bool) {
		// the signed distance past the hypotenuse X/256 + Y/160 = 1, in
		// pixels (X, Y from the south-west corner)
		x, y := (lon-3.0)/0.8*256, (lat-43.5)/0.5*160
		d := (x/256 + y/160 - 1) / math.Hypot(1.0/256, 1.0/160)
		return d < -2, d > 2
	})
}

// A PNG tile covered everywhere still carries its alpha band (titiler
// writes the mask whatever it holds).
func TestFullyCoveredPNGTileStillHasAnAlphaChannel(t *testing.T) {
	e := newStylingEnv(t)
	pic, h := decodePNGBands(t, e.tile(t, u8, fullTile, ".png?assets=visual"))
	if h.colorType != 6 || h.depth != 8 {
		t.Fatalf("PNG colour type %d, %d bits: want 8-bit RGBA", h.colorType, h.depth)
	}
	for j := 0; j < 256; j++ {
		for i := 0; i < 256; i++ {
			if a := pic.at(3, i, j); a != 255 {
				t.Fatalf("pixel %d,%d has alpha %v in a fully covered tile", i, j, a)
			}
		}
	}
}
