package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/internal/timing"
	"tilefunc/tiles"
)

// itemPrefix is where one STAC item's routes live.
const itemPrefix = "/collections/{collection_id}/items/{item_id}"

// itemRoutes declares the routes of one STAC item: titiler-pgstac's
// MultiBaseTilerFactory over its PgSTACReader, with the WMTS and render
// extensions; and, where enabled, the routes of one of its assets and of
// an external raster (titiler's TilerFactory). The tileset, TileJSON,
// viewer and WMTS routes are the mosaic's, over a mosaic of the one
// source; the image routes run it through the pipeline
// (tiles.Renderer.Item), with no pgSTAC search.
func (s *Server) itemRoutes() []route {
	h := itemHandlers{s: s, kind: itemSource}
	rs := []route{
		{Route{Name: "item_info", Method: http.MethodGet, Path: itemPrefix + "/info", Params: paramsOf(&assetsParams{}), Answer: jsonAnswer("Infos", CacheDocuments)}, h.info},
		{Route{Name: "item_info_geojson", Method: http.MethodGet, Path: itemPrefix + "/info.geojson", Params: paramsOf(&assetsParams{}, &extentCRS{}), Answer: geoJSONAnswer("InfoFeature", CacheDocuments)}, h.infoGeoJSON},
		{Route{Name: "item_assets", Method: http.MethodGet, Path: itemPrefix + "/assets", Answer: jsonAnswer("AssetList", CacheDocuments)}, h.assets},
		{Route{Name: "item_asset_statistics", Method: http.MethodGet, Path: itemPrefix + "/asset_statistics", Params: paramsOf(newAssetStatisticsRoute().groups()...), Answer: jsonAnswer("AssetStatistics", CacheImages)}, h.assetStatistics},
	}
	rs = append(rs, h.imageRoutes(itemPrefix, "item")...)
	rs = append(rs,
		route{Route{Name: "item_renders", Method: http.MethodGet, Path: itemPrefix + "/renders", Answer: jsonAnswer("RenderList", CacheDocuments)}, h.renderList},
		route{Route{Name: "item_render", Method: http.MethodGet, Path: itemPrefix + "/renders/{render_id}", Answer: jsonAnswer("Render", CacheDocuments)}, h.render})
	if s.AssetRoutes {
		rs = append(rs, s.rasterRoutes(assetSource, itemPrefix+"/assets/{asset_id}", "asset")...)
	}
	// The item and asset routes look their item up first (a missing one is
	// 404 before a bad parameter is 422); an external raster has none.
	rs = lookingUpFirst(rs, func(r *http.Request) (any, error) { return s.item(r) })
	if s.ExternalRoutes {
		rs = append(rs, s.rasterRoutes(externalSource, "/external", "external")...)
	}
	return rs
}

// rasterRoutes are the routes of one raster: an item's asset, or an
// external file (titiler's TilerFactory with the WMTS extension).
func (s *Server) rasterRoutes(kind sourceKind, prefix, name string) []route {
	h := itemHandlers{s: s, kind: kind}
	info := h.declare() // none, or an external raster's url
	rs := []route{
		{Route{Name: name + "_info", Method: http.MethodGet, Path: prefix + "/info", Params: info, Answer: jsonAnswer("Info", CacheDocuments)}, h.rasterInfo},
		{Route{Name: name + "_info_geojson", Method: http.MethodGet, Path: prefix + "/info.geojson", Params: append(paramsOf(&extentCRS{}), info...), Answer: geoJSONAnswer("InfoFeature", CacheDocuments)}, h.rasterInfoGeoJSON},
	}
	return append(rs, h.imageRoutes(prefix, name)...)
}

