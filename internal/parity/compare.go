package parity

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // tiles without a format come as JPEG or PNG
	_ "image/png"
	"math"
	"sort"
	"strings"
)

// Mismatch is one request the two servers answered differently, or either
// answered with a status outside allowed.
type Mismatch struct {
	Index int
	Path  string
	A, B  Response
}

func (m Mismatch) String() string {
	return fmt.Sprintf("#%d %s: %s vs %s", m.Index, m.Path, describe(m.A), describe(m.B))
}

func describe(r Response) string {
	switch {
	case r.Err != "":
		return "error " + r.Err
	case r.Status >= 400:
		return fmt.Sprintf("%d %.200s", r.Status, r.Body)
	}
	return fmt.Sprint(r.Status)
}

// Statuses compares two runs over the same paths request by request: a
// mismatch is a request whose statuses differ, or where either is not in
// allowed.
func Statuses(paths []string, a, b Run, allowed ...int) []Mismatch {
	ok := map[int]bool{}
	for _, s := range allowed {
		ok[s] = true
	}
	var out []Mismatch
	for i := range paths {
		ra, rb := a.Responses[i], b.Responses[i]
		if ra.Status != rb.Status || !ok[ra.Status] || !ok[rb.Status] {
			out = append(out, Mismatch{Index: i, Path: paths[i], A: ra, B: rb})
		}
	}
	return out
}

// Counts is "200: 9000, 204: 998": how often each status came back (0 for
// requests with no answer).
func Counts(r Run) string {
	n := map[int]int{}
	for _, resp := range r.Responses {
		n[resp.Status]++
	}
	var keys []int
	for k := range n {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d: %d", k, n[k]))
	}
	return strings.Join(parts, ", ")
}

// PixelDiff sums the differences between pairs of images of equal size.
// Channel values are compared (R, G, B) where both images have data
// (alpha > 0); pixels with data in one image only are counted apart. The
// means of 8x8 blocks are compared too: reading another overview level
// changes single pixels a lot but block means little, while a shifted or
// wrong tile changes both.
type PixelDiff struct {
	Images     int
	Pixels     int     // pixels compared, all images
	MaskDiffer int     // pixels with data in one image only
	Values     int     // channel values compared (3 per pixel with data in both)
	SumAbs     int64   // sum of absolute differences of those values
	Differ     int     // values that differ at all
	Within1    int     // values that differ by at most 1
	Within8    int     // values that differ by at most 8
	Max        int     // largest difference
	Worst      float64 // largest mean |diff| of one image
	Blocks     int     // block channel means compared (blocks with data in all pixels of both)
	BlockSum   float64 // sum of their absolute differences
	BlockMax   float64 // largest of them
	WorstBlock float64 // largest mean block |diff| of one image
}

// block is the side of the blocks whose means are compared.
const block = 8

// Add compares two encoded images (PNG or JPEG) of the same size.
func (d *PixelDiff) Add(a, b []byte) error {
	ia, err := decode(a)
	if err != nil {
		return err
	}
	ib, err := decode(b)
	if err != nil {
		return err
	}
	if ia.Rect.Size() != ib.Rect.Size() {
		return fmt.Errorf("sizes differ: %v vs %v", ia.Rect.Size(), ib.Rect.Size())
	}
	d.Images++
	d.pixels(ia, ib)
	d.blocks(ia, ib)
	return nil
}

func (d *PixelDiff) pixels(ia, ib *image.NRGBA) {
	var sum int64
	values := 0
	for i := 0; i < len(ia.Pix); i += 4 {
		d.Pixels++
		va, vb := ia.Pix[i+3] > 0, ib.Pix[i+3] > 0
		if va != vb {
			d.MaskDiffer++
		}
		if !va || !vb {
			continue
		}
		for c := range 3 {
			diff := int(ia.Pix[i+c]) - int(ib.Pix[i+c])
			diff = max(diff, -diff)
			values++
			sum += int64(diff)
			d.Max = max(d.Max, diff)
			if diff > 0 {
				d.Differ++
			}
			if diff <= 1 {
				d.Within1++
			}
			if diff <= 8 {
				d.Within8++
			}
		}
	}
	d.Values += values
	d.SumAbs += sum
	if values > 0 {
		d.Worst = max(d.Worst, float64(sum)/float64(values))
	}
}

