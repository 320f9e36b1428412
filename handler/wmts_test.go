package handler_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// wmtsDoc is a WMTS capabilities document as a client reads it (element
// names without namespaces match any namespace).
type wmtsDoc struct {
	XMLName xml.Name `xml:"Capabilities"`
	Version string   `xml:"version,attr"`
	Layers  []struct {
		Identifier string `xml:"Identifier"`
		BBox       struct {
			CRS   string `xml:"crs,attr"`
			Lower string `xml:"LowerCorner"`
			Upper string `xml:"UpperCorner"`
		} `xml:"WGS84BoundingBox"`
		Format string `xml:"Format"`
		Link   struct {
			TileMatrixSet string `xml:"TileMatrixSet"`
			Limits        []struct {
				TileMatrix                                     string
				MinTileRow, MaxTileRow, MinTileCol, MaxTileCol int
			} `xml:"TileMatrixSetLimits>TileMatrixLimits"`
		} `xml:"TileMatrixSetLink"`
		Resource struct {
			Format   string `xml:"format,attr"`
			Template string `xml:"template,attr"`
		} `xml:"ResourceURL"`
	} `xml:"Contents>Layer"`
	Sets []struct {
		Identifier   string `xml:"Identifier"`
		SupportedCRS string `xml:"SupportedCRS"`
		Matrices     []struct {
			Identifier                                       string
			ScaleDenominator                                 float64
			TopLeftCorner                                    string
			TileWidth, TileHeight, MatrixWidth, MatrixHeight int
		} `xml:"TileMatrix"`
	} `xml:"Contents>TileMatrixSet"`
	ServiceMetadataURL struct {
		Href string `xml:"href,attr"`
	} `xml:"ServiceMetadataURL"`
}

func getWMTS(t *testing.T, u string) wmtsDoc {
	t.Helper()
	r := get(t, u)
	if r.status != 200 || r.header.Get("Content-Type") != "application/xml" {
		t.Fatalf("%s: %d %s %s", u, r.status, r.header.Get("Content-Type"), r.body)
	}
	var d wmtsDoc
	if err := xml.Unmarshal(r.body, &d); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	return d
}

// layer returns the layer of a tile matrix set whose identifier ends with
// name.
func (d wmtsDoc) layer(t *testing.T, id string) int {
	t.Helper()
	for i, l := range d.Layers {
		if l.Identifier == id {
			return i
		}
	}
	t.Fatalf("no layer %s", id)
	return -1
}

func TestWMTSWithoutALayerIs400(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	for _, q := range []string{"", "?tile_format=png&minzoom=2", "?assets=visual|foo=1", "?rescale=0,1"} {
		d := get(t, e.url+"/searches/"+id+"/WMTSCapabilities.xml"+q).detail(t, http.StatusBadRequest)
		if d != "Could not find any valid layers in metadata or construct one from Query Parameters." {
			t.Errorf("%q: detail %q", q, d)
		}
	}
}