// imageRoutes are the routes every source has: statistics, tilesets,
// tiles, TileJSON, viewer, WMTS, point, preview, bbox and feature.
func (h itemHandlers) imageRoutes(prefix, name string) []route {
	m := mosaicHandlers{s: h.s, resolve: h.mosaic, tileGroups: func() []group { return h.declared(newItemTileRoute().groups()) }, core: true}
	tile := paramsOf(m.tileGroups()...)
	tileJSON := append(paramsOf(&tileJSONOptions{}), tile...)
	part := h.declare(newItemPartRoute(nil).groups()...)
	preview := h.declare(newPreviewRoute(nil).groups()...)
	bbox := prefix + "/bbox/{minx},{miny},{maxx},{maxy}"
	own := h.declare() // the source's own parameters (an external url), which the tile groups hold too
	return []route{
		{Route{Name: name + "_statistics", Method: http.MethodGet, Path: prefix + "/statistics", Params: h.declare(newItemStatisticsRoute(nil).groups()...), Answer: jsonAnswer("Statistics", CacheImages)}, h.statistics},
		{Route{Name: name + "_statistics_feature", Method: http.MethodPost, Path: prefix + "/statistics", Params: h.declare(newItemFeatureStatisticsRoute().groups()...), Answer: geoJSONAnswer("StatisticsFeatures", CacheImages)}, h.featureStatistics},
		{Route{Name: name + "_tilesets", Method: http.MethodGet, Path: prefix + "/tiles", Params: append(paramsOf(formParam{}, &extentCRS{}), own...), Answer: formAnswer("TileSetList", CacheDocuments)}, m.tilesets},
		{Route{Name: name + "_tileset", Method: http.MethodGet, Path: prefix + "/tiles/{tileMatrixSetId}", Params: append(paramsOf(formParam{}, &zoomParams{}), own...), Answer: formAnswer("TileSet", CacheDocuments)}, m.tileset},
		{Route{Name: name + "_tile", Method: http.MethodGet, Path: prefix + "/tiles/{tileMatrixSetId}/{z}/{x}/{y}", Params: tile, Answer: imageAnswer}, h.tile},
		{Route{Name: name + "_tilejson", Method: http.MethodGet, Path: prefix + "/{tileMatrixSetId}/tilejson.json", Params: tileJSON, Answer: jsonAnswer("TileJSON", CacheDocuments)}, m.tilejson},
		{Route{Name: name + "_map", Method: http.MethodGet, Path: prefix + "/{tileMatrixSetId}/map.html", Params: tileJSON, Answer: htmlPage}, m.mapPage},
		{Route{Name: name + "_wmts", Method: http.MethodGet, Path: prefix + "/WMTSCapabilities.xml", Params: append(paramsOf(&wmtsRequest{}), tile...), Answer: wmtsAnswer}, m.wmts},
		{Route{Name: name + "_point", Method: http.MethodGet, Path: prefix + "/point/{lon},{lat}", Params: h.declare(newItemPointRoute().groups()...), Answer: jsonAnswer("Point", CacheImages)}, h.point},
		{Route{Name: name + "_preview", Method: http.MethodGet, Path: prefix + "/preview", Params: preview, Answer: imageAnswer}, h.preview},
		{Route{Name: name + "_preview_format", Method: http.MethodGet, Path: prefix + "/preview.{format}", Params: preview, Answer: imageAnswer}, h.preview},
		{Route{Name: name + "_preview_size", Method: http.MethodGet, Path: prefix + "/preview/{width}x{height}.{format}", Params: preview, Answer: imageAnswer}, h.preview},
		{Route{Name: name + "_bbox", Method: http.MethodGet, Path: bbox + ".{format}", Params: part, Answer: imageAnswer}, h.partImage(bboxRequest)},
		{Route{Name: name + "_bbox_size", Method: http.MethodGet, Path: bbox + "/{width}x{height}.{format}", Params: part, Answer: imageAnswer}, h.partImage(bboxRequest)},
		{Route{Name: name + "_feature", Method: http.MethodPost, Path: prefix + "/feature", Params: part, Answer: imageAnswer}, h.partImage(featureRequest)},
		{Route{Name: name + "_feature_format", Method: http.MethodPost, Path: prefix + "/feature.{format}", Params: part, Answer: imageAnswer}, h.partImage(featureRequest)},
		{Route{Name: name + "_feature_size", Method: http.MethodPost, Path: prefix + "/feature/{width}x{height}.{format}", Params: part, Answer: imageAnswer}, h.partImage(featureRequest)},
	}
}

