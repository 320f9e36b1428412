package handler

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"tilefunc"
	"tilefunc/tiles"
)

// Fuzz targets for what a client writes: the query of every image route
// (assets and their options, rescale, colormap JSON, expression, algorithm
// parameters, CRS, sizes, pgSTAC limits), the tile path, bbox and point
// coordinates, a GeoJSON feature body and a register body. The invariants:
// no panic, a refusal is a client error (4xx), never an internal one, and
// parsing allocates at most maxParseAlloc whatever the input.
// Seeds are below and in testdata/fuzz; `make fuzz` runs each longer.

var fuzzDefaults = tilefunc.SearchOptions{ScanLimit: 10000, ItemsLimit: 100, TimeLimit: 5 * time.Second, ExitWhenFull: true, SkipCovered: true}

// maxParseAlloc bounds what parsing one request may allocate: the sizes a
// client writes are checked before anything of their size is made.
const maxParseAlloc = 16 << 20

// bounded runs parse and fails when it allocated more than maxParseAlloc.
func bounded(t *testing.T, what string, parse func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	parse()
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > maxParseAlloc {
		t.Fatalf("%s: parsing allocated %d MB", what, n>>20)
	}
}

// clientError fails unless err is nil or a refusal with a 4xx status.
func clientError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *tilefunc.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: not a client error: %v", what, err)
	}
	if st := status[e.Code]; st < 400 || st >= 500 {
		t.Fatalf("%s: status %d for %v", what, st, err)
	}
}

func FuzzImageQuery(f *testing.F) {
	for _, s := range []string{
		"assets=visual", "assets=red|bidx=1,2&assets=nir|expression=b1*2&rescale=0,10&rescale=[5,50]",
		"assets=a&expression=(b1-b2)/(b1%2Bb2)&colormap_name=viridis&return_mask=false",
		`assets=a&colormap={"0":[0,0,0,0],"255":[255,0,0,255]}`, "assets=a&colormap=[[[0,10],[255,0,0,255]]]",
		"assets=a&algorithm=hillshade&algorithm_params={\"azimuth\":45}", "assets=a&color_formula=gamma RGB 1.5",
		"assets=a&tilesize=2048&buffer=3&padding=2&pixel_selection=median&items_limit=99999999",
		"assets=a&coord_crs=EPSG:3857&dst_crs=OGC:CRS84&max_size=99999&width=-1&height=0",
		"assets=a|bands=red,nir&nodata=nan&unscale=true&resampling=cubic&reproject=lanczos",
		"assets=:all:&asset_as_band=true&bidx=1,1,1,1&histogram_bins=1000000000&histogram_range=0,1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		bounded(t, "image query", func() {
			clientError(t, "tile", parseQuery(raw, newTileRoute(fuzzDefaults).groups()...))
			clientError(t, "item tile", parseQuery(raw, newItemTileRoute().groups()...))
			clientError(t, "part", parseQuery(raw, newPartRoute(fuzzDefaults, nil).groups()...))
			clientError(t, "point", parseQuery(raw, newPointRoute(fuzzDefaults).groups()...))
			clientError(t, "statistics", parseQuery(raw, newStatisticsRoute(fuzzDefaults).groups()...))
		})
	})
}

func FuzzTilePath(f *testing.F) {
	for _, s := range [][4]string{{"WebMercatorQuad", "7", "64", "42.png"}, {"WorldCRS84Quad", "0", "0", "0@2x.webp"},
		{"nope", "-1", "99999999999999999999", "1.tif"}, {"WebMercatorQuad", "30", "1", "1@0x"}} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, tms, z, x, y string) {
		ref, _, err := parseTileRequest(map[string]string{"tileMatrixSetId": tms, "z": z, "x": x, "y": y})
		clientError(t, "tile path", err)
		if err == nil {
			_, err := ref.window(tileOptions{size: 256})
			clientError(t, "tile window", err)
		}
	})
}

func FuzzCoordinates(f *testing.F) {
	for _, s := range []string{"3.5,43.9", "-180,-90,180,90", "nan,inf,1e400,-0", "1,2,3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vars := map[string]string{}
		names := []string{"minx", "miny", "maxx", "maxy"}
		for i, part := range strings.SplitN(s, ",", 4) {
			vars[names[i]] = part
		}
		if b, err := pathNumbers(vars, names...); err == nil {
			_, err := checkBounds(b)
			clientError(t, "bbox", err)
		} else {
			clientError(t, "bbox numbers", err)
		}
		_, err := pathNumbers(map[string]string{"lon": vars["minx"], "lat": vars["miny"]}, "lon", "lat")
		clientError(t, "point", err)
	})
}

func FuzzCRS(f *testing.F) {
	for _, s := range []string{"EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/3857", "urn:ogc:def:crs:OGC:1.3:CRS84",
		`GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`,
		"+proj=longlat +datum=WGS84", "+init=epsg:4326", "/etc/passwd", "IAU_2015:30100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := tiles.ParseCRS(s)
		clientError(t, "crs", err)
	})
}

func FuzzFeatureBody(f *testing.F) {
	for _, s := range []string{
		`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":null}]}`,
		`{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[]}}`, `[]`, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[[[[1]]]]]]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		bounded(t, "feature", func() {
			_, err := parseFeature(b)
			clientError(t, "feature", err)
			_, _, _, err = parseFeatures(b)
			clientError(t, "features", err)
		})
	})
}

func FuzzRegisterBody(f *testing.F) {
	for _, s := range []string{
		`{"collections":["a"],"metadata":{"name":"x"}}`, `{"bbox":[1,2,3,4],"datetime":"2020-01-01/..","sortby":"-datetime"}`,
		`{"filter":"eo:cloud_cover < 10","filter-lang":"cql2-text"}`, `{"filter":{"op":"and","args":[]}}`, `{"ids":[1,null]}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		bounded(t, "register", func() {
			_, _, err := parseRegister(b)
			clientError(t, "register", err)
		})
	})
}
