package tiles_test

import (
	"slices"
	"testing"

	"tilefunc/tiles"
)

// The GDAL tilefunc links is its own (scripts/gdal.sh): every driver it
// reads or writes with, and none of the client and network drivers a
// distribution's GDAL registers (Debian's has about 200).
func TestGDALHasTilefuncsDriversOnly(t *testing.T) {
	drivers := tiles.GDALDrivers()
	for _, want := range []string{"GTiff", "COG", "MEM", "VRT", "PNG", "JPEG", "WEBP", "JP2OpenJPEG"} {
		if !slices.Contains(drivers, want) {
			t.Errorf("no %s driver in %v", want, drivers)
		}
	}
	for _, unwanted := range []string{"WMTS", "WMS", "HTTP", "netCDF", "GPKG", "SQLite", "PDF", "PostGISRaster", "Zarr"} {
		if slices.Contains(drivers, unwanted) {
			t.Errorf("driver %s registered: this is not tilefunc's GDAL (.local/gdal); drivers %v", unwanted, drivers)
		}
	}
	if len(drivers) > 30 {
		t.Errorf("%d drivers, want tilefunc's few: %v", len(drivers), drivers)
	}
}
