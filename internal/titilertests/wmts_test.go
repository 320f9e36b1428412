//go:build parity

package titilertests

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tilefunc/internal/testenv"
)

// What titiler's suite reads of a WMTS document, with OWSLib (the layers
// and their zoom limits) and with GDAL's WMTS driver through rasterio (the
// subdatasets and a layer's CRS).

// capabilities is the part of a WMTS document OWSLib's contents hold.
type capabilities struct {
	Version string `xml:"version,attr"`
	Layers  []struct {
		Identifier string `xml:"Identifier"`
		Links      []struct {
			TileMatrixSet string `xml:"TileMatrixSet"`
			Limits        []struct {
				TileMatrix string `xml:"TileMatrix"`
			} `xml:"TileMatrixSetLimits>TileMatrixLimits"`
		} `xml:"TileMatrixSetLink"`
	} `xml:"Contents>Layer"`
}

// wmts parses the body as a WMTS document; an error fails the test.
func (a *answer) wmts() *capabilities {
	a.c.t.Helper()
	var caps capabilities
	if err := xml.Unmarshal(a.body, &caps); err != nil {
		a.c.t.Errorf("%v: not a WMTS document: %v", a, err)
	}
	return &caps
}

// has says whether a layer has the identifier.
func (caps *capabilities) has(id string) bool {
	return caps.limits(id, "") != nil
}

// limits are the tile matrices a layer's link to tms is limited to; nil
// without the layer, empty without the link.
func (caps *capabilities) limits(id, tms string) []string {
	for _, l := range caps.Layers {
		if l.Identifier != id {
			continue
		}
		out := []string{}
		for _, link := range l.Links {
			if link.TileMatrixSet == tms {
				for _, lim := range link.Limits {
					out = append(out, lim.TileMatrix)
				}
			}
		}
		return out
	}
	return nil
}

// gdalWMTS is what GDAL's WMTS driver makes of the document.
type gdalWMTS struct {
	driver      string
	crs         string   // the document's own CRS: none with several layers
	subdatasets []string // the layer= of each subdataset
	layerDriver string   // the driver of the layer asked for
	layerCRS    string   // its CRS, as EPSG:code
	layerSubs   int      // its subdatasets
}

// gdal opens the body with GDAL, as rasterio.open does, and then its
// layer named layer. The client is Debian's GDAL (gdalinfo of gdal-bin):
// tilefunc's own GDAL has no WMTS driver.
func (a *answer) gdal(layer string) gdalWMTS {
	a.c.t.Helper()
	file := filepath.Join(a.c.t.TempDir(), "WMTSCapabilities.xml")
	if err := os.WriteFile(file, a.body, 0o644); err != nil {
		a.c.t.Fatal(err)
	}
	var out gdalWMTS
	doc, err := testenv.DebianGDALInfo(file)
	if err != nil {
		a.c.t.Errorf("%v: GDAL cannot open it: %v", a, err)
		return out
	}
	out.driver = doc.Driver
	out.crs = doc.CRS.WKT
	for k, v := range doc.Domain("SUBDATASETS") {
		if strings.HasSuffix(k, "_NAME") {
			_, l, _ := strings.Cut(v, ",layer=")
			out.subdatasets = append(out.subdatasets, l)
		}
	}
	lds, err := testenv.DebianGDALInfo("WMTS:" + file + ",layer=" + layer)
	if err != nil {
		a.c.t.Errorf("%v: GDAL cannot open layer %s: %v", a, layer, err)
		return out
	}
	out.layerDriver = lds.Driver
	if lds.STAC.EPSG != 0 {
		out.layerCRS = fmt.Sprintf("EPSG:%d", lds.STAC.EPSG)
	}
	out.layerSubs = len(lds.Domain("SUBDATASETS"))
	return out
}
