package tiles

/*
#cgo pkg-config: gdal
#include <gdal.h>
#include <gdal_alg.h>
#include <cpl_error.h>
#include <cpl_string.h>

// suggestedWarp is rasterio's calculate_default_transform: GDAL's suggested
// output grid for warping a w×h raster with geotransform gt in srcWKT into
// dst. A raster with no band stands in for the source (nothing is
// allocated). Returns 0 on success.
static int suggestedWarp(const char *srcWKT, const char *dst, double *gt, int w, int h,
                         double *outGT, int *outW, int *outH) {
	GDALDriverH mem = GDALGetDriverByName("MEM");
	if (!mem) return 1;
	CPLPushErrorHandler(CPLQuietErrorHandler);
	int rc = 1;
	GDALDatasetH ds = GDALCreate(mem, "", w, h, 0, GDT_Byte, NULL);
	if (ds) {
		GDALSetGeoTransform(ds, gt);
		GDALSetProjection(ds, srcWKT);
		char **opts = CSLSetNameValue(NULL, "DST_SRS", dst);
		void *tr = GDALCreateGenImgProjTransformer2(ds, NULL, opts);
		CSLDestroy(opts);
		if (tr) {
			if (GDALSuggestedWarpOutput(ds, GDALGenImgProjTransform, tr, outGT, outW, outH) == CE_None) rc = 0;
			GDALDestroyGenImgProjTransformer(tr);
		}
		GDALClose(ds);
	}
	CPLPopErrorHandler();
	return rc;
}
*/
import "C"

