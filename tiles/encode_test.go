package tiles_test

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"image/png"
	"math"
	"reflect"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

func mustFormat(t *testing.T, name string) *tiles.Format {
	f, err := tiles.ParseFormat(name)
	if err != nil {
		t.Fatal(err)
	}
	return &f
}

// row is a 1-pixel-high image of one band; valid says which pixels have data.
func row(t raster.DataType, vals []float64, valid ...bool) *raster.Image {
	img := raster.New(len(vals), 1, 1, t)
	copy(img.Bands[0], vals)
	for p := range vals {
		img.Valid[0][p] = p >= len(valid) || valid[p]
	}
	return img
}

// rescale maps linearly to bytes, cut toward zero as numpy's astype cuts
// (1500 of 0-3000 is 127.5, written 127); no data is transparent.
func TestRescaleClipsAndCutsToBytes(t *testing.T) {
	img := row(raster.Int16, []float64{-10, 0, 1500, 4000}, true, true, true, false)
	body, _, err := tiles.Draw(img, tiles.Style{Rescale: [][2]float64{{0, 3000}}, ReturnMask: true}, mustFormat(t, "png"))
	if err != nil {
		t.Fatal(err)
	}
	px := decode(t, body)
	want := [][4]uint8{{0, 0, 0, 255}, {0, 0, 0, 255}, {127, 127, 127, 255}, {0, 0, 0, 0}}
	for i, w := range want {
		if px[i] != w {
			t.Errorf("pixel %d = %v, want %v", i, px[i], w)
		}
	}
}

// .png keeps uint16 as a 16-bit PNG, its mask scaled to 0-65535, as
// titiler writes it; pngraw too; other types are refused for pngraw.
func TestPNGKeepsSixteenBits(t *testing.T) {
	img := row(raster.Uint16, []float64{0, 300, 40000, 7}, true, true, true, false)
	for _, name := range []string{"png", "pngraw"} {
		body, _, err := tiles.Draw(img, tiles.Style{ReturnMask: true}, mustFormat(t, name))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		want := []color.NRGBA64{{0, 0, 0, 65535}, {300, 300, 300, 65535}, {40000, 40000, 40000, 65535}, {7, 7, 7, 0}}
		for x, w := range want {
			if got := color.NRGBA64Model.Convert(dec.At(x, 0)).(color.NRGBA64); got != w {
				t.Errorf("%s pixel %d = %v, want %v", name, x, got, w)
			}
		}
	}
	_, _, err := tiles.Draw(row(raster.Int16, []float64{1}), tiles.Style{ReturnMask: true}, mustFormat(t, "pngraw"))
	if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST {
		t.Errorf("pngraw of int16: %v, want a 400", err)
	}
}

// Without a format, a masked uint16 image is an 8-bit PNG rescaled from
// the type's range; a full one is a JPEG.
func TestAutomaticFormatIsBytes(t *testing.T) {
	img := row(raster.Uint16, []float64{0, 65535, 32768}, true, true, false)
	body, f, err := tiles.Draw(img, tiles.Style{ReturnMask: true}, nil)
	if err != nil || f.Name != "png" {
		t.Fatalf("format %v, %v", f, err)
	}
	if px := decode(t, body); px[0] != [4]uint8{0, 0, 0, 255} || px[1] != [4]uint8{255, 255, 255, 255} || px[2][3] != 0 {
		t.Errorf("pixels %v", px)
	}
	_, f, _ = tiles.Draw(row(raster.Uint16, []float64{1, 2}), tiles.Style{ReturnMask: true}, nil)
	if f.Name != "jpeg" || f.MediaType != "image/jpeg" {
		t.Errorf("a full image is %v, want JPEG", f)
	}
}

