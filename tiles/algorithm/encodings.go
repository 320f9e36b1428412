package algorithm

import (
	"math"

	"tilefunc"
	"tilefunc/tiles/colormap"
	"tilefunc/tiles/raster"
)

// clip is numpy.clip of floats: NaN stays NaN; a low bound above the high
// one gives the high one.
func clip(x, lo, hi float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	if !(x > lo) {
		x = lo
	}
	if !(x < hi) {
		x = hi
	}
	return x
}

// contours is titiler's Contours.
type contours struct {
	increment, thickness, minz, maxz float64
	dtype                            raster.DataType
}

func newContours(p params) (Algorithm, error) {
	t, err := outputType("contours", p)
	return contours{p.float("increment"), p.float("thickness"), p.float("minz"), p.float("maxz"), t}, err
}

func (contours) Buffer() int { return 0 }

// Apply colours the raw values (masked or not) with the terrain colormap
// rescaled from minz..maxz to 1..255, black where value % increment is
// below thickness; each band keeps the input's mask.
func (c contours) Apply(img *raster.Image) (*raster.Image, error) {
	if img.Count() != 1 {
		return nil, unusable("contours", "needs a 1-band image, got %d bands", img.Count())
	}
	terrain, ok := colormap.Named("terrain")
	if !ok {
		return nil, tilefunc.Errorf(tilefunc.EINTERNAL, "algorithm contours: no terrain colormap")
	}
	out := fresh(img, 3, raster.Uint8)
	for p, v := range img.Bands[0] {
		// rio-tiler's linear_rescale, the cast to output_dtype, then
		// apply_cmap's cast to uint8.
		r := raster.LinearRescale(v, [2]float64{c.minz, c.maxz}, [2]float64{1, 255})
		idx := raster.Convert(c.dtype.Cast(r), c.dtype, raster.Uint8)
		line := pymod(v, c.increment) < c.thickness
		for b := 0; b < 3; b++ {
			out.Bands[b][p] = float64(terrain[int(idx)][b])
			if line {
				out.Bands[b][p] = 0
			}
			out.Valid[b][p] = img.Valid[0][p]
		}
	}
	out.Descriptions = []string{"contours_r", "contours_g", "contours_b"}
	return out, nil
}

// terrarium is titiler's Terrarium (Mapzen's encoding).
type terrarium struct {
	nodata    float64
	setNodata bool
	dtype     raster.DataType
}

func newTerrarium(p params) (Algorithm, error) {
	t, err := outputType("terrarium", p)
	nodata, ok := p.optFloat("nodata_height")
	return terrarium{nodata, ok, t}, err
}

func (terrarium) Buffer() int { return 0 }

// Apply encodes height+32768 as r = v/256, g = v%256, b = (v*256)%256.
// Each band has the input's mask, except that nodata_height fills and
// unmasks the masked pixels; r is also masked where it is not finite.
func (e terrarium) Apply(img *raster.Image) (*raster.Image, error) {
	const f64 = raster.Float64
	out := fresh(img, 3, e.dtype)
	for p, a := range pixels(img, 0, img.Type) {
		d := arith(a, num(32768), raster.Promote(img.Type, pyFloatType), plus)
		d.v = clip(d.v, 0, 65535) // MaskedArray.clip: every pixel
		if e.setNodata && a.masked {
			d = num(clip(e.nodata+32768, 0, 65535))
		}
		r := divide(d, num(256), quotientType(f64, pyIntType))
		// MaskedArray has no %: numpy's remainder runs on every pixel; its
		// domain cannot fail for values clipped to 0..65535.
		g := px{pymod(d.v, 256), d.masked}
		d256 := arith(d, num(256), f64, times)
		b := px{pymod(d256.v, 256), d256.masked}
		set(out, 0, p, r, f64)
		set(out, 1, p, g, f64)
		set(out, 2, p, b, f64)
	}
	out.Descriptions = []string{"terranium_r", "terranium_g", "terranium_b"}
	return out, nil
}

// terrainRGB is titiler's TerrainRGB (Mapbox's encoding).
type terrainRGB struct {
	interval, baseval float64
	nodata            float64
	setNodata         bool
	dtype             raster.DataType
}

func newTerrainRGB(p params) (Algorithm, error) {
	t, err := outputType("terrainrgb", p)
	nodata, ok := p.optFloat("nodata_height")
	e := terrainRGB{p.float("interval"), p.float("baseval"), nodata, ok, t}
	if err == nil && ok && e.interval == 0 {
		// titiler divides by the interval in Python: ZeroDivisionError.
		err = unusable("terrainrgb", "nodata_height needs an interval above 0")
	}
	return e, err
}

func (terrainRGB) Buffer() int { return 0 }

// maxTerrainRange is the most three bytes hold.
const maxTerrainRange = 1 << 24

// Apply encodes round((height-baseval)/interval) in three bytes. Masked
// pixels keep their raw height, rounded; nodata_height fills and unmasks
// them. An interval too small for a value masks it (numpy.ma's /=).
func (e terrainRGB) Apply(img *raster.Image) (*raster.Image, error) {
	const f64 = raster.Float64
	in := pixels(img, 0, f64)
	data := make([]px, len(in))
	lo, hi, seen := math.Inf(1), math.Inf(-1), false
	for p, d := range in {
		data[p] = e.steps(d)
		if v := data[p].v; !data[p].masked {
			lo, hi, seen = nanMin(lo, v), nanMax(hi, v), true
		}
	}
	if span := hi - lo; seen && span > maxTerrainRange {
		return nil, unusable("terrainrgb", "Data of %s larger than 256 ** 3", pyRepr(span))
	}
	out := fresh(img, 3, e.dtype)
	for p, d := range data {
		if e.setNodata && in[p].masked {
			d = num((e.nodata - e.baseval) / e.interval)
		}
		n := int32(raster.Int32.Cast(d.v))
		for b, shift := range []uint{16, 8, 0} {
			set(out, b, p, px{float64((n >> shift) & 0xFF), d.masked}, raster.Int32)
		}
	}
	out.Descriptions = []string{"terrain_r", "terrain_g", "terrain_b"}
	return out, nil
}

// steps is titiler's `data -= baseval; data /= interval` (in place: masked
// pixels unchanged; where the division is unsafe, masked and divided by
// 1), then `numpy.around(data / 1) * 1`.
func (e terrainRGB) steps(d px) px {
	const f64 = raster.Float64
	if !d.masked {
		d.v -= e.baseval
	}
	if unsafeDivision(d.v, e.interval) {
		d.masked = true
	}
	if !d.masked {
		d.v /= e.interval
	}
	d = divide(d, num(1), f64)
	d.v = math.RoundToEven(d.v)
	return arith(d, num(1), f64, times)
}

// nanMin and nanMax are numpy's minimum and maximum: NaN wins.
func nanMin(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Min(a, b)
}

func nanMax(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Max(a, b)
}
