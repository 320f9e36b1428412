package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/internal/timing"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// mosaic is a search whose items make one image: a registered search, or
// a collection (narrowed by filters).
type mosaic struct {
	key    string           // identifies the mosaic and its filters, for caches
	hash   string           // pgSTAC search hash
	path   string           // public path prefix, e.g. /searches/{hash}
	search *tilefunc.Search // the search and its metadata
	stored bool             // a collection's search is a row of pgstac.searches (not so when read-only)
	// zooms are the mosaic's zooms in a set, where they are not the
	// metadata's (a single item's come from its grid); nil: zoomRange.
	zooms func(*tiles.TileMatrixSet) (int, int)
	// info describes a plain raster's bands, which its TileJSON tells
	// (titiler.core's band_descriptions, data_type, minmax); nil for others.
	info *tiles.AssetInfo
	// items finds the mosaic's items under a lon/lat box.
	items func(ctx context.Context, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error)
}

// mosaicRoutes declares the tileset, tile, TileJSON, viewer and WMTS routes
// of a mosaic once, for every prefix that names a mosaic (titiler's
// MosaicTilerFactory with the mosaic wmtsExtension).
//
// Where two templates take the same path (.../tiles/tilejson.json is a
// tileset and a TileJSON address), the Functions host prefers the one with
// a literal segment first; mux takes the first declared, so the tileset
// routes come before the TileJSON route. filters are the parameters that
// resolve reads, which every route takes.
func (s *Server) mosaicRoutes(prefix, name string, resolve func(*http.Request) (*mosaic, error), filters []Param) []route {
	m := mosaicHandlers{s: s, resolve: resolve, tileGroups: func() []group { return newTileRoute(s.Search).groups() }}
	tileParams := paramsOf(m.tileGroups()...)
	tileJSONParams := append(paramsOf(&tileJSONOptions{}), tileParams...)
	rs := []route{
		{Route{Name: name + "_tilesets", Method: http.MethodGet, Path: prefix + "/tiles", Params: paramsOf(formParam{}, &extentCRS{}), Answer: formAnswer("TileSetList", CacheDocuments)}, m.tilesets},
		{Route{Name: name + "_tileset", Method: http.MethodGet, Path: prefix + "/tiles/{tileMatrixSetId}", Params: paramsOf(formParam{}, &zoomParams{}), Answer: formAnswer("TileSet", CacheDocuments)}, m.tileset},
		{Route{Name: name + "_tile", Method: http.MethodGet, Path: prefix + "/tiles/{tileMatrixSetId}/{z}/{x}/{y}", Params: tileParams, Answer: imageAnswer}, m.tile},
		{Route{Name: name + "_tile_assets", Method: http.MethodGet, Path: prefix + "/tiles/{tileMatrixSetId}/{z}/{x}/{y}/assets", Params: paramsOf(&searchParams{}), Answer: jsonAnswer("Items", CacheDocuments)}, m.tileAssets},
		{Route{Name: name + "_tilejson", Method: http.MethodGet, Path: prefix + "/{tileMatrixSetId}/tilejson.json", Params: tileJSONParams, Answer: jsonAnswer("TileJSON", CacheDocuments)}, m.tilejson},
		{Route{Name: name + "_map", Method: http.MethodGet, Path: prefix + "/{tileMatrixSetId}/map.html", Params: tileJSONParams, Answer: htmlPage}, m.mapPage}, // its query goes to the TileJSON
		{Route{Name: name + "_wmts", Method: http.MethodGet, Path: prefix + "/WMTSCapabilities.xml", Params: append(paramsOf(&wmtsRequest{}), tileParams...), Answer: wmtsAnswer}, m.wmts},
	}
	rs = append(rs, m.pointRoutes(prefix, name)...)      // point.go
	rs = append(rs, m.partRoutes(prefix, name)...)       // parts.go
	rs = append(rs, m.statisticsRoutes(prefix, name)...) // statistics.go
	for i := range rs {
		ps := rs[i].Params
		rs[i].Params = append(ps[:len(ps):len(ps)], filters...)
	}
	return rs
}

type mosaicHandlers struct {
	s       *Server
	resolve func(*http.Request) (*mosaic, error)
	// tileGroups are the parameters the source's tile route takes, which
	// its TileJSON, viewer and WMTS routes check and pass on.
	tileGroups func() []group
	// core is set for one item's routes, whose documents are titiler.core's
	// (TileJSON with raster_layers and no name, tilesets with access
	// constraints) rather than titiler.mosaic's.
	core bool
}

