package tiles

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// DatasetOptions say how a raster's values are read (titiler's dataset
// parameters).
type DatasetOptions struct {
	NoData     *float64 // overrides the raster's own nodata
	Unscale    bool     // apply the bands' scale and offset
	Resampling string   // RasterIO resampling (rasterio's name), when the read changes size
	Reproject  string   // warp resampling (rasterio's name), when the read changes CRS
}

// readPart reads the bands bidx (1-based; nil: every band but alpha) of a
// raster onto the window's grid (its bounds in its CRS) as rio-tiler's
// reader.part does: in the raster's own CRS (same), a fractional window
// read by GDAL's RasterIO; in another CRS, a warped VRT at the raster's
// resolution (never coarser than the output) read down to the output
// size, so that GDAL picks the overview rio-tiler gets.
func readPart(s *source, win Window, same bool, bidx []int, opts DatasetOptions) (*raster.Image, error) {
	if same {
		return readOwnGrid(s, win, bidx, opts)
	}
	return readWarped(s, win, bidx, opts)
}

// checkNoData refuses a nodata value the raster's type cannot hold (NaN or
// infinity for integers, or beyond the type's range), which rasterio
// refuses too: the values could never match it.
func (s *source) checkNoData(nodata *float64) error {
	if nodata == nil || !s.dtype.Integer() {
		return nil
	}
	lo, hi := s.dtype.Range()
	if v := *nodata; math.IsNaN(v) || v < lo || v > hi {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "nodata: %g is not a %s value (%g to %g)", v, s.dtype, lo, hi)
	}
	return nil
}

// readOwnGrid is a read in the raster's own CRS: a window of its pixels.
func readOwnGrid(s *source, win Window, bidx []int, opts DatasetOptions) (*raster.Image, error) {
	bounds := win.Bounds
	pix := windowOf(bounds, s.gt)
	if win.Align {
		pix = roundWindow(pix)
		bounds = boundsOf(pix, s.gt)
	}
	h, w := outputSize(pix.height, pix.width, win.Height, win.Width, win.MaxSize)
	if err := checkSize(h, w); err != nil {
		return nil, err
	}
	if win.Buffer != 0 {
		bounds, h, w = applyBuffer(win.Buffer, bounds, h, w)
		pix = windowOf(bounds, s.gt)
	}
	if win.Padding > 0 && !s.alignedWithBlocks(bounds) {
		padBounds, ph, pw := applyBuffer(float64(win.Padding), bounds, h, w)
		img, err := readWindowed(s, s, windowOf(padBounds, s.gt), pw, ph, bidx, opts)
		if err != nil {
			return nil, err
		}
		img = img.Crop(win.Padding, win.Padding, w, h)
		img.Bounds = bounds
		return img, nil
	}
	img, err := readWindowed(s, s, pix, w, h, bidx, opts)
	if err != nil {
		return nil, err
	}
	img.Bounds = bounds
	return img, nil
}

// readWarped is a read in another CRS: the raster warped into a VRT on the
// grid rio-tiler's get_vrt_transform computes, then read to the output size.
func readWarped(s *source, win Window, bidx []int, opts DatasetOptions) (*raster.Image, error) {
	gt, vw, vh, err := s.vrtGrid(win.Bounds, win.Height, win.Width, win.CRS, win.Align)
	if err != nil {
		return nil, err
	}
	bounds := gridBounds(gt, vw, vh)
	h, w := outputSize(float64(vh), float64(vw), win.Height, win.Width, win.MaxSize)
	if err := checkSize(h, w); err != nil {
		return nil, err
	}
	if win.Buffer != 0 {
		bounds, h, w = applyBuffer(win.Buffer, bounds, h, w)
		if gt, vw, vh, err = s.vrtGrid(bounds, h, w, win.CRS, win.Align); err != nil {
			return nil, err
		}
		bounds = gridBounds(gt, vw, vh)
	}
	return s.readVRT(win, gt, vw, vh, w, h, bounds, bidx, opts)
}

