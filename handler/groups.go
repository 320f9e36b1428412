package handler

import (
	"math"
	"strconv"
	"strings"
	"time"

	"tilefunc"
	"tilefunc/tiles"
	"tilefunc/tiles/algorithm"
	"tilefunc/tiles/colorformula"
	"tilefunc/tiles/colormap"
	"tilefunc/tiles/expression"
)

// The parameter groups of the image routes, as titiler declares them in
// its dependencies: each lists its parameters and parses itself. The
// routes of mosaic.go, parts.go, point.go and statistics.go combine them.

// layerParams are titiler-pgstac's AssetsExprParams: what to read of each
// item.
type layerParams struct {
	tiles.Layer
	// raster is set for the routes of one raster (an item's asset, an
	// external file; titiler's BidxExprParams): the layer is that raster,
	// with bidx and expression over its own bands.
	raster string
}

func (p *layerParams) params() []Param {
	if p.raster != "" {
		return []Param{
			{Name: "bidx", Type: "integer", Array: true, Description: "Band numbers to read, from 1."},
			{Name: "expression", Type: "string", Description: "Band math over the raster's bands (b1..bN); ';' separates outputs."},
		}
	}
	return []Param{
		{Name: "assets", Type: "string", Array: true, Required: true,
			Description: "Asset names, each with options: name|bidx=1,2|expression=b1*2|bands=red,nir."},
		{Name: "expression", Type: "string", Description: "Band math over the assets' bands, numbered b1..bN across them; ';' separates outputs."},
		{Name: "asset_as_band", Type: "boolean", Description: "Each asset is one band, named after the asset."},
	}
}

func (p *layerParams) parse(q *query) {
	if p.raster != "" {
		p.parseRaster(q)
		return
	}
	for _, v := range q.v["assets"] {
		for _, a := range splitAssets(v) {
			if a == "" {
				continue
			}
			spec, err := parseAsset(a)
			if err != nil {
				q.failWith("assets", err)
			}
			p.Assets = append(p.Assets, spec)
		}
	}
	if len(p.Assets) == 0 {
		q.fail("assets", "Field required")
	}
	if len(p.Assets) > maxAssets {
		q.fail("assets", "%d assets is above the %d limit", len(p.Assets), maxAssets)
	}
	if s := q.v.Get("expression"); s != "" {
		e, err := expression.Parse(s)
		if err != nil {
			q.failWith("expression", err)
		} else {
			p.Expression = e
		}
	}
	p.AssetAsBand = q.bool("asset_as_band", false)
}

// parseRaster reads bidx (repeated, or joined with commas as the
// Functions host forwards it) and expression, the layer of one raster.
func (p *layerParams) parseRaster(q *query) {
	spec := tiles.AssetSpec{Name: p.raster}
	for _, v := range q.v["bidx"] {
		for _, b := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(b))
			if err != nil || n < 1 {
				q.fail("bidx", "%q: want band numbers from 1", v)
				return
			}
			spec.Bidx = append(spec.Bidx, n)
		}
	}
	if len(spec.Bidx) > maxBands {
		q.fail("bidx", "%d bands is above the %d limit", len(spec.Bidx), maxBands)
	}
	if s := q.v.Get("expression"); s != "" {
		e, err := expression.Parse(s)
		if err != nil {
			q.failWith("expression", err)
		}
		spec.Expression = e
	}
	p.Assets, p.Raster = []tiles.AssetSpec{spec}, true
}

// maxAssets bounds the assets one request reads of each item.
const maxAssets = 32

// splitAssets splits one assets value into the assets it names. A client
// sends one asset per value (assets=red|bidx=1,2&assets=nir), but the
// Functions host in forwarding mode joins the values of a repeated key with
// commas (assets=red|bidx=1,2,nir). So a comma also ends an asset, except
// where it continues a bidx list (a band number follows), a bands list (up
// to the next asset with options), or sits inside the parentheses of an
// expression option. What cannot be told apart once joined: an asset named
// only with digits after a bidx list, or a plain asset name after a bands
// list. Asset names cannot hold commas.
func splitAssets(v string) []string {
	var out []string
	start, depth := 0, 0
	opt := "" // the option being read; "" while reading the asset's name
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '|':
			if depth == 0 {
				opt, _, _ = strings.Cut(v[i+1:], "=")
			}
		case '(':
			if opt == "expression" {
				depth++
			}
		case ')':
			if depth > 0 {
				depth--
			}
		case ',':
			next := v[i+1:]
			if j := strings.IndexByte(next, ','); j >= 0 {
				next = next[:j]
			}
			if depth > 0 || opt == "bidx" && startsWithBand(v[i+1:]) || opt == "bands" && !strings.Contains(next, "|") {
				continue
			}
			out = append(out, v[start:i])
			start, opt = i+1, ""
		}
	}
	return append(out, v[start:])
}

