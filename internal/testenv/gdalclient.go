package testenv

import (
	"encoding/json"
	"fmt"
	"os/exec"
)

// debianGDAL is where Debian's gdal-bin puts its programs (make deps
// installs it). They are GDAL as a client uses it, QGIS or rasterio: with
// Debian's libgdal and every driver, WMTS and curl included. tilefunc's own
// GDAL (scripts/gdal.sh) has only the drivers the server needs, so a test
// that reads tilefunc's answers with a client driver runs these programs.
const debianGDAL = "/usr/bin/"

// GDALInfo is what Debian's `gdalinfo -json` reports of name.
type GDALInfo struct {
	Driver       string                     `json:"driverShortName"`
	Size         [2]int                     `json:"size"`
	GeoTransform [6]float64                 `json:"geoTransform"`
	Bands        []json.RawMessage          `json:"bands"`
	Metadata     map[string]json.RawMessage `json:"metadata"`
	CRS          struct {
		WKT string `json:"wkt"`
	} `json:"coordinateSystem"`
	STAC struct {
		EPSG int `json:"proj:epsg"`
	} `json:"stac"`
}

// Domain is the metadata of one domain ("" the default), nil when absent.
func (g GDALInfo) Domain(name string) map[string]string {
	var m map[string]string
	json.Unmarshal(g.Metadata[name], &m)
	return m
}

// DebianGDALInfo runs Debian's gdalinfo -json on name.
func DebianGDALInfo(name string) (GDALInfo, error) {
	var g GDALInfo
	out, err := exec.Command(debianGDAL+"gdalinfo", "-json", name).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return g, fmt.Errorf("gdalinfo of Debian's gdal-bin (apt-get install gdal-bin) %s: %w", name, err)
	}
	if err := json.Unmarshal(out, &g); err != nil {
		return g, fmt.Errorf("gdalinfo -json %s: %w", name, err)
	}
	return g, nil
}

// DebianGDALTranslate runs Debian's gdal_translate -q with args.
func DebianGDALTranslate(args ...string) error {
	out, err := exec.Command(debianGDAL+"gdal_translate", append([]string{"-q"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("gdal_translate of Debian's gdal-bin (apt-get install gdal-bin) %v: %w\n%s", args, err, out)
	}
	return nil
}
