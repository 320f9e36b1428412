package algorithm

import (
	"math"

	"tilefunc/tiles/raster"
)

// byteCast is titiler's cast, ceil and floor: every band through round
// (nil for none) and astype("uint8"), masks and descriptions kept.
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
			out.Bands[b][p] = raster.Convert(v, img.Type, raster.Uint8)
		}
		copy(out.Valid[b], img.Valid[b])
	}
	out.Descriptions = append([]string(nil), img.Descriptions...)
	return out, nil
}
