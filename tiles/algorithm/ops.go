package algorithm

import (
	"math"

	"tilefunc/tiles/raster"
)

// astype converts v of type from to type to as numpy's astype does: from
// one integer type to another the low bits are kept, as C converts;
// anything else converts as raster.DataType.Cast.
func astype(v float64, from, to raster.DataType) float64 {
	if from == to || !from.Integer() || !to.Integer() || from == raster.Bool || to == raster.Bool {
		return to.Cast(v)
	}
	n := uint64(v)
	if v < 0 {
		n = uint64(int64(v))
	}
	switch to {
	case raster.Uint8:
		return float64(uint8(n))
	case raster.Int8:
		return float64(int8(n))
	case raster.Uint16:
		return float64(uint16(n))
	case raster.Int16:
		return float64(int16(n))
	case raster.Uint32:
		return float64(uint32(n))
	case raster.Int32:
		return float64(int32(n))
	case raster.Int64:
		return float64(int64(n))
	}
	return float64(n)
}

// byteCast is titiler's cast, ceil and floor: every band through round
// (nil for none) and astype("uint8"), masks, descriptions and cutline kept.
type byteCast struct{ round func(float64) float64 }

func newCast(params) (Algorithm, error)  { return byteCast{nil}, nil }
func newCeil(params) (Algorithm, error)  { return byteCast{math.Ceil}, nil }
func newFloor(params) (Algorithm, error) { return byteCast{math.Floor}, nil }

func (byteCast) Buffer() int { return 0 }

func (c byteCast) Apply(img *raster.Image) (*raster.Image, error) {
	out := img.Like(img.Count(), raster.Uint8)
	for b := range img.Bands {
		for p, v := range img.Bands[b] {
			if c.round != nil {
				v = c.round(v) // numpy keeps integer types: ceil and floor change nothing there
			}
			out.Bands[b][p] = astype(v, img.Type, raster.Uint8)
		}
		copy(out.Valid[b], img.Valid[b])
	}
	out.Descriptions = append([]string(nil), img.Descriptions...)
	return out, nil
}
