package tiles_test

import (
	"math"
	"testing"

	"tilefunc"
	"tilefunc/tiles"
)

func TestWebMercatorQuadBounds(t *testing.T) {
	tms, ok := tiles.LookupTMS("WebMercatorQuad")
	if !ok {
		t.Fatal("WebMercatorQuad is not registered")
	}
	b, err := tms.Bounds(tiles.Tile{Z: 0})
	if err != nil || math.Abs(b[0]+20037508.3427892) > 1e-6 || math.Abs(b[3]-20037508.3427892) > 1e-6 {
		t.Fatalf("z0 bounds %v, %v", b, err)
	}
	g, _ := tms.GeoBounds(tiles.Tile{Z: 1, X: 1, Y: 0})
	if g[0] != 0 || g[1] != 0 || g[2] != 180 || math.Abs(g[3]-85.0511287798) > 1e-9 {
		t.Fatalf("1/1/0 geographic bounds %v", g)
	}
	for _, tile := range []tiles.Tile{{Z: 1, X: 2}, {Z: 1, Y: -1}, {Z: 25}, {Z: -1}} {
		if _, err := tms.Bounds(tile); tilefunc.ErrorCode(err) != tilefunc.ENOTFOUND {
			t.Errorf("%v: want not found, got %v", tile, err)
		}
	}
}

func TestRescaleClipsToBytes(t *testing.T) {
	img := &tiles.Image{Width: 4, Height: 1, Bands: [][]float32{{-10, 0, 1500, 4000}}, Valid: []bool{true, true, true, false}}
	body, err := tiles.Encode(img, mustFormat(t, "png"), tiles.Render{Rescale: [][2]float64{{0, 3000}}, ReturnMask: true})
	if err != nil || len(body) == 0 {
		t.Fatal(err)
	}
	px := decode(t, body)
	want := [][4]uint8{{0, 0, 0, 255}, {0, 0, 0, 255}, {128, 128, 128, 255}, {255, 255, 255, 0}}
	for i, w := range want {
		if px[i] != w {
			t.Errorf("pixel %d = %v, want %v", i, px[i], w)
		}
	}
}

func mustFormat(t *testing.T, name string) tiles.Format {
	f, err := tiles.ParseFormat(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
