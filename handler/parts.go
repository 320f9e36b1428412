package handler

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/internal/timing"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// partRoutes declares a mosaic's part routes (titiler's add_part): the
// image of a bbox, the items in a bbox, the image of a GeoJSON feature.
func (m mosaicHandlers) partRoutes(prefix, name string) []route {
	bbox := prefix + "/bbox/{minx},{miny},{maxx},{maxy}"
	image := paramsOf(newPartRoute(m.s.Search, nil).groups()...)
	locate := paramsOf(newLocateRoute(m.s.Search).groups()...)
	return []route{
		{Route{Name: name + "_bbox", Method: http.MethodGet, Path: bbox + ".{format}", Params: image, Answer: imageAnswer}, m.partImage(bboxRequest)},
		{Route{Name: name + "_bbox_size", Method: http.MethodGet, Path: bbox + "/{width}x{height}.{format}", Params: image, Answer: imageAnswer}, m.partImage(bboxRequest)},
		{Route{Name: name + "_bbox_assets", Method: http.MethodGet, Path: bbox + "/assets", Params: locate, Answer: jsonAnswer("Items", CacheDocuments)}, m.bboxAssets},
		{Route{Name: name + "_feature", Method: http.MethodPost, Path: prefix + "/feature", Params: image, Answer: imageAnswer}, m.partImage(featureRequest)},
		{Route{Name: name + "_feature_format", Method: http.MethodPost, Path: prefix + "/feature.{format}", Params: image, Answer: imageAnswer}, m.partImage(featureRequest)},
		{Route{Name: name + "_feature_size", Method: http.MethodPost, Path: prefix + "/feature/{width}x{height}.{format}", Params: image, Answer: imageAnswer}, m.partImage(featureRequest)},
	}
}

// partRoute are the parameters of a bbox or feature image: every image
// group, its size, and the CRS of its coordinates and of the image.
type partRoute struct {
	*imageParams
	partGrid
}

func newPartRoute(defaults tilefunc.SearchOptions, vars map[string]string) *partRoute {
	return &partRoute{imageParams: newImageParams(defaults), partGrid: newPartGrid(vars)}
}

// newItemPartRoute are the parameters of one item's bbox or feature image.
func newItemPartRoute(vars map[string]string) *partRoute {
	return &partRoute{imageParams: newItemImageParams(), partGrid: newPartGrid(vars)}
}

func (p *partRoute) groups() []group { return append(p.imageParams.groups(), &p.size, &p.crs) }

// partGrid is the grid of a part of the mosaic: its size, and the CRS of
// its coordinates and of the image.
type partGrid struct {
	size partSize
	crs  crsParams
}

func newPartGrid(vars map[string]string) partGrid {
	return partGrid{size: partSize{vars: vars}, crs: crsParams{withDst: true}}
}

// window is the part's grid for bounds given in coord_crs: the image is in
// dst_crs (titiler's bbox and feature: coord_crs unless dst_crs is given).
func (p *partGrid) window(bounds [4]float64) tiles.Window {
	return tiles.Window{Bounds: bounds, BoundsCRS: p.crs.coord.SRS, CRS: p.crs.dst.SRS,
		Width: p.size.width, Height: p.size.height, MaxSize: p.size.maxSize}
}

// locateRoute are the parameters of the /assets routes of points and
// boxes: the coordinates' CRS and pgSTAC's controls.
type locateRoute struct {
	crs    crsParams
	search searchParams
}

func newLocateRoute(defaults tilefunc.SearchOptions) *locateRoute {
	return &locateRoute{search: searchParams{defaults: defaults}}
}

func (p *locateRoute) groups() []group { return []group{&p.crs, &p.search} }

// imageFormat reads the {format} path variable; nil when the route has none.
func imageFormat(vars map[string]string) (*tiles.Format, error) {
	name, ok := vars["format"]
	if !ok {
		return nil, nil
	}
	f, err := tiles.ParseFormat(name)
	return &f, err
}

// partRequest reads a part image's request into p (bboxRequest,
// featureRequest): its window and format.
type partRequest func(r *http.Request, p *partRoute) (tiles.Window, *tiles.Format, error)

// partImage serves the image of the part read (a bbox, or a GeoJSON
// Feature's bounds with the pixels outside its geometry masked).
func (m mosaicHandlers) partImage(read partRequest) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := newPartRoute(m.s.Search, mux.Vars(r))
		win, format, err := read(r, p)
		if err != nil {
			return err
		}
		img, items, err := m.renderPart(r, win, p.spec(), p.search.SearchOptions)
		if err != nil {
			return err
		}
		m.s.assetsHeader(w, img, items)
		return writeImage(r.Context(), w, img, p.style(), format, p.crs.dst.URI)
	}
}

// bboxRequest reads a bbox image's path and query into p: its window and
// format.
func bboxRequest(r *http.Request, p *partRoute) (tiles.Window, *tiles.Format, error) {
	vars := mux.Vars(r)
	b, err := pathNumbers(vars, "minx", "miny", "maxx", "maxy")
	if err != nil {
		return tiles.Window{}, nil, err
	}
	format, err := imageFormat(vars)
	if err != nil {
		return tiles.Window{}, nil, err
	}
	if err := parseQuery(r.URL.RawQuery, p.groups()...); err != nil {
		return tiles.Window{}, nil, err
	}
	bounds, err := checkBounds(b)
	if err != nil {
		return tiles.Window{}, nil, err
	}
	return p.window(bounds), format, nil
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
	p := newLocateRoute(m.s.Search)
	if err := parseQuery(r.URL.RawQuery, p.groups()...); err != nil {
		return err
	}
	bounds, err := checkBounds(b)
	if err != nil {
		return err
	}
	items, err := m.itemsInBox(r, bounds, p.crs.coord, p.search.SearchOptions)
	if err != nil {
		return err
	}
	writeItems(w, items)
	return nil
}

// featureRequest reads a feature image's path, query and body into p: the
// window of the feature's bounds, cut to its geometry, and the format.
func featureRequest(r *http.Request, p *partRoute) (tiles.Window, *tiles.Format, error) {
	format, err := imageFormat(mux.Vars(r))
	if err != nil {
		return tiles.Window{}, nil, err
	}
	if err := parseQuery(r.URL.RawQuery, p.groups()...); err != nil {
		return tiles.Window{}, nil, err
	}
	body, err := readBody(r)
	if err != nil {
		return tiles.Window{}, nil, err
	}
	f, err := parseFeature(body)
	if err != nil {
		return tiles.Window{}, nil, err
	}
	shape, err := tiles.ParseShape(f["geometry"], p.crs.coord)
	if err != nil {
		return tiles.Window{}, nil, err
	}
	win := p.window(shape.Bounds)
	win.Shape = shape
	return win, format, nil
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

// renderPart finds the items in the window's box and runs the pipeline
// on them; 204 where there is no item.
func (m mosaicHandlers) renderPart(r *http.Request, win tiles.Window, spec tiles.Spec, opts tilefunc.SearchOptions) (*raster.Image, []tilefunc.Item, error) {
	catalog := time.Now()
	items, err := m.itemsInBox(r, win.Bounds, tiles.CRS{SRS: win.BoundsCRS}, opts)
	if err != nil {
		return nil, nil, err
	}
	timing.From(r.Context()).Since(timing.Catalog, catalog)
	if len(items) == 0 {
		return nil, nil, tilefunc.Errorf(tilefunc.ENOCONTENT, "No assets found for bbox input")
	}
	img, err := m.s.Renderer.Image(r.Context(), items, win, spec)
	return img, items, err
}
