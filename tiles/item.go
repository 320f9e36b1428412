package tiles

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// Expression is band math over an image's bands (tiles/expression).
type Expression interface {
	// Indexes are the band numbers the expression names, for an asset's
	// own expression: the bands to read.
	Indexes() ([]int, error)
	Apply(img *raster.Image) (*raster.Image, error)
}

// AssetSpec is one asset of a layer and what to read of it (titiler's
// assets=name|bidx=1,2|expression=...|bands=...).
type AssetSpec struct {
	Name       string
	Bidx       []int      // bands to read, 1-based; none: every band but alpha
	Bands      []string   // bands to read by their STAC names (bands, eo:bands)
	Expression Expression // over the asset's bands; decides what is read
}

// Layer is what to read from each item (titiler's layer parameters).
type Layer struct {
	Assets      []AssetSpec
	Expression  Expression // over the item's bands, numbered across its assets
	AssetAsBand bool       // each asset is one band, described by its name
	// Raster is set for a layer of one asset read as a plain raster
	// (rio-tiler's Reader, titiler's asset and asset statistics routes):
	// its bands keep their names (b2 for bidx=2) and the raster's
	// descriptions.
	Raster bool
}

// readFunc reads part of one raster for a request: the bands given.
type readFunc func(s *source, bidx []int) (*raster.Image, error)

// readItem reads the layer's assets of one item, stacks their bands and
// applies the layer's expression (rio-tiler's MultiBaseReader). Without
// stats the images carry no dataset statistics, as rio-tiler's PointData
// (an expression is then evaluated on the values' own types alone).
func (r *Renderer) readItem(item tilefunc.Item, layer Layer, read readFunc, stats bool) (*raster.Image, error) {
	if layer.Raster && len(layer.Assets) == 1 {
		return r.readRaster(item, layer.Assets[0], read, stats)
	}
	var parts []*raster.Image
	for _, spec := range layer.Assets {
		img, err := r.readAsset(item, spec, read, stats)
		if err != nil {
			return nil, err
		}
		if layer.AssetAsBand {
			if img.Count() > 1 {
				return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "asset_as_band: asset %q has %d bands; it needs one", spec.Name, img.Count())
			}
			img.Descriptions = []string{spec.Name}
		}
		parts = append(parts, img)
	}
	img := stack(parts)
	img.Assets = []string{item.ID}
	if layer.Expression != nil {
		return layer.Expression.Apply(img)
	}
	return img, nil
}

// readRaster reads one asset as a plain raster (Layer.Raster).
func (r *Renderer) readRaster(item tilefunc.Item, spec AssetSpec, read readFunc, stats bool) (*raster.Image, error) {
	img, err := r.readAsset(item, spec, read, stats)
	if err != nil {
		return nil, err
	}
	for i, d := range img.Descriptions {
		img.Descriptions[i] = strings.TrimPrefix(d, spec.Name+"_")
	}
	img.Assets = []string{item.ID}
	return img, nil
}

// readAsset reads one asset: its bands (by number, STAC name or the ones
// its expression names), then its expression.
func (r *Renderer) readAsset(item tilefunc.Item, spec AssetSpec, read readFunc, stats bool) (*raster.Image, error) {
	asset, ok := item.Assets[spec.Name]
	if !ok {
		// 404 as titiler's InvalidAssetName.
		return nil, tilefunc.Errorf(tilefunc.ENOTFOUND, "asset %q is not in item %q, whose assets are %v", spec.Name, item.ID, assetNames(item))
	}
	bidx := spec.Bidx
	if len(spec.Bands) > 0 {
		var err error
		if bidx, err = stacBandIndexes(asset, spec.Bands); err != nil {
			return nil, err
		}
	}
	if spec.Expression != nil {
		var err error
		if bidx, err = spec.Expression.Indexes(); err != nil {
			return nil, err
		}
	}
	path, err := r.resolver.Path(asset.Href)
	if err != nil {
		return nil, err
	}
	s, err := r.openSource(path)
	if err != nil {
		return nil, fmt.Errorf("item %s asset %s: %w", item.ID, spec.Name, err)
	}
	defer s.Close()
	img, err := read(s, bidx)
	if err != nil {
		// A read can fail after the open: the blob replaced or the store failing.
		return nil, fmt.Errorf("item %s asset %s: %w", item.ID, spec.Name, r.why(path, err))
	}
	switch {
	case !stats:
		img.Stats = nil
	case img.Stats == nil && spec.Expression == nil:
		img.Stats = stacStats(asset, bidx, img.Count())
	}
	if spec.Expression != nil {
		if img, err = spec.Expression.Apply(img); err != nil {
			return nil, err
		}
	}
	for i, d := range img.Descriptions {
		img.Descriptions[i] = spec.Name + "_" + d
	}
	return img, nil
}

