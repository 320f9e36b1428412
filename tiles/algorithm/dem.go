package algorithm

import (
	"math"

	"tilefunc/tiles/raster"
)

// pixels is band b of img as a numpy.ma array of type t (img.array[b],
// converted as astype converts).
func pixels(img *raster.Image, b int, t raster.DataType) []px {
	out := make([]px, img.Pixels())
	for p := range out {
		out[p] = px{raster.Convert(img.Bands[b][p], img.Type, t), !img.Valid[b][p]}
	}
	return out
}

// gradientType is the type numpy.gradient computes in: floats keep
// theirs, anything else becomes float64.
func gradientType(t raster.DataType) raster.DataType {
	if t == raster.Float32 || t == raster.Float64 {
		return t
	}
	return raster.Float64
}

// gradient is numpy.gradient of a w×h band through numpy.ma, down the rows
// (axis 0, titiler's x) or across the columns (axis 1): central differences inside,
// one-sided differences at the edges, unit spacing. A pixel's own mask
// does not enter its central difference, only its neighbours' do.
func gradient(f []px, w, h int, axis0 bool, t raster.DataType) []px {
	out := make([]px, len(f))
	n, step := w, 1
	if axis0 {
		n, step = h, w
	}
	for p := range f {
		i := p % w
		if axis0 {
			i = p / w
		}
		hi, lo, spacing := p+step, p-step, 2.0
		switch i {
		case 0:
			hi, lo, spacing = p+step, p, 1
		case n - 1:
			hi, lo, spacing = p, p-step, 1
		}
		// (f[hi] - f[lo]) / 2.0: the division by a Python float is float64
		// in numpy.ma, stored back into an array of type t.
		q := divide(arith(f[hi], f[lo], t, minus), num(spacing), pyFloatType)
		out[p] = px{t.Cast(q.v), q.masked}
	}
	return out
}

// scale is `x *= z_exaggeration`: numpy.ma multiplies masked pixels by 1.
func scale(x px, z float64, t raster.DataType) px {
	if x.masked {
		return x
	}
	return px{t.Cast(x.v * z), false}
}

// demGrid checks what numpy.gradient and the buffer crop need.
func demGrid(name string, img *raster.Image, buffer int) error {
	switch {
	case img.Width < 2 || img.Height < 2:
		return unusable(name, "needs at least 2×2 pixels for a gradient, got %d×%d", img.Width, img.Height)
	case img.Width <= 2*buffer || img.Height <= 2*buffer:
		return unusable(name, "a buffer of %d pixels leaves nothing of a %d×%d image", buffer, img.Width, img.Height)
	}
	return nil
}

// cropBuffer takes titiler's buffer off each side.
func cropBuffer(img *raster.Image, buffer int) *raster.Image {
	if buffer == 0 {
		return img
	}
	return img.Crop(buffer, buffer, img.Width-2*buffer, img.Height-2*buffer)
}

// fresh is the image a DEM or index algorithm makes: a new ImageData with
// img's assets, CRS and bounds and nothing else.
func fresh(img *raster.Image, n int, t raster.DataType) *raster.Image {
	return img.Like(n, t)
}

// set stores a pixel of band b, cast from type from to out's type.
func set(out *raster.Image, b, p int, v px, from raster.DataType) {
	out.Bands[b][p] = raster.Convert(v.v, from, out.Type)
	out.Valid[b][p] = !v.masked
}

// hillshade is titiler's HillShade.
type hillshade struct {
	azimuth, altitude, z float64
	buffer               int
	dtype                raster.DataType
}

func newHillshade(p params) (Algorithm, error) {
	t, err := outputType("hillshade", p)
	return hillshade{float64(p.int("azimuth")), p.float("angle_altitude"), p.float("z_exaggeration"), p.int("buffer"), t}, err
}

func (h hillshade) Buffer() int { return h.buffer }

