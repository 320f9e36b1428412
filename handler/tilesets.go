package handler

import (
	"net/http"
	"net/url"
	"regexp"

	"github.com/gorilla/mux"

	"tilefunc/tiles"
)

// tileSet is an OGC API Tiles tileset description (titiler's TileSet
// model, in its key order). TileMatrixSetLimits is left out of the list.
// CRS is the set's as its definition writes it, so that a client can match
// the two.
type tileSet struct {
	Title               string                   `json:"title"`
	DataType            string                   `json:"dataType"`
	CRS                 string                   `json:"crs"`
	Links               []link                   `json:"links"`
	TileMatrixSetLimits []tiles.TileMatrixLimits `json:"tileMatrixSetLimits,omitempty"`
	BoundingBox         boundingBox              `json:"boundingBox"`
	AccessConstraints   string                   `json:"accessConstraints,omitempty"` // titiler.core's model default
	Attribution         string                   `json:"attribution,omitempty"`       // titiler.core's, TITILER_DEFAULT_ATTRIBUTION
}

// boundingBox is an OGC 2D bounding box, x (longitude or easting) first,
// as titiler writes it whatever the CRS's axis order.
type boundingBox struct {
	LowerLeft  [2]float64 `json:"lowerLeft"`
	UpperRight [2]float64 `json:"upperRight"`
	CRS        string     `json:"crs"`
}

func newBoundingBox(b [4]float64, crs string) boundingBox {
	return boundingBox{LowerLeft: [2]float64{b[0], b[1]}, UpperRight: [2]float64{b[2], b[3]}, CRS: crs}
}

// tilingSchemeRel is the OGC link relation to a tile matrix set definition.
const tilingSchemeRel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"

// echoQuery is the request's query for the links a document hands out:
// every parameter but those named, and never the function key.
func echoQuery(v url.Values, drop ...string) string {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for _, k := range drop {
		out.Del(k)
	}
	dropFunctionKey(out)
	if len(out) == 0 {
		return ""
	}
	return "?" + out.Encode()
}

