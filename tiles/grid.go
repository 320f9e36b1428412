package tiles

import (
	"math"

	"tilefunc"
)

// The sizing rules of rio-tiler's readers: how big an output is, how a
// buffer grows it, and the grid a warped read goes through.

// outputSize is rio-tiler's output_size: the output height and width for
// a read of dh×dw raster pixels, given the sizes asked for (0: none) and
// max_size (ignored once a size is given).
func outputSize(dh, dw float64, height, width, maxSize int) (int, int) {
	if maxSize > 0 && (height > 0 || width > 0) {
		maxSize = 0
	}
	switch {
	case maxSize > 0:
		height, width = limitSize(maxSize, pyRound(dh), pyRound(dw))
	case (width > 0) != (height > 0):
		ratio := dh / dw
		if width > 0 {
			height = int(math.Ceil(float64(width) * ratio))
		} else {
			width = int(math.Ceil(float64(height) / ratio))
		}
	}
	if height == 0 {
		height = pyRound(dh)
	}
	if width == 0 {
		width = pyRound(dw)
	}
	return max(1, height), max(1, width)
}

// limitSize scales h×w down so its longer side is maxSize, keeping the
// aspect ratio (rio-tiler's _get_width_height).
func limitSize(maxSize, h, w int) (int, int) {
	if max(h, w) < maxSize {
		return h, w
	}
	ratio := float64(h) / float64(w)
	if ratio > 1 {
		return maxSize, int(math.Ceil(float64(maxSize) / ratio))
	}
	return int(math.Ceil(float64(maxSize) * ratio)), maxSize
}

// applyBuffer grows bounds by buffer pixels each side, and the size with
// them (rio-tiler's _apply_buffer: a buffer of 0.5 adds one pixel).
func applyBuffer(buffer float64, b [4]float64, h, w int) ([4]float64, int, int) {
	xres, yres := (b[2]-b[0])/float64(w), (b[3]-b[1])/float64(h)
	b = [4]float64{b[0] - xres*buffer, b[1] - yres*buffer, b[2] + xres*buffer, b[3] + yres*buffer}
	return b, h + int(buffer*2), w + int(buffer*2)
}

// vrtGrid is rio-tiler's get_vrt_transform for a read in another CRS: the
// raster's own resolution carried into dst (GDAL's suggested warp), or the
// output's where that is finer, over bounds.
func (s *source) vrtGrid(bounds [4]float64, height, width int, dst string, align bool) ([6]float64, int, int, error) {
	gt, w, h := s.gt, s.width, s.height
	// A CRS that PROJ cannot relate to the other is not it.
	is := func(a, b string) bool { same, _ := isCRS(a, b); return same }
	if b := s.bounds(); (b[1] < -85.06 || b[3] > 85.06) && is(s.wkt, "EPSG:4326") && is(dst, "EPSG:3857") {
		// Web Mercator cannot hold the poles: rio-tiler takes the
		// resolution from the raster cut to its latitudes.
		b[1], b[3] = math.Max(b[1], -85.06), math.Min(b[3], 85.06)
		win := windowOf(b, s.gt)
		w, h = pyRound(win.width), pyRound(win.height)
		gt = fromBounds(b, w, h)
	}
	dstGT, err := s.suggestedGrid(dst, gt, w, h)
	if err != nil {
		return gt, 0, 0, err
	}
	if align {
		bounds = boundsOf(roundWindow(windowOf(bounds, dstGT)), dstGT)
	}
	xres, yres := dstGT[1], dstGT[5]
	if height > 0 || width > 0 {
		if height == 0 || width == 0 {
			nw := max(1, pyRound((bounds[2]-bounds[0])/xres))
			nh := max(1, pyRound((bounds[1]-bounds[3])/yres))
			ratio := float64(nh) / float64(nw)
			if width > 0 {
				height = int(math.Ceil(float64(width) * ratio))
			} else {
				width = int(math.Ceil(float64(height) / ratio))
			}
		}
		out := fromBounds(bounds, width, height)
		// Finer than the raster (zoomed in): the output's resolution.
		if math.Abs(xres) > math.Abs(out[1]) {
			xres = out[1]
		}
		if math.Abs(yres) > math.Abs(out[5]) {
			yres = out[5]
		}
	}
	vw := max(1, pyRound((bounds[2]-bounds[0])/xres))
	vh := max(1, pyRound((bounds[1]-bounds[3])/yres))
	return fromBounds(bounds, vw, vh), vw, vh, nil
}

// alignedWithBlocks is rio-tiler's _requested_tile_aligned_with_internal_tile
// for a read in the raster's own CRS: the window is a whole number of 64
// pixel blocks from the raster's far edges (then no padding is needed).
func (s *source) alignedWithBlocks(bounds [4]float64) bool {
	if bs := s.bands[0].Structure(); bs.BlockSizeX == s.width {
		return false
	}
	win := windowOf(bounds, s.gt)
	if pyRound(win.width)%64 != 0 && pyRound(win.height)%64 != 0 {
		return false
	}
	if (s.width-pyRound(win.col))%64 != 0 || (s.height-pyRound(win.row))%64 != 0 {
		return false
	}
	return true
}

