package handler

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// The image routes of one item: tile, preview, bbox, feature, point and
// statistics, each the pipeline run on the item alone (rio-tiler's STAC
// reader), with the parameter groups of the mosaic routes but pixel
// selection and pgSTAC's controls.

// tile serves one tile of the item; 404 where the tile misses it, as
// rio-tiler's TileOutsideBounds.
func (h itemHandlers) tile(w http.ResponseWriter, r *http.Request) error {
	ref, format, err := parseTileRequest(mux.Vars(r))
	if err != nil {
		return err
	}
	p := newItemTileRoute()
	if err := h.parse(r, p.groups()...); err != nil {
		return err
	}
	win, err := ref.window(p.tile)
	if err != nil {
		return err
	}
	if _, err := ref.tms.GeoBounds(ref.tile); err != nil { // a tile outside the set: 404
		return err
	}
	it, err := h.itemWith(r, p.layer.Assets)
	if err != nil {
		return err
	}
	img, err := h.s.Renderer.Item(r.Context(), it.Item, win, p.spec())
	if errors.Is(err, tiles.ErrOutside) {
		t := ref.tile
		return tilefunc.Errorf(tilefunc.ENOTFOUND, "Tile(x=%d, y=%d, z=%d) is outside bounds", t.X, t.Y, t.Z)
	}
	if err != nil {
		return err
	}
	return writeImage(r.Context(), w, img, p.style(), format, ref.tms.CRS)
}

// itemWith is the route's item, the assets named checked against its
// raster assets.
func (h itemHandlers) itemWith(r *http.Request, specs []tiles.AssetSpec) (*itemDoc, error) {
	it, err := h.source(r)
	if err != nil {
		return nil, err
	}
	return it, checkAssets(specs, it)
}

// checkAssets refuses an asset that is not one of the item's rasters
// (titiler's InvalidAssetName, 404), and more assets than one request
// reads (:all: expands past the cap the query's own list has), before
// anything is opened.
func checkAssets(specs []tiles.AssetSpec, doc *itemDoc) error {
	if len(specs) > maxAssets { // :all: of an item with many assets
		return tilefunc.Errorf(tilefunc.EINVALID, "assets: %d assets is above the %d limit; name the ones to read", len(specs), maxAssets)
	}
	for _, s := range specs {
		if !contains(doc.rasters, s.Name) {
			return invalidAsset(s.Name, doc)
		}
	}
	return nil
}

// previewRoute are the parameters of a preview: the image groups, its
// size (at most 1024 pixels a side unless given) and its CRS (the
// rasters' own unless dst_crs names one).
type previewRoute struct {
	*imageParams
	size partSize
	dst  dstCRS
}

func newPreviewRoute(vars map[string]string) *previewRoute {
	return &previewRoute{imageParams: newItemImageParams(), size: partSize{vars: vars, defaultMax: previewMaxSize}}
}

func (p *previewRoute) groups() []group { return append(p.imageParams.groups(), &p.size, &p.dst) }

// window is the whole of each raster, at the size asked for.
func (p *previewRoute) window() tiles.Window {
	return tiles.Window{Whole: true, CRS: p.dst.crs.SRS, Width: p.size.width, Height: p.size.height, MaxSize: p.size.maxSize}
}

// dstCRS is a preview's output CRS (titiler's DstCRSParams, no default).
type dstCRS struct{ crs tiles.CRS }

func (*dstCRS) params() []Param {
	return []Param{{Name: "dst_crs", Type: "string", Description: "CRS of the image (default: the rasters' own)."}}
}

func (p *dstCRS) parse(q *query) { p.crs = q.crs("dst_crs", tiles.CRS{}) }

// preview serves an image of the whole item.
func (h itemHandlers) preview(w http.ResponseWriter, r *http.Request) error {
	vars := mux.Vars(r)
	format, err := imageFormat(vars)
	if err != nil {
		return err
	}
	p := newPreviewRoute(vars)
	if err := h.parse(r, p.groups()...); err != nil {
		return err
	}
	img, err := h.image(r, p.window(), p.spec())
	if err != nil {
		return err
	}
	uri := p.dst.crs.URI
	if p.dst.crs.SRS == "" {
		uri = tiles.CRSURI(img.CRS)
	}
	return writeImage(r.Context(), w, img, p.style(), format, uri)
}

// image runs the pipeline on the route's item.
func (h itemHandlers) image(r *http.Request, win tiles.Window, spec tiles.Spec) (*raster.Image, error) {
	it, err := h.itemWith(r, spec.Layer.Assets)
	if err != nil {
		return nil, err
	}
	return h.s.Renderer.Item(r.Context(), it.Item, win, spec)
}

