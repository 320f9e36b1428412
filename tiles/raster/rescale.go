package raster

import "math"

// LinearRescale is rio-tiler's linear_rescale of one value: v clipped to
// the range in, then mapped linearly onto the range out. NaN stays NaN; an
// in range whose low end is above its high end clips every value to its
// high end.
func LinearRescale(v float64, in, out [2]float64) float64 {
	x := math.Min(math.Max(v, in[0]), in[1]) - in[0]
	x /= in[1] - in[0]
	// float64(): numpy multiplies, then adds, each rounded (no fused
	// multiply-add).
	return float64(x*(out[1]-out[0])) + out[0]
}
