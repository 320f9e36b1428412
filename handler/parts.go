package handler

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
)

// partRoutes declares a mosaic's part routes (titiler's add_part): the
// image of a bbox, the items in a bbox, the image of a GeoJSON feature.
func (m mosaicHandlers) partRoutes(prefix, name string) []route {
	bbox := prefix + "/bbox/{minx},{miny},{maxx},{maxy}"
	return []route{
		{Route{Name: name + "_bbox", Method: http.MethodGet, Path: bbox + ".{format}"}, m.bboxImage},
		{Route{Name: name + "_bbox_size", Method: http.MethodGet, Path: bbox + "/{width}x{height}.{format}"}, m.bboxImage},
		{Route{Name: name + "_bbox_assets", Method: http.MethodGet, Path: bbox + "/assets"}, m.bboxAssets},
		{Route{Name: name + "_feature", Method: http.MethodPost, Path: prefix + "/feature"}, m.featureImage},
		{Route{Name: name + "_feature_format", Method: http.MethodPost, Path: prefix + "/feature.{format}"}, m.featureImage},
		{Route{Name: name + "_feature_size", Method: http.MethodPost, Path: prefix + "/feature/{width}x{height}.{format}"}, m.featureImage},
	}
}

// part is the image a bbox, feature or statistics request asks for.
type part struct {
	bounds   [4]float64 // in coordCRS
	coordCRS tiles.CRS  // of the bounds (coord_crs)
	dstCRS   tiles.CRS  // of the image (dst_crs)
	width    int        // 0: from the items' resolution
	height   int
	maxSize  int
	align    bool // snap to the first item's pixels (statistics)
}

// partParams reads what every part route reads: the box's and the image's
// CRS and the image's size. The image is in coord_crs unless dst_crs says
// otherwise (titiler's feature; its bbox defaults to the first item's own
// CRS, which tilefunc does not, so one mosaic is one grid).
func (q *query) partParams(vars map[string]string) part {
	p := part{coordCRS: q.crs("coord_crs", tiles.WGS84)}
	p.dstCRS = q.crs("dst_crs", p.coordCRS)
	p.width, p.height, p.maxSize = q.partSize(vars)
	return p
}

// imageFormat reads the {format} path variable; "" when the route has none.
func imageFormat(vars map[string]string) (tiles.Format, bool, error) {
	name, ok := vars["format"]
	if !ok {
		return tiles.Format{}, false, nil
	}
	f, err := tiles.ParseFormat(name)
	return f, true, err
}

// bboxImage serves the image of minx,miny,maxx,maxy (in coord_crs).
func (m mosaicHandlers) bboxImage(w http.ResponseWriter, r *http.Request) error {
	vars := mux.Vars(r)
	b, err := pathNumbers(vars, "minx", "miny", "maxx", "maxy")
	if err != nil {
		return err
	}
	format, _, err := imageFormat(vars)
	if err != nil {
		return err
	}
	iq, err := m.imageQuery(r, vars)
	if err != nil {
		return err
	}
	if iq.part.bounds, err = checkBounds(b); err != nil {
		return err
	}
	img, _, err := m.renderPart(r, iq.part, iq.layer, iq.opts)
	if err != nil {
		return err
	}
	return writeImage(w, img, format, iq.render, iq.part.dstCRS)
}

// imageParams are the query parameters of a bbox or feature image.
type imageParams struct {
	layer  tiles.Layer
	render tiles.Render
	part   part
	opts   tilefunc.SearchOptions
}

// imageQuery reads the parameter groups every part image takes.
func (m mosaicHandlers) imageQuery(r *http.Request, vars map[string]string) (imageParams, error) {
	q := newQuery(queryValues(r.URL.RawQuery))
	iq := imageParams{layer: q.layer(), render: q.render(), part: q.partParams(vars), opts: q.searchOptions(m.s.Search)}
	return iq, q.err
}

// locateQuery reads what the /assets routes of points and boxes take: the
// input CRS and pgSTAC's search controls.
func (m mosaicHandlers) locateQuery(r *http.Request) (tiles.CRS, tilefunc.SearchOptions, error) {
	q := newQuery(queryValues(r.URL.RawQuery))
	crs := q.crs("coord_crs", tiles.WGS84)
	opts := q.searchOptions(m.s.Search)
	return crs, opts, q.err
}