// sourceKind is what an itemHandlers serves.
type sourceKind int

const (
	itemSource     sourceKind = iota // a STAC item: assets=... names what to read
	assetSource                      // one asset of an item, read as a plain raster: bidx and expression
	externalSource                   // a raster at url=, read as a plain raster
)

// itemHandlers serve the routes of one source.
type itemHandlers struct {
	s    *Server
	kind sourceKind
}

// externalAsset is the asset name of an external raster.
const externalAsset = "url"

// rasterAsset is the asset a plain-raster route reads; "" for an item.
func (h itemHandlers) rasterAsset(r *http.Request) string {
	switch h.kind {
	case assetSource:
		if r == nil {
			return "{asset_id}"
		}
		return mux.Vars(r)["asset_id"]
	case externalSource:
		return externalAsset
	}
	return ""
}

// fix points the layer group among gs at the route's raster, if it has one.
func (h itemHandlers) fix(r *http.Request, gs []group) []group {
	for _, g := range gs {
		if l, ok := g.(*layerParams); ok {
			l.raster = h.rasterAsset(r)
		}
	}
	if h.kind == externalSource {
		gs = append(gs, &externalURL{})
	}
	return gs
}

// declared are gs as the source's routes declare them.
func (h itemHandlers) declared(gs []group) []group { return h.fix(nil, gs) }

// declare is the parameters of gs as the source's routes take them.
func (h itemHandlers) declare(gs ...group) []Param { return paramsOf(h.declared(gs)...) }

// parse reads the request's query into gs, the layer as the source reads it.
func (h itemHandlers) parse(r *http.Request, gs ...group) error {
	return parseQuery(r.URL.RawQuery, h.fix(r, gs)...)
}

// itemDoc is an item as its routes use it: the STAC item, and its raster
// assets in the order its document lists them, worked out once.
type itemDoc struct {
	tilefunc.Item
	rasters []string
}

// item is the route's item, read from pgSTAC (get_item) or the cache.
func (s *Server) item(r *http.Request) (*itemDoc, error) {
	if doc, ok := r.Context().Value(resolvedKey{}).(*itemDoc); ok {
		return doc, nil
	}
	defer timing.From(r.Context()).Since(timing.Catalog, time.Now())
	vars := mux.Vars(r)
	c, id := vars["collection_id"], vars["item_id"]
	return s.itemDocs.get(c+"/"+id, func() (*itemDoc, error) {
		it, err := s.Catalog.Item(r.Context(), c, id)
		if err != nil {
			return nil, err
		}
		return &itemDoc{Item: *it, rasters: rasterAssets(*it)}, nil
	})
}

// source is the route's item: the item, the item of the asset, or an
// external raster as an item of one asset.
func (h itemHandlers) source(r *http.Request) (*itemDoc, error) {
	if h.kind != externalSource {
		return h.s.item(r)
	}
	var u externalURL
	if err := parseQuery(r.URL.RawQuery, &u); err != nil {
		return nil, err
	}
	it := tilefunc.Item{ID: "external", Assets: map[string]tilefunc.Asset{externalAsset: {Href: u.url}}}
	return &itemDoc{Item: it, rasters: []string{externalAsset}}, nil
}

