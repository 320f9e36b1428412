package tiles

/*
#cgo pkg-config: gdal
#include <ogr_srs_api.h>
*/
import "C"

import "os"

// PROJ's network is off, whatever the environment says, before GDAL or
// PROJ are used: a CRS or raster must not make the server download grids
// from the CDN or from an endpoint a PROJ_NETWORK_ENDPOINT names. The
// grids installed with PROJ are used, or the transformation without one.
func init() {
	os.Setenv("PROJ_NETWORK", "OFF") // for PROJ contexts GDAL does not make
	C.OSRSetPROJEnableNetwork(0)
}
