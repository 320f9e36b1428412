package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// pickCollection is -collection, or the first collection a stored search
// names (tilefunc has no collection list, as titiler-pgstac has none),
// with its spatial extent as pgSTAC gives it.
func (s *smoker) pickCollection(ctx context.Context) (string, [4]float64, bool) {
	var none [4]float64
	coll := s.collection
	if coll == "" {
		a, err := s.do(ctx, http.MethodGet, "/searches?limit=100", nil, false)
		var list struct {
			Searches []struct {
				Search struct {
					Search struct {
						Collections []string `json:"collections"`
					} `json:"search"`
				} `json:"search"`
			} `json:"searches"`
		}
		switch {
		case err != nil:
			s.fail("register: "+err.Error(), "pass -collection ID")
			return "", none, false
		case a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil:
			s.fail(fmt.Sprintf("register: GET /searches answered %d: %s", a.status, a.detail()), "pass -collection ID")
			return "", none, false
		}
		for _, l := range list.Searches {
			if cs := l.Search.Search.Collections; len(cs) > 0 && coll == "" {
				coll = cs[0]
			}
		}
		if coll == "" {
			s.fail("register: no stored search names a collection to test", "pass -collection ID, a collection of the pgSTAC database")
			return "", none, false
		}
	}
	bounds, ok := s.extent(ctx, coll)
	return coll, bounds, ok
}

// extent is the collection's spatial extent, which its mosaic's metadata
// carries.
func (s *smoker) extent(ctx context.Context, coll string) ([4]float64, bool) {
	var info struct {
		Search struct {
			Metadata struct {
				Bounds []float64 `json:"bounds"`
			} `json:"metadata"`
		} `json:"search"`
	}
	path := "/collections/" + url.PathEscape(coll) + "/info"
	a, err := s.do(ctx, http.MethodGet, path, nil, false)
	switch {
	case err != nil:
		s.fail("register: "+err.Error(), "try again: the app answered /healthz")
		return [4]float64{}, false
	case a.status == http.StatusNotFound:
		s.fail(fmt.Sprintf("register: collection %q: %s", coll, a.detail()), "pass -collection with a collection of the pgSTAC database")
		return [4]float64{}, false
	case a.status != http.StatusOK || json.Unmarshal(a.body, &info) != nil:
		s.fail(fmt.Sprintf("register: GET %s answered %d: %s", path, a.status, a.detail()), "read the app's log for the request")
		return [4]float64{}, false
	}
	b := info.Search.Metadata.Bounds
	if len(b) != 4 {
		b = []float64{-180, -90, 180, 90}
	}
	return [4]float64(b), true
}

// register is the seed's "Test search registration": POST
// /searches/register with the key, for the collection over its extent. The
// search is the same on every run, so pgSTAC keeps one row for it.
func (s *smoker) register(ctx context.Context, coll string, bounds [4]float64) (string, bool) {
	body, _ := json.Marshal(map[string]any{"collections": []string{coll},
		"metadata": map[string]any{"name": "handler smoke", "bounds": bounds}})
	a, err := s.do(ctx, http.MethodPost, "/searches/register", body, true)
	if err != nil {
		s.fail("register: "+err.Error(), "try again: the app answered /healthz")
		return "", false
	}
	keyFix := "pass the app's function key: -key \"$(az functionapp keys list -g <group> -n <app> --query functionKeys.default -o tsv)\""
	var reg struct {
		ID string `json:"id"`
	}
	switch {
	case a.status == http.StatusOK && json.Unmarshal(a.body, &reg) == nil && reg.ID != "":
		with := "without a key"
		if s.key != "" {
			with = "with the key"
		}
		s.ok("register: POST /searches/register for collection %s, %s: search %s (%s)", coll, with, reg.ID, seconds(a.took))
		return reg.ID, true
	case a.location != "":
		s.fail(fmt.Sprintf("register: POST /searches/register answered %d: %s", a.status, a.detail()),
			"pass the app's own address as URL: the key is not sent on to where a redirect points")
	case a.status == http.StatusUnauthorized && s.key == "":
		s.fail("register: POST /searches/register answered 401 without a key: the deployment needs the function key ("+a.detail()+")", keyFix)
	case a.status == http.StatusUnauthorized:
		s.fail("register: POST /searches/register answered 401: the key given is not one of this app's ("+a.detail()+")", keyFix)
	case a.status == http.StatusForbidden:
		s.fail("register: POST /searches/register answered 403: "+a.detail(),
			"to register, grant the role 'handler sql grants --mode register' (docs/deployment.md); a read-only deployment fails this check by design")
	case a.status == http.StatusTooManyRequests:
		s.fail("register: POST /searches/register answered 429: "+a.detail(), "wait, or raise TILEFUNC_REGISTER_PER_HOUR")
	default:
		s.fail(fmt.Sprintf("register: POST /searches/register answered %d: %s", a.status, a.detail()), "run 'handler doctor' with the app's settings; read the app's log for the request")
	}
	fmt.Fprintf(s.out, "info tile, wmts: of collection %s's own mosaic instead\n", coll)
	return "", false
}