// zoomRange is the mosaic's zooms in a set.
func (mo *mosaic) zoomRange(tms *tiles.TileMatrixSet) (int, int) {
	if mo.zooms != nil {
		return mo.zooms(tms)
	}
	return zoomRange(mo.search, tms)
}

// maxTileSize bounds the pixels of one tile side, so one request cannot ask
// for an arbitrarily large image.
const maxTileSize = 2048

// tileRef is a tile request's path: set, tile, scale and format.
type tileRef struct {
	tms    *tiles.TileMatrixSet
	tile   tiles.Tile
	scale  int
	format string // "" when the URL names none
}

// lastSegment is y, with the older @{scale}x and a format: 7, 7.png, 7@2x.webp.
var lastSegment = regexp.MustCompile(`^(\d+)(?:@([1-4])x)?(?:\.([A-Za-z0-9]+))?$`)

func parseTileRef(vars map[string]string) (tileRef, error) {
	var t tileRef
	tms, err := lookupTMS(vars["tileMatrixSetId"])
	if err != nil {
		return t, err
	}
	t.tms = tms
	z, err1 := strconv.Atoi(vars["z"])
	x, err2 := strconv.Atoi(vars["x"])
	m := lastSegment.FindStringSubmatch(vars["y"])
	if err1 != nil || err2 != nil || m == nil {
		return t, tilefunc.Errorf(tilefunc.EINVALID, "tile address %s/%s/%s: want whole numbers, as z/x/y[@{scale}x][.{format}]", vars["z"], vars["x"], vars["y"])
	}
	y, _ := strconv.Atoi(m[1])
	t.tile = tiles.Tile{Z: z, X: x, Y: y}
	t.scale = 1
	if m[2] != "" {
		t.scale, _ = strconv.Atoi(m[2])
	}
	t.format = m[3]
	return t, nil
}

func lookupTMS(id string) (*tiles.TileMatrixSet, error) {
	tms, ok := tiles.LookupTMS(id)
	if !ok {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "tileMatrixSetId: unknown tile matrix set %q: use one of %v", id, tiles.TMSIDs())
	}
	return tms, nil
}

// parseTileRequest reads a tile's path and the format it names (nil:
// none).
func parseTileRequest(vars map[string]string) (tileRef, *tiles.Format, error) {
	ref, err := parseTileRef(vars)
	if err != nil || ref.format == "" {
		return ref, nil, err
	}
	f, err := tiles.ParseFormat(ref.format)
	return ref, &f, err
}

// window is the tile's grid with the request's tile options.
func (ref tileRef) window(o tileOptions) (tiles.Window, error) {
	size := o.size
	if size == 0 {
		size = 256 * ref.scale
	}
	win, err := ref.tms.Window(ref.tile, size) // coalesced tiles are wider than high
	if err != nil {
		return win, err
	}
	if win.Width > 4*maxTileSize {
		return win, tilefunc.Errorf(tilefunc.EINVALID, "tilesize: %d makes this coalesced tile %d pixels wide, above the %d limit", size, win.Width, 4*maxTileSize)
	}
	win.Buffer, win.Padding = o.buffer, o.padding
	return win, nil
}

// tileRoute are the parameters of a tile: every image group and the
// tile's own (titiler's tile dependencies).
type tileRoute struct {
	*imageParams
	tile tileOptions
}

func newTileRoute(defaults tilefunc.SearchOptions) *tileRoute {
	return &tileRoute{imageParams: newImageParams(defaults)}
}

// newItemTileRoute are the parameters of one item's tile.
func newItemTileRoute() *tileRoute { return &tileRoute{imageParams: newItemImageParams()} }

func (t *tileRoute) groups() []group { return append(t.imageParams.groups(), &t.tile) }