// mosaic is a mosaic of the route's one source, for the routes that only
// describe its tiles: an item's extent and zooms are its STAC metadata's
// (bbox, projection extension), a raster's its own.
func (h itemHandlers) mosaic(r *http.Request) (*mosaic, error) {
	it, err := h.source(r)
	if err != nil {
		return nil, err
	}
	path := "/collections/" + it.Collection + "/items/" + it.ID
	switch h.kind {
	case assetSource:
		path += "/assets/" + h.rasterAsset(r)
	case externalSource:
		path = "/external"
	}
	mo := &mosaic{key: "item " + path, hash: it.ID, path: path, search: &tilefunc.Search{Search: json.RawMessage(`{}`)},
		items: func(context.Context, [4]float64, tilefunc.SearchOptions) ([]tilefunc.Item, error) {
			return []tilefunc.Item{it.Item}, nil
		}}
	b := itemBounds(it.Item)
	g, hasGrid := projGrid(it.Item)
	meta := tilefunc.SearchMetadata{Extra: map[string]json.RawMessage{}}
	if h.kind == itemSource {
		if rs := itemRenders(it.Item); rs != nil {
			meta.Extra["defaults"] = rs
		}
	} else {
		asset := h.rasterAsset(r)
		if err := checkAssets([]tiles.AssetSpec{{Name: asset}}, it); err != nil {
			return nil, err
		}
		infos, err := h.s.Renderer.Info(r.Context(), it.Item, []string{asset})
		if err != nil {
			return nil, err
		}
		in := infos[0]
		mo.info = &in
		g, hasGrid = rasterGrid(in), true
		if b, err = tiles.TransformBounds(in.Bounds, tiles.CRS{SRS: g.srs}, tiles.WGS84); err != nil {
			return nil, err
		}
	}
	meta.Bounds = b[:]
	mo.search.Metadata = meta
	// Each set's zooms once per request: a WMTS document asks for them per
	// layer, and a projected set's need GDAL's warp suggestion.
	zooms := map[string][2]int{}
	mo.zooms = func(tms *tiles.TileMatrixSet) (int, int) {
		z, ok := zooms[tms.ID]
		if !ok {
			z = [2]int{tms.MinZoom(), tms.MaxZoom()}
			if hasGrid {
				if minz, maxz, known := tms.GridZooms(g.srs, g.gt, g.width, g.height); known {
					z = [2]int{minz, maxz}
				}
			}
			zooms[tms.ID] = z
		}
		return z[0], z[1]
	}
	return mo, nil
}

// rasterGrid is the grid a raster's description gives.
func rasterGrid(in tiles.AssetInfo) grid {
	b := in.Bounds
	return grid{srs: in.CRS, width: in.Width, height: in.Height,
		gt: [6]float64{b[0], (b[2] - b[0]) / float64(in.Width), 0, b[3], 0, -(b[3] - b[1]) / float64(in.Height)}}
}

// externalURL is the external routes' url: the raster to read, which the
// storage policy must allow (TILEFUNC_ALLOWED_HOSTS, blob accounts, local
// folders in development).
type externalURL struct{ url string }

func (*externalURL) params() []Param {
	return []Param{{Name: "url", Type: "string", Required: true, Description: "The raster's URL (an allowed host, blob account or local folder)."}}
}

func (p *externalURL) parse(q *query) {
	if p.url = q.v.Get("url"); p.url == "" {
		q.fail("url", "Field required")
	}
}

// itemBounds is the item's bbox in longitude/latitude (2D); the world
// without one.
func itemBounds(it tilefunc.Item) [4]float64 {
	if b, ok := tilefunc.Box2D(it.BBox); ok {
		return b
	}
	return [4]float64{-180, -90, 180, 90}
}

// grid is a raster grid an item describes with the projection extension.
type grid struct {
	srs           string
	gt            [6]float64
	width, height int
}

// projGrid is the item's grid from proj:epsg (or proj:code), proj:shape
// and proj:transform, where it gives all three (rio-tiler then takes the
// item's zooms from it).
func projGrid(it tilefunc.Item) (grid, bool) {
	var g grid
	var shape []int
	var tr []float64
	var epsg int
	var code string
	p := it.Properties
	json.Unmarshal(p["proj:epsg"], &epsg)
	json.Unmarshal(p["proj:code"], &code)
	if json.Unmarshal(p["proj:shape"], &shape) != nil || json.Unmarshal(p["proj:transform"], &tr) != nil || len(shape) != 2 || len(tr) < 6 {
		return g, false
	}
	switch {
	case code != "":
		g.srs = code
	case epsg > 0:
		g.srs = fmt.Sprintf("EPSG:%d", epsg)
	default:
		return g, false
	}
	// proj:transform is rasterio's Affine (a, b, c, d, e, f); GDAL's
	// geotransform orders it c, a, b, f, d, e.
	g.gt = [6]float64{tr[2], tr[0], tr[1], tr[5], tr[3], tr[4]}
	g.height, g.width = shape[0], shape[1]
	return g, g.width > 0 && g.height > 0
}

