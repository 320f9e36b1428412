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
	if b := s.bounds(); (b[1] < -85.06 || b[3] > 85.06) && s.isCRS("EPSG:4326") && isCRS(dst, "EPSG:3857") {
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

// isCRS says whether the raster's CRS is the one named.
func (s *source) isCRS(name string) bool { return isCRS(s.wkt, name) }

// isCRS says whether two CRS definitions name the same CRS.
func isCRS(a, b string) bool {
	t, err := newTransformer(CRS{SRS: a}, CRS{SRS: b})
	if err != nil {
		return false
	}
	defer t.Close()
	return t.tr == nil
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

// warpLevel is the overview GDAL 3.10 reads when a warped VRT of vw×vh
// on gt is read from win into w×h (VRTWarpedRasterBand's
// GetBestOverviewLevel, which rasterio's bundled GDAL runs): the source
// overview whose implicit warped overview is the most reduced one still
// below the least reduced axis's factor times 1.2 (1.01 when resampling).
// It returns the level (-1: full resolution) and the grid and window to
// read there; GDAL itself is then kept from choosing (Debian's 3.6 chooses
// otherwise).
func (s *source) warpLevel(gt [6]float64, vw, vh int, win fwindow, w, h int, resampling string) (int, [6]float64, int, int, fwindow) {
	iw, ih := max(1, int(win.width)), max(1, int(win.height))
	if w >= iw && h >= ih {
		return -1, gt, vw, vh, win
	}
	fx, fy := float64(iw)/float64(w), float64(ih)/float64(h)
	desired := fy
	if fx < fy || h == 1 {
		desired = fx
	}
	threshold := 1.2
	if resampling != "" && resampling != "nearest" {
		threshold = 1.01
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
		if f >= desired*threshold || f <= bestFactor {
			continue
		}
		best, bestFactor, bw, bh = i, f, ow, oh
	}
	if best < 0 {
		return -1, gt, vw, vh, win
	}
	kx, ky := float64(vw)/float64(bw), float64(vh)/float64(bh)
	ogt := gt
	ogt[1], ogt[5] = gt[1]*kx, gt[5]*ky
	owin := fwindow{col: win.col / kx, row: win.row / ky, width: win.width / kx, height: win.height / ky}
	return best, ogt, bw, bh, owin
}
