package handler

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
)

// pointRoutes declares a mosaic's point routes: the values of its items at
// a point, and the items there (titiler's mosaic /point and its /assets).
func (m mosaicHandlers) pointRoutes(prefix, name string) []route {
	return []route{
		{Route{Name: name + "_point", Method: http.MethodGet, Path: prefix + "/point/{lon},{lat}"}, m.point},
		{Route{Name: name + "_point_assets", Method: http.MethodGet, Path: prefix + "/point/{lon},{lat}/assets"}, m.pointAssets},
	}
}

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
	q := newQuery(queryValues(r.URL.RawQuery))
	layer := q.layer()
	crs := q.crs("coord_crs", tiles.WGS84)
	opts := q.searchOptions(m.s.Search)
	if q.err != nil {
		return q.err
	}
	items, err := m.itemsAtPoint(r, pt[0], pt[1], crs, opts)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return tilefunc.Errorf(tilefunc.ENOCONTENT, "No assets found for point (%g,%g)", pt[0], pt[1])
	}
	values, err := m.s.Renderer.Point(r.Context(), items, pt[0], pt[1], crs, layer)
	if err != nil {
		return err
	}
	out := struct {
		Coordinates []float64    `json:"coordinates"`
		Assets      []assetPoint `json:"assets"`
	}{Coordinates: pt, Assets: []assetPoint{}}
	for _, v := range values {
		ap := assetPoint{Name: itemName(v.Item), Values: v.Values, BandDescriptions: v.Descriptions}
		for i := range v.Values {
			ap.BandNames = append(ap.BandNames, fmt.Sprintf("b%d", i+1))
		}
		out.Assets = append(out.Assets, ap)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pointAssets answers the items under lon,lat (in coord_crs) as pgSTAC
// returns them; [] where there are none.
func (m mosaicHandlers) pointAssets(w http.ResponseWriter, r *http.Request) error {
	pt, err := pathNumbers(mux.Vars(r), "lon", "lat")
	if err != nil {
		return err
	}
	crs, opts, err := m.locateQuery(r)
	if err != nil {
		return err
	}
	items, err := m.itemsAtPoint(r, pt[0], pt[1], crs, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(items))
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

// nonNil is items, or an empty list, so that JSON says [] rather than null.
func nonNil(items []tilefunc.Item) []tilefunc.Item {
	if items == nil {
		return []tilefunc.Item{}
	}
	return items
}
