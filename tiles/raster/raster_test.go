package raster_test

import (
	"math"
	"testing"

	"tilefunc/tiles/raster"
)

// The values numpy 2.4 gives for astype on x86-64 (printed by the pinned
// titiler-pgstac's numpy) for the inputs below.
func TestCastMatchesNumpyAstype(t *testing.T) {
	in := []float64{300.7, -1.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e10, -1e10, 255.9, 65536.5, -32769.2}
	want := map[raster.DataType][]float64{
		raster.Uint8:  {44, 255, 0, 0, 0, 0, 0, 255, 0, 255},
		raster.Int8:   {44, -1, 0, 0, 0, 0, 0, -1, 0, -1},
		raster.Uint16: {300, 65535, 0, 0, 0, 0, 0, 255, 0, 32767},
		raster.Int16:  {300, -1, 0, 0, 0, 0, 0, 255, 0, 32767},
		raster.Int32:  {300, -1, math.MinInt32, math.MinInt32, math.MinInt32, math.MinInt32, math.MinInt32, 255, 65536, -32769},
	}
	for typ, w := range want {
		for i, v := range in {
			if got := typ.Cast(v); got != w[i] {
				t.Errorf("%s(%v) = %v, numpy gives %v", typ, v, got, w[i])
			}
		}
	}
}

func TestPromoteIsNumpyResultType(t *testing.T) {
	for _, c := range []struct{ a, b, want raster.DataType }{
		{raster.Uint8, raster.Uint16, raster.Uint16},
		{raster.Uint8, raster.Int16, raster.Int16},
		{raster.Uint16, raster.Int16, raster.Int32},
		{raster.Uint16, raster.Float32, raster.Float32},
		{raster.Int32, raster.Float32, raster.Float64},
		{raster.Uint32, raster.Int32, raster.Int64},
		{raster.Int16, raster.Float32, raster.Float32},
		{raster.Uint8, raster.Int8, raster.Int16},
		{raster.Int64, raster.Uint64, raster.Float64},
		{raster.Float32, raster.Float64, raster.Float64},
	} {
		if got := raster.Promote(c.a, c.b); got != c.want {
			t.Errorf("Promote(%s, %s) = %s, numpy gives %s", c.a, c.b, got, c.want)
		}
		if got := raster.Promote(c.b, c.a); got != c.want {
			t.Errorf("Promote(%s, %s) = %s, numpy gives %s", c.b, c.a, got, c.want)
		}
	}
}

func TestCropKeepsPixelsAndBounds(t *testing.T) {
	im := raster.New(4, 3, 1, raster.Uint8)
	im.Bounds = [4]float64{0, 0, 4, 3}
	for p := range im.Bands[0] {
		im.Bands[0][p], im.Valid[0][p] = float64(p), p%2 == 0
	}
	c := im.Crop(1, 1, 2, 2)
	if c.Width != 2 || c.Height != 2 || c.Bounds != [4]float64{1, 0, 3, 2} {
		t.Fatalf("crop is %dx%d over %v", c.Width, c.Height, c.Bounds)
	}
	if got := c.Bands[0]; got[0] != 5 || got[1] != 6 || got[2] != 9 || got[3] != 10 {
		t.Fatalf("crop values %v", got)
	}
	if c.Valid[0][0] || !c.Valid[0][1] {
		t.Fatalf("crop mask %v", c.Valid[0])
	}
}

func TestMaskIsTheTypeRangeWhereAnyBandHasData(t *testing.T) {
	im := raster.New(3, 1, 2, raster.Uint16)
	im.Valid[0][0], im.Valid[1][1] = true, true
	if m := im.Mask(); m[0] != 65535 || m[1] != 65535 || m[2] != 0 {
		t.Fatalf("mask %v", m)
	}
	if im.Full() {
		t.Fatal("a pixel without data: the image is not full")
	}
}