func (h hillshade) Apply(img *raster.Image) (*raster.Image, error) {
	if err := demGrid("hillshade", img, h.buffer); err != nil {
		return nil, err
	}
	t := gradientType(img.Type)
	f := pixels(img, 0, t)
	gx := gradient(f, img.Width, img.Height, true, t)
	gy := gradient(f, img.Width, img.Height, false, t)
	out := fresh(img, 1, h.dtype)
	altitude := deg2rad(h.altitude)
	light := sun{deg2rad(360 - h.azimuth), math.Sin(altitude), math.Cos(altitude)}
	for p := range f {
		set(out, 0, p, light.shade(scale(gx[p], h.z, t), scale(gy[p], h.z, t), t), raster.Float64)
	}
	out.Descriptions = []string{"hillshade"}
	return cropBuffer(out, h.buffer), nil
}

// sun is where a hillshade's light comes from, worked out once an image:
// titiler's azimuth (360 - azimuth, in radians) and the sine and cosine of
// its altitude.
type sun struct{ azimuth, sinAltitude, cosAltitude float64 }

// shade is one pixel of titiler's hillshade formula, with numpy's types:
// the gradient's type t up to the arctangents, float64 after; a masked
// pixel ends as 255 (numpy.ma keeps the 255 of `255 * (...)`).
func (l sun) shade(x, y px, t raster.DataType) px {
	const f64 = raster.Float64
	s := arith(arith(x, x, t, times), arith(y, y, t, times), t, plus)
	slope := arith(num(pi/2), apply(sqrt(s, t), t, math.Atan), f64, minus)
	aspect := px{t.Cast(math.Atan2(-x.v, y.v)), x.masked || y.masked}
	// numpy scalars times masked arrays go through the ufuncs: computed on
	// every pixel.
	a := apply(slope, f64, func(v float64) float64 { return l.sinAltitude * math.Sin(v) })
	b := apply(slope, f64, func(v float64) float64 { return l.cosAltitude * math.Cos(v) })
	c := apply(aspect, f64, func(v float64) float64 { return math.Cos(l.azimuth - v) })
	shaded := arith(a, arith(b, c, f64, times), f64, plus)
	v := divide(arith(num(255), arith(shaded, num(1), f64, plus), f64, times), num(2), f64)
	if v.v < 0 {
		v.v = 0
	}
	return v
}

// slope is titiler's Slope.
type slope struct {
	z      float64
	buffer int
	dtype  raster.DataType
}

func newSlope(p params) (Algorithm, error) {
	t, err := outputType("slope", p)
	return slope{p.float("z_exaggeration"), p.int("buffer"), t}, err
}

func (s slope) Buffer() int { return s.buffer }

// Apply divides the gradient by the pixel size; a masked pixel ends as 0
// (numpy.sqrt makes masked pixels 0).
func (s slope) Apply(img *raster.Image) (*raster.Image, error) {
	if err := demGrid("slope", img, s.buffer); err != nil {
		return nil, err
	}
	const f64 = raster.Float64
	gt := img.Transform()
	sizeX, sizeY := math.Abs(gt[1]), math.Abs(gt[5])
	t := gradientType(img.Type)
	f := pixels(img, 0, t)
	gx := gradient(f, img.Width, img.Height, true, t)
	gy := gradient(f, img.Width, img.Height, false, t)
	out := fresh(img, 1, s.dtype)
	for p := range f {
		dx := divide(scale(gx[p], s.z, t), num(sizeX), f64)
		dy := divide(scale(gy[p], s.z, t), num(sizeY), f64)
		sum := arith(arith(dx, dx, f64, times), arith(dy, dy, f64, times), f64, plus)
		set(out, 0, p, apply(apply(sqrt(sum, f64), f64, math.Atan), f64, rad2deg), f64)
	}
	out.Descriptions = []string{"slope"}
	return cropBuffer(out, s.buffer), nil
}
