package handler

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tilefunc"
	"tilefunc/tiles"
)

// query reads query parameters and keeps the first invalid one, so a
// handler parses a whole group and checks one error.
type query struct {
	v   url.Values
	err error
}

func newQuery(v url.Values) *query { return &query{v: v} }

// queryValues parses a raw query as url.ParseQuery does, except that a ';'
// is part of a value, not an error: rio-tiler expressions separate bands with
// ';' (expression=b1;b2), browsers send it unescaped, and so does the
// Functions host in forwarding mode, which rebuilds the query with ';' left
// as it is. url.ParseQuery drops any pair holding one. Pairs with a malformed
// escape are dropped, as url.ParseQuery drops them.
func queryValues(raw string) url.Values {
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(key)
		val, err2 := url.QueryUnescape(value)
		if err1 != nil || err2 != nil {
			continue
		}
		v[k] = append(v[k], val)
	}
	return v
}

func (q *query) fail(name, format string, args ...any) {
	if q.err == nil {
		q.err = tilefunc.Errorf(tilefunc.EINVALID, "%s: %s", name, fmt.Sprintf(format, args...))
	}
}

func (q *query) int(name string, def, min int) int {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min {
		q.fail(name, "%q is not a whole number of at least %d", s, min)
		return def
	}
	return n
}

// zoom reads an optional zoom level, which may be negative (CDB1GlobalGrid
// starts at -10).
func (q *query) zoom(name string) *int {
	s := q.v.Get(name)
	if s == "" {
		return nil
	}
	z, err := strconv.Atoi(s)
	if err != nil {
		q.fail(name, "%q is not a whole number", s)
		return nil
	}
	return &z
}

func (q *query) float(name string) *float64 {
	s := q.v.Get(name)
	if s == "" {
		return nil
	}
	if strings.EqualFold(s, "nan") {
		f := math.NaN()
		return &f
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		q.fail(name, "%q is not a number", s)
		return nil
	}
	return &f
}

func (q *query) bool(name string, def bool) bool {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		return true
	case "false", "0", "no", "off":
		return false
	}
	q.fail(name, "%q is not a boolean", s)
	return def
}

// layer reads the layer group: which assets and bands, nodata, resampling.
// Each assets value is one asset, optionally with options: name|bidx=1,2.
func (q *query) layer() tiles.Layer {
	var l tiles.Layer
	for _, v := range q.v["assets"] {
		for _, a := range splitAssets(v) {
			if a == "" {
				continue
			}
			ab, err := parseAsset(a)
			if err != nil {
				q.fail("assets", "%v", err)
			}
			l.Assets = append(l.Assets, ab)
		}
	}
	if len(l.Assets) == 0 {
		q.fail("assets", "Field required")
	}
	l.NoData = q.float("nodata")
	l.Resampling = q.resampling("reproject")
	return l
}

// splitAssets splits one assets value into the assets it names. A client
// sends one asset per value (assets=red|bidx=1,2&assets=nir), but the
// Functions host in forwarding mode joins the values of a repeated key with
// commas (assets=red|bidx=1,2,nir). So a comma also ends an asset, except
// where it continues a bidx list (a band number follows) or sits inside the
// parentheses of an expression option. What cannot be told apart once
// joined: an asset named only with digits that follows an asset with a bidx
// list (a|bidx=1 then 2 reads as a|bidx=1,2). Asset names cannot hold commas.
func splitAssets(v string) []string {
	var out []string
	start, depth := 0, 0
	opt := "" // the option being read; "" while reading the asset's name
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '|':
			if depth == 0 {
				opt, _, _ = strings.Cut(v[i+1:], "=")
			}
		case '(':
			if opt == "expression" {
				depth++
			}
		case ')':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth > 0 || opt == "bidx" && startsWithBand(v[i+1:]) {
				continue
			}
			out = append(out, v[start:i])
			start, opt = i+1, ""
		}
	}
	return append(out, v[start:])
}