// assetNames are an item's asset names, sorted.
func assetNames(item tilefunc.Item) []string {
	names := make([]string, 0, len(item.Assets))
	for n := range item.Assets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// stacBand is what rio-tiler reads of a STAC band description.
type stacBand struct {
	Name       string `json:"name"`
	CommonName string `json:"common_name"`
	EOCommon   string `json:"eo:common_name"`
	Statistics *struct {
		Minimum *float64 `json:"minimum"`
		Maximum *float64 `json:"maximum"`
	} `json:"statistics"`
}

func assetBands(a tilefunc.Asset, keys ...string) []stacBand {
	for _, k := range keys {
		var bands []stacBand
		if raw, ok := a.Extra[k]; ok && json.Unmarshal(raw, &bands) == nil && len(bands) > 0 {
			return bands
		}
	}
	return nil
}

// stacBandIndexes turns band names into band numbers through the asset's
// STAC bands: a band's common name, else its name, else its number.
func stacBandIndexes(a tilefunc.Asset, names []string) ([]int, error) {
	bands := assetBands(a, "bands", "eo:bands")
	if bands == nil {
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "asset has no 'bands' metadata, so the bands option cannot be used")
	}
	index := map[string]int{}
	for i, b := range bands {
		key := b.EOCommon
		if key == "" {
			key = b.CommonName
		}
		if key == "" {
			key = b.Name
		}
		if key == "" {
			key = strconv.Itoa(i + 1)
		}
		if _, dup := index[key]; !dup {
			index[key] = i + 1
		}
	}
	out := make([]int, 0, len(names))
	for _, n := range names {
		i, ok := index[n]
		if !ok {
			return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "band %q is not in the asset's metadata", n)
		}
		out = append(out, i)
	}
	return out, nil
}

// stacStats are the asset's raster:bands statistics for the bands read,
// when every band has them (titiler-pgstac's dataset_statistics).
func stacStats(a tilefunc.Asset, bidx []int, n int) [][2]float64 {
	bands := assetBands(a, "raster:bands")
	if bands == nil {
		return nil
	}
	stats := make([][2]float64, len(bands))
	for i, b := range bands {
		if b.Statistics == nil || b.Statistics.Minimum == nil || b.Statistics.Maximum == nil {
			return nil
		}
		stats[i] = [2]float64{*b.Statistics.Minimum, *b.Statistics.Maximum}
	}
	if bidx == nil {
		if len(stats) < n {
			return nil
		}
		return stats[:n]
	}
	out := make([][2]float64, 0, len(bidx))
	for _, b := range bidx {
		if b > len(stats) {
			return nil
		}
		out = append(out, stats[b-1])
	}
	return out
}

// stack joins the bands of the assets' images into one (rio-tiler's
// ImageData.create_from_list): images of different sizes are resized to
// the largest, the type is the one that holds every asset's values, the
// statistics are kept only when every band has them.
func stack(parts []*raster.Image) *raster.Image {
	if len(parts) == 1 {
		img := parts[0]
		img.Names = raster.DefaultNames(img.Count())
		return img
	}
	mw, mh := 0, 0
	for _, p := range parts {
		mw, mh = max(mw, p.Width), max(mh, p.Height)
	}
	var out *raster.Image
	var stats [][2]float64
	for _, p := range parts {
		if p.Width != mw || p.Height != mh {
			p = resizeNearest(p, mw, mh)
		}
		if out == nil {
			out = &raster.Image{Width: mw, Height: mh, Type: p.Type, Bounds: p.Bounds, CRS: p.CRS}
		}
		out.Type = raster.Promote(out.Type, p.Type)
		out.Bands = append(out.Bands, p.Bands...)
		out.Valid = append(out.Valid, p.Valid...)
		out.Descriptions = append(out.Descriptions, p.Descriptions...)
		stats = append(stats, p.Stats...)
	}
	for _, b := range out.Bands {
		for i, v := range b {
			b[i] = out.Type.Cast(v)
		}
	}
	if len(stats) == out.Count() {
		out.Stats = stats
	}
	out.Names = raster.DefaultNames(out.Count())
	return out
}

// resizeNearest resamples img to w×h by nearest neighbour, as GDAL's
// RasterIO does (rio-tiler's resize_array): each output pixel takes the
// source pixel under its centre.
func resizeNearest(img *raster.Image, w, h int) *raster.Image {
	out := raster.New(w, h, img.Count(), img.Type)
	out.Bounds, out.CRS, out.Assets = img.Bounds, img.CRS, img.Assets
	out.Names, out.Descriptions, out.Stats = img.Names, img.Descriptions, img.Stats
	for y := 0; y < h; y++ {
		sy := min(img.Height-1, int((float64(y)+0.5)*float64(img.Height)/float64(h)))
		for x := 0; x < w; x++ {
			sx := min(img.Width-1, int((float64(x)+0.5)*float64(img.Width)/float64(w)))
			for b := range out.Bands {
				out.Bands[b][y*w+x] = img.Bands[b][sy*img.Width+sx]
				out.Valid[b][y*w+x] = img.Valid[b][sy*img.Width+sx]
			}
		}
	}
	return out
}
