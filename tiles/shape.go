package tiles

import (
	"encoding/json"

	"github.com/airbusgeo/godal"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// Shape is a GeoJSON geometry and the CRS of its coordinates: the outline
// of a feature image or of the pixels statistics count.
type Shape struct {
	geojson string
	crs     CRS
	Bounds  [4]float64 // in the shape's CRS
}

// ParseShape reads a GeoJSON geometry object in crs. A geometry GDAL cannot
// read, or one without extent (a point), is refused.
func ParseShape(geometry json.RawMessage, crs CRS) (*Shape, error) {
	registerDrivers.Do(godal.RegisterAll)
	g, err := godal.NewGeometryFromGeoJSON(string(geometry))
	if err != nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "geometry: not a GeoJSON geometry")
	}
	defer g.Close()
	if g.Empty() {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "geometry: empty")
	}
	b, err := g.Bounds()
	if err != nil {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "geometry: no bounds")
	}
	if !(b[2] > b[0] && b[3] > b[1]) {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "geometry: its bounds %v have no area", b)
	}
	return &Shape{geojson: string(geometry), crs: crs, Bounds: b}, nil
}

// Mask marks invalid the pixels of img that the shape does not touch, as
// rio-tiler cuts a feature image (rasterized with all_touched).
func (s *Shape) Mask(img *raster.Image) error {
	burnt, err := s.rasterize(img, 0, img.Height, 1)
	if err != nil {
		return err
	}
	for p, in := range burnt {
		if in == 0 {
			for b := range img.Valid {
				img.Valid[b][p] = false
			}
		}
	}
	return nil
}

// Coverage rasterizes at most maxCoverCells cells at once (one byte each),
// and at most maxCoverTotal in all (the CPU one request may take).
const (
	maxCoverCells = 1 << 24
	maxCoverTotal = 1 << 28
)

// Coverage is the fraction of each pixel of img that the shape covers, as
// rio-tiler's get_coverage_array: the shape is rasterized (all_touched) on
// a grid scale times finer, and each pixel is the share of its cells
// burnt. Rows are rasterized in strips, so memory stays bounded.
func (s *Shape) Coverage(img *raster.Image, scale int) ([]float32, error) {
	if cells := img.Width * img.Height * scale * scale; cells > maxCoverTotal || img.Width*scale*scale > maxCoverCells {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "cover_scale: %d is too fine for an image of %dx%d pixels: lower it, or max_size", scale, img.Width, img.Height)
	}
	out := make([]float32, 0, img.Width*img.Height)
	rows := max(1, maxCoverCells/(img.Width*scale*scale))
	for r0 := 0; r0 < img.Height; r0 += rows {
		r1 := min(img.Height, r0+rows)
		cells, err := s.rasterize(img, r0, r1, scale)
		if err != nil {
			return nil, err
		}
		w := img.Width * scale
		for r := r0; r < r1; r++ {
			for c := 0; c < img.Width; c++ {
				n := 0
				for j := 0; j < scale; j++ {
					line := cells[((r-r0)*scale+j)*w+c*scale:]
					for i := 0; i < scale; i++ {
						n += int(line[i])
					}
				}
				out = append(out, float32(n)/float32(scale*scale))
			}
		}
	}
	return out, nil
}

// rasterize burns the shape (1 on 0, all_touched) into rows r0 to r1 of
// img's grid, on a grid scale times finer.
func (s *Shape) rasterize(img *raster.Image, r0, r1, scale int) ([]uint8, error) {
	g, err := godal.NewGeometryFromGeoJSON(s.geojson)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	if err := s.reproject(g, img.CRS); err != nil {
		return nil, err
	}
	w, h := img.Width*scale, (r1-r0)*scale
	ds, err := godal.Create(godal.Memory, "", 1, godal.Byte, w, h)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	b := img.Bounds
	rx, ry := (b[2]-b[0])/float64(img.Width), (b[3]-b[1])/float64(img.Height)
	if err := ds.SetGeoTransform([6]float64{b[0], rx / float64(scale), 0, b[3] - float64(r0)*ry, 0, -ry / float64(scale)}); err != nil {
		return nil, err
	}
	if err := ds.RasterizeGeometry(g, godal.Values(1), godal.AllTouched()); err != nil {
		return nil, err
	}
	buf := make([]uint8, w*h)
	if err := ds.Read(0, 0, buf, w, h); err != nil {
		return nil, err
	}
	return buf, nil
}

// reproject carries g from the shape's CRS into srs.
func (s *Shape) reproject(g *godal.Geometry, srs string) error {
	t, err := newTransformer(s.crs, CRS{SRS: srs})
	if err != nil {
		return err
	}
	defer t.Close()
	if t.tr == nil {
		return nil
	}
	g.SetSpatialRef(t.from)
	if err := g.Reproject(t.to); err != nil {
		return tilefunc.Errorf(tilefunc.EINVALID, "geometry: cannot be carried into the output CRS")
	}
	return nil
}
