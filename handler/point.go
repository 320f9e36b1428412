package handler

import (
	"math"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
)

// pointRoutes declares a mosaic's point routes: the values of its items at
// a point, and the items there (titiler's mosaic /point and its /assets).
func (m mosaicHandlers) pointRoutes(prefix, name string) []route {
	values := paramsOf(newPointRoute(m.s.Search).groups()...)
	locate := paramsOf(newLocateRoute(m.s.Search).groups()...)
	return []route{
		{Route{Name: name + "_point", Method: http.MethodGet, Path: prefix + "/point/{lon},{lat}", Params: values, Answer: jsonAnswer("MosaicPoint", CacheImages)}, m.point},
		{Route{Name: name + "_point_assets", Method: http.MethodGet, Path: prefix + "/point/{lon},{lat}/assets", Params: locate, Answer: jsonAnswer("Items", CacheDocuments)}, m.pointAssets},
	}
}

// pointRoute are the parameters of point values: the layer, how it is
// read, the point's CRS and pgSTAC's controls.
type pointRoute struct {
	layer   layerParams
	dataset datasetParams
	crs     crsParams
	search  searchParams
}

func newPointRoute(defaults tilefunc.SearchOptions) *pointRoute {
	return &pointRoute{search: searchParams{defaults: defaults}}
}

func (p *pointRoute) groups() []group { return []group{&p.layer, &p.dataset, &p.crs, &p.search} }

// assetPoint is one item's values at the point, as titiler.mosaic's
// AssetPoint.
type assetPoint struct {
	Name             string     `json:"name"` // collection/item, titiler-pgstac's asset name
	Values           []*float64 `json:"values"`
	BandNames        []string   `json:"band_names"`
	BandDescriptions []string   `json:"band_descriptions"`
}

// point answers every covering item's values at lon,lat (in coord_crs):
// {"coordinates": [lon, lat], "assets": [{name, values, band_names,
// band_descriptions}]}, values null where an item has no data there.
func (m mosaicHandlers) point(w http.ResponseWriter, r *http.Request) error {
	pt, err := pathNumbers(mux.Vars(r), "lon", "lat")
	if err != nil {
		return err
	}
	p := newPointRoute(m.s.Search)
	if err := parseQuery(r.URL.RawQuery, p.groups()...); err != nil {
		return err
	}
	items, err := m.itemsAtPoint(r, pt[0], pt[1], p.crs.coord, p.search.SearchOptions)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return tilefunc.Errorf(tilefunc.ENOCONTENT, "No assets found for point (%g,%g)", pt[0], pt[1])
	}
	spec := tiles.Spec{Layer: p.layer.Layer, Dataset: p.dataset.DatasetOptions}
	values, err := m.s.Renderer.Point(r.Context(), items, pt[0], pt[1], p.crs.coord, spec)
	if err != nil {
		return err
	}
	out := struct {
		Coordinates []float64    `json:"coordinates"`
		Assets      []assetPoint `json:"assets"`
	}{Coordinates: pt, Assets: []assetPoint{}}
	for _, v := range values {
		out.Assets = append(out.Assets, pointOf(v))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pointOf is one item's answer: each band's value at the point, null
// where the band has no data (or a value JSON cannot write).
func pointOf(v tiles.PointValues) assetPoint {
	img := v.Image
	ap := assetPoint{Name: itemName(v.Item), Values: []*float64{}, BandNames: img.Names, BandDescriptions: img.Descriptions}
	for b := range img.Bands {
		x := img.Bands[b][0]
		if !img.Valid[b][0] || math.IsNaN(x) || math.IsInf(x, 0) {
			ap.Values = append(ap.Values, nil)
			continue
		}
		ap.Values = append(ap.Values, &x)
	}
	return ap
}

// pointAssets answers the items under lon,lat (in coord_crs) as pgSTAC
// returns them; [] where there are none.
func (m mosaicHandlers) pointAssets(w http.ResponseWriter, r *http.Request) error {
	pt, err := pathNumbers(mux.Vars(r), "lon", "lat")
	if err != nil {
		return err
	}
	p := newLocateRoute(m.s.Search)
	if err := parseQuery(r.URL.RawQuery, p.groups()...); err != nil {
		return err
	}
	items, err := m.itemsAtPoint(r, pt[0], pt[1], p.crs.coord, p.search.SearchOptions)
	if err != nil {
		return err
	}
	writeItems(w, items)
	return nil
}

// itemsAtPoint finds the mosaic's items under a point. pgSTAC's point
// search is only right without its early exits, so titiler-pgstac turns
// exitwhenfull and skipcovered off for points, whatever the request says.
func (m mosaicHandlers) itemsAtPoint(r *http.Request, x, y float64, crs tiles.CRS, opts tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	lon, lat := x, y
	if crs.SRS != tiles.WGS84.SRS {
		var err error
		if lon, lat, err = tiles.TransformPoint(x, y, crs, tiles.WGS84); err != nil {
			return nil, err
		}
	}
	mo, err := m.resolve(r)
	if err != nil {
		return nil, err
	}
	opts.ExitWhenFull, opts.SkipCovered = false, false
	return mo.items(r.Context(), [4]float64{lon, lat, lon, lat}, opts)
}

// itemName is titiler-pgstac's name for an item in a mosaic.
func itemName(it tilefunc.Item) string { return it.Collection + "/" + it.ID }
