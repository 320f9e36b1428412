package tiles

/*
#cgo pkg-config: gdal
#include <gdal.h>
*/
import "C"

import "github.com/airbusgeo/godal"

// GDALDrivers lists the short names of GDAL's registered drivers, raster
// and vector: with tilefunc's own GDAL (scripts/gdal.sh), all it was built
// with, which the start-up log shows.
func GDALDrivers() []string {
	registerDrivers.Do(godal.RegisterAll)
	n := int(C.GDALGetDriverCount())
	names := make([]string, 0, n)
	for i := range n {
		names = append(names, C.GoString(C.GDALGetDriverShortName(C.GDALGetDriver(C.int(i)))))
	}
	return names
}
