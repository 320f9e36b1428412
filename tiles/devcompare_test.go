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
