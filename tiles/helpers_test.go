package tiles_test

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"
)

// decode returns the NRGBA values of a one-row PNG.
func decode(t *testing.T, b []byte) [][4]uint8 {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out [][4]uint8
	for x := 0; x < img.Bounds().Dx(); x++ {
		c := color.NRGBAModel.Convert(img.At(x, 0)).(color.NRGBA)
		out = append(out, [4]uint8{c.R, c.G, c.B, c.A})
	}
	return out
}
