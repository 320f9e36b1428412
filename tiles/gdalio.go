package tiles

/*
#cgo pkg-config: gdal
#include <stdlib.h>
#include <math.h>
#include <gdal.h>
#include <cpl_error.h>
#include <cpl_string.h>

// bestOverview picks the overview GDAL 3.10 reads for a request (its
// GDALBandGetBestOverviewLevel2, which rasterio's bundled GDAL runs and
// Debian's 3.6 does differently): the most reduced overview whose factor
// is below the least reduced axis's factor times 1.2 (1.0 when
// resampling) plus 0.1. It returns the band to read and scales the window
// to it.
static GDALRasterBandH bestOverview(GDALRasterBandH band, int *ix, int *iy, int *iw, int *ih,
                                    double *xoff, double *yoff, double *xsize, double *ysize,
                                    int bw, int bh, int alg) {
	if (bw >= *iw && bh >= *ih) return band;
	double fx = *iw / (double)bw, fy = *ih / (double)bh;
	double desired = (fx < fy || bh == 1) ? fx : fy;
	double threshold = alg != 0 ? 1.0 : 1.2;
	int sx = GDALGetRasterBandXSize(band), sy = GDALGetRasterBandYSize(band);
	GDALRasterBandH best = NULL;
	double bestFactor = 0;
	int n = GDALGetOverviewCount(band);
	for (int i = 0; i < n; i++) {
		GDALRasterBandH o = GDALGetOverview(band, i);
		if (!o) continue;
		int ox = GDALGetRasterBandXSize(o), oy = GDALGetRasterBandYSize(o);
		if (ox > sx || oy > sy) continue;
		double f = sx / (double)ox < sy / (double)oy ? sx / (double)ox : sy / (double)oy;
		if (f >= desired * threshold + 0.1 || f <= bestFactor) continue;
		const char *r = GDALGetMetadataItem(o, "RESAMPLING", NULL);
		if (r && EQUALN(r, "AVERAGE_BIT2", 12)) continue;
		best = o;
		bestFactor = f;
		if (fabs(desired - f) < 0.1) break;
	}
	if (!best) return band;
	int ox = GDALGetRasterBandXSize(best), oy = GDALGetRasterBandYSize(best);
	double kx = sx / (double)ox, ky = sy / (double)oy;
	int nx = (int)(*ix / kx + 0.5), ny = (int)(*iy / ky + 0.5);
	if (nx > ox - 1) nx = ox - 1;
	if (ny > oy - 1) ny = oy - 1;
	int nw = (int)(*iw / kx + 0.5), nh = (int)(*ih / ky + 0.5);
	if (nw < 1) nw = 1;
	if (nh < 1) nh = 1;
	if (nx + nw > ox) nw = ox - nx;
	if (ny + nh > oy) nh = oy - ny;
	*ix = nx; *iy = ny; *iw = nw; *ih = nh;
	*xoff /= kx; *xsize /= kx; *yoff /= ky; *ysize /= ky;
	return best;
}

// readWindow reads a floating-point window of a band (or of its mask band)
// into a buffer, as rasterio reads a window: GDAL's RasterIO with the
// window's fractional offsets and sizes, and a resampling algorithm, from
// the overview bestOverview picks. Errors are captured here, on the thread
// that raised them, and returned as text (NULL on success; the caller
// frees it).
static char *readWindow(GDALRasterBandH band, int mask, int ovr, int ix, int iy, int iw, int ih,
                        double xoff, double yoff, double xsize, double ysize, void *buf, int bw, int bh,
                        GDALDataType type, int alg) {
	if (ovr >= 0) {
		band = GDALGetOverview(band, ovr);
		if (!band) return CPLStrdup("no such overview");
	}
	if (mask) band = GDALGetMaskBand(band);
	if (ovr < 0) band = bestOverview(band, &ix, &iy, &iw, &ih, &xoff, &yoff, &xsize, &ysize, bw, bh, alg);
	GDALRasterIOExtraArg ex;
	INIT_RASTERIO_EXTRA_ARG(ex);
	ex.eResampleAlg = (GDALRIOResampleAlg)alg;
	ex.bFloatingPointWindowValidity = TRUE;
	ex.dfXOff = xoff;
	ex.dfYOff = yoff;
	ex.dfXSize = xsize;
	ex.dfYSize = ysize;
	CPLPushErrorHandler(CPLQuietErrorHandler);
	CPLErrorReset();
	CPLErr err = GDALRasterIOEx(band, GF_Read, ix, iy, iw, ih, buf, bw, bh, type, 0, 0, &ex);
	char *msg = NULL;
	if (err != CE_None) msg = CPLStrdup(CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "RasterIO failed");
	CPLPopErrorHandler();
	return msg;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/airbusgeo/godal"
)

// fwindow is a window of a raster in pixels, with fractional offsets and
// sizes (rasterio's Window).
type fwindow struct {
	col, row, width, height float64
}

// request is a RasterIO request as GDAL takes it: the whole pixels the
// read touches (which decide the overview), and the fractional window the
// samples are taken from, which may reach a little past the raster's edge
// (samples there take the edge pixel). overview is the level to read, when
// the caller chose it (-1: chosen here, as GDAL 3.10 chooses).
type request struct {
	ix, iy, iw, ih int
	win            fwindow
	overview       int
}

// plainRequest is rasterio's request for a window on the raster: whole
// pixels cut toward zero.
func plainRequest(win fwindow, rw, rh int) request {
	r := request{ix: int(win.col), iy: int(win.row), iw: max(1, int(win.width)), ih: max(1, int(win.height)), win: win, overview: -1}
	r.iw = min(r.iw, rw-r.ix)
	r.ih = min(r.ih, rh-r.iy)
	return r
}

// rioResampling numbers rasterio's RasterIO resampling methods as GDAL's
// GDALRIOResampleAlg does.
var rioResampling = map[string]int{
	"nearest": 0, "bilinear": 1, "cubic": 2, "cubic_spline": 3, "lanczos": 4,
	"average": 5, "mode": 6, "gauss": 7, "rms": 14,
}

// bandHandle is the GDALRasterBandH behind a godal.Band. godal keeps it
// unexported, as the only field of the struct it embeds; a test checks
// that what comes out is the band (tilefunc pins godal's version).
func bandHandle(b godal.Band) C.GDALRasterBandH {
	return *(*C.GDALRasterBandH)(unsafe.Pointer(&b))
}

// readValues reads a request of band into a bw×bh buffer of float64 values.
func readValues(band godal.Band, req request, bw, bh int, resampling string) ([]float64, error) {
	buf := make([]float64, bw*bh)
	return buf, readInto(band, false, req, unsafe.Pointer(&buf[0]), bw, bh, C.GDT_Float64, resampling)
}

// readValuesInto reads a request of band into dst, a bw×bh buffer.
func readValuesInto(band godal.Band, req request, dst []float64, bw, bh int, resampling string) error {
	return readInto(band, false, req, unsafe.Pointer(&dst[0]), bw, bh, C.GDT_Float64, resampling)
}

// readMask reads a request of band's mask band (0 where GDAL says there is
// no data) into a bw×bh buffer of bytes.
func readMask(band godal.Band, req request, bw, bh int, resampling string) ([]uint8, error) {
	buf := make([]uint8, bw*bh)
	return buf, readInto(band, true, req, unsafe.Pointer(&buf[0]), bw, bh, C.GDT_Byte, resampling)
}

func readInto(band godal.Band, mask bool, req request, buf unsafe.Pointer, bw, bh int, typ C.GDALDataType, resampling string) error {
	alg, ok := rioResampling[resampling]
	if !ok {
		return fmt.Errorf("tiles: unknown RasterIO resampling %q", resampling)
	}
	m := C.int(0)
	if mask {
		m = 1
	}
	win := req.win
	msg := C.readWindow(bandHandle(band), m, C.int(req.overview), C.int(req.ix), C.int(req.iy), C.int(req.iw), C.int(req.ih),
		C.double(win.col), C.double(win.row), C.double(win.width), C.double(win.height),
		buf, C.int(bw), C.int(bh), typ, C.int(alg))
	if msg != nil {
		defer C.VSIFree(unsafe.Pointer(msg))
		return errors.New(C.GoString(msg))
	}
	return nil
}

// bandSize is the size GDAL reports for the band behind the handle (the
// test of bandHandle).
func bandSize(b godal.Band) (int, int) {
	h := bandHandle(b)
	return int(C.GDALGetRasterBandXSize(h)), int(C.GDALGetRasterBandYSize(h))
}