// partImage serves the image of the part read (bboxRequest,
// featureRequest).
func (h itemHandlers) partImage(read partRequest) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := newItemPartRoute(mux.Vars(r))
		h.fix(r, p.groups())
		win, format, err := read(r, p)
		if err != nil {
			return err
		}
		img, err := h.image(r, win, p.spec())
		if err != nil {
			return err
		}
		return writeImage(r.Context(), w, img, p.style(), format, p.crs.dst.URI)
	}
}

// itemPointRoute are the parameters of an item's point values.
type itemPointRoute struct {
	layer   layerParams
	dataset datasetParams
	crs     crsParams
}

func newItemPointRoute() *itemPointRoute { return &itemPointRoute{} }

func (p *itemPointRoute) groups() []group { return []group{&p.layer, &p.dataset, &p.crs} }

// point answers the item's values at lon,lat (in coord_crs):
// {"coordinates", "values", "band_names", "band_descriptions"}, a value
// null where its band has no data. A point outside a raster is 404 (titiler
// answers 500 for rio-tiler's PointOutsideBounds).
func (h itemHandlers) point(w http.ResponseWriter, r *http.Request) error {
	pt, err := pathNumbers(mux.Vars(r), "lon", "lat")
	if err != nil {
		return err
	}
	p := newItemPointRoute()
	if err := h.parse(r, p.groups()...); err != nil {
		return err
	}
	it, err := h.itemWith(r, p.layer.Assets)
	if err != nil {
		return err
	}
	spec := tiles.Spec{Layer: p.layer.Layer, Dataset: p.dataset.DatasetOptions}
	img, err := h.s.Renderer.ItemPoint(r.Context(), it.Item, pt[0], pt[1], p.crs.coord, spec)
	if errors.Is(err, tiles.ErrOutside) {
		return tilefunc.Errorf(tilefunc.ENOTFOUND, "Point (%g, %g) is outside the item's bounds", pt[0], pt[1])
	}
	if err != nil {
		return err
	}
	v := pointOf(tiles.PointValues{Image: img})
	writeJSON(w, http.StatusOK, map[string]any{
		"coordinates": pt, "values": v.Values, "band_names": v.BandNames, "band_descriptions": v.BandDescriptions,
	})
	return nil
}

// itemStatisticsRoute are the parameters of an item's statistics: the
// layer, how it is read and processed, the preview's size, the statistics.
type itemStatisticsRoute struct {
	*imageParams
	size  partSize
	stats statsParams
}

func newItemStatisticsRoute(vars map[string]string) *itemStatisticsRoute {
	return &itemStatisticsRoute{imageParams: newItemImageParams(), size: partSize{vars: vars, defaultMax: previewMaxSize}}
}

func (p *itemStatisticsRoute) groups() []group {
	return []group{&p.layer, &p.dataset, &p.algorithm, &p.size, &p.stats}
}

// statistics answers the statistics of the item's preview, band by band
// (titiler's MultiBaseTilerFactory GET /statistics).
func (h itemHandlers) statistics(w http.ResponseWriter, r *http.Request) error {
	p := newItemStatisticsRoute(nil)
	if err := h.parse(r, p.groups()...); err != nil {
		return err
	}
	it, err := h.source(r)
	if err != nil {
		return err
	}
	p.layer.Assets = (&assetsParams{specs: p.layer.Assets}).all(it)
	if err := checkAssets(p.layer.Assets, it); err != nil {
		return err
	}
	win := tiles.Window{Whole: true, Width: p.size.width, Height: p.size.height, MaxSize: p.size.maxSize}
	img, err := h.s.Renderer.Item(r.Context(), it.Item, win, p.spec())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tiles.Statistics(img, nil, p.stats.StatsOptions))
	return nil
}

// all is the assets named, :all: standing for every raster asset.
func (p *assetsParams) all(doc *itemDoc) []tiles.AssetSpec {
	specs, _ := p.expand(doc)
	return specs
}

// itemFeatureStatisticsRoute are the parameters of POST /statistics on an
// item: the image groups, the part's size and CRS, the statistics and
// the coverage scale.
type itemFeatureStatisticsRoute struct {
	*imageParams
	partGrid
	stats statsParams
	cover coverScale
}

func newItemFeatureStatisticsRoute() *itemFeatureStatisticsRoute {
	return &itemFeatureStatisticsRoute{imageParams: newItemImageParams(), partGrid: newPartGrid(nil)}
}

func (p *itemFeatureStatisticsRoute) groups() []group {
	return []group{&p.layer, &p.dataset, &p.algorithm, &p.size, &p.crs, &p.stats, &p.cover}
}

