package handler

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"

	"tilefunc"
	"tilefunc/tiles"
)

// statisticsRoutes declares a mosaic's statistics route (titiler's
// add_statistics; POST only for mosaics).
func (m mosaicHandlers) statisticsRoutes(prefix, name string) []route {
	return []route{
		{Route{Name: name + "_statistics", Method: http.MethodPost, Path: prefix + "/statistics"}, m.statistics},
	}
}

// statistics answers a GeoJSON Feature or FeatureCollection with each
// feature's properties.statistics (per band, over the valid pixels of the
// mosaic inside its geometry, edge pixels weighed by their coverage) and
// properties.used_assets, as titiler's mosaic statistics.
func (m mosaicHandlers) statistics(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(queryValues(r.URL.RawQuery))
	layer := q.layer()
	p := q.partParams(mux.Vars(r))
	p.align = true // whole source pixels, as titiler reads them for statistics
	opts := q.searchOptions(m.s.Search)
	stats, scale := q.stats(), q.coverScale()
	if q.err != nil {
		return q.err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	features, doc, collection, err := parseFeatures(body)
	if err != nil {
		return err
	}
	for _, f := range features {
		if err := m.featureStatistics(r, f, p, layer, opts, stats, scale); err != nil {
			return err
		}
	}
	var out any = features[0]
	if collection {
		doc["features"], _ = json.Marshal(features)
		out = doc
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// featureStatistics sets one feature's properties.statistics and
// properties.used_assets.
func (m mosaicHandlers) featureStatistics(r *http.Request, f feature, p part, layer tiles.Layer, opts tilefunc.SearchOptions, o tiles.StatsOptions, scale int) error {
	shape, err := tiles.ParseShape(f["geometry"], p.coordCRS)
	if err != nil {
		return err
	}
	p.bounds = shape.Bounds
	img, items, err := m.renderPart(r, p, layer, opts)
	if err != nil {
		return err
	}
	if err := shape.Mask(img); err != nil {
		return err
	}
	coverage, err := shape.Coverage(img.Window, scale)
	if err != nil {
		return err
	}
	props := map[string]json.RawMessage{}
	if raw, ok := f["properties"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &props); err != nil {
			return tilefunc.Errorf(tilefunc.EINVALID, "properties: want an object or null")
		}
	}
	if props["statistics"], err = json.Marshal(tiles.Statistics(img, coverage, o)); err != nil {
		return err
	}
	props["used_assets"], _ = json.Marshal(usedAssets(img, items))
	f["properties"], err = json.Marshal(props)
	return err
}

// usedAssets names the items that gave pixels, as titiler-pgstac names
// them (collection/item).
func usedAssets(img *tiles.Image, items []tilefunc.Item) []string {
	names := map[string]string{}
	for _, it := range items {
		names[it.ID] = itemName(it)
	}
	out := []string{}
	for _, id := range img.Items {
		out = append(out, names[id])
	}
	return out
}
