package tiles

import (
	"math"

	"github.com/airbusgeo/godal"
)

// GridZooms are rio-tiler's minzoom and maxzoom of a raster grid (a w×h
// grid with geotransform gt in srs) in the set: the maxzoom is the zoom
// whose resolution is nearest the grid's carried into the set's CRS, the
// minzoom that of its smallest overview of at least one tile. ok is false
// where the grid cannot be carried there (rio-tiler then answers the set's
// own zooms).
func (t *TileMatrixSet) GridZooms(srs string, gt [6]float64, w, h int) (minz, maxz int, ok bool) {
	registerDrivers.Do(godal.RegisterAll)
	same, err := isCRS(srs, t.SRS)
	if err != nil || w < 1 || h < 1 {
		return 0, 0, false
	}
	if !same {
		if gt, w, h, err = suggestedWarpGrid(wktOf(srs), t.SRS, gt, w, h); err != nil {
			return 0, 0, false
		}
	}
	res := math.Max(math.Abs(gt[1]), math.Abs(gt[5]))
	level := maxOverviewLevel(w, h, t.Matrices[0].TileWidth)
	return t.zoomForRes(res * math.Pow(2, float64(level))), t.zoomForRes(res), true
}

// maxOverviewLevel is rio-tiler's get_maximum_overview_level: how many
// halvings keep the smaller side above minsize.
func maxOverviewLevel(w, h, minsize int) int {
	level, factor := 0, 1
	for min(w/factor, h/factor) > minsize {
		factor *= 2
		level++
	}
	return level
}

// zoomForRes is morecantile's zoom_for_res with its "auto" strategy: the
// zoom of the nearest resolution.
func (t *TileMatrixSet) zoomForRes(res float64) int {
	minz, maxz := t.MinZoom(), t.MaxZoom()
	z := minz
	var cell float64
	for z = minz; z <= maxz; z++ {
		m, _ := t.Matrix(z)
		cell = m.CellSize
		if res > cell || math.Abs(res-cell)/cell <= 1e-8 {
			break
		}
	}
	z = min(z, maxz) // the loop ran out: Python's loop variable stays at maxz
	if m, _ := t.Matrix(z); m != nil {
		cell = m.CellSize
	}
	if z > 0 && math.Abs(res-cell)/cell > 1e-8 {
		if prev, _ := t.Matrix(max(z-1, minz)); prev.CellSize/res < res/cell {
			z = max(z-1, minz)
		}
	}
	return z
}

// wktOf is srs as WKT, which the warp suggestion reads.
func wktOf(srs string) string {
	sr, err := godal.NewSpatialRef(srs)
	if err != nil {
		return srs
	}
	defer sr.Close()
	if wkt, err := sr.WKT(); err == nil {
		return wkt
	}
	return srs
}
