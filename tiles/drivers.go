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

// BlockCacheBytes is the most GDAL's block cache holds: GDAL_CACHEMAX as
// GDAL reads it (MB, bytes or a share of the memory), read once, at the
// first call, so set it before.
func BlockCacheBytes() int64 { return int64(C.GDALGetCacheMax64()) }
