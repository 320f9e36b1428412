package tiles

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/internal/timing"
	"tilefunc/tiles/raster"
)

// Resolver turns an asset href into a path GDAL can open, refusing hrefs
// outside the allowed places.
type Resolver interface {
	Path(href string) (string, error)
}

// Algorithm is titiler's post-processing of an image (tiles/algorithm).
type Algorithm interface {
	Apply(img *raster.Image) (*raster.Image, error)
	// Buffer is how many pixels each side the algorithm needs around what
	// it returns (it crops them itself).
	Buffer() int
}

// Renderer reads items with GDAL and makes images of them.
type Renderer struct {
	resolver Resolver
	sem      chan struct{} // bounds the GDAL reads in flight, process-wide
	admit    *admission    // bounds the memory renders hold; nil: none
	turns    chan struct{} // bounds the renders in flight; nil: none
}

var registerDrivers sync.Once

// NewRenderer returns a renderer reading at most concurrency assets at once.
func NewRenderer(r Resolver, concurrency int) *Renderer {
	return &Renderer{resolver: r, sem: make(chan struct{}, max(concurrency, 1))}
}

// Warm loads GDAL's drivers and prepares WebMercatorQuad, the set nearly
// every map asks for, so that the first tile does not pay for them. The
// other sets are prepared on first use (CheckTMS prepares them all): the
// whole list costs about 80 ms of CPU, mostly PROJ's database for two
// projected sets, which on a one-CPU instance the first tile would wait
// behind.
func Warm() error {
	registerDrivers.Do(godal.RegisterAll)
	warmWarp()
	return registry["WebMercatorQuad"].prepare()
}

// warmWarp warps a small longitude/latitude raster to web mercator, the
// commonest read of all: PROJ opens its database and finds the operation,
// and GDAL's warper is loaded, before a tile needs them. Failures do not
// matter here: the tile that needs the same will report its own.
func warmWarp() {
	ds, err := godal.Create(godal.Memory, "", 1, godal.Byte, 16, 16)
	if err != nil {
		return
	}
	defer ds.Close()
	ds.SetGeoTransform([6]float64{0, 1, 0, 16, 0, -1})
	sr, err := godal.NewSpatialRefFromEPSG(4326)
	if err != nil {
		return
	}
	defer sr.Close()
	ds.SetSpatialRef(sr)
	if vrt, err := ds.Warp("", []string{"-of", "VRT", "-t_srs", "EPSG:3857", "-ts", "16", "16"}); err == nil {
		buf := make([]byte, 256)
		vrt.Read(0, 0, buf, 16, 16)
		vrt.Close()
	}
}

// GDALVersion is the version of the GDAL library in use.
func GDALVersion() string {
	v := godal.Version()
	return fmt.Sprintf("%d.%d.%d", v.Major(), v.Minor(), v.Revision())
}

// Window is the grid an image is read onto: a tile of a tile matrix set,
// or a part (bbox, feature) whose size may come from the data.
type Window struct {
	Bounds    [4]float64 // in BoundsCRS
	BoundsCRS string
	CRS       string // the image's
	Width     int    // 0: from the first item's resolution (and Height's ratio)
	Height    int
	MaxSize   int     // with no size given: the longer side at most this (0: none)
	Buffer    float64 // pixels added each side (a multiple of 0.5)
	Padding   int     // pixels read around and dropped, against resampling edges
	Align     bool    // grow the bounds to whole pixels of each raster (statistics)
	// IsTile is set for a tile (its Bounds in CRS): each item and raster
	// is checked against it before it is read (rio-tiler's tile_exists).
	IsTile bool
	// Whole is set for a preview: each raster is read whole, in its own
	// CRS unless CRS names one (Bounds are not used).
	Whole bool
	// Shape is set for a feature: the merged image is cut to it (pixels it
	// does not touch have no data) before the algorithm runs.
	Shape *Shape
}

