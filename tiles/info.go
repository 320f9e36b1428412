package tiles

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/airbusgeo/godal"

	"tilefunc"
)

// AssetInfo is what rio-tiler's Reader.info tells of one raster, in the
// order titiler writes it.
type AssetInfo struct {
	Bounds           [4]float64          `json:"bounds"` // in the raster's CRS
	CRS              string              `json:"crs"`    // its OGC URI, else its WKT
	BandMetadata     [][2]any            `json:"band_metadata"`
	BandDescriptions [][2]string         `json:"band_descriptions"`
	DType            string              `json:"dtype"`
	NoDataType       string              `json:"nodata_type"` // Nodata, Alpha, Mask or None
	ColorInterp      []string            `json:"colorinterp"`
	Scales           []float64           `json:"scales"`
	Offsets          []float64           `json:"offsets"`
	Colormap         map[string][4]int16 `json:"colormap,omitempty"`
	Driver           string              `json:"driver"`
	Count            int                 `json:"count"`
	Width            int                 `json:"width"`
	Height           int                 `json:"height"`
	Overviews        []int               `json:"overviews"`
	NoDataValue      *float64            `json:"nodata_value,omitempty"`
	MinMax           [][2]float64        `json:"minmax,omitempty"`
}

// Info describes the named assets of an item, as rio-tiler's
// MultiBaseReader.info does, in the order named.
func (r *Renderer) Info(ctx context.Context, item tilefunc.Item, assets []string) ([]AssetInfo, error) {
	registerDrivers.Do(godal.RegisterAll)
	out := make([]AssetInfo, 0, len(assets))
	for _, name := range assets {
		info, err := r.assetInfo(ctx, item, name)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

func (r *Renderer) assetInfo(ctx context.Context, item tilefunc.Item, name string) (AssetInfo, error) {
	asset, ok := item.Assets[name]
	if !ok {
		return AssetInfo{}, tilefunc.Errorf(tilefunc.ENOTFOUND, "asset %q is not in item %q, whose assets are %v", name, item.ID, assetNames(item))
	}
	path, err := r.resolver.Path(asset.Href)
	if err != nil {
		return AssetInfo{}, err
	}
	release, err := r.acquire(ctx)
	if err != nil {
		return AssetInfo{}, err
	}
	defer release()
	s, err := r.openSource(path)
	if err != nil {
		return AssetInfo{}, fmt.Errorf("item %s asset %s: %w", item.ID, name, err)
	}
	defer s.Close()
	return s.info(), nil
}

// info is rio-tiler's Reader.info of the raster.
func (s *source) info() AssetInfo {
	in := AssetInfo{Bounds: s.bounds(), CRS: CRSURI(s.wkt), DType: string(s.dtype),
		Driver: s.ds.Driver().ShortName(), Count: len(s.bands), Width: s.width, Height: s.height, Overviews: []int{}}
	if in.CRS == "" {
		in.CRS = s.wkt
	}
	var minmax [][2]float64
	for i, b := range s.bands {
		key := "b" + strconv.Itoa(i+1)
		tags := b.Metadatas()
		if tags == nil {
			tags = map[string]string{}
		}
		in.BandMetadata = append(in.BandMetadata, [2]any{key, tags})
		in.BandDescriptions = append(in.BandDescriptions, [2]string{key, s.descriptions([]int{i + 1})[0]})
		in.ColorInterp = append(in.ColorInterp, colorInterpName(b.ColorInterp()))
		st := b.Structure()
		in.Scales, in.Offsets = append(in.Scales, st.Scale), append(in.Offsets, st.Offset)
		if mm := s.bandStats([]int{i + 1}); mm != nil {
			minmax = append(minmax, mm[0])
		}
	}
	if len(minmax) > 0 {
		in.MinMax = minmax
	}
	for _, o := range s.bands[0].Overviews() {
		in.Overviews = append(in.Overviews, pyRound(float64(s.width)/float64(o.Structure().SizeX)))
	}
	switch {
	case s.nodata != nil:
		in.NoDataType = "Nodata"
		if v := *s.nodata; !math.IsNaN(v) && !math.IsInf(v, 0) { // JSON has no NaN
			in.NoDataValue = &v
		}
	case s.alpha != 0:
		in.NoDataType = "Alpha"
	case s.bands[0].MaskFlags()&gmfPerDataset != 0:
		in.NoDataType = "Mask"
	default:
		in.NoDataType = "None"
	}
	if s.bands[0].ColorInterp() == godal.CIPalette {
		in.Colormap = map[string][4]int16{}
		for i, e := range s.bands[0].ColorTable().Entries {
			in.Colormap[strconv.Itoa(i)] = e
		}
	}
	return in
}

// colorInterpName is rasterio's name for a band's colour: GDAL's, lower
// case, with the YCbCr parts as Y, Cb and Cr.
func colorInterpName(ci godal.ColorInterp) string {
	name := ci.Name()
	if part, ok := strings.CutPrefix(name, "YCbCr_"); ok {
		return part
	}
	return strings.ToLower(name)
}

// CRSURI is the OGC URI of a CRS given as WKT (or anything GDAL reads),
// "" when no authority names it.
func CRSURI(srs string) string {
	registerDrivers.Do(godal.RegisterAll)
	sr, err := godal.NewSpatialRef(srs)
	if err != nil {
		return ""
	}
	defer sr.Close()
	return identify(sr)
}

// gmfPerDataset is GDAL's GMF_PER_DATASET mask flag: one mask for every
// band (rio-tiler's has_mask_band).
const gmfPerDataset = 0x02
