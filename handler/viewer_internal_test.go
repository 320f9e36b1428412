package handler

import (
	"math"
	"testing"

	"tilefunc/tiles"
)

// The PROJ definitions the viewer gives proj4 place points where PROJ
// itself, through GDAL, places them in the CRS of every tile matrix set
// (WebMercatorQuad aside, which Leaflet knows): a wrong one would draw tiles
// off their place.
func TestViewerProj4MatchesGDAL(t *testing.T) {
	for _, id := range tiles.TMSIDs() {
		tms, _ := tiles.LookupTMS(id)
		if tms.SRS == "EPSG:3857" {
			continue
		}
		def, ok := viewerProj4[tms.SRS]
		if !ok {
			t.Errorf("%s: the viewer has no PROJ definition of %s", id, tms.SRS)
			continue
		}
		g := tms.Geo
		for _, f := range [][2]float64{{0.5, 0.5}, {0.25, 0.3}, {0.7, 0.8}} {
			lon, lat := g[0]+f[0]*(g[2]-g[0]), g[1]+f[1]*(g[3]-g[1])
			wx, wy, err := tiles.TransformPoint(lon, lat, tiles.WGS84, tiles.CRS{SRS: tms.SRS})
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			gx, gy, err := tiles.TransformPoint(lon, lat, tiles.WGS84, tiles.CRS{SRS: def})
			if err != nil {
				t.Fatalf("%s: %s: %v", id, def, err)
			}
			// A millimetre (or its share of a degree).
			tol := 1e-3
			if def == viewerProj4["EPSG:4326"] {
				tol = 1e-8
			}
			if math.Abs(wx-gx) > tol || math.Abs(wy-gy) > tol {
				t.Errorf("%s at %.4f,%.4f: %q gives %.4f,%.4f, %s gives %.4f,%.4f", id, lon, lat, def, gx, gy, tms.SRS, wx, wy)
			}
		}
	}
}
