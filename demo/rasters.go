// Package demo makes the demonstration catalog that `make run` serves and
// the tests read: small COGs written by GDAL, their STAC collection and
// items, loaded into pgSTAC and uploaded to blob storage.
package demo

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/airbusgeo/godal"
)

// Raster is one generated COG: a north-up EPSG:4326 grid.
type Raster struct {
	Name       string     // file name, also the item id
	Collection string     // collection id
	Asset      string     // asset key in the item
	BBox       [4]float64 // west, south, east, north
	Width      int
	Height     int
	Bands      int
	DataType   godal.DataType
	NoData     *float64
	value      func(band, col, row int) float64
}

// Res is the pixel size in degrees.
func (r Raster) Res() (float64, float64) {
	return (r.BBox[2] - r.BBox[0]) / float64(r.Width), (r.BBox[3] - r.BBox[1]) / float64(r.Height)
}

// elevationNoData marks the elevation grid's empty corner.
var elevationNoData = -9999.0

// Rasters are the demo images: two RGB gradients side by side (a mosaic
// across two items; their seam at 0.5°E is not on a tile edge) and a single-band elevation-like grid with a nodata
// corner. Values are simple functions of the pixel, so a test can predict
// them, but tests read the files to check tiles.
var Rasters = []Raster{
	{
		Name: "rgb_west", Collection: "demo-rgb", Asset: "visual",
		BBox: [4]float64{-9.5, 40, 0.5, 50}, Width: 1000, Height: 1000, Bands: 3, DataType: godal.Byte,
		value: gradient(60),
	},
	{
		Name: "rgb_east", Collection: "demo-rgb", Asset: "visual",
		BBox: [4]float64{0.5, 40, 10.5, 50}, Width: 1000, Height: 1000, Bands: 3, DataType: godal.Byte,
		value: gradient(200),
	},
	{
		Name: "elevation", Collection: "demo-elevation", Asset: "elevation",
		BBox: [4]float64{-10, 30, 10, 40}, Width: 2000, Height: 1000, Bands: 1, DataType: godal.Int16,
		NoData: &elevationNoData, value: hill,
	},
}

// gradient: red grows east, green grows south, blue tells the items apart.
func gradient(blue float64) func(band, col, row int) float64 {
	return func(band, col, row int) float64 {
		switch band {
		case 0:
			return float64(col / 4)
		case 1:
			return float64(row / 4)
		}
		return blue
	}
}

// hill is a smooth 0-3000 m bump, with nodata in the north-west corner.
func hill(_, col, row int) float64 {
	if col < 200 && row < 200 {
		return elevationNoData
	}
	dx, dy := float64(col-1000)/600, float64(row-500)/400
	return math.Round(3000 * math.Exp(-(dx*dx + dy*dy)))
}

// WriteCOG writes r as a Cloud Optimized GeoTIFF in dir and returns its path.
func WriteCOG(dir string, r Raster) (string, error) {
	godal.RegisterAll()
	mem, err := godal.Create(godal.Memory, "", r.Bands, r.DataType, r.Width, r.Height)
	if err != nil {
		return "", err
	}
	defer mem.Close()
	rx, ry := r.Res()
	if err := mem.SetGeoTransform([6]float64{r.BBox[0], rx, 0, r.BBox[3], 0, -ry}); err != nil {
		return "", err
	}
	sr, err := godal.NewSpatialRefFromEPSG(4326)
	if err != nil {
		return "", err
	}
	defer sr.Close()
	if err := mem.SetSpatialRef(sr); err != nil {
		return "", err
	}
	for b, band := range mem.Bands() {
		if r.NoData != nil {
			if err := band.SetNoData(*r.NoData); err != nil {
				return "", err
			}
		}
		buf := make([]float64, r.Width*r.Height)
		for row := 0; row < r.Height; row++ {
			for col := 0; col < r.Width; col++ {
				buf[row*r.Width+col] = r.value(b, col, row)
			}
		}
		if err := band.Write(0, 0, buf, r.Width, r.Height); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, r.Name+".tif")
	cog, err := mem.Translate(path, []string{"-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "BLOCKSIZE=256", "-co", "OVERVIEW_RESAMPLING=NEAREST"})
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, cog.Close()
}