import (
	"fmt"
	"math"
	"strings"
	"unsafe"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// maskAllValid is GDAL's GMF_ALL_VALID mask flag: every pixel of the band
// is valid.
const maskAllValid = 0x01

// maskPerDataset is GDAL's GMF_PER_DATASET: the mask is one for every band
// of the dataset (a GeoTIFF's internal mask), so it is read once.
const maskPerDataset = 0x02

// source is an opened raster and what rio-tiler asks of it before reading.
type source struct {
	ds       *godal.Dataset
	path     string
	wkt      string     // its CRS
	gt       [6]float64 // its geotransform
	width    int
	height   int
	bands    []godal.Band
	dtype    raster.DataType
	nodata   *float64 // the first band's nodata, as rasterio's dataset.nodata
	alpha    int      // the 1-based index of its alpha band, or 0
	nonAlpha []int    // the other bands, 1-based (rio-tiler's non_alpha_indexes)
	key      string   // ds is an asset dataset kept under key (handles), or ""
	under    *asset   // what a VRT reads, given back after it
}

// AssetDrivers are the GDAL drivers that open asset files: the formats
// tilefunc serves (a COG is a GeoTIFF). Drivers whose files name other
// paths or URLs (VRT, GDAL_WMS, WMTS) are never among them: a file an
// allowed href points at could make GDAL read anything.
var AssetDrivers = []string{"GTiff"}

// errNotGeoTIFF is an asset file that is there but no AssetDrivers open.
// GDAL's words are not shown: they name the path, which may carry a token.
var errNotGeoTIFF = tilefunc.Errorf(tilefunc.EBADREQUEST, "the asset cannot be read as a GeoTIFF (COG), the raster format tilefunc serves")

// asset is an opened asset dataset, lent by assetHandles when key is set.
type asset struct {
	ds  *godal.Dataset
	key string
}

// openAsset opens the asset file at path with AssetDrivers only, with
// GDAL open options opts, or takes one opened so before (handles). Its
// caller releases it. No side files are
// opened (godal's default, kept on purpose: no godal.SiblingFiles()):
// GDAL opens an x.tif.ovr, .msk or .aux with any driver, so a VRT stored
// beside a GeoTIFF would be read as its overview.
func openAsset(path string, opts ...string) (asset, error) {
	key := handleKey(path, opts)
	if key != "" {
		if ds := assetHandles.take(key); ds != nil {
			return asset{ds, key}, nil
		}
	}
	ds, err := godal.Open(path, godal.Drivers(AssetDrivers...), godal.DriverOpenOption(opts...))
	if err != nil {
		return asset{}, errNotGeoTIFF
	}
	return asset{ds, key}, nil
}

// release gives the dataset back to be lent again, or closes it.
func (a asset) release() {
	if a.key == "" {
		a.ds.Close()
		return
	}
	assetHandles.give(a.key, a.ds)
}

// statter is a Resolver that can tell why GDAL could not open a path:
// a missing file, or a host that refused or failed.
type statter interface {
	Stat(path string) error
}

// why is the resolver's reason GDAL failed on path (a missing file, a
// store that refused or failed), or err when it has none: GDAL's own
// error has lost the store's.
func (r *Renderer) why(path string, err error) error {
	if st, ok := r.resolver.(statter); ok {
		if why := st.Stat(path); why != nil {
			return why
		}
	}
	return err
}

// openSource opens the raster at path. Its caller closes it.
func (r *Renderer) openSource(path string) (*source, error) {
	a, err := openAsset(path)
	if err != nil {
		return nil, r.why(path, err)
	}
	s := &source{ds: a.ds, path: path, key: a.key}
	if err := s.describe(); err != nil {
		a.ds.Close()
		return nil, err
	}
	return s, nil
}

func (s *source) describe() error {
	st := s.ds.Structure()
	s.width, s.height, s.bands = st.SizeX, st.SizeY, s.ds.Bands()
	if len(s.bands) == 0 {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster has no band")
	}
	gt, err := s.ds.GeoTransform()
	if err != nil {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster has no geotransform")
	}
	if gt[2] != 0 || gt[4] != 0 {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster is rotated, which tilefunc does not read")
	}
	s.gt = gt
	sr := s.ds.SpatialRef()
	if sr == nil {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster has no CRS")
	}
	defer sr.Close()
	if s.wkt, err = sr.WKT(); err != nil {
		return err
	}
	var ok bool
	if s.dtype, ok = numpyTypes[s.bands[0].Structure().DataType]; !ok {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster's data type %s is not one tilefunc reads", s.bands[0].Structure().DataType)
	}
	if nd, ok := s.bands[0].NoData(); ok {
		s.nodata = &nd
	}
	for i, b := range s.bands {
		switch {
		case b.ColorInterp() != godal.CIAlpha:
			s.nonAlpha = append(s.nonAlpha, i+1)
		case s.alpha == 0:
			s.alpha = i + 1
		}
	}
	return nil
}

// Close closes the raster, then what it reads.
func (s *source) Close() {
	asset{s.ds, s.key}.release()
	if s.under != nil {
		s.under.release()
	}
}

// bounds is the raster's extent in its CRS.
func (s *source) bounds() [4]float64 {
	return [4]float64{s.gt[0], s.gt[3] + float64(s.height)*s.gt[5], s.gt[0] + float64(s.width)*s.gt[1], s.gt[3]}
}

// checkBands refuses band indexes the raster does not have.
func (s *source) checkBands(bidx []int) error {
	for _, b := range bidx {
		if b < 1 || b > len(s.bands) {
			return tilefunc.Errorf(tilefunc.EBADREQUEST, "band index %d is out of range: the asset has %d bands", b, len(s.bands))
		}
	}
	return nil
}

// suggestedGrid is the geotransform GDAL suggests for warping a w×h grid
// with geotransform gt in the raster's CRS into srs.
func (s *source) suggestedGrid(srs string, gt [6]float64, w, h int) ([6]float64, error) {
	res, _, _, err := suggestedWarpGrid(s.wkt, srs, gt, w, h)
	return res, err
}

// suggestedWarpGrid is the grid (geotransform and size) GDAL suggests for
// warping a w×h grid with geotransform gt in from into to.
func suggestedWarpGrid(from, to string, gt [6]float64, w, h int) ([6]float64, int, int, error) {
	cwkt, cdst := C.CString(from), C.CString(to)
	defer C.free(unsafe.Pointer(cwkt))
	defer C.free(unsafe.Pointer(cdst))
	var in, out [6]C.double
	for i := range gt {
		in[i] = C.double(gt[i])
	}
	var ow, oh C.int
	if C.suggestedWarp(cwkt, cdst, &in[0], C.int(w), C.int(h), &out[0], &ow, &oh) != 0 {
		return gt, 0, 0, tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster cannot be carried into %.60s", to)
	}
	var res [6]float64
	for i := range res {
		res[i] = float64(out[i])
	}
	return res, int(ow), int(oh), nil
}

// bandStats are the STATISTICS_MINIMUM/MAXIMUM of the bands, when every
// one has them (rio-tiler's dataset_statistics from band tags).
func (s *source) bandStats(bidx []int) [][2]float64 {
	var out [][2]float64
	for _, b := range bidx {
		band := s.bands[b-1]
		lo, hi := band.Metadata("STATISTICS_MINIMUM"), band.Metadata("STATISTICS_MAXIMUM")
		var l, h float64
		if _, err := fmt.Sscan(lo, &l); err != nil {
			return nil
		}
		if _, err := fmt.Sscan(hi, &h); err != nil {
			return nil
		}
		out = append(out, [2]float64{l, h})
	}
	return out
}

// descriptions are the bands' own descriptions, else b{index}.
func (s *source) descriptions(bidx []int) []string {
	out := make([]string, len(bidx))
	for i, b := range bidx {
		if d := strings.TrimSpace(s.bands[b-1].Description()); d != "" {
			out[i] = d
		} else {
			out[i] = fmt.Sprintf("b%d", b)
		}
	}
	return out
}

// numpyTypes are GDAL's data types as numpy names them.
var numpyTypes = map[godal.DataType]raster.DataType{
	godal.Byte: raster.Uint8, godal.UInt16: raster.Uint16, godal.Int16: raster.Int16, godal.UInt32: raster.Uint32,
	godal.Int32: raster.Int32, godal.Float32: raster.Float32, godal.Float64: raster.Float64,
}

// affine helpers: a geotransform as rasterio's Affine reads it.

// fromBounds is the geotransform of a w×h grid over b (rasterio's
// transform.from_bounds).
func fromBounds(b [4]float64, w, h int) [6]float64 {
	return [6]float64{b[0], (b[2] - b[0]) / float64(w), 0, b[3], 0, (b[1] - b[3]) / float64(h)}
}

// gridBounds is the extent of a w×h grid (rasterio's array_bounds).
func gridBounds(gt [6]float64, w, h int) [4]float64 {
	x1, y1 := gt[0]+float64(w)*gt[1], gt[3]+float64(h)*gt[5]
	return [4]float64{math.Min(gt[0], x1), math.Min(gt[3], y1), math.Max(gt[0], x1), math.Max(gt[3], y1)}
}

// windowOf is the fractional window of gt's grid that b covers (rasterio's
// windows.from_bounds). The corners go through the inverse affine
// transform as the affine package computes it, so that a window's size
// rounds as rio-tiler's does (a pixel more or less in an image's size).
func windowOf(b [4]float64, gt [6]float64) fwindow {
	inv := invert(gt)
	cols, rows := make([]float64, 4), make([]float64, 4)
	for i, pt := range [4][2]float64{{b[0], b[3]}, {b[2], b[3]}, {b[2], b[1]}, {b[0], b[1]}} {
		cols[i], rows[i] = apply(inv, pt[0], pt[1])
	}
	c0, c1 := minMax(cols)
	r0, r1 := minMax(rows)
	return fwindow{col: c0, row: r0, width: math.Max(c1-c0, 0), height: math.Max(r1-r0, 0)}
}

// invert is the inverse of a geotransform as the affine package writes it.
func invert(gt [6]float64) [6]float64 {
	a, b, c, d, e, f := gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]
	idet := 1.0 / float64(float64(a*e)-float64(b*d))
	ra, rb, rd, re := float64(e*idet), float64(-b*idet), float64(-d*idet), float64(a*idet)
	rc := float64(float64(-c*ra) - float64(f*rb))
	rf := float64(float64(-c*rd) - float64(f*re))
	return [6]float64{rc, ra, rb, rf, rd, re}
}

