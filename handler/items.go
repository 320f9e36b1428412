package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
)

// itemPrefix is where one STAC item's routes live.
const itemPrefix = "/collections/{collection_id}/items/{item_id}"

// itemRoutes declares the routes of one STAC item: titiler-pgstac's
// MultiBaseTilerFactory over its PgSTACReader, with the WMTS and render
// extensions. The tileset, TileJSON, viewer and WMTS routes are the
// mosaic's, over a mosaic of the one item; the image routes run the item
// through the pipeline (tiles.Renderer.Item), with no pgSTAC search.
func (s *Server) itemRoutes() []route {
	h := itemHandlers{s: s}
	m := mosaicHandlers{s: s, resolve: s.itemMosaic, tileGroups: func() []group { return newItemTileRoute().groups() }, core: true}
	tile := paramsOf(m.tileGroups()...)
	tileJSON := append(paramsOf(&tileJSONOptions{}), tile...)
	part := paramsOf(newItemPartRoute(nil).groups()...)
	preview := paramsOf(newPreviewRoute(nil).groups()...)
	bbox := itemPrefix + "/bbox/{minx},{miny},{maxx},{maxy}"
	return []route{
		{Route{Name: "item_info", Method: http.MethodGet, Path: itemPrefix + "/info", Params: paramsOf(&assetsParams{})}, h.info},
		{Route{Name: "item_info_geojson", Method: http.MethodGet, Path: itemPrefix + "/info.geojson", Params: paramsOf(&assetsParams{}, &extentCRS{})}, h.infoGeoJSON},
		{Route{Name: "item_assets", Method: http.MethodGet, Path: itemPrefix + "/assets"}, h.assets},
		{Route{Name: "item_asset_statistics", Method: http.MethodGet, Path: itemPrefix + "/asset_statistics", Params: paramsOf(newAssetStatisticsRoute().groups()...)}, h.assetStatistics},
		{Route{Name: "item_statistics", Method: http.MethodGet, Path: itemPrefix + "/statistics", Params: paramsOf(newItemStatisticsRoute(nil).groups()...)}, h.statistics},
		{Route{Name: "item_statistics_feature", Method: http.MethodPost, Path: itemPrefix + "/statistics", Params: paramsOf(newItemFeatureStatisticsRoute().groups()...)}, h.featureStatistics},
		{Route{Name: "item_tilesets", Method: http.MethodGet, Path: itemPrefix + "/tiles", Params: paramsOf(formParam{}, &extentCRS{})}, m.tilesets},
		{Route{Name: "item_tileset", Method: http.MethodGet, Path: itemPrefix + "/tiles/{tileMatrixSetId}", Params: paramsOf(formParam{}, &zoomParams{})}, m.tileset},
		{Route{Name: "item_tile", Method: http.MethodGet, Path: itemPrefix + "/tiles/{tileMatrixSetId}/{z}/{x}/{y}", Params: tile}, h.tile},
		{Route{Name: "item_tilejson", Method: http.MethodGet, Path: itemPrefix + "/{tileMatrixSetId}/tilejson.json", Params: tileJSON}, m.tilejson},
		{Route{Name: "item_map", Method: http.MethodGet, Path: itemPrefix + "/{tileMatrixSetId}/map.html", Params: tileJSON}, m.mapPage},
		{Route{Name: "item_wmts", Method: http.MethodGet, Path: itemPrefix + "/WMTSCapabilities.xml", Params: append(paramsOf(&wmtsRequest{}), tile...)}, m.wmts},
		{Route{Name: "item_point", Method: http.MethodGet, Path: itemPrefix + "/point/{lon},{lat}", Params: paramsOf(newItemPointRoute().groups()...)}, h.point},
		{Route{Name: "item_preview", Method: http.MethodGet, Path: itemPrefix + "/preview", Params: preview}, h.preview},
		{Route{Name: "item_preview_format", Method: http.MethodGet, Path: itemPrefix + "/preview.{format}", Params: preview}, h.preview},
		{Route{Name: "item_preview_size", Method: http.MethodGet, Path: itemPrefix + "/preview/{width}x{height}.{format}", Params: preview}, h.preview},
		{Route{Name: "item_bbox", Method: http.MethodGet, Path: bbox + ".{format}", Params: part}, h.bboxImage},
		{Route{Name: "item_bbox_size", Method: http.MethodGet, Path: bbox + "/{width}x{height}.{format}", Params: part}, h.bboxImage},
		{Route{Name: "item_feature", Method: http.MethodPost, Path: itemPrefix + "/feature", Params: part}, h.featureImage},
		{Route{Name: "item_feature_format", Method: http.MethodPost, Path: itemPrefix + "/feature.{format}", Params: part}, h.featureImage},
		{Route{Name: "item_feature_size", Method: http.MethodPost, Path: itemPrefix + "/feature/{width}x{height}.{format}", Params: part}, h.featureImage},
		{Route{Name: "item_renders", Method: http.MethodGet, Path: itemPrefix + "/renders"}, h.renderList},
		{Route{Name: "item_render", Method: http.MethodGet, Path: itemPrefix + "/renders/{render_id}"}, h.render},
	}
}