// readVRT reads the raster warped onto the vw×vh grid gt in the window's
// CRS, down to w×h (its padding read around and dropped).
func (s *source) readVRT(win Window, gt [6]float64, vw, vh, w, h int, bounds [4]float64, bidx []int, opts DatasetOptions) (*raster.Image, error) {
	pix := fwindow{width: float64(vw), height: float64(vh)}
	if win.Padding > 0 {
		// The VRT grows by padding pixels each side; the read keeps the middle.
		gt[0] -= float64(win.Padding) * gt[1]
		gt[3] -= float64(win.Padding) * gt[5]
		pix.col, pix.row = float64(win.Padding), float64(win.Padding)
		vw, vh = vw+2*win.Padding, vh+2*win.Padding
	}
	plan := s.planWarpRead(gt, vw, vh, pix, w, h, s.readsEveryBand(bidx), opts.Resampling)
	if plan.direct {
		// The read's own grid: the window's bounds, the buffer's size.
		plan.gt, plan.w, plan.h = fromBounds(boundsOf(pix, gt), w, h), w, h
		plan.win = fwindow{width: float64(w), height: float64(h)}
	}
	vrt, err := s.warpedVRT(plan.level, win.CRS, plan.gt, plan.w, plan.h, opts)
	if err != nil {
		return nil, err
	}
	defer vrt.Close()
	img, err := readWindowed(s, vrt, plan.win, w, h, bidx, opts)
	if err != nil {
		return nil, err
	}
	img.Bounds = bounds
	return img, nil
}

// readsEveryBand says whether a read of bidx asks the warped VRT for all
// its bands (rasterio reads the chosen bands, and the alpha band unless a
// nodata value applies): GDAL then reads it as a whole dataset.
func (s *source) readsEveryBand(bidx []int) bool {
	return bidx == nil || len(bidx) >= len(s.nonAlpha)
}