// Spec is what to make of the items up to the picture: titiler's layer,
// dataset, pixel selection and algorithm parameters.
type Spec struct {
	Layer     Layer
	Dataset   DatasetOptions
	Selection string    // pixel_selection; "" is first
	Algorithm Algorithm // nil: none
}

// ErrOutside is a raster that a tile or point does not touch: the item is
// left out of a mosaic, as rio-tiler leaves out TileOutsideBounds; a single
// item's route answers 404.
var ErrOutside = errors.New("tiles: the request is outside the raster")

// Image runs the pipeline up to the picture: finds what to read of each
// item, reads the items (concurrently, merged in their order), merges them
// by the pixel selection, cuts the result to the window's shape and
// applies the algorithm. An algorithm that
// needs pixels around its output gets them: the window is read that much
// larger, so the image has the size asked for (titiler's answer is smaller
// by the algorithm's buffer unless the request adds a buffer itself).
func (r *Renderer) Image(ctx context.Context, items []tilefunc.Item, win Window, spec Spec) (*raster.Image, error) {
	registerDrivers.Do(godal.RegisterAll)
	if spec.Algorithm != nil {
		win.Buffer = max(win.Buffer, float64(spec.Algorithm.Buffer()))
	}
	sel, err := newSelection(spec.Selection)
	if err != nil {
		return nil, err
	}
	release, err := r.admitImage(ctx, win, spec, len(items))
	if err != nil {
		return nil, err
	}
	tm := timing.From(ctx)
	used, err := r.merge(ctx, items, win, spec, sel, release)
	if err != nil {
		return nil, err
	}
	merging := time.Now()
	img := sel.result() // mean, median and the like reduce here
	tm.Since(timing.Merge, merging)
	if img == nil {
		return nil, tilefunc.Errorf(tilefunc.ENOCONTENT, "no item covers the request")
	}
	// rio-tiler's mosaic keeps no dataset statistics: images of a mosaic
	// are rescaled from their type's range.
	img.Assets, img.Stats = used, nil
	return finish(tm, img, win, spec)
}

// finish cuts the image to the window's shape, then runs the algorithm.
func finish(tm *timing.Timings, img *raster.Image, win Window, spec Spec) (*raster.Image, error) {
	if win.Shape != nil {
		if err := win.Shape.Mask(img); err != nil {
			return nil, err
		}
	}
	if spec.Algorithm != nil {
		defer tm.Since(timing.Algorithm, time.Now())
		return spec.Algorithm.Apply(img)
	}
	return img, nil
}

type readResult struct {
	img *raster.Image
	err error
	end time.Time // when the read was over, for the read stage's span
}