func TestWMTSLayerFromTheQueryInEverySet(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	u := e.url + "/searches/" + id + "/WMTSCapabilities.xml?assets=visual&rescale=0,200&tile_format=jpg&tilesize=512&SERVICE=WMTS&code=SECRETKEY123"
	d := getWMTS(t, u)
	if d.Version != "1.0.0" || len(d.Layers) != 13 || len(d.Sets) != 13 {
		t.Fatalf("version %s, %d layers, %d sets", d.Version, len(d.Layers), len(d.Sets))
	}
	if strings.Contains(d.ServiceMetadataURL.Href, "SECRETKEY123") || !strings.Contains(d.ServiceMetadataURL.Href, "/WMTSCapabilities.xml?") {
		t.Errorf("ServiceMetadataURL %s", d.ServiceMetadataURL.Href)
	}
	l := d.Layers[d.layer(t, id+"_WebMercatorQuad_default")]
	want := e.url + "/searches/" + id + "/tiles/WebMercatorQuad/{TileMatrix}/{TileCol}/{TileRow}.jpg?assets=visual&rescale=0%2C200"
	if l.Resource.Template != want || l.Resource.Format != "image/jpg" || l.Format != "image/jpg" { // titiler's media type for jpg
		t.Errorf("resource %+v, want template %s", l.Resource, want)
	}
	if l.BBox.CRS != "urn:ogc:def:crs:OGC:2:84" || l.BBox.Lower != "-9.5 40" || l.BBox.Upper != "10.5 50" {
		t.Errorf("bounding box %+v", l.BBox)
	}
	if len(l.Link.Limits) != 25 || l.Link.TileMatrixSet != "WebMercatorQuad" {
		t.Fatalf("%d limits in %s", len(l.Link.Limits), l.Link.TileMatrixSet)
	}
	// The limits are the tileset's, and their corner tiles render.
	var ts tileSetDoc
	get(t, e.url+"/searches/"+id+"/tiles/WebMercatorQuad").json(t, &ts)
	for z, lim := range l.Link.Limits {
		tl := ts.TileMatrixSetLimits[z]
		if lim.TileMatrix != tl.TileMatrix || lim.MinTileRow != tl.MinTileRow || lim.MaxTileRow != tl.MaxTileRow || lim.MinTileCol != tl.MinTileCol || lim.MaxTileCol != tl.MaxTileCol {
			t.Errorf("zoom %d: WMTS %+v, tileset %+v", z, lim, tl)
		}
	}
	lim := l.Link.Limits[8]
	tile := strings.NewReplacer("{TileMatrix}", "8", "{TileCol}", fmt.Sprint(lim.MinTileCol), "{TileRow}", fmt.Sprint(lim.MinTileRow)).Replace(l.Resource.Template)
	if r := get(t, tile); r.status != 200 || r.header.Get("Content-Type") != "image/jpg" {
		t.Errorf("the template's tile %s: %d %s", tile, r.status, r.header.Get("Content-Type"))
	}
	for _, s := range d.Sets {
		if s.Identifier == "WebMercatorQuad" {
			m := s.Matrices[0]
			if s.SupportedCRS != "http://www.opengis.net/def/crs/EPSG/0/3857" || len(s.Matrices) != 25 || m.TileWidth != 256 || m.MatrixWidth != 1 ||
				m.TopLeftCorner != "-20037508.342789244 20037508.342789244" || fmt.Sprint(m.ScaleDenominator) != "5.590822640287178e+08" {
				t.Errorf("WebMercatorQuad %s, first matrix %+v", s.SupportedCRS, m)
			}
		}
		if s.Identifier == "WGS1984Quad" && s.Matrices[0].TopLeftCorner != "90 -180" {
			t.Errorf("WGS1984Quad's corner is written latitude first, as EPSG:4326 orders its axes: %s", s.Matrices[0].TopLeftCorner)
		}
	}
}

func TestWMTSLayersFromMetadataRenders(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, `{"collections":["demo-rgb"],"bbox":[-9.5,40,10.5,50],"metadata":{"defaults":{
		"red":{"assets":["visual"],"asset_bidx":["visual|1"],"rescale":[[0,255]],"tilesize":1024,"colormap":{"1":[0,0,0,255]},"nodata":0},
		"true_color":{"assets":"visual","tilematrixsets":{"WebMercatorQuad":[5,8]},"spatial_extent":[-9.5,40,0.5,50]},
		"bright":{"assets":["visual|expression=b1*2"],"expression":"b1/255","rescale":[[0,1]]},
		"broken":{"rescale":[[0,1]]}}}}`)
	base := e.url + "/searches/" + id + "/WMTSCapabilities.xml"
	d := getWMTS(t, base)
	if len(d.Layers) != 3*13 {
		t.Fatalf("%d layers, want the 3 valid renders in 13 sets", len(d.Layers))
	}
	// A render with expressions is a layer: its query is a tile query.
	bright, _ := url.Parse(d.Layers[d.layer(t, id+"_WebMercatorQuad_bright")].Resource.Template)
	if q := bright.Query(); q.Get("assets") != "visual|expression=b1*2" || q.Get("expression") != "b1/255" {
		t.Errorf("bright layer's tile query %v", q)
	}
	red := d.Layers[d.layer(t, id+"_WebMercatorQuad_red")]
	tmpl, _ := url.Parse(red.Resource.Template)
	if q := tmpl.Query(); q.Get("assets") != "visual|bidx=1" || q.Get("rescale") != "0,255" || q.Get("colormap") != `{"1": [0, 0, 0, 255]}` ||
		q.Get("nodata") != "0" || q.Has("tilesize") || q.Has("asset_bidx") {
		t.Errorf("red layer's tile query %v", q)
	}
	tc := d.Layers[d.layer(t, id+"_WebMercatorQuad_true_color")]
	if n := len(tc.Link.Limits); n != 4 || tc.Link.Limits[0].TileMatrix != "5" || tc.BBox.Upper != "0.5 50" {
		t.Errorf("true_color: %d limits from %s, bbox %+v", n, tc.Link.Limits[0].TileMatrix, tc.BBox)
	}
	if strings.Contains(tc.Resource.Template, "tilematrixsets") || strings.Contains(tc.Resource.Template, "spatial_extent") {
		t.Errorf("layer metadata in the tile query: %s", tc.Resource.Template)
	}
	// The red layer's tile is the red band through its discrete colormap,
	// which colours the value 1 only: the rest is transparent, as in titiler.
	x0, y0 := slippy(-5, 45, 8)
	tile := strings.NewReplacer("{TileMatrix}", "8", "{TileCol}", fmt.Sprint(x0), "{TileRow}", fmt.Sprint(y0)).Replace(red.Resource.Template)
	img := decodePNG(t, get(t, tile))
	lon, lat := pixelLonLat(8, x0, y0, 128, 128, 256)
	src := readSource(t, e.catalog.Paths["rgb_west"], lon, lat)
	if c := nrgba(img, 128, 128); c.A != 0 || src.center[0] == 1 {
		t.Errorf("red layer pixel %v, source %v: want transparent where red is not 1", c, src.center)
	}
	// With assets, the query's layer comes too.
	if d := getWMTS(t, base+"?assets=visual"); len(d.Layers) != 4*13 {
		t.Errorf("%d layers with assets, want 52", len(d.Layers))
	}
}

