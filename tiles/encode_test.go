package tiles_test

import (
	"testing"

	"tilefunc/tiles"
)

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