// npy is numpy's format: header padded to 64 bytes, then the bands and the
// mask in the image's type (the mask is the type's range, as titiler's).
func TestNPYHeaderAndValues(t *testing.T) {
	img := row(raster.Int16, []float64{-2, 7, 30000}, true, false, true)
	body, _, err := tiles.Draw(img, tiles.Style{ReturnMask: true}, mustFormat(t, "npy"))
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
	if want := []int16{-2, 7, 30000, 32767, -32768, 32767}; !reflect.DeepEqual(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
	// return_mask=false: the bands alone; rescale: bytes.
	body, _, _ = tiles.Draw(img, tiles.Style{Rescale: [][2]float64{{0, 10}}}, mustFormat(t, "npy"))
	n = int(binary.LittleEndian.Uint16(body[8:10]))
	if h := string(body[10 : 10+n]); !strings.Contains(h, "'descr': '|u1'") || !strings.Contains(h, "(1, 1, 3)") || !bytes.Equal(body[10+n:], []byte{0, 0, 255}) {
		t.Errorf("rescaled npy %q", body)
	}
}

// A float image's mask cast to bytes is 0 everywhere (numpy's astype of
// ±3.4e38), so titiler's float PNG without rescale is transparent.
func TestFloatWithoutRescaleIsTitilersTransparentGrey(t *testing.T) {
	body, _, err := tiles.Draw(row(raster.Float32, []float64{-5, 1000}), tiles.Style{ReturnMask: true}, mustFormat(t, "png"))
	if err != nil {
		t.Fatal(err)
	}
	for i, px := range decode(t, body) {
		if px != [4]uint8{127, 127, 127, 0} {
			t.Errorf("pixel %d = %v, want titiler's {127 127 127 0}", i, px)
		}
	}
}

// JPEG holds one or three bands; two are refused rather than a 500.
func TestJPEGRefusesTwoBands(t *testing.T) {
	img := raster.New(2, 1, 2, raster.Uint8)
	_, _, err := tiles.Draw(img, tiles.Style{ReturnMask: true}, mustFormat(t, "jpeg"))
	if tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST {
		t.Errorf("two bands as JPEG: %v, want a 400", err)
	}
}

// PNG is laid out as GDAL's PNG driver lays it out, as titiler answers:
// one band and its mask are grey and alpha, three bands and a mask RGBA
// even where every pixel is opaque, three without a mask RGB.
func TestPNGColourTypesAreGDALs(t *testing.T) {
	colourType := func(b []byte) byte { return b[25] } // IHDR's colour type
	grey := row(raster.Uint8, []float64{10, 20}, true, false)
	body, _, err := tiles.Draw(grey, tiles.Style{ReturnMask: true}, mustFormat(t, "png"))
	if err != nil || colourType(body) != 4 {
		t.Fatalf("one band with mask: colour type %d (%v), want 4 (grey and alpha)", colourType(body), err)
	}
	if px := decode(t, body); px[0] != [4]uint8{10, 10, 10, 255} || px[1][3] != 0 {
		t.Errorf("grey and alpha decode to %v", px)
	}
	rgb := raster.New(2, 1, 3, raster.Uint8)
	for b := range rgb.Valid {
		rgb.Valid[b][0], rgb.Valid[b][1] = true, true
	}
	body, _, _ = tiles.Draw(rgb, tiles.Style{ReturnMask: true}, mustFormat(t, "png"))
	if colourType(body) != 6 {
		t.Errorf("opaque RGB with mask: colour type %d, want 6 (RGBA)", colourType(body))
	}
	body, _, _ = tiles.Draw(rgb, tiles.Style{}, mustFormat(t, "png"))
	if colourType(body) != 2 {
		t.Errorf("RGB without mask: colour type %d, want 2", colourType(body))
	}
}

// The 64-bit integer types keep their mask: float64 rounds their largest
// value (the mask where data is) up to 2^63 or 2^64, which still casts to
// an opaque 255 and, in .npy, to the type's largest value, as titiler
// renders them (alpha 255, 0, 255, 255; mask MaxInt64 or MinInt64).
func TestSixtyFourBitIntegersKeepTheirMask(t *testing.T) {
	for _, dt := range []raster.DataType{raster.Int64, raster.Uint64} {
		img := row(dt, []float64{1, 2, 3, 4}, true, false, true, true)
		body, _, err := tiles.Draw(img, tiles.Style{ReturnMask: true}, mustFormat(t, "png"))
		if err != nil {
			t.Fatal(err)
		}
		var alpha []uint8
		for _, px := range decode(t, body) {
			alpha = append(alpha, px[3])
		}
		if want := []uint8{255, 0, 255, 255}; !reflect.DeepEqual(alpha, want) {
			t.Errorf("%s PNG alpha %v, want %v", dt, alpha, want)
		}
		body, _, err = tiles.Draw(img, tiles.Style{ReturnMask: true}, mustFormat(t, "npy"))
		if err != nil {
			t.Fatal(err)
		}
		var mask []uint64
		for i := len(body) - 4*8; i < len(body); i += 8 {
			mask = append(mask, binary.LittleEndian.Uint64(body[i:]))
		}
		top, bottom := uint64(math.MaxInt64), uint64(1<<63)
		if dt == raster.Uint64 {
			top, bottom = math.MaxUint64, 0
		}
		if want := []uint64{top, bottom, top, top}; !reflect.DeepEqual(mask, want) {
			t.Errorf("%s npy mask %#x, want %#x", dt, mask, want)
		}
	}
}