// checkBounds refuses a box without area.
func checkBounds(b []float64) ([4]float64, error) {
	if !(b[2] > b[0] && b[3] > b[1]) {
		return [4]float64{}, tilefunc.Errorf(tilefunc.EINVALID, "bbox %g,%g,%g,%g: want minx,miny,maxx,maxy with min < max", b[0], b[1], b[2], b[3])
	}
	return [4]float64{b[0], b[1], b[2], b[3]}, nil
}

// bboxAssets answers the items in minx,miny,maxx,maxy (in coord_crs) as
// pgSTAC returns them; [] where there are none.
func (m mosaicHandlers) bboxAssets(w http.ResponseWriter, r *http.Request) error {
	b, err := pathNumbers(mux.Vars(r), "minx", "miny", "maxx", "maxy")
	if err != nil {
		return err
	}
	crs, opts, err := m.locateQuery(r)
	if err != nil {
		return err
	}
	bounds, err := checkBounds(b)
	if err != nil {
		return err
	}
	items, err := m.itemsInBox(r, bounds, crs, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(items))
	return nil
}

// featureImage serves the image of a GeoJSON Feature's bounds, the pixels
// outside its geometry masked.
func (m mosaicHandlers) featureImage(w http.ResponseWriter, r *http.Request) error {
	vars := mux.Vars(r)
	format, named, err := imageFormat(vars)
	if err != nil {
		return err
	}
	iq, err := m.imageQuery(r, vars)
	if err != nil {
		return err
	}
	p := iq.part
	body, err := readBody(r)
	if err != nil {
		return err
	}
	f, err := parseFeature(body)
	if err != nil {
		return err
	}
	shape, err := tiles.ParseShape(f["geometry"], p.coordCRS)
	if err != nil {
		return err
	}
	p.bounds = shape.Bounds
	img, _, err := m.renderPart(r, p, iq.layer, iq.opts)
	if err != nil {
		return err
	}
	if err := shape.Mask(img); err != nil {
		return err
	}
	if !named {
		format = tiles.DefaultFormat(img, iq.render.ReturnMask)
	}
	return writeImage(w, img, format, iq.render, p.dstCRS)
}

// itemsInBox finds the mosaic's items in a box given in crs.
func (m mosaicHandlers) itemsInBox(r *http.Request, b [4]float64, crs tiles.CRS, opts tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	geo, err := tiles.TransformBounds(b, crs, tiles.WGS84)
	if err != nil {
		return nil, err
	}
	mo, err := m.resolve(r)
	if err != nil {
		return nil, err
	}
	return mo.items(r.Context(), geo, opts)
}

// renderPart finds the items in the part's box and mosaics them into its
// window, the box carried into dst_crs; 204 where there is no item.
func (m mosaicHandlers) renderPart(r *http.Request, p part, layer tiles.Layer, opts tilefunc.SearchOptions) (*tiles.Image, []tilefunc.Item, error) {
	dst, err := tiles.TransformBounds(p.bounds, p.coordCRS, p.dstCRS)
	if err != nil {
		return nil, nil, err
	}
	items, err := m.itemsInBox(r, p.bounds, p.coordCRS, opts)
	if err != nil {
		return nil, nil, err
	}
	if len(items) == 0 {
		return nil, nil, tilefunc.Errorf(tilefunc.ENOCONTENT, "No assets found for bbox input")
	}
	win := tiles.Window{Bounds: dst, SRS: p.dstCRS.SRS, Width: p.width, Height: p.height, MaxSize: p.maxSize, Align: p.align}
	img, err := m.s.Renderer.Mosaic(r.Context(), items, win, layer)
	if err != nil {
		return nil, nil, err
	}
	return img, items, nil
}

// writeImage encodes a part image with the headers titiler sets on it.
func writeImage(w http.ResponseWriter, img *tiles.Image, format tiles.Format, render tiles.Render, crs tiles.CRS) error {
	body, err := tiles.Encode(img, format, render)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", format.MediaType)
	b := img.Window.Bounds
	h.Set("Content-Bbox", fmt.Sprintf("%g,%g,%g,%g", b[0], b[1], b[2], b[3]))
	if crs.URI != "" {
		h.Set("Content-Crs", "<"+crs.URI+">")
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}
