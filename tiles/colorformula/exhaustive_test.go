package colorformula_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tilefunc"
	"tilefunc/tiles/colorformula"
	"tilefunc/tiles/raster"
)

// The peer's output over every uint8 colour and every uint8 and uint16
// value, from scripts/colorformula.py --exhaustive DIR (about 400 MB, not
// committed). Run with COLORFORMULA_EXHAUSTIVE=DIR.
func exhaustiveDir(t *testing.T) string {
	dir := os.Getenv("COLORFORMULA_EXHAUSTIVE")
	if dir == "" {
		t.Skip("COLORFORMULA_EXHAUSTIVE is not set (scripts/colorformula.py --exhaustive DIR writes the files)")
	}
	return dir
}

// tally counts values by how far they are from the peer's.
type tally struct{ exact, oneStep, more int }

func (c *tally) add(got, want float64) {
	switch d := math.Abs(got - want); {
	case d == 0:
		c.exact++
	case d <= 1:
		c.oneStep++
	default:
		c.more++
	}
}

func (c tally) String() string {
	return fmt.Sprintf("%d values: %d exact, %d one step off, %d further", c.exact+c.oneStep+c.more, c.exact, c.oneStep, c.more)
}

func TestSaturationOfEveryByteColourMatchesThePeer(t *testing.T) {
	dir := exhaustiveDir(t)
	for _, p := range []string{"0", "0.5", "1", "1.2", "1.7", "3.5", "10", "-1"} {
		want := readFile(t, filepath.Join(dir, "saturation_"+p+"_uint8.bin"))
		f, _ := colorformula.Parse("saturation " + p)
		var c tally
		const rows, width = 256, 4096
		for y0 := 0; y0 < 4096; y0 += rows {
			img := raster.New(width, rows, 3, raster.Uint8)
			for i := range width * rows {
				v := (y0*width + i)
				img.Bands[0][i], img.Bands[1][i], img.Bands[2][i] = float64(v>>16&255), float64(v>>8&255), float64(v&255)
			}
			out, err := f.Apply(img)
			if err != nil {
				t.Fatal(err)
			}
			for b := range 3 {
				for i, got := range out.Bands[b] {
					c.add(got, float64(want[b<<24+y0*width+i]))
				}
			}
		}
		t.Logf("saturation %s, every uint8 colour: %v", p, c)
		if c.more > 0 {
			t.Errorf("saturation %s: %d values more than one step off", p, c.more)
		}
	}
}

func TestSaturationOfSampledUint16ColoursMatchesThePeer(t *testing.T) {
	dir := exhaustiveDir(t)
	raw := readFile(t, filepath.Join(dir, "sample_uint16.bin"))
	const n = 2048 * 2048
	img := raster.New(2048, 2048, 3, raster.Uint16)
	for b := range 3 {
		for i := range n {
			img.Bands[b][i] = float64(binary.LittleEndian.Uint16(raw[2*(b*n+i):]))
		}
	}
	for _, p := range []string{"1", "1.7"} {
		want := readFile(t, filepath.Join(dir, "saturation_"+p+"_uint16.bin"))
		f, _ := colorformula.Parse("saturation " + p)
		out, err := f.Apply(img)
		if err != nil {
			t.Fatal(err)
		}
		var c tally
		for b := range 3 {
			for i, got := range out.Bands[b] {
				c.add(got, float64(want[b*n+i]))
			}
		}
		t.Logf("saturation %s, %d uint16 colours: %v", p, n, c)
		if c.more > 0 {
			t.Errorf("saturation %s: %d values more than one step off", p, c.more)
		}
	}
}

func TestGammaAndSigmoidalOfEveryValueMatchThePeer(t *testing.T) {
	dir := exhaustiveDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*_r_*.bin"))
	if len(files) == 0 {
		t.Fatalf("no gamma or sigmoidal files in %s", dir)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".bin")
		cut := strings.LastIndex(name, "_")
		formula, dtype := strings.ReplaceAll(name[:cut], "_", " "), raster.DataType(name[cut+1:])
		_, top := dtype.Range()
		img := raster.New(int(top)+1, 1, 1, dtype)
		for v := range img.Bands[0] {
			img.Bands[0][v] = float64(v)
		}
		f, err := colorformula.Parse(formula)
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.Apply(img)
		if err != nil {
			t.Fatal(err)
		}
		want := readFile(t, file)
		var c tally
		for v, got := range out.Bands[0] {
			c.add(got, float64(want[v]))
		}
		t.Logf("%s, every %s value: %v", formula, dtype, c)
		if c.oneStep+c.more > 0 {
			t.Errorf("%s on %s: not exact", formula, dtype)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRandomFormulasReadAndApplyAsInThePeer(t *testing.T) {
	var random struct {
		Images map[string]peerImage
		Cases  []struct {
			Formula string
			Valid   bool
			Outputs map[string]struct {
				Error string
				peerImage
			}
		}
	}
	b := readFile(t, filepath.Join(exhaustiveDir(t), "random.json"))
	if err := json.Unmarshal(b, &random); err != nil {
		t.Fatal(err)
	}
	var accepted, applied, failed, values, off int
	for _, c := range random.Cases {
		f, err := colorformula.Parse(c.Formula)
		if (err == nil) != c.Valid {
			t.Errorf("%q: titiler accepts it: %v; Parse: %v", c.Formula, c.Valid, err)
			continue
		}
		if err != nil {
			continue
		}
		accepted++
		for name, want := range c.Outputs {
			out, err := f.Apply(random.Images[name].image())
			switch {
			case want.Error != "" && tilefunc.ErrorCode(err) != tilefunc.EBADREQUEST:
				t.Errorf("%q on %s: %v; rio-tiler raises %s", c.Formula, name, err, want.Error)
			case want.Error != "":
				failed++
			case err != nil:
				t.Errorf("%q on %s: %v", c.Formula, name, err)
			default:
				applied++
				n, d := compare(t, c.Formula+" on "+name, out, want.peerImage)
				values, off = values+n, off+d
			}
		}
	}
	t.Logf("%d formulas, %d accepted as titiler accepts them; %d applications give bytes (%d values: %d exact, %d one step off), %d fail as in rio-tiler",
		len(random.Cases), accepted, applied, values, values-off, off, failed)
}