// startsWithBand says whether s starts with a band number: only digits up to
// the next comma, bar or the end.
func startsWithBand(s string) bool {
	if i := strings.IndexAny(s, ",|"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseAsset(s string) (tiles.AssetBands, error) {
	parts := strings.Split(s, "|")
	ab := tiles.AssetBands{Name: parts[0]}
	for _, opt := range parts[1:] {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "bidx":
			for _, b := range strings.Split(v, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(b))
				if err != nil || n < 1 {
					return ab, fmt.Errorf("%q: bidx wants band numbers from 1", s)
				}
				ab.Bidx = append(ab.Bidx, n)
			}
		default:
			return ab, fmt.Errorf("%q: unknown asset option %q", s, k)
		}
	}
	return ab, nil
}

// resampling names rasterio's methods; the values are GDAL's.
var resampling = map[string]string{
	"nearest": "near", "bilinear": "bilinear", "cubic": "cubic", "cubic_spline": "cubicspline",
	"lanczos": "lanczos", "average": "average", "mode": "mode", "gauss": "gauss", "rms": "rms",
	"max": "max", "min": "min", "med": "med", "q1": "q1", "q3": "q3", "sum": "sum",
}

func (q *query) resampling(name string) string {
	s := q.v.Get(name)
	if s == "" {
		return "near"
	}
	g, ok := resampling[s]
	if !ok {
		q.fail(name, "%q is not a resampling method", s)
	}
	return g
}

// rescaleBrackets are what titiler also accepts around a range: [min,max].
var rescaleBrackets = strings.NewReplacer("[", "", "]", "", " ", "")

// render reads the rendering group. rescale repeats as min,max (or
// [min,max]); a single value of 2n numbers is n ranges (the Functions host
// in forwarding mode joins repeated keys with commas).
func (q *query) render() tiles.Render {
	r := tiles.Render{ReturnMask: q.bool("return_mask", true)}
	for _, s := range q.v["rescale"] {
		nums := strings.Split(rescaleBrackets.Replace(s), ",")
		if len(nums)%2 != 0 {
			q.fail("rescale", "%q is not min,max", s)
			break
		}
		for i := 0; i < len(nums); i += 2 {
			lo, err1 := strconv.ParseFloat(strings.TrimSpace(nums[i]), 64)
			hi, err2 := strconv.ParseFloat(strings.TrimSpace(nums[i+1]), 64)
			if err1 != nil || err2 != nil {
				q.fail("rescale", "%q is not min,max", s)
				return r
			}
			r.Rescale = append(r.Rescale, [2]float64{lo, hi})
		}
	}
	return r
}

// searchOptions reads pgSTAC's search controls over the server defaults.
// Zero limits fall back to the defaults, as in titiler-pgstac.
func (q *query) searchOptions(def tilefunc.SearchOptions) tilefunc.SearchOptions {
	o := def
	if n := q.int("scan_limit", 0, 0); n > 0 {
		o.ScanLimit = n
	}
	if n := q.int("items_limit", 0, 0); n > 0 {
		o.ItemsLimit = n
	}
	if n := q.int("time_limit", 0, 0); n > 0 {
		o.TimeLimit = time.Duration(n) * time.Second
	}
	o.ExitWhenFull = q.bool("exitwhenfull", def.ExitWhenFull)
	o.SkipCovered = q.bool("skipcovered", def.SkipCovered)
	return o
}

// tileParams are the query parameters a tile reads (titiler's tile
// dependencies). TileJSON, tileset and WMTS documents check the tile
// queries they hand out with the same parsing, so a layer they advertise
// is a layer the tile route serves.
type tileParams struct {
	layer  tiles.Layer
	render tiles.Render
	size   int // pixels of a tile side
	search tilefunc.SearchOptions
}

// tile reads the tile group; size is the tile size when tilesize is unset.
func (q *query) tile(size int, def tilefunc.SearchOptions) tileParams {
	return tileParams{
		layer:  q.layer(),
		render: q.render(),
		size:   q.int("tilesize", size, 1),
		search: q.searchOptions(def),
	}
}
