package tiles

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// PNG colour types, by the channels a pixel has (1 grey, 2 grey and alpha,
// 3 RGB, 4 RGBA), as GDAL's PNG driver lays bands out.
var pngColorType = map[int]byte{1: 0, 2: 4, 3: 2, 4: 6}

// writePNG writes bands (each w×h values, 8 or 16 bits) as a PNG of as many
// channels: GDAL's PNG driver's layout, which titiler answers with (a
// mask is always an alpha channel, even where every pixel is opaque; one
// band and its mask are grey and alpha). Go's image/png cannot write grey
// with alpha, and drops an alpha that is opaque everywhere.
func writePNG(bands [][]float64, w, h int, wide bool) ([]byte, error) {
	depth := byte(8)
	if wide {
		depth = 16
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, pngColorType[len(bands)]
	writeChunk(&out, "IHDR", ihdr)
	data, err := pngData(bands, w, h, wide)
	if err != nil {
		return nil, err
	}
	writeChunk(&out, "IDAT", data)
	writeChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// pngData is the zlib stream of the filtered rows, 16 bits a value when
// wide, else 8.
func pngData(bands [][]float64, w, h int, wide bool) ([]byte, error) {
	var buf bytes.Buffer
	zw := zlibWriter(&buf)
	defer zlibWriters.Put(zw)
	bpp := len(bands) // bytes a pixel
	if wide {
		bpp *= 2
	}
	stride := w * bpp
	prev, cur := make([]byte, stride), make([]byte, stride)
	scratch := make([]byte, 1+stride)
	for y := 0; y < h; y++ {
		packRow(cur, bands, y*w, w, wide)
		row := bestFilter(scratch, cur, prev, bpp)
		if _, err := zw.Write(row); err != nil {
			return nil, err
		}
		prev, cur = cur, prev
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// packRow interleaves one row of the bands, big-endian when 16-bit.
func packRow(dst []byte, bands [][]float64, from, w int, wide bool) {
	i := 0
	for x := from; x < from+w; x++ {
		for _, b := range bands {
			if wide {
				binary.BigEndian.PutUint16(dst[i:], uint16(b[x]))
				i += 2
			} else {
				dst[i] = uint8(b[x])
				i++
			}
		}
	}
}

// bestFilter filters a row with each of PNG's five filters and keeps the
// one whose bytes, read as signed, sum smallest (the usual heuristic).
func bestFilter(dst, cur, prev []byte, bpp int) []byte {
	best, bestSum := byte(0), -1
	for f := byte(0); f < 5; f++ {
		s := 0
		for i := range cur {
			v := int8(filterByte(f, cur, prev, i, bpp))
			if v < 0 {
				s -= int(v)
			} else {
				s += int(v)
			}
		}
		if bestSum < 0 || s < bestSum {
			best, bestSum = f, s
		}
	}
	dst[0] = best
	for i := range cur {
		dst[1+i] = filterByte(best, cur, prev, i, bpp)
	}
	return dst
}

func filterByte(f byte, cur, prev []byte, i, bpp int) byte {
	var a, c byte
	if i >= bpp {
		a, c = cur[i-bpp], prev[i-bpp]
	}
	b := prev[i]
	switch f {
	case 1:
		return cur[i] - a
	case 2:
		return cur[i] - b
	case 3:
		return cur[i] - byte((int(a)+int(b))/2)
	case 4:
		return cur[i] - paeth(a, b, c)
	}
	return cur[i]
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// writeChunk appends a PNG chunk: the data's length, the kind, the data,
// the CRC of kind and data.
func writeChunk(out *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	start := out.Len()
	out.WriteString(kind)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc32.ChecksumIEEE(out.Bytes()[start:]))
	out.Write(n[:])
}

// zlibWriters reuses the compressors' state across images.
var zlibWriters sync.Pool

func zlibWriter(dst *bytes.Buffer) *zlib.Writer {
	if zw, ok := zlibWriters.Get().(*zlib.Writer); ok {
		zw.Reset(dst)
		return zw
	}
	zw, _ := zlib.NewWriterLevel(dst, zlib.BestSpeed)
	return zw
}
