package handler

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"tilefunc"
	"tilefunc/tiles"
)

// wmtsOwnParams are the WMTS route's own parameters (titiler's, its older
// tile_scale, minzoom and maxzoom, and the OGC request keys a client may
// add); every other parameter is the default layer's tile query. Keys are
// compared in lower case, as titiler does.
var wmtsOwnParams = map[string]bool{
	"tile_format": true, "use_epsg": true, "tilesize": true, "zooms": true,
	"tile_scale": true, "minzoom": true, "maxzoom": true,
	"service": true, "request": true, "acceptversions": true, "sections": true,
	"updatesequence": true, "acceptformats": true, functionKey: true,
}

// noLayer is titiler-pgstac's answer when a WMTS document would be empty.
const noLayer = "Could not find any valid layers in metadata or construct one from Query Parameters."

// wmtsRequest is what a capabilities request asks for.
type wmtsRequest struct {
	format string // tile_format as written: the tile URL's extension
	media  string
	epsg   bool
	scale  int
	zoomParams
	zooms map[string][2]int // zooms=WebMercatorQuad::0,12 ("*" for every set)
}

// wmts answers the OGC WMTS 1.0.0 RESTful capabilities of the mosaic: one
// layer per render of its metadata and per tile query the request makes,
// each in every tile matrix set (titiler's mosaic wmtsExtension).
func (m mosaicHandlers) wmts(w http.ResponseWriter, r *http.Request) error {
	v := queryValues(r.URL.RawQuery)
	var req wmtsRequest
	if err := newQuery(v).parse(&req); err != nil {
		return err
	}
	mo, err := m.resolve(r)
	if err != nil {
		return err
	}
	layers := m.wmtsLayers(mo, v, req)
	if len(layers) == 0 {
		return tilefunc.Errorf(tilefunc.EBADREQUEST, noLayer)
	}
	doc := capabilities{URL: baseURL(r) + r.URL.Path + echoQuery(v), Media: req.media}
	tileBase := baseURL(r) + mo.path + "/tiles/"
	suffix := "/{TileMatrix}/{TileCol}/{TileRow}"
	if req.scale > 1 {
		suffix += fmt.Sprintf("@%dx", req.scale)
	}
	suffix += "." + req.format
	limits := limitsMemo{}
	for _, l := range layers {
		for _, tms := range allTMS() {
			minz, maxz := layerZooms(l, mo, tms, req)
			b := mosaicBounds(mo.search, tms)
			if l.extent != nil {
				b = *l.extent
			}
			lim, err := limits.get(tms, b, minz, maxz)
			if err != nil {
				return err
			}
			id := mo.hash + "_" + tms.ID + "_" + l.name
			tmpl := tileBase + tms.ID + suffix
			if qs := l.encode(); qs != "" {
				tmpl += "?" + qs
			}
			doc.Layers = append(doc.Layers, wmtsLayer{ID: id, BBox: b, TMS: tms.ID, Limits: lim, Template: tmpl})
		}
	}
	for _, tms := range allTMS() {
		doc.Sets = append(doc.Sets, wmtsMatrixSet(tms, req))
	}
	var buf bytes.Buffer
	if err := capabilitiesXML.Execute(&buf, doc); err != nil {
		return err
	}
	return writeBody(w, "application/xml", buf.Bytes())
}

func (*wmtsRequest) params() []Param {
	return append([]Param{
		{Name: "tile_format", Type: "string", Default: "png", Enum: tiles.FormatNames(), Description: "The tiles' format."},
		{Name: "use_epsg", Type: "boolean", Default: false, Description: "EPSG codes in SupportedCRS (for ArcMap), not URNs."},
		{Name: "tile_scale", Type: "integer", Default: 1, Description: "1 to 4: tiles of 256 × tile_scale pixels."},
		{Name: "zooms", Type: "string", Array: true, Description: "tileMatrixSetId::minzoom,maxzoom (* for every set)."},
	}, (&zoomParams{}).params()...)
}

