package tiles_test

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"image/png"
	"reflect"
	"strings"
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

// pngraw keeps values wider than a byte in a 16-bit PNG, clipped to it.
func TestPNGRawKeepsSixteenBits(t *testing.T) {
	img := &tiles.Image{Width: 4, Height: 1, Bands: [][]float32{{-5, 300, 40000, 70000}}, Valid: []bool{true, true, true, false}, DataType: "int16"}
	body, err := tiles.Encode(img, mustFormat(t, "pngraw"), tiles.Render{ReturnMask: true})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []color.NRGBA64{{0, 0, 0, 65535}, {300, 300, 300, 65535}, {40000, 40000, 40000, 65535}, {65535, 65535, 65535, 0}}
	for x, w := range want {
		if got := color.NRGBA64Model.Convert(dec.At(x, 0)).(color.NRGBA64); got != w {
			t.Errorf("pixel %d = %v, want %v", x, got, w)
		}
	}
	// Bytes, or rescaled values, are plain PNG.
	img.DataType = "uint8"
	b8, _ := tiles.Encode(img, mustFormat(t, "pngraw"), tiles.Render{ReturnMask: true})
	p8, _ := tiles.Encode(img, mustFormat(t, "png"), tiles.Render{ReturnMask: true})
	if !bytes.Equal(b8, p8) {
		t.Error("pngraw of bytes differs from png")
	}
}

// npy is numpy's format: header padded to 64 bytes, then the bands and the
// mask in the source's type.
func TestNPYHeaderAndValues(t *testing.T) {
	img := &tiles.Image{Width: 3, Height: 1, Bands: [][]float32{{-2, 7, 30000}}, Valid: []bool{true, false, true}, DataType: "int16"}
	body, err := tiles.Encode(img, mustFormat(t, "npy"), tiles.Render{ReturnMask: true})
	if err != nil {
		t.Fatal(err)
	}
	header := "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 1, 3), }"
	n := int(binary.LittleEndian.Uint16(body[8:10]))
	if string(body[:8]) != "\x93NUMPY\x01\x00" || (10+n)%64 != 0 || strings.TrimRight(string(body[10:10+n]), " \n") != header {
		t.Fatalf("header %q", body[:10+n])
	}
	var got []int16
	for i := 10 + n; i < len(body); i += 2 {
		got = append(got, int16(binary.LittleEndian.Uint16(body[i:])))
	}
	if want := []int16{-2, 7, 30000, 255, 0, 255}; !reflect.DeepEqual(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
	// return_mask=false: the bands alone; rescale: bytes.
	body, _ = tiles.Encode(img, mustFormat(t, "npy"), tiles.Render{Rescale: [][2]float64{{0, 10}}})
	n = int(binary.LittleEndian.Uint16(body[8:10]))
	if h := string(body[10 : 10+n]); !strings.Contains(h, "'descr': '|u1'") || !strings.Contains(h, "(1, 1, 3)") || !bytes.Equal(body[10+n:], []byte{0, 179, 255}) {
		t.Errorf("rescaled npy %q", body)
	}
}
