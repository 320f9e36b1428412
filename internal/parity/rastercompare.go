package parity

import (
	"fmt"
	"math"
	"strings"
)

// Tolerance is how far apart two decoded images may be and still match.
// A value pair agrees when it differs by at most Max, or by at most Rel of
// the larger magnitude; with Mean set, the mean |diff| over every value
// compared must also stay within it (lossy formats, whose encoders differ
// pixel by pixel). Mask is the share of pixels whose mask may differ.
type Tolerance struct {
	Max  float64
	Rel  float64
	Mean float64
	Mask float64
}

func (t Tolerance) String() string {
	var parts []string
	if t.Mean > 0 {
		parts = append(parts, fmt.Sprintf("mean %g", t.Mean))
		if t.Max < 255 {
			parts = append(parts, fmt.Sprintf("max %g", t.Max))
		}
	} else {
		parts = append(parts, fmt.Sprintf("max %g", t.Max))
	}
	if t.Rel > 0 {
		parts = append(parts, fmt.Sprintf("rel %g", t.Rel))
	}
	if t.Mask > 0 {
		parts = append(parts, fmt.Sprintf("mask %g%%", 100*t.Mask))
	}
	return strings.Join(parts, ", ")
}

// ImageDiff is how two decoded images differ.
type ImageDiff struct {
	Shape      string // what differs in format, size, band count or data type; "" when they agree
	Pixels     int
	MaskDiffer int // pixels with data in one image only
	Values     int // values compared: every band of the pixels with data in both
	Outside    int // values that disagree beyond Max and Rel
	NaN        int // values NaN in one image only (counted in Outside)
	Max        float64
	Mean       float64
}

// CompareRasters compares a with b under tol: shape first, then the mask,
// then every band's values (the mask band's included) where both images
// have data.
func CompareRasters(a, b *Raster, tol Tolerance) ImageDiff {
	var d ImageDiff
	var shape []string
	if a.Format != b.Format {
		shape = append(shape, fmt.Sprintf("format %s vs %s", a.Format, b.Format))
	}
	if a.Width != b.Width || a.Height != b.Height {
		shape = append(shape, fmt.Sprintf("size %dx%d vs %dx%d", a.Width, a.Height, b.Width, b.Height))
	}
	if a.Count() != b.Count() || a.HasMask != b.HasMask {
		shape = append(shape, fmt.Sprintf("bands %d%s vs %d%s", a.Count(), maskTag(a), b.Count(), maskTag(b)))
	}
	if a.DataType != b.DataType {
		shape = append(shape, fmt.Sprintf("type %s vs %s", a.DataType, b.DataType))
	}
	d.Shape = strings.Join(shape, "; ")
	if a.Width != b.Width || a.Height != b.Height || a.Count() != b.Count() {
		return d // values cannot be paired
	}
	var sum float64
	d.Pixels = a.Width * a.Height
	for i := range d.Pixels {
		va, vb := a.Valid(i), b.Valid(i)
		if va != vb {
			d.MaskDiffer++
		}
		if !va || !vb {
			continue
		}
		for band := range a.Bands {
			x, y := a.Bands[band][i], b.Bands[band][i]
			d.Values++
			if math.IsNaN(x) || math.IsNaN(y) {
				if math.IsNaN(x) != math.IsNaN(y) {
					d.NaN++
					d.Outside++
				}
				continue
			}
			diff := 0.0
			if x != y { // equal infinities are equal; x-y would be NaN
				diff = math.Abs(x - y)
			}
			sum += diff
			d.Max = math.Max(d.Max, diff)
			if diff > tol.Max && diff > tol.Rel*math.Max(math.Abs(x), math.Abs(y)) {
				d.Outside++
			}
		}
	}
	if d.Values > 0 {
		d.Mean = sum / float64(d.Values)
	}
	return d
}

func maskTag(r *Raster) string {
	if r.HasMask {
		return "+mask"
	}
	return ""
}

// Within says whether the images match under tol.
func (d ImageDiff) Within(tol Tolerance) bool {
	switch {
	case d.Shape != "":
		return false
	case d.Pixels > 0 && float64(d.MaskDiffer) > tol.Mask*float64(d.Pixels):
		return false
	case d.Outside > 0:
		return false
	case tol.Mean > 0 && d.Mean > tol.Mean:
		return false
	}
	return true
}

// Problem says what breaks tol, "" when nothing does.
func (d ImageDiff) Problem(tol Tolerance) string {
	var p []string
	if d.Shape != "" {
		p = append(p, d.Shape)
	}
	if d.Pixels > 0 && float64(d.MaskDiffer) > tol.Mask*float64(d.Pixels) {
		p = append(p, fmt.Sprintf("mask differs at %d of %d pixels", d.MaskDiffer, d.Pixels))
	}
	if d.Outside > 0 {
		s := fmt.Sprintf("%d of %d values beyond %s", d.Outside, d.Values, tol)
		if d.NaN > 0 {
			s += fmt.Sprintf(" (%d NaN in one only)", d.NaN)
		}
		p = append(p, s)
	}
	if tol.Mean > 0 && d.Mean > tol.Mean {
		p = append(p, fmt.Sprintf("mean |diff| %.3g above %g", d.Mean, tol.Mean))
	}
	return strings.Join(p, "; ")
}