func (req *wmtsRequest) parse(q *query) {
	req.format, req.epsg = q.v.Get("tile_format"), q.bool("use_epsg", false)
	if req.format == "" {
		req.format = "png"
	}
	if f, err := tiles.ParseFormat(req.format); err != nil {
		q.failWith("tile_format", err)
	} else {
		req.media = f.MediaType
	}
	req.scale = q.int("tile_scale", 1, 1)
	if req.scale > 4 {
		q.fail("tile_scale", "%d: use 1 to 4 (256 to 1024 pixel tiles)", req.scale)
	}
	req.zoomParams.parse(q)
	req.zooms = parseZooms(q, q.v["zooms"])
}

// zoomsEntry is one zooms value, tileMatrixSetId::minzoom,maxzoom. The
// Functions host in forwarding mode joins repeated values with commas,
// so entries are found in the joined text, not split on commas.
var zoomsEntry = regexp.MustCompile(`([A-Za-z0-9_.*-]+)::(-?\d+),(-?\d+)`)

func parseZooms(q *query, values []string) map[string][2]int {
	out := map[string][2]int{}
	for _, v := range values {
		found := zoomsEntry.FindAllStringSubmatch(v, -1)
		if len(found) == 0 && v != "" {
			q.fail("zooms", "%q: want tileMatrixSetId::minzoom,maxzoom", v)
		}
		for _, e := range found {
			lo, err1 := strconv.Atoi(e[2])
			hi, err2 := strconv.Atoi(e[3])
			if err1 != nil || err2 != nil {
				q.fail("zooms", "%q: zoom levels out of range", e[0])
			}
			out[e[1]] = [2]int{lo, hi}
		}
	}
	return out
}

// wmtsLayers are the layers a document offers: the metadata's renders, then
// the request's own tile query ("default"). A layer whose query the tile
// route would refuse is left out, as titiler leaves it out.
func (m mosaicHandlers) wmtsLayers(mo *mosaic, v url.Values, req wmtsRequest) []render {
	out := acceptedRenders(mo.search.Metadata, m.tileQueryOK)
	own := url.Values{}
	for k, vs := range v {
		if !wmtsOwnParams[strings.ToLower(k)] {
			own[k] = vs
		}
	}
	if m.tileQueryOK(own) {
		out = append(out, render{name: "default", query: own, zooms: req.zooms})
	}
	return out
}

// tileQueryOK says whether the source's tile route would accept the query.
func (m mosaicHandlers) tileQueryOK(v url.Values) bool {
	return newQuery(v).parse(m.tileGroups()...) == nil
}

// tileQueryOK says whether a mosaic's tile route would accept the query.
func (s *Server) tileQueryOK(v url.Values) bool {
	return newQuery(v).parse(newTileRoute(s.Search).groups()...) == nil
}

// tileRenders are the metadata's renders whose query a mosaic's tile
// route would accept: titiler-pgstac offers only those
// (check_query_params), in WMTS layers and in the links of registration
// and /info.
func (s *Server) tileRenders(meta tilefunc.SearchMetadata) []render {
	return acceptedRenders(meta, s.tileQueryOK)
}

// acceptedRenders are the metadata's renders whose query ok accepts.
func acceptedRenders(meta tilefunc.SearchMetadata, ok func(url.Values) bool) []render {
	var out []render
	for _, rd := range renders(meta) {
		if ok(rd.query) {
			out = append(out, rd)
		}
	}
	return out
}

// layerZooms are a layer's zooms in a set: its own for the set (or "*"),
// else the request's minzoom and maxzoom over the mosaic's zooms.
func layerZooms(l render, mo *mosaic, tms *tiles.TileMatrixSet, req wmtsRequest) (int, int) {
	if z, ok := l.zooms[tms.ID]; ok {
		return z[0], z[1]
	}
	if z, ok := l.zooms["*"]; ok {
		return z[0], z[1]
	}
	return req.within(mo.zoomRange(tms))
}

// limitsMemo computes each set's limits once per document: layers of one
// mosaic share their extent and zooms, and projected sets need GDAL.
type limitsMemo map[string][]tiles.TileMatrixLimits

func (lm limitsMemo) get(tms *tiles.TileMatrixSet, b [4]float64, minz, maxz int) ([]tiles.TileMatrixLimits, error) {
	key := fmt.Sprint(tms.ID, b, minz, maxz)
	if l, ok := lm[key]; ok {
		return l, nil
	}
	l, err := tms.Limits(b, minz, maxz)
	if err == nil {
		lm[key] = l
	}
	return l, err
}
