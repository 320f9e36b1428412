package tiles

import (
	"math"
	"strconv"

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

// partSpec is a read of part of one raster onto a grid, as rio-tiler's
// reader.part takes it.
type partSpec struct {
	bounds        [4]float64 // in boundsCRS
	boundsCRS     string
	dstCRS        string // the grid's CRS
	width, height int    // 0: from the raster's resolution
	maxSize       int    // with neither size: the longer side at most this (0: none)
	bidx          []int  // 1-based bands; nil: every band but alpha
	buffer        float64
	padding       int
	align         bool // grow the bounds to whole pixels of the raster's grid
	opts          DatasetOptions
}

// readPart reads part of a raster onto a grid as rio-tiler's reader.part
// does: in the raster's own CRS, a fractional window read by GDAL's
// RasterIO; in another CRS, a warped VRT at the raster's resolution (never
// coarser than the output) read down to the output size, so that GDAL
// picks the overview rio-tiler gets.
func readPart(s *source, p partSpec) (*raster.Image, error) {
	if p.buffer != 0 && math.Mod(p.buffer, 0.5) != 0 {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "buffer: must be a multiple of 0.5 (e.g. 0.5, 1, 1.5)")
	}
	bounds := p.bounds
	if p.boundsCRS != p.dstCRS {
		b, err := TransformBounds(bounds, CRS{SRS: p.boundsCRS}, CRS{SRS: p.dstCRS})
		if err != nil {
			return nil, err
		}
		bounds = b
	}
	same, err := s.sameCRS(p.dstCRS)
	if err != nil {
		return nil, err
	}
	if same {
		return readOwnGrid(s, p, bounds)
	}
	return readWarped(s, p, bounds)
}

// readOwnGrid is a read in the raster's own CRS: a window of its pixels.
func readOwnGrid(s *source, p partSpec, bounds [4]float64) (*raster.Image, error) {
	win := windowOf(bounds, s.gt)
	if p.align {
		win = roundWindow(win)
		bounds = boundsOf(win, s.gt)
	}
	h, w := outputSize(win.height, win.width, p.height, p.width, p.maxSize)
	if err := checkSize(h, w); err != nil {
		return nil, err
	}
	if p.buffer != 0 {
		bounds, h, w = applyBuffer(p.buffer, bounds, h, w)
		win = windowOf(bounds, s.gt)
	}
	if p.padding > 0 && !s.alignedWithBlocks(bounds) {
		padBounds, ph, pw := applyBuffer(float64(p.padding), bounds, h, w)
		img, err := readWindowed(s, s, windowOf(padBounds, s.gt), pw, ph, p)
		if err != nil {
			return nil, err
		}
		img = img.Crop(p.padding, p.padding, w, h)
		img.Bounds = bounds
		return img, nil
	}
	img, err := readWindowed(s, s, win, w, h, p)
	if err != nil {
		return nil, err
	}
	img.Bounds = bounds
	return img, nil
}

// readWarped is a read in another CRS: the raster warped into a VRT on the
// grid rio-tiler's get_vrt_transform computes, then read to the output size.
func readWarped(s *source, p partSpec, bounds [4]float64) (*raster.Image, error) {
	gt, vw, vh, err := s.vrtGrid(bounds, p.height, p.width, p.dstCRS, p.align)
	if err != nil {
		return nil, err
	}
	bounds = gridBounds(gt, vw, vh)
	h, w := outputSize(float64(vh), float64(vw), p.height, p.width, p.maxSize)
	if err := checkSize(h, w); err != nil {
		return nil, err
	}
	if p.buffer != 0 {
		bounds, h, w = applyBuffer(p.buffer, bounds, h, w)
		if gt, vw, vh, err = s.vrtGrid(bounds, h, w, p.dstCRS, p.align); err != nil {
			return nil, err
		}
		bounds = gridBounds(gt, vw, vh)
	}
	win := fwindow{width: float64(vw), height: float64(vh)}
	if p.padding > 0 {
		// The VRT grows by padding pixels each side; the read keeps the middle.
		gt[0] -= float64(p.padding) * gt[1]
		gt[3] -= float64(p.padding) * gt[5]
		win.col, win.row = float64(p.padding), float64(p.padding)
		vw, vh = vw+2*p.padding, vh+2*p.padding
	}
	level, ogt, ow, oh, owin := s.warpLevel(gt, vw, vh, win, w, h, p.opts.Resampling)
	vrt, err := s.warpedVRT(level, p.dstCRS, ogt, ow, oh, p.opts)
	if err != nil {
		return nil, err
	}
	defer vrt.Close()
	img, err := readWindowed(s, vrt, owin, w, h, p)
	if err != nil {
		return nil, err
	}
	img.Bounds = bounds
	return img, nil
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
	src, err := godal.Open(s.path, godal.DriverOpenOption(only))
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
	ds, err := src.Warp("", sw)
	if err != nil {
		src.Close()
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "the raster cannot be warped into the output grid: %v", err)
	}
	// The VRT reads src: src is closed after it.
	v := &source{ds: ds, path: s.path, under: src}
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
// itself, or the VRT warped from it) into w×h pixels: values and the mask
// (an alpha band's, the nodata value's, or GDAL's mask band), bands named
// and described as rio-tiler names them, unscaled if asked.
func readWindowed(src, ds *source, win fwindow, w, h int, p partSpec) (*raster.Image, error) {
	bidx := p.bidx
	if bidx == nil {
		bidx = ds.nonAlpha()
	}
	if err := ds.checkBands(bidx); err != nil {
		return nil, err
	}
	resampling := p.opts.Resampling
	if resampling == "" {
		resampling = "nearest"
	}
	nodata := src.nodata
	if p.opts.NoData != nil {
		nodata = p.opts.NoData
	}
	img := raster.New(w, h, len(bidx), ds.dtype)
	img.CRS = ds.wkt
	cut := clip(win, ds.width, ds.height, w, h)
	for i, b := range bidx {
		if err := cut.read(ds.bands[b-1], img.Bands[i], resampling, false); err != nil {
			return nil, err
		}
	}
	if err := readValidity(src, ds, img, bidx, cut, nodata, resampling); err != nil {
		return nil, err
	}
	img.Names = raster.DefaultNames(len(bidx))
	for i, b := range bidx {
		img.Names[i] = "b" + strconv.Itoa(b)
	}
	img.Descriptions = ds.descriptions(bidx)
	img.Stats = ds.bandStats(bidx)
	if p.opts.Unscale {
		unscale(img, ds, bidx)
	}
	return img, nil
}