// merge reads the items, at most as many ahead of the merge as there are
// read slots, and feeds them to sel in order until it is done. It returns
// the ids of the items fed. The read stage is the span from the first
// read's start to the end of the last one fed (the reads overlap each
// other and the merge); the merge stage sums the feeding.
//
// It returns when its context ends too, without waiting for reads in
// flight (GDAL cannot be interrupted): settled, the admission's release,
// runs once every read it started is over, in the background if need be.
func (r *Renderer) merge(ctx context.Context, items []tilefunc.Item, win Window, spec Spec, sel selection, settled func()) ([]string, error) {
	if len(items) == 0 {
		settled()
		return nil, nil
	}
	read := newWindowRead(win, spec.Dataset)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tm := timing.From(ctx)
	readStart, readEnd, merging := time.Now(), time.Time{}, time.Duration(0)
	defer func() {
		if !readEnd.IsZero() {
			tm.Add(timing.Read, readEnd.Sub(readStart))
			tm.Add(timing.Merge, merging)
		}
	}()
	results := make([]chan readResult, len(items))
	started, taken := 0, 0
	start := func(i int) {
		results[i] = make(chan readResult, 1)
		started++
		go func() {
			res := r.readGuarded(ctx, items[i], read, spec.Layer)
			res.end = time.Now()
			results[i] <- res
		}()
	}
	defer func() { settle(results[taken:started], settled) }()
	ahead := cap(r.sem)
	for i := 0; i < min(ahead, len(items)); i++ {
		start(i)
	}
	var used []string
	var first *raster.Image
	for i := range items {
		if next := i + ahead; next < len(items) {
			start(next)
		}
		var res readResult
		select {
		case res = <-results[i]:
			taken++
			if res.end.After(readEnd) {
				readEnd = res.end
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if errors.Is(res.err, ErrOutside) {
			continue
		}
		if res.err != nil {
			return nil, res.err
		}
		feeding := time.Now()
		img := res.img
		if first == nil {
			if err := checkSelection(spec.Selection, img); err != nil {
				return nil, err
			}
			first = img
		} else if img, res.err = fitTo(img, first, items[i].ID); res.err != nil {
			return nil, res.err
		}
		sel.feed(img)
		merging += time.Since(feeding)
		used = append(used, items[i].ID)
		if sel.done() {
			break
		}
	}
	return used, nil
}

// settle runs done once the reads in pending are over: at once where there
// are none, else in the background.
func settle(pending []chan readResult, done func()) {
	if len(pending) == 0 {
		done()
		return
	}
	go func() {
		for _, ch := range pending {
			<-ch
		}
		done()
	}()
}

// checkSelection refuses a pixel selection the image cannot feed: the
// lastband methods decide on a last band that they then drop (titiler
// answers an image of no band but its mask).
func checkSelection(method string, img *raster.Image) error {
	if (method == "lastbandlow" || method == "lastbandhigh") && img.Count() < 2 {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "pixel_selection: %s needs two bands or more: it picks by the last band and drops it", method)
	}
	return nil
}

// fitTo makes an item's image the size of the mosaic's first, as rio-tiler
// resizes it; items of other band counts cannot be merged.
func fitTo(img, first *raster.Image, id string) (*raster.Image, error) {
	if img.Count() != first.Count() {
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "item %q gives %d bands where the first item gave %d: a mosaic needs the same bands from every item", id, img.Count(), first.Count())
	}
	if img.Width != first.Width || img.Height != first.Height {
		img = resizeNearest(img, first.Width, first.Height)
	}
	img.Bounds, img.CRS = first.Bounds, first.CRS
	return img, nil
}

// readGuarded reads one item in a read slot (Renderer.guarded).
func (r *Renderer) readGuarded(ctx context.Context, item tilefunc.Item, read *windowRead, layer Layer) readResult {
	if !read.touches(item) {
		return readResult{err: ErrOutside}
	}
	img, err := r.guarded(ctx, item.ID, func() (*raster.Image, error) {
		return r.readItem(item, layer, read.part, true)
	})
	return readResult{img: img, err: err}
}

// acquire waits for a read slot, which release gives back; a request
// cancelled meanwhile gets none.
func (r *Renderer) acquire(ctx context.Context) (release func(), err error) {
	return takeSlot(ctx, r.sem)
}

// takeSlot waits for a slot of slots, which release gives back; a request
// cancelled meanwhile gets none.
func takeSlot(ctx context.Context, slots chan struct{}) (release func(), err error) {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil { // both were ready, and select picked the slot
		<-slots
		return nil, err
	}
	return func() { <-slots }, nil
}

// windowRead reads the items of one request onto its window: what does
// not depend on the item or the raster is worked out once.
type windowRead struct {
	win  Window // its Bounds carried into its CRS
	opts DatasetOptions
	// boundsErr is why the bounds cannot be carried into the CRS: each read
	// fails with it, as each of rio-tiler's would.
	boundsErr error
	// tileGeo is a tile's extent in longitude/latitude, where items' bboxes
	// are; nil for a part, and for a tile that cannot be carried there
	// (every item then touches it).
	tileGeo *[4]float64
}