// tile renders a WebMercatorQuad tile of the mosaic: an item in the tile at
// the centre of the extent, the tile at the centre of that item, at the zoom
// where the item spans about two tiles. It gives back the asset it rendered.
func (s *smoker) tile(ctx context.Context, prefix string, bounds [4]float64) (string, bool) {
	z, x, y := tileAt(bounds, 0)
	path := fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d/assets", prefix, z, x, y)
	a, err := s.do(ctx, http.MethodGet, path, nil, false)
	var items []struct {
		ID     string    `json:"id"`
		BBox   []float64 `json:"bbox"`
		Assets map[string]struct {
			Type  string   `json:"type"`
			Roles []string `json:"roles"`
		} `json:"assets"`
	}
	switch {
	case err != nil:
		s.fail("tile: "+err.Error(), "try again: the app answered /healthz")
		return "", false
	case a.status != http.StatusOK || json.Unmarshal(a.body, &items) != nil:
		s.fail(fmt.Sprintf("tile: GET %s answered %d: %s", path, a.status, a.detail()), "run 'handler doctor' with the app's settings; read the app's log for the request")
		return "", false
	case len(items) == 0:
		s.fail(fmt.Sprintf("tile: no item in tile %d/%d/%d at the centre of the extent %v", z, x, y, bounds), "pass -collection with a collection that has items there")
		return "", false
	}
	it := items[0]
	asset := s.assets
	if asset == "" {
		names := make([]string, 0, len(it.Assets))
		for n := range it.Assets {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if t := it.Assets[n].Type; asset == "" && (strings.Contains(t, "geotiff") || strings.Contains(t, "image/tiff")) {
				asset = n
			}
		}
	}
	if asset == "" {
		s.fail(fmt.Sprintf("tile: item %s has no GeoTIFF asset", it.ID), "pass -assets NAME")
		return "", false
	}
	if len(it.BBox) >= 4 {
		b := [4]float64{it.BBox[0], it.BBox[1], it.BBox[len(it.BBox)/2], it.BBox[len(it.BBox)/2+1]}
		z, x, y = tileAt(b, 1)
	}
	q := url.Values{"assets": {asset}}
	for k, v := range s.params {
		q[k] = v
	}
	path = fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d.png?%s", prefix, z, x, y, q.Encode())
	if a, err = s.do(ctx, http.MethodGet, path, nil, false); err != nil {
		s.fail("tile: "+err.Error(), "try again; a first render after a cold start can take longer: raise -timeout")
		return "", false
	}
	if a.status != http.StatusOK || a.media != "image/png" {
		s.fail(fmt.Sprintf("tile: GET %s answered %d %s: %s", redactURL(path), a.status, a.media, a.detail()),
			"run 'handler doctor' with the app's settings (blob access, grants); the app's log has the request's error")
		return "", false
	}
	img, err := png.Decode(bytes.NewReader(a.body))
	if err != nil {
		s.fail(fmt.Sprintf("tile: GET %s: the %d bytes are not a PNG: %v", redactURL(path), len(a.body), err), "read the app's log for the request")
		return "", false
	}
	r := img.Bounds()
	s.ok("tile: GET %s: %dx%d PNG, %d bytes, %d%% of it opaque, from item %s (%s)", redactURL(path), r.Dx(), r.Dy(), len(a.body), opaque(img), it.ID, seconds(a.took))
	return asset, true
}