// featureStatistics answers each feature of the body with the statistics
// of the item inside it, as properties.statistics.
func (h itemHandlers) featureStatistics(w http.ResponseWriter, r *http.Request) error {
	p := newItemFeatureStatisticsRoute()
	if err := h.parse(r, p.groups()...); err != nil {
		return err
	}
	it, err := h.source(r)
	if err != nil {
		return err
	}
	p.layer.Assets = (&assetsParams{specs: p.layer.Assets}).all(it)
	if err := checkAssets(p.layer.Assets, it); err != nil {
		return err
	}
	return serveFeatures(w, r, func(f feature) error {
		shape, err := tiles.ParseShape(f["geometry"], p.crs.coord)
		if err != nil {
			return err
		}
		win := p.window(shape.Bounds)
		win.Align, win.Shape = true, shape
		img, err := h.s.Renderer.Item(r.Context(), it.Item, win, p.spec())
		if err != nil {
			return err
		}
		return setStatistics(f, img, shape, p.cover.scale, p.stats.StatsOptions, nil)
	})
}

// assetStatisticsRoute are the parameters of /asset_statistics: the
// assets, how they are read, the preview's size and the statistics.
type assetStatisticsRoute struct {
	assets  assetsParams
	dataset datasetParams
	size    partSize
	stats   statsParams
}

func newAssetStatisticsRoute() *assetStatisticsRoute {
	return &assetStatisticsRoute{size: partSize{defaultMax: previewMaxSize}}
}

func (p *assetStatisticsRoute) groups() []group {
	return []group{&p.assets, &p.dataset, &p.size, &p.stats}
}

// assetStatistics answers each asset's statistics, asset by asset, each
// read on its own as rio-tiler's Reader.statistics reads it.
func (h itemHandlers) assetStatistics(w http.ResponseWriter, r *http.Request) error {
	p := newAssetStatisticsRoute()
	if err := h.parse(r, p.groups()...); err != nil {
		return err
	}
	it, err := h.source(r)
	if err != nil {
		return err
	}
	specs, keys := p.assets.expand(it)
	if err := checkAssets(specs, it); err != nil {
		return err
	}
	win := tiles.Window{Whole: true, Width: p.size.width, Height: p.size.height, MaxSize: p.size.maxSize}
	values := make([]any, len(specs))
	for i, spec := range specs {
		layer := tiles.Layer{Assets: []tiles.AssetSpec{spec}, Raster: true}
		img, err := h.s.Renderer.Item(r.Context(), it.Item, win, tiles.Spec{Layer: layer, Dataset: p.dataset.DatasetOptions})
		if err != nil {
			return err
		}
		values[i] = tiles.Statistics(img, nil, p.stats.StatsOptions)
	}
	body, err := orderedObject(keys, values)
	if err != nil {
		return err
	}
	return writeBody(w, "application/json", body)
}

// renderList answers the item's renders (the STAC render extension), each
// with its parameters, whether the tile route accepts them, and links to
// its TileJSON and WMTS documents.
func (h itemHandlers) renderList(w http.ResponseWriter, r *http.Request) error {
	it, err := h.source(r)
	if err != nil {
		return err
	}
	names, values := objectInOrder(itemRenders(it.Item))
	var out []any
	for _, n := range names {
		out = append(out, h.renderItem(r, it.Item, n, values[n]))
	}
	body, err := orderedObject(names, out)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"renders": json.RawMessage(body),
		"links":   []link{{Href: baseURL(r) + r.URL.RequestURI(), Rel: "self", Type: "application/json", Title: "List STAC Renders metadata"}},
	})
	return nil
}

// render answers one of the item's renders; 404 where it has none of
// that name.
func (h itemHandlers) render(w http.ResponseWriter, r *http.Request) error {
	it, err := h.source(r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["render_id"]
	_, values := objectInOrder(itemRenders(it.Item))
	raw, ok := values[id]
	if !ok {
		return tilefunc.Errorf(tilefunc.ENOTFOUND, "Render not found")
	}
	writeJSON(w, http.StatusOK, h.renderItem(r, it.Item, id, raw))
	return nil
}

// renderItem is one render with its links (titiler's RenderItemWithLinks).
func (h itemHandlers) renderItem(r *http.Request, it tilefunc.Item, id string, raw json.RawMessage) map[string]any {
	base := baseURL(r) + "/collections/" + it.Collection + "/items/" + it.ID
	links := []link{{Href: base + "/renders/" + id, Rel: "self", Type: "application/json", Title: "STAC Renders metadata for " + id}}
	keys, params := objectInOrder(raw)
	rd, ok := readRender(id, keys, params)
	valid := ok && newQuery(rd.query).parse(newItemTileRoute().groups()...) == nil
	if valid {
		qs := rd.encode()
		links = append(links,
			link{Href: base + "/{tileMatrixSetId}/tilejson.json?" + qs, Rel: "tilesets-map", Templated: true, Title: "tilejson file for " + id},
			link{Href: base + "/WMTSCapabilities.xml?" + qs, Rel: "tilesets-map", Templated: true, Title: fmt.Sprintf("WMTS service for %s", id)})
	}
	return map[string]any{"valid": valid, "params": json.RawMessage(raw), "links": links}
}