// newWindowRead prepares the reads of a request onto win.
func newWindowRead(win Window, opts DatasetOptions) *windowRead {
	wr := &windowRead{win: win, opts: opts}
	if win.BoundsCRS != win.CRS && !win.Whole {
		wr.win.Bounds, wr.boundsErr = TransformBounds(win.Bounds, CRS{SRS: win.BoundsCRS}, CRS{SRS: win.CRS})
		wr.win.BoundsCRS = win.CRS
	}
	if win.IsTile {
		if geo, err := TransformBounds(win.Bounds, CRS{SRS: win.CRS}, WGS84); err == nil {
			wr.tileGeo = &geo
		}
	}
	return wr
}

// touches says whether the item's bbox, which STAC gives in
// longitude/latitude, meets the tile (rio-tiler's tile_exists); every item
// meets a part.
func (wr *windowRead) touches(item tilefunc.Item) bool {
	b, ok := tilefunc.Box2D(item.BBox)
	return wr.tileGeo == nil || !ok || overlaps(*wr.tileGeo, b)
}

// part reads the window's part of one raster (a readFunc); ErrOutside
// when the window is a tile that does not touch the raster.
func (wr *windowRead) part(s *source, bidx []int) (*raster.Image, error) {
	win := wr.win
	if win.Whole {
		return wr.whole(s, bidx)
	}
	var same, known bool // the raster is in the window's CRS, when the tile check found out
	if win.IsTile {
		var touches bool
		if touches, known, same = s.tileCheck(win.Bounds, win.CRS); !touches {
			return nil, ErrOutside
		}
	}
	if err := s.checkNoData(wr.opts.NoData); err != nil {
		return nil, err
	}
	if wr.boundsErr != nil {
		return nil, wr.boundsErr
	}
	if !known {
		var err error
		if same, err = isCRS(s.wkt, win.CRS); err != nil {
			return nil, err
		}
	}
	return readPart(s, win, same, bidx, wr.opts)
}

// tileCheck is rio-tiler's tile_exists: whether the tile (bounds in crs),
// carried into the raster's CRS, overlaps the raster; a tile that cannot
// be carried there is taken to touch it. known says whether PROJ could
// relate the two CRSs at all, and then same whether they are one.
func (s *source) tileCheck(tile [4]float64, crs string) (touches, known, same bool) {
	t, err := newTransformer(CRS{SRS: crs}, CRS{SRS: s.wkt})
	if err != nil {
		return true, false, false
	}
	defer t.Close()
	b, err := t.bounds(tile)
	return err != nil || overlaps(b, s.bounds()), true, t.tr == nil
}

// overlaps says whether boxes a and b, in one CRS, share some area.
func overlaps(a, b [4]float64) bool {
	return a[0] < b[2] && a[2] > b[0] && a[3] > b[1] && a[1] < b[3]
}

// whole reads all of one raster (rio-tiler's preview): in its own CRS, or
// warped into the window's.
func (wr *windowRead) whole(s *source, bidx []int) (*raster.Image, error) {
	if err := s.checkNoData(wr.opts.NoData); err != nil {
		return nil, err
	}
	win := wr.win
	win.Bounds = s.bounds()
	same := win.CRS == ""
	if !same {
		var err error
		if same, err = isCRS(s.wkt, win.CRS); err != nil {
			return nil, err
		}
	}
	if same {
		win.CRS = s.wkt
		return readOwnGrid(s, win, bidx, wr.opts)
	}
	// rasterio's WarpedVRT with no transform: GDAL's suggested grid.
	gt, vw, vh, err := suggestedWarpGrid(s.wkt, win.CRS, s.gt, s.width, s.height)
	if err != nil {
		return nil, err
	}
	h, w := outputSize(float64(vh), float64(vw), win.Height, win.Width, win.MaxSize)
	if err := checkSize(h, w); err != nil {
		return nil, err
	}
	return s.readVRT(win, gt, vw, vh, w, h, gridBounds(gt, vw, vh), bidx, wr.opts)
}