// wmts reads the mosaic's WMTS document: XML with at least one layer, and
// where its WebMercatorQuad tiles are fetched from.
func (s *smoker) wmts(ctx context.Context, prefix, asset string) {
	q := url.Values{"assets": {asset}}
	for k, v := range s.params {
		q[k] = v
	}
	path := prefix + "/WMTSCapabilities.xml?" + q.Encode()
	a, err := s.do(ctx, http.MethodGet, path, nil, false)
	if err != nil {
		s.fail("wmts: "+err.Error(), "try again: the app answered the tile")
		return
	}
	var doc struct {
		Layers []struct {
			Identifier string   `xml:"Identifier"`
			Matrices   []string `xml:"TileMatrixSetLink>TileMatrixSet"`
			Resources  []struct {
				Template string `xml:"template,attr"`
			} `xml:"ResourceURL"`
		} `xml:"Contents>Layer"`
	}
	switch {
	case a.status != http.StatusOK:
		s.fail(fmt.Sprintf("wmts: GET %s answered %d: %s", redactURL(path), a.status, a.detail()), "read the app's log for the request")
		return
	case xml.Unmarshal(a.body, &doc) != nil:
		s.fail(fmt.Sprintf("wmts: GET %s: the answer (%s) is not XML", redactURL(path), a.media), "read the app's log for the request")
		return
	case len(doc.Layers) == 0:
		s.fail(fmt.Sprintf("wmts: GET %s: the document has no Layer", redactURL(path)), "read the app's log for the request")
		return
	}
	where := "no WebMercatorQuad layer"
	for _, l := range doc.Layers {
		if slices.Contains(l.Matrices, "WebMercatorQuad") && len(l.Resources) > 0 {
			where = "WebMercatorQuad tiles at " + tileHost(l.Resources[0].Template)
		}
	}
	s.ok("wmts: GET %s: %d layers, %s (%s)", redactURL(path), len(doc.Layers), where, seconds(a.took))
}

// tileHost is where a WMTS tile template points, for the line: a client
// fetches from there, so it must be the app's public address.
func tileHost(template string) string {
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(template))
	if err != nil {
		return "an unparsable URL"
	}
	return u.Scheme + "://" + u.Host
}

// tileAt is the WebMercatorQuad tile at the centre of bounds (west, south,
// east, north in degrees) at the zoom where the bounds' width spans about
// 2^more tiles.
func tileAt(b [4]float64, more int) (z, x, y int) {
	w := b[2] - b[0]
	if w < 0 { // across the antimeridian
		w += 360
	}
	lon, lat := b[0]+w/2, (b[1]+b[3])/2
	if lon > 180 {
		lon -= 360
	}
	z = 18
	if w > 0 {
		z = min(18, max(0, int(math.Floor(math.Log2(360/w)))+more))
	}
	n := math.Exp2(float64(z))
	lat = math.Max(-85.0511, math.Min(85.0511, lat)) * math.Pi / 180
	x = int(math.Floor((lon + 180) / 360 * n))
	y = int(math.Floor((1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n))
	return z, min(max(x, 0), int(n)-1), min(max(y, 0), int(n)-1)
}

// opaque is the share of the image's pixels that are not transparent, in
// percent: 0 says the tile was rendered where the item has no data.
func opaque(img image.Image) int {
	r := img.Bounds()
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a > 0 {
				n++
			}
		}
	}
	return n * 100 / max(1, r.Dx()*r.Dy())
}