// readValidity sets img's masks: from the alpha band when the dataset has
// one and no nodata applies (keeping it as img.Alpha when the raster
// itself has it), else from the nodata value, else from GDAL's mask bands.
func readValidity(src, ds *source, img *raster.Image, bidx []int, cut clipped, nodata *float64, resampling string) error {
	if a := ds.alphaBand(); a > 0 && nodata == nil {
		alpha := make([]float64, img.Pixels())
		if err := cut.read(ds.bands[a-1], alpha, resampling, false); err != nil {
			return err
		}
		_, opaque := ds.dtype.Range()
		if src.alphaBand() == 0 && maxOf(alpha) == 255 {
			opaque = 255 // GDAL's warped alpha is 0-255 whatever the type
		}
		for b := range img.Bands {
			for p, v := range alpha {
				img.Valid[b][p] = v == opaque && cut.inside(p)
			}
		}
		if src.alphaBand() > 0 {
			img.Alpha = alpha
		}
		return nil
	}
	if nodata != nil {
		for b, vals := range img.Bands {
			for p, v := range vals {
				img.Valid[b][p] = cut.inside(p) && !(v == *nodata || math.IsNaN(*nodata) && math.IsNaN(v))
			}
		}
		return nil
	}
	for i, b := range bidx {
		band := ds.bands[b-1]
		if band.MaskFlags()&maskAllValid != 0 {
			for p := range img.Valid[i] {
				img.Valid[i][p] = cut.inside(p)
			}
			continue
		}
		m := make([]float64, img.Pixels())
		if err := cut.read(band, m, resampling, true); err != nil {
			return err
		}
		for p, v := range m {
			img.Valid[i][p] = v != 0 && cut.inside(p)
		}
	}
	return nil
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

func maxOf(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		m = math.Max(m, v)
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
	req            request
	w              int // the buffer's width
	x0, y0, x1, y1 int // the buffer pixels it fills
	empty          bool
}

func clip(win fwindow, rw, rh, w, h int) clipped {
	c := clipped{w: w}
	if win.col >= 0 && win.row >= 0 && win.col+win.width <= float64(rw) && win.row+win.height <= float64(rh) {
		c.req, c.x1, c.y1 = plainRequest(win, rw, rh), w, h
		return c
	}
	var ok1, ok2 bool
	var x, y axisCut
	x, ok1 = cutAxis(win.col, win.width, rw, w)
	y, ok2 = cutAxis(win.row, win.height, rh, h)
	if !ok1 || !ok2 {
		c.empty = true
		return c
	}
	c.x0, c.x1, c.y0, c.y1 = x.out0, x.out1, y.out0, y.out1
	c.req = request{ix: x.i0, iy: y.i0, iw: x.n, ih: y.n, win: fwindow{col: x.off, row: y.off, width: x.size, height: y.size}}
	return c
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

// inside says whether buffer pixel p was read.
func (c clipped) inside(p int) bool {
	x, y := p%c.w, p/c.w
	return !c.empty && x >= c.x0 && x < c.x1 && y >= c.y0 && y < c.y1
}

// read reads the band (or its mask) into dst, the whole buffer.
func (c clipped) read(band godal.Band, dst []float64, resampling string, mask bool) error {
	w := c.w
	if c.empty {
		return nil
	}
	bw, bh := c.x1-c.x0, c.y1-c.y0
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
