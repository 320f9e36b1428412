// Package demo makes the demonstration catalog that `make run` serves and
// the tests read: small COGs written by GDAL, their STAC collection and
// items, loaded into pgSTAC and uploaded to blob storage.
package demo

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"

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
	rx, ry := r.Res()
	var opts []COGOption
	if r.NoData != nil {
		opts = append(opts, NoData(*r.NoData))
	}
	path := filepath.Join(dir, r.Name+".tif")
	cog := COG{Width: r.Width, Height: r.Height, Bands: r.Bands, DataType: r.DataType,
		GeoTransform: [6]float64{r.BBox[0], rx, 0, r.BBox[3], 0, -ry}, Value: r.value}
	if err := cog.Write(path, opts...); err != nil {
		return "", err
	}
	return path, nil
}

// COG is a north-up raster to write as a Cloud Optimized GeoTIFF: its
// size, bands and data type, where its grid lies and a value for every
// pixel of every band.
type COG struct {
	Width, Height int
	Bands         int
	DataType      godal.DataType
	GeoTransform  [6]float64 // in the CRS's units
	Value         func(band, col, row int) float64
}

// COGOption is a choice of COG.Write beyond the pixels.
type COGOption func(*cogOptions)

type cogOptions struct {
	epsg          int
	nodata        *float64
	scale, offset float64
	scaled        bool
	blockSize     int
}

// EPSG is the CRS of the grid: EPSG:4326 unless given.
func EPSG(code int) COGOption { return func(o *cogOptions) { o.epsg = code } }

// NoData is the nodata value of every band: none unless given.
func NoData(v float64) COGOption { return func(o *cogOptions) { o.nodata = &v } }

// ScaleOffset is the scale and offset stored with every band, which
// unscale=true applies: none unless given.
func ScaleOffset(scale, offset float64) COGOption {
	return func(o *cogOptions) { o.scale, o.offset, o.scaled = scale, offset, true }
}

// BlockSize is the side of the COG's tiles in pixels: 256 unless given.
func BlockSize(px int) COGOption { return func(o *cogOptions) { o.blockSize = px } }

// Write writes c to path, DEFLATE-compressed, its overviews by nearest
// neighbour so that every overview value is a full-resolution value.
func (c COG) Write(path string, opts ...COGOption) error {
	o := cogOptions{epsg: 4326, blockSize: 256}
	for _, opt := range opts {
		opt(&o)
	}
	godal.RegisterAll()
	mem, err := godal.Create(godal.Memory, "", c.Bands, c.DataType, c.Width, c.Height)
	if err != nil {
		return err
	}
	defer mem.Close()
	if err := mem.SetGeoTransform(c.GeoTransform); err != nil {
		return err
	}
	sr, err := godal.NewSpatialRefFromEPSG(o.epsg)
	if err != nil {
		return err
	}
	defer sr.Close()
	if err := mem.SetSpatialRef(sr); err != nil {
		return err
	}
	for b, band := range mem.Bands() {
		if o.nodata != nil {
			if err := band.SetNoData(*o.nodata); err != nil {
				return err
			}
		}
		if o.scaled {
			if err := band.SetScaleOffset(o.scale, o.offset); err != nil {
				return err
			}
		}
		buf := make([]float64, c.Width*c.Height)
		for row := range c.Height {
			for col := range c.Width {
				buf[row*c.Width+col] = c.Value(b, col, row)
			}
		}
		if err := band.Write(0, 0, buf, c.Width, c.Height); err != nil {
			return err
		}
	}
	cog, err := mem.Translate(path, []string{"-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "BLOCKSIZE=" + strconv.Itoa(o.blockSize), "-co", "OVERVIEW_RESAMPLING=NEAREST"})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return cog.Close()
}