// warpedVRT warps the raster (its overview level, or its full resolution
// for -1) into a VRT on a grid, as rio-tiler's WarpedVRT: an alpha band
// marks where the source had data, unless a nodata value does (given, or
// the raster's) or the raster brings its own alpha. The raster is opened
// again with that one level only, so that GDAL reads no other overview.
func (s *source) warpedVRT(level int, dst string, gt [6]float64, w, h int, o DatasetOptions) (*source, error) {
	only := "OVERVIEW_LEVEL=NONE"
	if level >= 0 {
		only = "OVERVIEW_LEVEL=" + strconv.Itoa(level) + " only"
	}
	src, err := openAsset(s.path, only)
	if err != nil {
		return nil, err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	b := gridBounds(gt, w, h)
	sw := []string{
		"-of", "VRT", "-t_srs", dst,
		"-te", f(b[0]), f(b[1]), f(b[2]), f(b[3]), "-ts", strconv.Itoa(w), strconv.Itoa(h),
		"-r", warpResampling[o.Reproject],
	}
	nodata := s.nodata
	if o.NoData != nil {
		nodata = o.NoData
	}
	switch {
	case nodata != nil:
		sw = append(sw, "-srcnodata", f(*nodata), "-dstnodata", f(*nodata))
	default:
		sw = append(sw, "-dstalpha")
	}
	ds, err := src.ds.Warp("", sw, godal.ErrLogger(sideFilesAbsent))
	if err != nil {
		src.release()
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster cannot be warped into the output grid: %v", err)
	}
	// The VRT reads src: src is given back after it.
	v := &source{ds: ds, path: s.path, under: &src}
	if err := v.describe(); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// warpResampling names rasterio's warp methods as gdalwarp does.
var warpResampling = map[string]string{
	"": "near", "nearest": "near", "bilinear": "bilinear", "cubic": "cubic", "cubic_spline": "cubicspline",
	"lanczos": "lanczos", "average": "average", "mode": "mode", "max": "max", "min": "min",
	"med": "med", "q1": "q1", "q3": "q3", "sum": "sum", "rms": "rms",
}

// readWindowed is rio-tiler's reader.read of a window of ds (the raster
// itself, or the VRT warped from it) into w×h pixels: the values of the
// bands bidx (nil: every band but alpha) and their mask (an alpha band's,
// the nodata value's, or GDAL's mask band), bands named and described as
// rio-tiler names them, unscaled if asked.
func readWindowed(src, ds *source, win fwindow, w, h int, bidx []int, opts DatasetOptions) (*raster.Image, error) {
	if bidx == nil {
		bidx = ds.nonAlpha
	}
	if err := ds.checkBands(bidx); err != nil {
		return nil, err
	}
	resampling := opts.Resampling
	if resampling == "" {
		resampling = "nearest"
	}
	nodata := src.nodata
	if opts.NoData != nil {
		nodata = opts.NoData
	}
	img := raster.New(w, h, len(bidx), ds.dtype)
	img.CRS = ds.wkt
	cuts := clip(ds, win, w, h, resampling)
	for i, b := range bidx {
		if err := cuts.band(i).read(ds.bands[b-1], img.Bands[i], w, resampling, false); err != nil {
			return nil, err
		}
	}
	if err := readValidity(src, ds, img, bidx, cuts, nodata, resampling); err != nil {
		return nil, err
	}
	for i, b := range bidx {
		img.Names[i] = "b" + strconv.Itoa(b)
	}
	img.Descriptions = ds.descriptions(bidx)
	img.Stats = ds.bandStats(bidx)
	if opts.Unscale {
		unscale(img, ds, bidx)
	}
	return img, nil
}

// readValidity sets img's masks: from the alpha band when the dataset has
// one and no nodata applies (keeping it as img.Alpha when the raster
// itself has it), else from the nodata value, else from GDAL's mask bands.
func readValidity(src, ds *source, img *raster.Image, bidx []int, cuts clipped, nodata *float64, resampling string) error {
	w := img.Width
	if a := ds.alpha; a > 0 && nodata == nil {
		alpha := raster.Scratch[float64](img.Pixels())
		cut := cuts.band(len(bidx)) // read last, after the bands
		if err := cut.read(ds.bands[a-1], alpha, w, resampling, false); err != nil {
			return err
		}
		_, opaque := ds.dtype.Range()
		if src.alpha == 0 && maxOf(alpha) == 255 {
			opaque = 255 // GDAL's warped alpha is 0-255 whatever the type
		}
		valid := raster.Scratch[bool](len(alpha)) // the same for every band
		cut.markInside(valid, nil, w)
		for p, v := range alpha {
			valid[p] = valid[p] && v == opaque
		}
		for _, v := range img.Valid {
			copy(v, valid)
		}
		raster.Release(valid)
		if src.alpha > 0 {
			img.Alpha = alpha
		} else {
			raster.Release(alpha) // a warp's alpha: only the mask is kept
		}
		return nil
	}
	if nodata != nil {
		nd, nan := *nodata, math.IsNaN(*nodata)
		for b, vals := range img.Bands {
			valid := img.Valid[b]
			cuts.band(b).markInside(valid, nil, w)
			for p, v := range vals {
				valid[p] = valid[p] && !(v == nd || nan && math.IsNaN(v))
			}
		}
		return nil
	}
	var shared []bool // a mask every band shares, once read
	var sharedCut cut
	for i, b := range bidx {
		band, cut := ds.bands[b-1], cuts.band(i)
		flags := band.MaskFlags()
		switch {
		case flags&maskAllValid != 0:
			cut.markInside(img.Valid[i], nil, w)
		case flags&maskPerDataset != 0 && shared != nil && cut == sharedCut:
			copy(img.Valid[i], shared)
		default:
			m := raster.Scratch[float64](img.Pixels())
			if err := cut.read(band, m, w, resampling, true); err != nil {
				return err
			}
			cut.markInside(img.Valid[i], m, w)
			raster.Release(m)
			if flags&maskPerDataset != 0 {
				shared, sharedCut = img.Valid[i], cut
			}
		}
	}
	return nil
}

// markInside sets valid to whether each pixel was read and, when mask is
// not nil, its mask value is not 0; row by row, so that no pixel pays for
// a division.
func (c cut) markInside(valid []bool, mask []float64, w int) {
	clear(valid)
	if c.empty {
		return
	}
	for y := c.y0; y < c.y1; y++ {
		row := valid[y*w+c.x0 : y*w+c.x1]
		if mask == nil {
			for x := range row {
				row[x] = true
			}
			continue
		}
		for x, v := range mask[y*w+c.x0 : y*w+c.x1] {
			row[x] = v != 0
		}
	}
}

// unscale applies the bands' scale and offset in float32, as rio-tiler
// does.
func unscale(img *raster.Image, ds *source, bidx []int) {
	for i, b := range bidx {
		st := ds.bands[b-1].Structure()
		for p, v := range img.Bands[i] {
			x := float64(float32(float64(float32(v)) * st.Scale))
			img.Bands[i][p] = float64(float32(x + st.Offset))
		}
	}
	img.Type = raster.Float32
	if img.Stats != nil {
		for i, b := range bidx {
			st := ds.bands[b-1].Structure()
			img.Stats[i] = [2]float64{img.Stats[i][0]*st.Scale + st.Offset, img.Stats[i][1]*st.Scale + st.Offset}
		}
	}
}

// maxOf is the largest of vs, which hold no NaN (an alpha band's values):
// a comparison, not math.Max, which pays for NaN and signed zeros at every
// pixel (3 % of a tile's CPU).
func maxOf(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		if v > m {
			m = v
		}
	}
	return m
}

// clipped is a window read into a w×h buffer, cut to the part that lies
// on the raster: nothing is read outside it (rasterio's boundless read
// gives no data there). It follows what GDAL's VRT sources do with such a
// read (rasterio makes one): the buffer pixels that touch the raster are
// read, with the window's own sampling step, so edge samples that fall a
// little off the raster take its edge pixel.
type clipped struct {
	first, rest cut // the first band read, and the others
	w           int // the buffer's width
}

// cut is a request for the buffer pixels x0..x1, y0..y1.
type cut struct {
	req            request
	x0, y0, x1, y1 int
	empty          bool
}

func clip(s *source, win fwindow, w, h int, resampling string) clipped {
	rw, rh := s.width, s.height
	if win.col >= 0 && win.row >= 0 && win.col+win.width <= float64(rw) && win.row+win.height <= float64(rh) {
		c := cut{req: plainRequest(win, rw, rh), x1: w, y1: h}
		return clipped{first: c, rest: c, w: w}
	}
	// rasterio reads past the edges through a VRT holding the raster.
	// GDAL 3.10 reads the first band of that VRT from a virtual overview
	// (where the raster is an overview placed at the scaled offset) and
	// the other bands from the raster, choosing its overview again: the
	// bands are sampled a little apart, and tilefunc samples them so.
	rest := cutAt(-1, [2]float64{win.col, win.row}, [2]float64{win.width, win.height}, [2]int{rw, rh}, w, h)
	level, off, span, size := s.boundlessLevel(win, w, h, resampling)
	return clipped{first: cutAt(level, off, span, size, w, h), rest: rest, w: w}
}

func cutAt(level int, off, span [2]float64, size [2]int, w, h int) cut {
	x, ok1 := cutAxis(off[0], span[0], size[0], w)
	y, ok2 := cutAxis(off[1], span[1], size[1], h)
	if !ok1 || !ok2 {
		return cut{empty: true}
	}
	return cut{x0: x.out0, x1: x.out1, y0: y.out0, y1: y.out1,
		req: request{ix: x.i0, iy: y.i0, iw: x.n, ih: y.n, win: fwindow{col: x.off, row: y.off, width: x.size, height: y.size}, overview: level}}
}

// boundlessLevel is the overview GDAL 3.10 reads rasterio's boundless VRT
// from (its virtual overviews: each of the raster's, the VRT's size scaled
// as the overview's, none under 128 pixels), and the window's offset,
// span and the raster's size in that level's pixels; level -1 is the
// raster itself, GDAL choosing among its overviews again.
func (s *source) boundlessLevel(win fwindow, w, h int, resampling string) (int, [2]float64, [2]float64, [2]int) {
	full := func() (int, [2]float64, [2]float64, [2]int) {
		return -1, [2]float64{win.col, win.row}, [2]float64{win.width, win.height}, [2]int{s.width, s.height}
	}
	iw, ih, desired := readReduction(win, w, h)
	if w >= iw && h >= ih {
		return full()
	}
	vw := int(math.Max(float64(s.width), win.width) + 1)
	vh := int(math.Max(float64(s.height), win.height) + 1)
	limit := desired*1.2 + 0.1
	if resampling != "" && resampling != "nearest" {
		limit = desired + 0.1
	}
	best, bestFactor := -1, 0.0
	var bestW, bestH, ovW, ovH int
	for i, o := range s.bands[0].Overviews() {
		st := o.Structure()
		ow := int(0.5 + float64(vw)*float64(st.SizeX)/float64(s.width))
		oh := int(0.5 + float64(vh)*float64(st.SizeY)/float64(s.height))
		if ow < 128 || oh < 128 {
			break
		}
		f := math.Min(float64(vw)/float64(ow), float64(vh)/float64(oh))
		if f >= limit || f <= bestFactor {
			continue
		}
		best, bestFactor, bestW, bestH, ovW, ovH = i, f, ow, oh, st.SizeX, st.SizeY
		if math.Abs(desired-f) < 0.1 {
			break
		}
	}
	if best < 0 {
		return full()
	}
	kx, ky := float64(vw)/float64(bestW), float64(vh)/float64(bestH)
	rx, ry := float64(ovW)/float64(s.width), float64(ovH)/float64(s.height)
	return best, [2]float64{win.col * rx, win.row * ry}, [2]float64{win.width / kx, win.height / ky}, [2]int{ovW, ovH}
}

// axisCut is one axis of a read cut to the raster: buffer pixels out0 to
// out1, from whole raster pixels i0 (n of them), sampled over off, size.
type axisCut struct {
	out0, out1 int
	i0, n      int
	off, size  float64
}

// cutAxis is GDAL's VRTSimpleSource::GetSrcDstWindow on one axis, for a
// raster of size pixels placed at 0 in a window from off of length span,
// read into n buffer pixels.
func cutAxis(off, span float64, size, n int) (axisCut, bool) {
	const eps = 1e-3
	if off >= float64(size) || off+span <= 0 {
		return axisCut{}, false
	}
	roff, rspan := off, span
	if roff < 0 {
		rspan += roff
		roff = 0
	}
	if roff+rspan > float64(size) {
		rspan = float64(size) - roff
	}
	c := axisCut{i0: int(math.Floor(roff)), off: roff, size: rspan, out1: n}
	if roff-float64(c.i0) > 1-eps {
		c.i0++
		c.off = float64(c.i0)
	}
	c.n = min(max(1, int(math.Floor(rspan+0.5))), size-c.i0)
	perPixel := float64(n) / span
	if o := (c.off - off) * perPixel; o > 0 {
		c.out0 = int(o + eps)
		delta := (o - float64(c.out0)) / perPixel
		c.off -= delta
		c.size += delta
	}
	right := (c.off + c.size - off) * perPixel
	if right < float64(c.out0) {
		return axisCut{}, false
	}
	c.out1 = min(n, int(math.Ceil(right-eps)))
	c.size += (float64(c.out1) - right) / perPixel
	return c, c.out1 > c.out0
}

// band is the cut of the i-th band read (i counts the bands read, from 0).
func (c clipped) band(i int) cut {
	if i == 0 {
		return c.first
	}
	return c.rest
}

// read reads the band (or its mask) into dst, a buffer w pixels wide.
func (c cut) read(band godal.Band, dst []float64, w int, resampling string, mask bool) error {
	if c.empty {
		return nil
	}
	bw, bh := c.x1-c.x0, c.y1-c.y0
	if !mask && bw == w { // whole rows: GDAL writes into dst itself
		return readValuesInto(band, c.req, dst[c.y0*w:(c.y0+bh)*w], bw, bh, resampling)
	}
	var vals []float64
	if mask {
		m, err := readMask(band, c.req, bw, bh, resampling)
		if err != nil {
			return err
		}
		vals = make([]float64, len(m))
		for i, v := range m {
			vals[i] = float64(v)
		}
	} else {
		var err error
		if vals, err = readValues(band, c.req, bw, bh, resampling); err != nil {
			return err
		}
	}
	for y := 0; y < bh; y++ {
		copy(dst[(c.y0+y)*w+c.x0:(c.y0+y)*w+c.x1], vals[y*bw:(y+1)*bw])
	}
	return nil
}

// sideFilesAbsent is GDAL's error handling, but for the absence of a side
// file the blob reader reports: godal raises every failed look-up of a
// path as an error, and gdalwarp looks for the source's metadata files.
func sideFilesAbsent(ec godal.ErrorCategory, code int, msg string) error {
	if ec < godal.CE_Failure || strings.Contains(msg, tilefunc.NoSideFile) {
		return nil
	}
	return errors.New(msg)
}
