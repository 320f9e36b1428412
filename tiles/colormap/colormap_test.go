package colormap_test

import (
	"testing"

	"tilefunc/tiles/colormap"
	"tilefunc/tiles/raster"
)

func TestEveryColormapRioTilerShipsIsThere(t *testing.T) {
	names := colormap.Names()
	if len(names) != 211 {
		t.Fatalf("%d colormaps, rio-tiler 9 ships 211", len(names))
	}
	// viridis[0] and [255] as matplotlib (and rio-tiler) define them.
	v, ok := colormap.Named("viridis")
	if !ok || v[0] != [4]uint8{68, 1, 84, 255} || v[255] != [4]uint8{253, 231, 36, 255} {
		t.Fatalf("viridis ends %v %v", v[0], v[255])
	}
	if _, ok := colormap.Named("nope"); ok {
		t.Fatal("an unknown name has a colormap")
	}
}

func TestTableLooksUpBytesAndKeepsTheMask(t *testing.T) {
	g, _ := colormap.Named("greys")
	img := raster.New(3, 1, 1, raster.Float32)
	img.Bands[0] = []float64{0, 255, 300.7} // 300.7 wraps to 44, as numpy casts
	img.Valid[0] = []bool{true, true, false}
	out, err := g.Colormap().Apply(img)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range []uint8{g[0][0], g[255][0], g[44][0]} {
		if out.Bands[0][p] != float64(want) {
			t.Errorf("pixel %d red %v, want %v", p, out.Bands[0][p], want)
		}
	}
	if out.Alpha[0] != 255 || out.Alpha[2] != 0 {
		t.Errorf("alpha %v: opaque with data, transparent without", out.Alpha)
	}
}
