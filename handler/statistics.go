package handler

import (
	"encoding/json"
	"net/http"

	"tilefunc"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// statisticsRoutes declares a mosaic's statistics route (titiler's
// add_statistics; POST only for mosaics).
func (m mosaicHandlers) statisticsRoutes(prefix, name string) []route {
	ps := paramsOf(newStatisticsRoute(m.s.Search).groups()...)
	return []route{
		{Route{Name: name + "_statistics", Method: http.MethodPost, Path: prefix + "/statistics", Params: ps, Answer: geoJSONAnswer("StatisticsFeatures", CacheImages)}, m.statistics},
	}
}

// statisticsRoute are the parameters of mosaic statistics: the layer and
// how it is read, merged and processed, the image size and CRS, the
// statistics and the coverage scale.
type statisticsRoute struct {
	pipelineParams
	search searchParams
	partGrid
	stats statsParams
	cover coverScale
}

func newStatisticsRoute(defaults tilefunc.SearchOptions) *statisticsRoute {
	return &statisticsRoute{search: searchParams{defaults: defaults}, partGrid: newPartGrid(nil)}
}

func (p *statisticsRoute) groups() []group {
	return []group{&p.layer, &p.dataset, &p.selection, &p.algorithm, &p.search, &p.size, &p.crs, &p.stats, &p.cover}
}

// statistics answers a GeoJSON Feature or FeatureCollection with each
// feature's properties.statistics (per band, over the valid pixels of the
// mosaic inside its geometry, edge pixels weighed by their coverage) and
// properties.used_assets, as titiler's mosaic statistics.
func (m mosaicHandlers) statistics(w http.ResponseWriter, r *http.Request) error {
	p := newStatisticsRoute(m.s.Search)
	if err := parseQuery(r.URL.RawQuery, p.groups()...); err != nil {
		return err
	}
	one := m.resolvingOnce()
	return serveFeatures(w, r, func(f feature) error { return one.featureStatistics(r, f, p) })
}

// serveFeatures answers the GeoJSON Feature or FeatureCollection of the
// body, each feature as each set it.
func serveFeatures(w http.ResponseWriter, r *http.Request, each func(feature) error) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	features, doc, collection, err := parseFeatures(body)
	if err != nil {
		return err
	}
	for _, f := range features {
		if err := each(f); err != nil {
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
	return writeBody(w, "application/geo+json", b)
}

// resolvingOnce is m resolving its mosaic at most once: the features of a
// statistics request share one search (a collection's is registered, or
// looked up, once), not one per feature.
func (m mosaicHandlers) resolvingOnce() mosaicHandlers {
	resolve, done := m.resolve, false
	var mo *mosaic
	var err error
	m.resolve = func(r *http.Request) (*mosaic, error) {
		if !done {
			mo, err = resolve(r)
			done = true
		}
		return mo, err
	}
	return m
}

// featureStatistics sets one feature's properties.statistics and
// properties.used_assets. The image is read on whole source pixels
// (titiler's align_bounds_with_dataset) and cut to the geometry; the
// coverage is of the image statistics are taken on.
func (m mosaicHandlers) featureStatistics(r *http.Request, f feature, p *statisticsRoute) error {
	shape, err := tiles.ParseShape(f["geometry"], p.crs.coord)
	if err != nil {
		return err
	}
	win := p.window(shape.Bounds)
	win.Align, win.Shape = true, shape
	img, items, err := m.renderPart(r, win, p.spec(), p.search.SearchOptions)
	if err != nil {
		return err
	}
	return setStatistics(f, img, shape, p.cover.scale, p.stats.StatsOptions, usedAssets(img, items))
}

// setStatistics sets a feature's properties.statistics: img's, over the
// pixels the shape covers, edge pixels weighed by their coverage; and
// properties.used_assets where used is not nil (mosaics).
func setStatistics(f feature, img *raster.Image, shape *tiles.Shape, cover int, o tiles.StatsOptions, used []string) error {
	coverage, err := shape.Coverage(img, cover)
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
	if used != nil {
		props["used_assets"], _ = json.Marshal(used)
	}
	f["properties"], err = json.Marshal(props)
	return err
}

// usedAssets names the items that gave pixels, as titiler-pgstac names
// them (collection/item).
func usedAssets(img *raster.Image, items []tilefunc.Item) []string {
	names := map[string]string{}
	for _, it := range items {
		names[it.ID] = itemName(it)
	}
	out := []string{}
	for _, id := range img.Assets {
		out = append(out, names[id])
	}
	return out
}
