package tiles

import (
	"encoding/binary"
	"fmt"
	"github.com/airbusgeo/godal"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDevDump is a development aid: TILEFUNC_DEV_READ="path|bounds|crs|w|h|buffer|padding|resampling|reproject|nodata" reads a part and writes raw float64 values + mask to /tmp/devread.bin.
func TestDevDump(t *testing.T) {
	spec := os.Getenv("TILEFUNC_DEV_READ")
	if spec == "" {
		t.Skip("development aid")
	}
	f := strings.Split(spec, "|")
	registerDrivers.Do(godal.RegisterAll)
	s, err := openSource(f[0])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b [4]float64
	for i, v := range strings.Split(f[1], ",") {
		b[i], _ = strconv.ParseFloat(v, 64)
	}
	w, _ := strconv.Atoi(f[3])
	h, _ := strconv.Atoi(f[4])
	buf, _ := strconv.ParseFloat(f[5], 64)
	pad, _ := strconv.Atoi(f[6])
	p := partSpec{bounds: b, boundsCRS: f[2], dstCRS: f[2], width: w, height: h, buffer: buf, padding: pad, opts: DatasetOptions{Resampling: f[7], Reproject: f[8]}}
	if f[9] != "" {
		nd, _ := strconv.ParseFloat(f[9], 64)
		p.opts.NoData = &nd
	}
	img, err := readPart(s, p)
	if err != nil {
		t.Fatal(err)
	}
	out := []byte(fmt.Sprintf("%d %d %d\n", img.Count(), img.Height, img.Width))
	for bnd := range img.Bands {
		for i, v := range img.Bands[bnd] {
			if !img.Valid[bnd][i] {
				v = math.NaN()
			}
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		}
	}
	os.WriteFile("/tmp/devread.bin", out, 0o644)
	fmt.Println("bounds", img.Bounds)
}

func TestDevGrid(t *testing.T) {
	spec := os.Getenv("TILEFUNC_DEV_GRID")
	if spec == "" {
		t.Skip("development aid")
	}
	registerDrivers.Do(godal.RegisterAll)
	s, _ := openSource(spec)
	defer s.Close()
	for _, b := range [][4]float64{boundsFromEnv()} {
		gt, w, h, err := s.vrtGrid(b, 256, 256, "EPSG:3857", false)
		r := s.planWarpRead(gt, w, h, fwindow{width: float64(w), height: float64(h)}, 256, 256, true, "nearest"); lvl, ow, oh := r.level, r.w, r.h
		fmt.Println(w, h, gt[1], gt[5], err, "level", lvl, ow, oh)
	}
}

func boundsFromEnv() [4]float64 {
	var b [4]float64
	for i, v := range strings.Split(os.Getenv("TILEFUNC_DEV_BOUNDS"), ",") {
		b[i], _ = strconv.ParseFloat(v, 64)
	}
	return b
}

func TestDevVRT(t *testing.T) {
	path := os.Getenv("TILEFUNC_DEV_VRT")
	if path == "" {
		t.Skip("development aid")
	}
	registerDrivers.Do(godal.RegisterAll)
	s, _ := openSource(path)
	defer s.Close()
	b := boundsFromEnv()
	gt, w, h, _ := s.vrtGrid(b, 256, 256, "EPSG:3857", false)
	r := s.planWarpRead(gt, w, h, fwindow{width: float64(w), height: float64(h)}, 256, 256, true, "nearest"); lvl, ogt, ow, oh, owin := r.level, r.gt, r.w, r.h, r.win
	vrt, err := s.warpedVRT(lvl, "EPSG:3857", ogt, ow, oh, DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer vrt.Close()
	for _, size := range [][2]int{{ow, oh}, {256, 256}} {
		img, err := readWindowed(s, vrt, owin, size[0], size[1], partSpec{})
		if err != nil {
			t.Fatal(err)
		}
		out := []byte(fmt.Sprintf("%d %d %d\n", img.Count(), img.Height, img.Width))
		for bnd := range img.Bands {
			for i, v := range img.Bands[bnd] {
				if !img.Valid[bnd][i] {
					v = math.NaN()
				}
				out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
			}
		}
		os.WriteFile(fmt.Sprintf("/tmp/devvrt_%d.bin", size[0]), out, 0o644)
	}
	fmt.Println(ogt, ow, oh, owin)
}