func TestWMTSOptions(t *testing.T) {
	e := newEnv(t, false)
	id := e.register(t, demoRGB)
	base := e.url + "/searches/" + id + "/WMTSCapabilities.xml?assets=visual"
	set := func(d wmtsDoc, id string) int {
		for i, s := range d.Sets {
			if s.Identifier == id {
				return i
			}
		}
		t.Fatalf("no set %s", id)
		return -1
	}
	d := getWMTS(t, base+"&use_epsg=true")
	if c := d.Sets[set(d, "WebMercatorQuad")].SupportedCRS; c != "EPSG:3857" {
		t.Errorf("use_epsg: WebMercatorQuad in %s", c)
	}
	if c := d.Sets[set(d, "WorldCRS84Quad")].SupportedCRS; c != "http://www.opengis.net/def/crs/OGC/1.3/CRS84" {
		t.Errorf("use_epsg: CRS84 has no EPSG code and keeps its URI, got %s", c)
	}
	d = getWMTS(t, base+"&tile_scale=2")
	l := d.Layers[d.layer(t, id+"_WebMercatorQuad_default")]
	m := d.Sets[set(d, "WebMercatorQuad")].Matrices[0]
	if !strings.Contains(l.Resource.Template, "/{TileRow}@2x.png?") || m.TileWidth != 512 || fmt.Sprint(m.ScaleDenominator) != "2.795411320143589e+08" {
		t.Errorf("tile_scale=2: template %s, matrix %+v", l.Resource.Template, m)
	}
	d = getWMTS(t, base+"&minzoom=2&maxzoom=6")
	if lim := d.Layers[d.layer(t, id+"_WebMercatorQuad_default")].Link.Limits; len(lim) != 5 || lim[0].TileMatrix != "2" {
		t.Errorf("minzoom=2&maxzoom=6: %d limits", len(lim))
	}
	// titiler's zooms: per set, then every set.
	d = getWMTS(t, base+"&zooms=WebMercatorQuad::3,5&zooms=*::0,1")
	if lim := d.Layers[d.layer(t, id+"_WebMercatorQuad_default")].Link.Limits; len(lim) != 3 || lim[0].TileMatrix != "3" {
		t.Errorf("zooms WebMercatorQuad::3,5: %d limits", len(lim))
	}
	if lim := d.Layers[d.layer(t, id+"_WorldCRS84Quad_default")].Link.Limits; len(lim) != 2 {
		t.Errorf("zooms *::0,1: %d limits", len(lim))
	}
	for _, bad := range []string{"&tile_format=gif", "&tile_scale=9", "&use_epsg=maybe", "&minzoom=x", "&zooms=WebMercatorQuad", "&zooms=WebMercatorQuad::0,99999999999999999999"} {
		get(t, base+bad).detail(t, 422)
	}
	get(t, e.url+"/searches/0123456789abcdef0123456789abcdef/WMTSCapabilities.xml?assets=visual").detail(t, 404)
}