// tilesets lists the mosaic's tileset in every tile matrix set, with its
// extent in EPSG:4326 or in the crs asked for (titiler's /tiles).
func (m mosaicHandlers) tilesets(w http.ResponseWriter, r *http.Request) error {
	v := queryValues(r.URL.RawQuery)
	var ext extentCRS
	if err := newQuery(v).parse(formParam{}, &ext); err != nil {
		return err
	}
	mo, err := m.resolve(r)
	if err != nil {
		return err
	}
	// Without a bbox the extent is the default set's, as titiler's backend
	// opened without a tile matrix set.
	bounds := mosaicBounds(mo.search, defaultTMS())
	crs := "http://www.opengis.net/def/crs/EPSG/0/4326"
	if ext.crs != "" {
		if bounds, crs, err = tiles.BoundsIn(bounds, ext.crs); err != nil {
			return err
		}
	}
	base := baseURL(r) + mo.path
	qs := echoQuery(v, "crs")
	var sets []tileSet
	for _, ref := range allTMS() {
		sets = append(sets, tileSet{
			Title: "tileset tiled using " + ref.ID + " TileMatrixSet", DataType: "map", CRS: ref.DocCRS,
			Links: []link{
				{Href: base + "/tiles/" + ref.ID + qs, Rel: "self", Type: "application/json", Title: "Tileset tiled using " + ref.ID + " TileMatrixSet"},
				{Href: base + "/tiles/" + ref.ID + "/{z}/{x}/{y}" + qs, Rel: "tile", Title: "Templated link for retrieving Raster tiles"},
				tilingScheme(baseURL(r), ref.ID),
			},
			BoundingBox: newBoundingBox(bounds, crs), AccessConstraints: accessConstraints, Attribution: m.attribution(),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tilesets": sets})
	return nil
}

// tileset describes the mosaic's tileset in one tile matrix set: its extent
// in the set's geographic CRS and, for each zoom, the tiles that cover it
// (titiler's /tiles/{tileMatrixSetId}).
func (m mosaicHandlers) tileset(w http.ResponseWriter, r *http.Request) error {
	tms, err := lookupTMS(mux.Vars(r)["tileMatrixSetId"])
	if err != nil {
		return err
	}
	v := queryValues(r.URL.RawQuery)
	var zooms zoomParams
	if err := newQuery(v).parse(formParam{}, &zooms); err != nil {
		return err
	}
	mo, err := m.resolve(r)
	if err != nil {
		return err
	}
	minz, maxz := zooms.within(mo.zoomRange(tms))
	bounds := mosaicBounds(mo.search, tms)
	limits, err := tms.Limits(bounds, minz, maxz)
	if err != nil {
		return err
	}
	base := baseURL(r) + mo.path
	qs := echoQuery(v)
	writeJSON(w, http.StatusOK, tileSet{
		Title: "tileset tiled using " + tms.ID + " TileMatrixSet", DataType: "map", CRS: tms.DocCRS,
		Links: []link{
			{Href: base + "/tiles/" + tms.ID, Rel: "self", Type: "application/json", Title: "Tileset tiled using " + tms.ID + " TileMatrixSet"},
			{Href: base + "/tiles/" + tms.ID + "/{z}/{x}/{y}" + qs, Rel: "tile", Templated: true, Title: "Templated link for retrieving Raster tiles"},
			tilingScheme(baseURL(r), tms.ID),
			{Href: base + "/" + tms.ID + "/map.html" + qs, Rel: "data", Type: "text/html", Title: "Map viewer for '" + tms.ID + "' tileMatrixSet"},
		},
		TileMatrixSetLimits: limits,
		// The datums of the sets' geographic CRSs meet WGS 84 through null
		// transformations: the lon/lat box holds in them as it is.
		BoundingBox:       newBoundingBox(bounds, m.geographicCRS(tms)),
		AccessConstraints: accessConstraints,
		Attribution:       m.attribution(),
	})
	return nil
}

// accessConstraints is titiler's TileSet model default.
const accessConstraints = "unclassified"

// attribution is titiler.core's tileset attribution; titiler's mosaic
// tilesets have none.
func (m mosaicHandlers) attribution() string {
	if m.core {
		return m.s.Attribution
	}
	return ""
}

// uriVersion is the version part of an OGC CRS URI.
var uriVersion = regexp.MustCompile(`(/def/crs/[^/]+/)[^/]+/`)

// geographicCRS is the URI of the set's geographic CRS: as the set's
// document versions it for a mosaic, as rasterio writes it (version 0)
// for titiler.core's readers.
func (m mosaicHandlers) geographicCRS(tms *tiles.TileMatrixSet) string {
	if m.core {
		return uriVersion.ReplaceAllString(tms.GeographicCRS(), "${1}0/")
	}
	return tms.GeographicCRS()
}

func tilingScheme(base, id string) link {
	return link{Href: base + "/tileMatrixSets/" + id, Rel: tilingSchemeRel, Type: "application/json", Title: "Definition of '" + id + "' tileMatrixSet"}
}

// defaultTMS is the set titiler's mosaic backend uses when none is named.
func defaultTMS() *tiles.TileMatrixSet {
	tms, _ := tiles.LookupTMS("WebMercatorQuad")
	return tms
}

// allTMS is every tile matrix set, sorted by id, made ready.
func allTMS() []*tiles.TileMatrixSet {
	var out []*tiles.TileMatrixSet
	for _, id := range tiles.TMSIDs() {
		tms, _ := tiles.LookupTMS(id)
		out = append(out, tms)
	}
	return out
}

// extentCRS is the crs of /tiles: the CRS the tilesets' extents are in.
type extentCRS struct{ crs string }

func (*extentCRS) params() []Param {
	return []Param{{Name: "crs", Type: "string", Description: "CRS of the extents: EPSG:4326 (the default), another AUTHORITY:CODE, an OGC CRS URI or URN."}}
}

func (p *extentCRS) parse(q *query) { p.crs = q.v.Get("crs") }

// zoomParams are a request's minzoom and maxzoom: bounds that replace the
// mosaic's own.
type zoomParams struct{ minzoom, maxzoom *int }

func (*zoomParams) params() []Param {
	return []Param{
		{Name: "minzoom", Type: "integer", Description: "The lowest zoom (default: the mosaic's)."},
		{Name: "maxzoom", Type: "integer", Description: "The highest zoom (default: the mosaic's)."},
	}
}

func (p *zoomParams) parse(q *query) { p.minzoom, p.maxzoom = q.zoom("minzoom"), q.zoom("maxzoom") }

// within is the zoom range minz..maxz with the request's bounds in place.
func (p zoomParams) within(minz, maxz int) (int, int) {
	if p.minzoom != nil {
		minz = *p.minzoom
	}
	if p.maxzoom != nil {
		maxz = *p.maxzoom
	}
	return minz, maxz
}