// itemRenders are the item's renders (properties.renders) as a mosaic's
// metadata.defaults, which the TileJSON and WMTS routes offer as layers.
func itemRenders(it tilefunc.Item) json.RawMessage {
	raw, ok := it.Properties["renders"]
	if !ok || string(raw) == "null" {
		return nil
	}
	return raw
}

// rasterTypes are the media types rio-tiler's STAC reader reads; an asset
// of another type is not one of the item's assets (an asset with no type
// is).
var rasterTypes = map[string]bool{
	"image/tiff; application=geotiff":                          true,
	"image/tiff; application=geotiff; profile=cloud-optimized": true,
	"image/tiff; profile=cloud-optimized; application=geotiff": true,
	"image/vnd.stac.geotiff; cloud-optimized=true":             true,
	"image/tiff":         true,
	"image/x.geotiff":    true,
	"image/jp2":          true,
	"application/x-hdf5": true,
	"application/x-hdf":  true,
}

// rasterAssets are the item's raster assets in the order its document
// lists them (pgSTAC's jsonb order, which titiler-pgstac sees too).
func rasterAssets(it tilefunc.Item) []string {
	raw, _ := json.Marshal(it)
	var doc struct {
		Assets json.RawMessage `json:"assets"`
	}
	json.Unmarshal(raw, &doc)
	names, _ := objectInOrder(doc.Assets)
	var out []string
	for _, n := range names {
		if a, ok := it.Assets[n]; ok && (a.Type == "" || rasterTypes[a.Type]) {
			out = append(out, n)
		}
	}
	return out
}

// assets answers the item's raster assets' names.
func (h itemHandlers) assets(w http.ResponseWriter, r *http.Request) error {
	it, err := h.s.item(r)
	if err != nil {
		return err
	}
	names := it.rasters
	if names == nil {
		names = []string{}
	}
	writeJSON(w, http.StatusOK, names)
	return nil
}

// assetsParams are titiler's AssetsParams: the assets to describe, each
// name with optional options; :all: is every raster asset.
type assetsParams struct {
	specs []tiles.AssetSpec
	keys  []string // each asset as titiler keys it in its answers
}

func (*assetsParams) params() []Param {
	return []Param{{Name: "assets", Type: "string", Array: true, Required: true,
		Description: "Asset names (:all: for every raster asset), each with options: name|bidx=1,2|expression=b1*2."}}
}

func (p *assetsParams) parse(q *query) {
	l := layerParams{}
	l.parse(q)
	p.specs = l.Assets
	for _, v := range q.v["assets"] {
		for _, a := range splitAssets(v) {
			if a != "" {
				p.keys = append(p.keys, assetKey(a))
			}
		}
	}
}

// assetKey is how titiler keys an asset with options in its answers:
// name|indexes=[1,2]&expression=b1*2 (its options' Python values, spaces
// dropped).
func assetKey(raw string) string {
	name, opts, ok := strings.Cut(raw, "|")
	if !ok {
		return raw
	}
	var out []string
	for _, opt := range strings.Split(opts, "|") {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "bidx":
			out = append(out, "indexes=["+v+"]")
		case "bands":
			out = append(out, "bands="+pyList(strings.Split(v, ",")))
		default:
			out = append(out, k+"="+v)
		}
	}
	return name + "|" + strings.ReplaceAll(strings.Join(out, "&"), " ", "")
}

// expand is the assets named and their keys, :all: standing for every
// raster asset of the item (titiler's info and statistics routes).
func (p *assetsParams) expand(doc *itemDoc) ([]tiles.AssetSpec, []string) {
	if len(p.specs) != 1 || p.specs[0].Name != ":all:" {
		return p.specs, p.keys
	}
	names := doc.rasters
	specs := make([]tiles.AssetSpec, len(names))
	for i, n := range names {
		specs[i] = tiles.AssetSpec{Name: n}
	}
	return specs, names
}