// MaxSide bounds each side of an image (bbox, feature, statistics), so
// that one request cannot ask for more memory than an instance has: an
// image of MaxSide² pixels and 4 bands is 512 MiB of float64 values.
const MaxSide = 4096

// checkSize refuses an output larger than MaxSide on a side (its buffer
// and padding included), before anything is allocated for it.
func checkSize(h, w int) error {
	if w > MaxSide+2*maxPad || h > MaxSide+2*maxPad {
		return tilefunc.Errorf(tilefunc.EINVALID, "the image would be %dx%d pixels, above the %d limit: set max_size, width or height", w, h, MaxSide)
	}
	return nil
}

// maxPad is the most buffer or padding an image may add each side.
const maxPad = 256

// readReduction is how GDAL 3.10 sizes a read of win into a w×h buffer:
// the whole pixels the window covers (cut toward zero, at least one each
// way; a buffer at least that large reads no overview), and the reduction
// it wants an overview for, the less reduced axis's (x's for a single
// row), as GDALBandGetBestOverviewLevel2 computes them.
func readReduction(win fwindow, w, h int) (iw, ih int, desired float64) {
	iw, ih = max(1, int(win.width)), max(1, int(win.height))
	fx, fy := float64(iw)/float64(w), float64(ih)/float64(h)
	desired = fy
	if fx < fy || h == 1 {
		desired = fx
	}
	return iw, ih, desired
}

// warpRead is how GDAL 3.10 (rasterio's) reads a window of a warped VRT
// into a w×h buffer, which Debian's GDAL 3.6 does otherwise: from which
// overview of the source, and either by warping straight onto the buffer's
// grid (direct) or by sampling the warped overview's pixels.
type warpRead struct {
	level  int        // source overview; -1: full resolution
	direct bool       // warp onto the buffer's own grid
	gt     [6]float64 // the warped grid to sample (not direct)
	w, h   int
	win    fwindow // the window of that grid to read
}

// planWarpRead follows VRTWarpedDataset::IRasterIO: a read of every band
// of the whole VRT, or of a large enough part, goes through the dataset:
// an overview chosen as GDALBandGetBestOverviewLevel2 chooses, then a
// warp straight onto the buffer when the read is of the whole (overview)
// raster; other reads go band by band, the overview chosen by the warped
// band's own rule, and sample the warped pixels.
func (s *source) planWarpRead(gt [6]float64, vw, vh int, win fwindow, w, h int, allBands bool, resampling string) warpRead {
	iw, ih, _ := readReduction(win, w, h)
	whole := win.col == 0 && win.row == 0 && iw == vw && ih == vh
	base := warpRead{level: -1, gt: gt, w: vw, h: vh, win: win}
	if w >= iw && h >= ih {
		base.direct = whole
		return base
	}
	byDataset := allBands && (whole || w > min(512, vw) && h > min(128, vh))
	if !byDataset {
		return s.overviewRead(gt, vw, vh, win, w, h, resampling, false)
	}
	r := s.overviewRead(gt, vw, vh, win, w, h, resampling, true)
	owin := r.win
	r.direct = owin.col == 0 && owin.row == 0 && max(1, int(owin.width+0.5)) == r.w && max(1, int(owin.height+0.5)) == r.h
	if r.level < 0 {
		r.direct = whole
	}
	return r
}

// overviewRead is the overview a read of win into w×h picks among the
// warped VRT's implicit overviews (the source's overviews warped onto
// grids reduced as much as they are), and the window there. The dataset
// rule (gcore's) allows a factor up to the request's × 1.2 (1.0 when
// resampling) + 0.1; the warped band's rule up to × 1.2 (1.01).
func (s *source) overviewRead(gt [6]float64, vw, vh int, win fwindow, w, h int, resampling string, datasetRule bool) warpRead {
	_, _, desired := readReduction(win, w, h)
	nearest := resampling == "" || resampling == "nearest"
	limit := desired * 1.2
	switch {
	case datasetRule && !nearest:
		limit = desired + 0.1
	case datasetRule:
		limit = desired*1.2 + 0.1
	case !nearest:
		limit = desired * 1.01
	}
	best, bestFactor, bw, bh := -1, 0.0, 0, 0
	for i, o := range s.bands[0].Overviews() {
		st := o.Structure()
		ratio := float64(s.width) / float64(st.SizeX)
		ow, oh := int(float64(vw)/ratio+0.5), int(float64(vh)/ratio+0.5)
		if ow < 1 || oh < 1 {
			break
		}
		f := math.Min(float64(vw)/float64(ow), float64(vh)/float64(oh))
		if f >= limit || f <= bestFactor {
			continue
		}
		best, bestFactor, bw, bh = i, f, ow, oh
		if datasetRule && math.Abs(desired-f) < 0.1 {
			break
		}
	}
	if best < 0 {
		return warpRead{level: -1, gt: gt, w: vw, h: vh, win: win}
	}
	kx, ky := float64(vw)/float64(bw), float64(vh)/float64(bh)
	ogt := gt
	ogt[1], ogt[5] = gt[1]*kx, gt[5]*ky
	return warpRead{level: best, gt: ogt, w: bw, h: bh,
		win: fwindow{col: win.col / kx, row: win.row / ky, width: win.width / kx, height: win.height / ky}}
}