type itemHandlers struct{ s *Server }

// item is the route's item, read from pgSTAC (get_item) or the cache.
func (s *Server) item(r *http.Request) (*tilefunc.Item, error) {
	vars := mux.Vars(r)
	c, id := vars["collection_id"], vars["item_id"]
	return s.itemDocs.get(c+"/"+id, func() (*tilefunc.Item, error) {
		return s.Catalog.Item(r.Context(), c, id)
	})
}

// itemMosaic is a mosaic of the route's one item, for the routes that
// only describe its tiles: its extent is the item's, its zooms its grid's.
func (s *Server) itemMosaic(r *http.Request) (*mosaic, error) {
	it, err := s.item(r)
	if err != nil {
		return nil, err
	}
	b := itemBounds(*it)
	meta := tilefunc.SearchMetadata{Bounds: b[:], Extra: map[string]json.RawMessage{}}
	if rs := itemRenders(*it); rs != nil {
		meta.Extra["defaults"] = rs
	}
	path := "/collections/" + it.Collection + "/items/" + it.ID
	grid, hasGrid := projGrid(*it)
	return &mosaic{key: "item " + path, hash: it.ID, path: path, search: &tilefunc.Search{Search: json.RawMessage(`{}`), Metadata: meta},
		zooms: func(tms *tiles.TileMatrixSet) (int, int) {
			if hasGrid {
				if minz, maxz, ok := tms.GridZooms(grid.srs, grid.gt, grid.width, grid.height); ok {
					return minz, maxz
				}
			}
			return tms.MinZoom(), tms.MaxZoom()
		},
		items: func(context.Context, [4]float64, tilefunc.SearchOptions) ([]tilefunc.Item, error) {
			return []tilefunc.Item{*it}, nil
		}}, nil
}

// itemBounds is the item's bbox in longitude/latitude (2D).
func itemBounds(it tilefunc.Item) [4]float64 {
	switch b := it.BBox; len(b) {
	case 4:
		return [4]float64{b[0], b[1], b[2], b[3]}
	case 6:
		return [4]float64{b[0], b[1], b[3], b[4]}
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
	names := rasterAssets(*it)
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
func (p *assetsParams) expand(it tilefunc.Item) ([]tiles.AssetSpec, []string) {
	if len(p.specs) != 1 || p.specs[0].Name != ":all:" {
		return p.specs, p.keys
	}
	names := rasterAssets(it)
	specs := make([]tiles.AssetSpec, len(names))
	for i, n := range names {
		specs[i] = tiles.AssetSpec{Name: n}
	}
	return specs, names
}

// info answers each asset's raster description, keyed by asset.
func (h itemHandlers) info(w http.ResponseWriter, r *http.Request) error {
	var p assetsParams
	if err := parseQuery(r.URL.RawQuery, &p); err != nil {
		return err
	}
	it, err := h.s.item(r)
	if err != nil {
		return err
	}
	specs, keys := p.expand(*it)
	body, err := h.assetInfo(r, *it, specs, keys)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// assetInfo is {asset: info, ...} in the order asked.
func (h itemHandlers) assetInfo(r *http.Request, it tilefunc.Item, specs []tiles.AssetSpec, keys []string) ([]byte, error) {
	if err := checkAssets(specs, it); err != nil {
		return nil, err
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	infos, err := h.s.Renderer.Info(r.Context(), it, names)
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
func invalidAsset(name string, it tilefunc.Item) error {
	return tilefunc.Errorf(tilefunc.ENOTFOUND, "'%s' is not valid, should be one of %s", name, pyList(rasterAssets(it)))
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
	if err := parseQuery(r.URL.RawQuery, &p, &ext); err != nil {
		return err
	}
	it, err := h.s.item(r)
	if err != nil {
		return err
	}
	specs, keys := p.expand(*it)
	props, err := h.assetInfo(r, *it, specs, keys)
	if err != nil {
		return err
	}
	b := itemBounds(*it)
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
		"properties": json.RawMessage(props),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(out)
	return err
}