// info answers each asset's raster description, keyed by asset.
func (h itemHandlers) info(w http.ResponseWriter, r *http.Request) error {
	var p assetsParams
	if err := h.parse(r, &p); err != nil {
		return err
	}
	it, err := h.s.item(r)
	if err != nil {
		return err
	}
	specs, keys := p.expand(it)
	body, err := h.assetInfo(r, it, specs, keys)
	if err != nil {
		return err
	}
	return writeBody(w, "application/json", body)
}

// assetInfo is {asset: info, ...} in the order asked.
func (h itemHandlers) assetInfo(r *http.Request, doc *itemDoc, specs []tiles.AssetSpec, keys []string) ([]byte, error) {
	if err := checkAssets(specs, doc); err != nil {
		return nil, err
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	infos, err := h.s.Renderer.Info(r.Context(), doc.Item, names)
	if err != nil {
		return nil, err
	}
	values := make([]any, len(infos))
	for i := range infos {
		values[i] = infos[i]
	}
	return orderedObject(keys, values)
}

// invalidAsset is titiler's InvalidAssetName (404).
func invalidAsset(name string, doc *itemDoc) error {
	return tilefunc.Errorf(tilefunc.ENOTFOUND, "'%s' is not valid, should be one of %s", name, pyList(doc.rasters))
}

// pyList writes names as Python prints a list of strings.
func pyList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func contains(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// orderedObject writes a JSON object with keys in the order given.
func orderedObject(keys []string, values []any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(values[i])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// infoGeoJSON answers the assets' descriptions as the properties of a
// Feature of the item's extent (in crs, default longitude/latitude).
func (h itemHandlers) infoGeoJSON(w http.ResponseWriter, r *http.Request) error {
	var p assetsParams
	var ext extentCRS
	if err := h.parse(r, &p, &ext); err != nil {
		return err
	}
	it, err := h.s.item(r)
	if err != nil {
		return err
	}
	specs, keys := p.expand(it)
	props, err := h.assetInfo(r, it, specs, keys)
	if err != nil {
		return err
	}
	return writeFeature(w, itemBounds(it.Item), ext, props)
}

// writeFeature answers a GeoJSON Feature of a lon/lat box, carried into
// the crs asked for, with the properties given.
func writeFeature(w http.ResponseWriter, b [4]float64, ext extentCRS, props json.RawMessage) error {
	if ext.crs != "" {
		crs, err := tiles.ParseCRS(ext.crs)
		if err != nil {
			return err
		}
		if b, err = tiles.TransformBounds(b, tiles.WGS84, crs); err != nil {
			return err
		}
	}
	ring := [][2]float64{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}
	out, err := json.Marshal(map[string]any{
		"type": "Feature", "bbox": b,
		"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}},
		"properties": props,
	})
	if err != nil {
		return err
	}
	return writeBody(w, "application/geo+json", out)
}

// rasterInfo answers the raster's description (rio-tiler's Reader.info).
func (h itemHandlers) rasterInfo(w http.ResponseWriter, r *http.Request) error {
	in, err := h.rasterDescription(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

// rasterDescription is the route's raster, described.
func (h itemHandlers) rasterDescription(r *http.Request) (*tiles.AssetInfo, error) {
	if err := h.parse(r); err != nil {
		return nil, err
	}
	mo, err := h.mosaic(r)
	if err != nil {
		return nil, err
	}
	return mo.info, nil
}

// rasterInfoGeoJSON answers the raster's description as the properties
// of a Feature of its extent (in crs, default longitude/latitude).
func (h itemHandlers) rasterInfoGeoJSON(w http.ResponseWriter, r *http.Request) error {
	var ext extentCRS
	if err := h.parse(r, &ext); err != nil {
		return err
	}
	in, err := h.rasterDescription(r)
	if err != nil {
		return err
	}
	b, err := tiles.TransformBounds(in.Bounds, tiles.CRS{SRS: in.CRS}, tiles.WGS84)
	if err != nil {
		return err
	}
	props, _ := json.Marshal(in)
	return writeFeature(w, b, ext, props)
}