func (d *PixelDiff) blocks(ia, ib *image.NRGBA) {
	size := ia.Rect.Size()
	sum, n := 0.0, 0
	for y := 0; y+block <= size.Y; y += block {
		for x := 0; x+block <= size.X; x += block {
			ma, oka := blockMean(ia, x, y)
			mb, okb := blockMean(ib, x, y)
			if !oka || !okb {
				continue
			}
			for c := range 3 {
				diff := math.Abs(ma[c] - mb[c])
				sum += diff
				n++
				d.BlockMax = max(d.BlockMax, diff)
			}
		}
	}
	d.Blocks += n
	d.BlockSum += sum
	if n > 0 {
		d.WorstBlock = max(d.WorstBlock, sum/float64(n))
	}
}

// blockMean is the mean of each channel over the block at x, y; false when
// any of its pixels has no data.
func blockMean(img *image.NRGBA, x0, y0 int) ([3]float64, bool) {
	var m [3]float64
	for y := y0; y < y0+block; y++ {
		for x := x0; x < x0+block; x++ {
			p := img.PixOffset(x, y)
			if img.Pix[p+3] == 0 {
				return m, false
			}
			for c := range 3 {
				m[c] += float64(img.Pix[p+c])
			}
		}
	}
	for c := range m {
		m[c] /= block * block
	}
	return m, true
}

// Merge adds o's counts to d's.
func (d *PixelDiff) Merge(o PixelDiff) {
	d.Images += o.Images
	d.Pixels += o.Pixels
	d.MaskDiffer += o.MaskDiffer
	d.Values += o.Values
	d.SumAbs += o.SumAbs
	d.Differ += o.Differ
	d.Within1 += o.Within1
	d.Within8 += o.Within8
	d.Max = max(d.Max, o.Max)
	d.Worst = max(d.Worst, o.Worst)
	d.Blocks += o.Blocks
	d.BlockSum += o.BlockSum
	d.BlockMax = max(d.BlockMax, o.BlockMax)
	d.WorstBlock = max(d.WorstBlock, o.WorstBlock)
}

// BlockMean is the mean |diff| of the block means compared.
func (d PixelDiff) BlockMean() float64 {
	if d.Blocks == 0 {
		return 0
	}
	return d.BlockSum / float64(d.Blocks)
}

// Mean is the mean |diff| of the values compared.
func (d PixelDiff) Mean() float64 {
	if d.Values == 0 {
		return 0
	}
	return float64(d.SumAbs) / float64(d.Values)
}

// decode reads a PNG or JPEG into 8-bit, non-premultiplied RGBA, so a
// pixel's colour is the same whether or not its image has an alpha band.
func decode(b []byte) (*image.NRGBA, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	out := image.NewNRGBA(img.Bounds())
	draw.Draw(out, out.Rect, img, img.Bounds().Min, draw.Src)
	return out, nil
}

// Share is part/whole as a fraction, 0 when whole is 0.
func Share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

func (d PixelDiff) String() string {
	return fmt.Sprintf("%d images, %d pixels: mask differs at %.3f%% of pixels; of %d channel values with data in both, "+
		"mean |diff| %.3f (worst image %.2f), %.2f%% differ, %.2f%% within 1, %.2f%% within 8, max %d",
		d.Images, d.Pixels, 100*Share(d.MaskDiffer, d.Pixels), d.Values,
		d.Mean(), d.Worst, 100*Share(d.Differ, d.Values), 100*Share(d.Within1, d.Values), 100*Share(d.Within8, d.Values), d.Max) +
		fmt.Sprintf("; %dx%d block means: mean |diff| %.3f (worst image %.2f), max %.1f", block, block, d.BlockMean(), d.WorstBlock, d.BlockMax)
}