// startsWithBand says whether s starts with a band number: only digits up to
// the next comma, bar or the end.
func startsWithBand(s string) bool {
	if i := strings.IndexAny(s, ",|"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseAsset reads name|bidx=1,2|expression=...|bands=a,b.
func parseAsset(s string) (tiles.AssetSpec, error) {
	parts := strings.Split(s, "|")
	spec := tiles.AssetSpec{Name: parts[0]}
	for _, opt := range parts[1:] {
		k, v, ok := strings.Cut(opt, "=")
		if !ok {
			return spec, tilefunc.Errorf(tilefunc.EINVALID, "%q: option %q is not key=value", s, opt)
		}
		switch k {
		case "bidx":
			for _, b := range strings.Split(v, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(b))
				if err != nil || n < 1 {
					return spec, tilefunc.Errorf(tilefunc.EINVALID, "%q: bidx wants band numbers from 1", s)
				}
				spec.Bidx = append(spec.Bidx, n)
			}
			if len(spec.Bidx) > maxBands {
				return spec, tilefunc.Errorf(tilefunc.EINVALID, "%q: %d bands is above the %d limit", s, len(spec.Bidx), maxBands)
			}
		case "expression":
			e, err := expression.Parse(v)
			if err != nil {
				return spec, err
			}
			spec.Expression = e
		case "bands":
			spec.Bands = strings.Split(v, ",")
			if len(spec.Bands) > maxBands {
				return spec, tilefunc.Errorf(tilefunc.EINVALID, "%q: %d bands is above the %d limit", s, len(spec.Bands), maxBands)
			}
		default:
			return spec, tilefunc.Errorf(tilefunc.EINVALID, "%q: unknown asset option %q (use bidx, expression or bands)", s, k)
		}
	}
	return spec, nil
}

// maxBands bounds the bands one asset option names.
const maxBands = 64

// datasetParams are titiler's DatasetParams: how values are read.
type datasetParams struct{ tiles.DatasetOptions }

// rioResampling and warpResampling are rasterio's method names, as titiler
// accepts them for resampling and reproject.
var (
	rioResampling  = []string{"nearest", "bilinear", "cubic", "cubic_spline", "lanczos", "average", "mode", "gauss", "rms"}
	warpResampling = []string{"nearest", "bilinear", "cubic", "cubic_spline", "lanczos", "average", "mode", "max", "min", "med", "q1", "q3", "sum", "rms"}
)

func (*datasetParams) params() []Param {
	return []Param{
		{Name: "nodata", Type: "string", Description: "Nodata value to use instead of the rasters' own: a number, nan, inf or -inf."},
		{Name: "unscale", Type: "boolean", Default: false, Description: "Apply the bands' scale and offset."},
		{Name: "resampling", Type: "string", Default: "nearest", Enum: rioResampling, Description: "RasterIO resampling, when a read changes size."},
		{Name: "reproject", Type: "string", Default: "nearest", Enum: warpResampling, Description: "Warp resampling, when a read changes CRS."},
	}
}

func (p *datasetParams) parse(q *query) {
	if s := q.v.Get("nodata"); s != "" {
		var f float64
		switch strings.ToLower(s) {
		case "nan":
			f = math.NaN()
		case "inf":
			f = math.Inf(1)
		case "-inf":
			f = math.Inf(-1)
		default:
			var err error
			if f, err = strconv.ParseFloat(s, 64); err != nil {
				q.fail("nodata", "%q is not a number, nan, inf or -inf", s)
			}
		}
		p.NoData = &f
	}
	p.Unscale = q.bool("unscale", false)
	p.Resampling = q.choice("resampling", "nearest", rioResampling)
	p.Reproject = q.choice("reproject", "nearest", warpResampling)
}

// tileOptions are titiler's tile parameters: size, buffer, padding.
type tileOptions struct {
	size    int // 0: the route's default
	buffer  float64
	padding int
}

func (*tileOptions) params() []Param {
	return []Param{
		{Name: "tilesize", Type: "integer", Description: "Tile size in pixels (default 256, or 256 × the @{scale}x of the path)."},
		{Name: "buffer", Type: "number", Description: "Pixels added on each side of the tile, a multiple of 0.5 (0.5 gives 257 pixels)."},
		{Name: "padding", Type: "integer", Description: "Pixels read around the tile and dropped, against resampling edges."},
	}
}

func (p *tileOptions) parse(q *query) {
	p.size = q.int("tilesize", 0, 1)
	if p.size > maxTileSize {
		q.fail("tilesize", "%d is above the %d limit", p.size, maxTileSize)
	}
	if f := q.float("buffer"); f != nil {
		switch {
		case !(*f > 0):
			q.fail("buffer", "%g: want a number greater than 0", *f)
		case math.Mod(*f, 0.5) != 0:
			q.fail("buffer", "%g: must be a multiple of 0.5 (e.g. 0.5, 1, 1.5)", *f)
		case *f > maxBuffer:
			q.fail("buffer", "%g is above the %d limit", *f, maxBuffer)
		default:
			p.buffer = *f
		}
	}
	p.padding = q.int("padding", 0, 1)
	if p.padding > maxBuffer {
		q.fail("padding", "%d is above the %d limit", p.padding, maxBuffer)
	}
}

// maxBuffer bounds buffer and padding, in pixels.
const maxBuffer = 256

// renderingParams are titiler's ImageRenderingParams.
type renderingParams struct {
	rescale      [][2]float64
	colorFormula tiles.Processor
	returnMask   bool
}

func (*renderingParams) params() []Param {
	return []Param{
		{Name: "rescale", Type: "string", Array: true, Description: "min,max range to map to 0-255, one per band or one for all."},
		{Name: "color_formula", Type: "string", Description: "rio-color formula: gamma, sigmoidal and saturation operations."},
		{Name: "return_mask", Type: "boolean", Default: true, Description: "Add the mask as an alpha band."},
	}
}

// rescaleBrackets are what titiler also accepts around a range: [min,max].
var rescaleBrackets = strings.NewReplacer("[", "", "]", "", " ", "")

// parse reads rescale as repeated min,max (or [min,max]); a single value of
// 2n numbers is n ranges (the Functions host in forwarding mode joins
// repeated keys with commas).
func (p *renderingParams) parse(q *query) {
	p.returnMask = q.bool("return_mask", true)
	for _, s := range q.v["rescale"] {
		nums := strings.Split(rescaleBrackets.Replace(s), ",")
		if len(nums)%2 != 0 {
			q.fail("rescale", "%q is not min,max", s)
			break
		}
		for i := 0; i < len(nums); i += 2 {
			lo, err1 := strconv.ParseFloat(strings.TrimSpace(nums[i]), 64)
			hi, err2 := strconv.ParseFloat(strings.TrimSpace(nums[i+1]), 64)
			if err1 != nil || err2 != nil {
				q.fail("rescale", "%q is not min,max", s)
				return
			}
			p.rescale = append(p.rescale, [2]float64{lo, hi})
		}
		if len(p.rescale) > maxBands {
			q.fail("rescale", "%d ranges is above the %d limit", len(p.rescale), maxBands)
			return
		}
	}
	if q.v.Has("color_formula") { // even empty: titiler answers 422 for color_formula=
		f, err := colorformula.Parse(q.v.Get("color_formula"))
		if err != nil {
			q.failWith("color_formula", err)
			return
		}
		p.colorFormula = f
	}
}

// colormapParams are titiler's ColorMapParams: a named colormap, or one
// written as JSON.
type colormapParams struct{ colormap tiles.Processor }

func (*colormapParams) params() []Param {
	return []Param{
		{Name: "colormap_name", Type: "string", Enum: colormap.Names(), Description: "Colormap name."},
		{Name: "colormap", Type: "string", Description: "Colormap as JSON: {\"value\": color, ...} or [[[min, max], color], ...]."},
	}
}

func (p *colormapParams) parse(q *query) {
	if name := q.v.Get("colormap_name"); name != "" {
		cm, ok := colormap.Lookup(name)
		if !ok {
			q.fail("colormap_name", "%q is not a colormap (see /colorMaps)", name)
			return
		}
		p.colormap = cm
		return
	}
	if s := q.v.Get("colormap"); s != "" {
		cm, err := colormap.Parse(s)
		if err != nil {
			q.failWith("colormap", err)
			return
		}
		if cm.Kind() != colormap.NoColormap {
			p.colormap = cm
		}
	}
}

// algorithmParams are titiler's post-processing parameters.
type algorithmParams struct{ algorithm tiles.Algorithm }

func (*algorithmParams) params() []Param {
	return []Param{
		{Name: "algorithm", Type: "string", Enum: algorithm.Names(), Description: "Algorithm applied to the image (see /algorithms)."},
		{Name: "algorithm_params", Type: "string", Description: "The algorithm's parameters as a JSON object."},
	}
}

// parse checks algorithm_params even without an algorithm, as titiler
// does (malformed JSON is a 422 either way).
func (p *algorithmParams) parse(q *query) {
	a, err := algorithm.New(q.v.Get("algorithm"), q.v.Get("algorithm_params"))
	if err != nil {
		q.failWith("algorithm", err)
	}
	p.algorithm = a // nil without an algorithm
}

// selectionParams is the mosaic's pixel selection method.
type selectionParams struct{ method string }

func (*selectionParams) params() []Param {
	return []Param{{Name: "pixel_selection", Type: "string", Default: "first", Enum: tiles.PixelSelections, Description: "How the items' pixels are merged."}}
}

func (p *selectionParams) parse(q *query) {
	p.method = q.choice("pixel_selection", "first", tiles.PixelSelections)
}

// searchParams are pgSTAC's search controls (titiler-pgstac's
// PgSTACParams), over the server's defaults. Zero limits fall back to the
// defaults, as in titiler-pgstac.
type searchParams struct {
	tilefunc.SearchOptions
	defaults tilefunc.SearchOptions
}

func (*searchParams) params() []Param {
	return []Param{
		{Name: "scan_limit", Type: "integer", Description: "Return as soon as this many items have been scanned (pgSTAC's default 10000; at most 100000)."},
		{Name: "items_limit", Type: "integer", Description: "Return as soon as this many items are found (default 100; at most 1000)."},
		{Name: "time_limit", Type: "integer", Description: "Return after this many seconds (default 5; at most 25)."},
		{Name: "exitwhenfull", Type: "boolean", Description: "Return as soon as the geometry is covered (default true)."},
		{Name: "skipcovered", Type: "boolean", Description: "Skip items hidden by earlier ones (default true)."},
	}
}

// The most a client may ask of pgSTAC for one image: items are read and
// may be held together (pixel_selection=median), so items_limit bounds
// memory; time_limit stays below the statement timeout (30 s), so pgSTAC
// answers with what it found rather than being cancelled. A server
// default above them is the bound instead.
const (
	maxScanLimit  = 100000
	maxItemsLimit = 1000
	maxTimeLimit  = 25 * time.Second
)

func (p *searchParams) parse(q *query) {
	p.SearchOptions = p.defaults
	if n := q.int("scan_limit", 0, 0); n > 0 {
		p.ScanLimit = min(n, max(maxScanLimit, p.defaults.ScanLimit))
	}
	if n := q.int("items_limit", 0, 0); n > 0 {
		p.ItemsLimit = min(n, max(maxItemsLimit, p.defaults.ItemsLimit))
	}
	if n := q.int("time_limit", 0, 0); n > 0 {
		p.TimeLimit = min(time.Duration(min(n, 3600))*time.Second, max(maxTimeLimit, p.defaults.TimeLimit))
	}
	p.ExitWhenFull = q.bool("exitwhenfull", p.defaults.ExitWhenFull)
	p.SkipCovered = q.bool("skipcovered", p.defaults.SkipCovered)
}

// imageParams are what every image of a mosaic reads: the layer and how
// it is read, merged, processed and drawn, and pgSTAC's controls.
type imageParams struct {
	pipelineParams
	rendering renderingParams
	colormap  colormapParams
	search    searchParams
	single    bool // one item's image: no merge, no search
}

// pipelineParams are what makes an image before it is drawn: the layer and
// how it is read, merged and processed.
type pipelineParams struct {
	layer     layerParams
	dataset   datasetParams
	selection selectionParams
	algorithm algorithmParams
}

func newImageParams(defaults tilefunc.SearchOptions) *imageParams {
	return &imageParams{search: searchParams{defaults: defaults}}
}

// newItemImageParams are what one item's images read (titiler's
// MultiBaseTilerFactory): no pixel selection, no pgSTAC controls.
func newItemImageParams() *imageParams { return &imageParams{single: true} }

func (p *imageParams) groups() []group {
	if p.single {
		return []group{&p.layer, &p.dataset, &p.algorithm, &p.rendering, &p.colormap}
	}
	return []group{&p.layer, &p.dataset, &p.selection, &p.algorithm, &p.rendering, &p.colormap, &p.search}
}

// spec is the pipeline up to the picture.
func (p *pipelineParams) spec() tiles.Spec {
	return tiles.Spec{Layer: p.layer.Layer, Dataset: p.dataset.DatasetOptions, Selection: p.selection.method, Algorithm: p.algorithm.algorithm}
}

// style is how the picture is drawn.
func (p *imageParams) style() tiles.Style {
	return tiles.Style{Rescale: p.rendering.rescale, ColorFormula: p.rendering.colorFormula, Colormap: p.colormap.colormap, ReturnMask: p.rendering.returnMask}
}