// apply is a geotransform applied to x, y, each product rounded on its own
// (numpy's dot).
func apply(gt [6]float64, x, y float64) (float64, float64) {
	return float64(float64(gt[1]*x)+float64(gt[2]*y)) + gt[0], float64(float64(gt[4]*x)+float64(gt[5]*y)) + gt[3]
}

func minMax(vs []float64) (float64, float64) {
	lo, hi := vs[0], vs[0]
	for _, v := range vs[1:] {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// boundsOf is the extent of a window of gt's grid (rasterio's
// windows.bounds).
func boundsOf(w fwindow, gt [6]float64) [4]float64 {
	x0, y0 := apply(gt, w.col, w.row)
	x1, y1 := apply(gt, w.col+w.width, w.row+w.height)
	return [4]float64{math.Min(x0, x1), math.Min(y0, y1), math.Max(x0, x1), math.Max(y0, y1)}
}

// roundWindow grows a window to whole pixels (rio-tiler's _round_window).
func roundWindow(w fwindow) fwindow {
	c0, c1 := math.Floor(w.col), math.Ceil(w.col+w.width)
	r0, r1 := math.Floor(w.row), math.Ceil(w.row+w.height)
	return fwindow{col: c0, row: r0, width: math.Max(c1-c0, 0), height: math.Max(r1-r0, 0)}
}

// pyRound is Python's round(): halves go to the even neighbour.
func pyRound(v float64) int { return int(math.RoundToEven(v)) }