func TestConvertKeepsIntegerBitsAsNumpy(t *testing.T) {
	for _, c := range []struct {
		v        float64
		from, to raster.DataType
		want     float64
	}{
		{4294967295, raster.Uint32, raster.Uint8, 255},
		{65535, raster.Uint16, raster.Uint8, 255},
		{-32768, raster.Int16, raster.Uint8, 0},
		{2147483647, raster.Int32, raster.Uint8, 255},
		{3.4e38, raster.Float32, raster.Uint8, 0},
		{300.7, raster.Float64, raster.Uint8, 44},
		{1 << 63, raster.Uint64, raster.Int64, math.MinInt64},
		{-1, raster.Int16, raster.Uint64, math.MaxUint64},
	} {
		if got := raster.Convert(c.v, c.from, c.to); got != c.want {
			t.Errorf("%s %v as %s = %v, numpy gives %v", c.from, c.v, c.to, got, c.want)
		}
	}
}

func TestLinearRescaleClipsThenMapsAsRioTiler(t *testing.T) {
	for _, c := range []struct {
		v, want float64
		in, out [2]float64
	}{
		{5, 127.5, [2]float64{0, 10}, [2]float64{0, 255}},
		{-3, 0, [2]float64{0, 10}, [2]float64{0, 255}},
		{20, 255, [2]float64{0, 10}, [2]float64{0, 255}},
		{5, 128, [2]float64{0, 10}, [2]float64{1, 255}},
		{5, 255, [2]float64{10, 0}, [2]float64{0, 255}}, // low above high: every value clips to the high end, 0
		{math.NaN(), math.NaN(), [2]float64{0, 10}, [2]float64{0, 255}},
	} {
		got := raster.LinearRescale(c.v, c.in, c.out)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("LinearRescale(%v, %v, %v) = %v, rio-tiler gives %v", c.v, c.in, c.out, got, c.want)
		}
	}
}

func TestRecycledBuffersComeBackEmpty(t *testing.T) {
	im := raster.New(4, 4, 2, raster.Uint8)
	im.Bands = append(im.Bands, im.Bands[0]) // a band repeated, as an expression may
	im.Valid = append(im.Valid, im.Valid[0])
	for b := range im.Bands {
		for p := range im.Bands[b] {
			im.Bands[b][p], im.Valid[b][p] = 7, true
		}
	}
	im.Recycle()
	a, b := raster.New(4, 4, 2, raster.Uint8), raster.New(4, 4, 2, raster.Uint8)
	seen := map[*float64]bool{}
	for _, next := range []*raster.Image{a, b} {
		for i := range next.Bands {
			if seen[&next.Bands[i][0]] {
				t.Fatalf("two bands of new images share one buffer")
			}
			seen[&next.Bands[i][0]] = true
			for p := range next.Bands[i] {
				if next.Bands[i][p] != 0 || next.Valid[i][p] {
					t.Fatalf("band %d pixel %d: %v %v, want 0 and no data", i, p, next.Bands[i][p], next.Valid[i][p])
				}
			}
		}
	}
}

// A mask Mask made goes back to the buffers; a source's own alpha band,
// which Mask returns as it is, stays the image's.
func TestReleaseMaskKeepsTheImagesAlpha(t *testing.T) {
	im := raster.New(4, 4, 1, raster.Uint8)
	im.Alpha = make([]float64, 16)
	for p := range im.Alpha {
		im.Alpha[p] = 255
	}
	im.ReleaseMask(im.Mask())
	if s := raster.Scratch[float64](16); &s[0] == &im.Alpha[0] {
		t.Fatal("the image's alpha band was handed out as scratch")
	}
	if im.Alpha[0] != 255 {
		t.Fatalf("alpha %v after ReleaseMask, want 255 kept", im.Alpha[0])
	}

	plain := raster.New(4, 4, 1, raster.Uint8)
	m := plain.Mask()
	m[0] = 42
	plain.ReleaseMask(m)
	if s := raster.Scratch[float64](16); s[0] != 0 {
		t.Fatalf("scratch starts with %v, want a zeroed buffer", s[0])
	}
}
