package colormap

import (
	"tilefunc"
	"tilefunc/tiles/raster"
)

// The largest legend drawn: each side, and the pixels in all, bounded
// before anything is allocated (a 4096 × 256 legend holds some 50 MB while
// it is coloured).
const (
	MaxLegendSide   = 4096
	MaxLegendPixels = 4096 * 256
)

// legendThickness is the bar's short side before any resize, as titiler's.
const legendThickness = 20

// Legend draws the colormap as titiler's /colorMaps/{colorMapId} image
// does: a bar of the colormap's values (0-255 for a table, the values of a
// discrete map, the minimum of each interval), 20 pixels thick, horizontal
// unless orientation is "vertical", resized with nearest neighbour to
// width × height and coloured. A width or height of 0 takes titiler's
// default: the bar's own size, or 256 along a discrete or interval bar of
// fewer than 256 entries; a bar of more entries is always as long as they
// are, as in titiler. The result is RGB with the colormap's alpha.
func Legend(c Colormap, orientation string, width, height int) (*raster.Image, error) {
	values, typ, err := legendValues(c)
	if err != nil {
		return nil, err
	}
	vertical, err := isVertical(orientation)
	if err != nil {
		return nil, err
	}
	n := len(values)
	along, across := &width, &height
	if vertical {
		along, across = &height, &width
	}
	if c.Kind() != LUT {
		switch {
		case n >= 256:
			*along = n
		case *along == 0:
			*along = 256
		}
	}
	if *along == 0 {
		*along = n
	}
	if *across == 0 {
		*across = legendThickness
	}
	if err := checkLegendSize(width, height); err != nil {
		return nil, err
	}
	img := raster.New(width, height, 1, typ)
	img.Bounds = [4]float64{0, 0, float64(width), float64(height)}
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			i := nearest(x, width, n)
			if vertical {
				i = nearest(y, height, n)
			}
			img.Bands[0][y*width+x] = values[i]
			img.Valid[0][y*width+x] = true
		}
	}
	return c.Apply(img)
}

// legendValues are the values a legend shows, in order, and their type.
func legendValues(c Colormap) ([]float64, raster.DataType, error) {
	var values []float64
	switch c.Kind() {
	case NoColormap:
		return nil, "", tilefunc.Errorf(tilefunc.EBADREQUEST, "colormap: an empty colormap has no legend")
	case LUT:
		for v := 0; v < 256; v++ {
			values = append(values, float64(v))
		}
		return values, raster.Uint8, nil
	case Discrete:
		for _, k := range c.keys {
			values = append(values, float64(k))
		}
		return values, raster.Int64, nil
	}
	for _, b := range c.bounds {
		values = append(values, b[0])
	}
	return values, raster.Float64, nil
}

func isVertical(orientation string) (bool, error) {
	switch orientation {
	case "", "horizontal":
		return false, nil
	case "vertical":
		return true, nil
	}
	return false, tilefunc.Errorf(tilefunc.EINVALID, "orientation: %q is not one of vertical, horizontal", orientation)
}

func checkLegendSize(width, height int) error {
	switch {
	case width < 0 || width > MaxLegendSide:
		return tilefunc.Errorf(tilefunc.EINVALID, "width: %d is not between 0 (the default) and %d", width, MaxLegendSide)
	case height < 0 || height > MaxLegendSide:
		return tilefunc.Errorf(tilefunc.EINVALID, "height: %d is not between 0 (the default) and %d", height, MaxLegendSide)
	case width*height > MaxLegendPixels:
		return tilefunc.Errorf(tilefunc.EINVALID, "width × height: %d × %d is more than %d pixels", width, height, MaxLegendPixels)
	}
	return nil
}

// nearest is the source pixel GDAL's nearest-neighbour resampling reads for
// pixel i of dst pixels resized from src: the one under the pixel's centre
// (GDALRasterBand::IRasterIO, with its small nudge against rounding down).
func nearest(i, dst, src int) int {
	step := float64(src) / float64(dst)
	j := int((float64(i)+0.5)*step + 1e-10)
	return min(j, src-1)
}