// tile serves one tile: pgSTAC finds the items under it, the pipeline reads,
// merges and draws them.
func (m mosaicHandlers) tile(w http.ResponseWriter, r *http.Request) error {
	ref, format, err := parseTileRequest(mux.Vars(r))
	if err != nil {
		return err
	}
	p := newTileRoute(m.s.Search)
	if err := parseQuery(r.URL.RawQuery, p.groups()...); err != nil {
		return err
	}
	win, err := ref.window(p.tile)
	if err != nil {
		return err
	}
	geo, err := ref.tms.GeoBounds(ref.tile)
	if err != nil {
		return err
	}
	catalog := time.Now()
	mo, err := m.resolve(r)
	if err != nil {
		return err
	}
	if minz, maxz := zoomRange(mo.search, ref.tms); m.s.StrictZoom && (ref.tile.Z < minz || ref.tile.Z > maxz) {
		// The mosaic's metadata bounds its zooms (titiler's MOSAIC_STRICT_ZOOM).
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "Invalid ZOOM level %d. Should be between %d and %d", ref.tile.Z, minz, maxz)
	}
	opts := p.search.SearchOptions
	items, err := m.s.items.get(fmt.Sprintf("%s|%v|%+v", mo.key, geo, opts), func() ([]tilefunc.Item, error) {
		return mo.items(r.Context(), geo, opts)
	})
	if err != nil {
		return err
	}
	timing.From(r.Context()).Since(timing.Catalog, catalog)
	if len(items) == 0 {
		return tilefunc.Errorf(tilefunc.ENOCONTENT, "no item covers the tile")
	}
	img, err := m.s.Renderer.Image(r.Context(), items, win, p.spec())
	if err != nil {
		return err
	}
	m.s.assetsHeader(w, img, items)
	return writeImage(r.Context(), w, img, p.style(), format, ref.tms.CRS)
}

// assetsHeader names the items an image was made of (collection/item),
// in debug mode, as titiler-pgstac's X-Assets.
func (s *Server) assetsHeader(w http.ResponseWriter, img *raster.Image, items []tilefunc.Item) {
	if s.Debug {
		w.Header().Set("X-Assets", strings.Join(usedAssets(img, items), ","))
	}
}

// writeImage draws and encodes an image, with the headers titiler sets on
// it: its extent and CRS. Drawing is the request's encode stage. The
// image's band buffers go to later images after: a tile's 256×256 bands
// are most of what a request allocates, and reusing them spares the
// collector.
func writeImage(ctx context.Context, w http.ResponseWriter, img *raster.Image, st tiles.Style, format *tiles.Format, crsURI string) error {
	defer img.Recycle()
	encoding := time.Now()
	body, f, err := tiles.Draw(img, st, format)
	timing.From(ctx).Since(timing.Encode, encoding)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	b := img.Bounds
	h.Set("Content-Bbox", fmt.Sprintf("%g,%g,%g,%g", b[0], b[1], b[2], b[3]))
	if crsURI != "" {
		h.Set("Content-Crs", "<"+crsURI+">")
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// tileJSON is a TileJSON 3.0.0 document.
type tileJSON struct {
	TileJSON    string     `json:"tilejson"`
	Version     string     `json:"version"`
	Attribution string     `json:"attribution,omitempty"` // TITILER_DEFAULT_ATTRIBUTION
	Scheme      string     `json:"scheme"`
	Tiles       []string   `json:"tiles"`
	MinZoom     int        `json:"minzoom"`
	MaxZoom     int        `json:"maxzoom"`
	Bounds      [4]float64 `json:"bounds"`
	Center      [3]float64 `json:"center"`
	// RasterLayers are an item's renders, and a plain raster's bands
	// (titiler's custom fields).
	RasterLayers     json.RawMessage `json:"raster_layers,omitempty"`
	BandDescriptions [][2]string     `json:"band_descriptions,omitempty"`
	DataType         string          `json:"data_type,omitempty"`
	MinMax           [][2]float64    `json:"minmax,omitempty"`
}

// functionKey is the Azure Functions key parameter: a secret the host
// forwards with the query, never written into a response. The host reads
// it whatever its case (ASP.NET's query is case-insensitive), so every
// comparison with it is too.
const functionKey = "code"

// dropFunctionKey deletes the function key from v, in any case.
func dropFunctionKey(v url.Values) {
	for k := range v {
		if strings.EqualFold(k, functionKey) {
			delete(v, k)
		}
	}
}

// tileJSONOptions are the tilejson route's own parameters; every other
// parameter is carried into the tile URL (tile_scale, titiler's older
// name, is dropped from it).
type tileJSONOptions struct {
	format           string // tile_format as written: the tile URL's extension
	minzoom, maxzoom int    // -1: the mosaic's
}

func (*tileJSONOptions) params() []Param {
	return []Param{
		{Name: "tile_format", Type: "string", Enum: tiles.FormatNames(), Description: "The tiles' format (default: JPEG or PNG, tile by tile)."},
		{Name: "minzoom", Type: "integer", Description: "The lowest zoom (default: the mosaic's)."},
		{Name: "maxzoom", Type: "integer", Description: "The highest zoom (default: the mosaic's)."},
	}
}

func (o *tileJSONOptions) parse(q *query) {
	if f := q.v.Get("tile_format"); f != "" {
		if _, err := tiles.ParseFormat(f); err != nil {
			q.failWith("tile_format", err)
		}
		o.format = f
	}
	o.minzoom, o.maxzoom = q.int("minzoom", -1, 0), q.int("maxzoom", -1, 0)
}

// tileJSONDropped are the query keys the tile URL does not carry.
var tileJSONDropped = []string{"tile_format", "tile_scale", "minzoom", "maxzoom", functionKey}

func (m mosaicHandlers) tilejson(w http.ResponseWriter, r *http.Request) error {
	tms, err := lookupTMS(mux.Vars(r)["tileMatrixSetId"])
	if err != nil {
		return err
	}
	// The tiles will need valid parameters: say so now.
	var o tileJSONOptions
	q := newQuery(queryValues(r.URL.RawQuery))
	if err := q.parse(append([]group{&o}, m.tileGroups()...)...); err != nil {
		return err
	}
	mo, err := m.resolve(r)
	if err != nil {
		return err
	}
	minz, maxz := mo.zoomRange(tms)
	if o.minzoom >= 0 {
		minz = o.minzoom
	}
	if o.maxzoom >= 0 {
		maxz = o.maxzoom
	}
	tile := fmt.Sprintf("%s%s/tiles/%s/{z}/{x}/{y}", baseURL(r), mo.path, tms.ID)
	if o.format != "" {
		tile += "." + o.format
	}
	// The tile URL keeps the request's parameters in their order, with
	// titiler's tilesize=512 last unless the request sets one.
	pass := passQuery(r.URL.RawQuery, tileJSONDropped...)
	if !q.v.Has("tilesize") {
		pass = append(pass, "tilesize=512")
	}
	b := mosaicBounds(mo.search, tms)
	doc := tileJSON{
		TileJSON: "3.0.0", Version: "1.0.0", Scheme: "xyz", Attribution: m.s.Attribution,
		Tiles:   []string{tile + "?" + strings.Join(pass, "&")},
		MinZoom: minz, MaxZoom: maxz, Bounds: b,
		Center: [3]float64{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, float64(minz)},
		// A mosaic's presets in the form its tile route takes; an item's
		// renders as written.
		RasterLayers: rasterLayers(mo.search.Metadata.Extra["defaults"], !m.core),
	}
	if in := mo.info; in != nil {
		doc.BandDescriptions, doc.DataType, doc.MinMax = in.BandDescriptions, in.DType, in.MinMax
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// zoomRange is the mosaic's zooms: its metadata, else the whole set.
func zoomRange(s *tilefunc.Search, tms *tiles.TileMatrixSet) (int, int) {
	minz, maxz := tms.MinZoom(), tms.MaxZoom()
	if s.Metadata.MinZoom != nil {
		minz = *s.Metadata.MinZoom
	}
	if s.Metadata.MaxZoom != nil {
		maxz = *s.Metadata.MaxZoom
	}
	return minz, maxz
}

// mosaicBounds is the mosaic's extent in longitude/latitude: the search's
// bbox, else its metadata bounds, else the set's.
func mosaicBounds(s *tilefunc.Search, tms *tiles.TileMatrixSet) [4]float64 {
	var q struct {
		BBox []float64 `json:"bbox"`
	}
	if json.Unmarshal(s.Search, &q) == nil {
		if b, ok := tilefunc.Box2D(q.BBox); ok {
			return b
		}
	}
	if b, ok := tilefunc.Box2D(s.Metadata.Bounds); ok {
		return b
	}
	return tms.Geo
}

// mapPage serves the viewer of the TileJSON the same query gives; a query
// the tiles would refuse (no assets) is refused now, as titiler's viewer
// route takes the tile parameters too.
func (m mosaicHandlers) mapPage(w http.ResponseWriter, r *http.Request) error {
	tms, err := lookupTMS(mux.Vars(r)["tileMatrixSetId"])
	if err != nil {
		return err
	}
	if err := parseQuery(r.URL.RawQuery, append([]group{&tileJSONOptions{}}, m.tileGroups()...)...); err != nil {
		return err
	}
	mo, err := m.resolve(r)
	if err != nil {
		return err
	}
	tj := fmt.Sprintf("%s%s/%s/tilejson.json", baseURL(r), mo.path, tms.ID)
	q := queryValues(r.URL.RawQuery)
	dropFunctionKey(q)
	if len(q) > 0 {
		tj += "?" + q.Encode()
	}
	return m.s.renderViewer(w, r, mo.path, tms, tj)
}
