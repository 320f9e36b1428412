package handler_test

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"tilefunc/internal/fixtures"
)

var updateStylingGolden = flag.Bool("update-styling-golden", false,
	"rewrite testdata/styling_golden.json with scripts/styling_golden.py (the peer's Python) from freshly written fixtures")

// goldenPath is the numpy reference values of scripts/styling_golden.py.
const goldenPath = "testdata/styling_golden.json"

// goldenCase is one image of the golden file: a window of a fixture
// raster's own pixels, the query drawing it, the expected values at
// sample pixels ([i, j, band values...]).
type goldenCase struct {
	Raster  string
	Window  [4]int // col, row, width, height
	Query   string
	Format  string
	Samples [][]float64
}

type goldenFile struct {
	Cases     map[string]goldenCase
	Colormaps map[string]string // name → 256 RGBA entries as hex
}

var (
	goldenOnce sync.Once
	golden     goldenFile
	goldenErr  error
)

// loadGolden reads the golden file, first rewriting it when asked.
func loadGolden(t *testing.T) goldenFile {
	t.Helper()
	goldenOnce.Do(func() {
		if *updateStylingGolden {
			if goldenErr = writeGolden(); goldenErr != nil {
				return
			}
		}
		b, err := os.ReadFile(goldenPath)
		if err != nil {
			goldenErr = err
			return
		}
		goldenErr = json.Unmarshal(b, &golden)
	})
	if goldenErr != nil {
		t.Fatalf("%s: %v", goldenPath, goldenErr)
	}
	return golden
}

// writeGolden runs the script over the fixtures this binary writes.
func writeGolden() error {
	set, err := fixtures.Shared()
	if err != nil {
		return err
	}
	python := filepath.Join("..", ".local", "titiler-venv", "bin", "python")
	cmd := exec.Command(python, filepath.Join("..", "scripts", "styling_golden.py"), set.Dir, goldenPath)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// goldenCaseOf is one case of the golden file.
func goldenCaseOf(t *testing.T, name string) goldenCase {
	t.Helper()
	c, ok := loadGolden(t).Cases[name]
	if !ok {
		t.Fatalf("%s has no case %q: run go test ./handler -run Styling -update-styling-golden", goldenPath, name)
	}
	return c
}

// colormapTable is a named colormap of the golden file: 256 RGBA entries.
func colormapTable(t *testing.T, name string) [][4]float64 {
	t.Helper()
	s, ok := loadGolden(t).Colormaps[name]
	if !ok {
		t.Fatalf("%s has no colormap %q", goldenPath, name)
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 256*4 {
		t.Fatalf("colormap %s: %d bytes (%v)", name, len(b), err)
	}
	out := make([][4]float64, 256)
	for i := range out {
		out[i] = [4]float64{float64(b[4*i]), float64(b[4*i+1]), float64(b[4*i+2]), float64(b[4*i+3])}
	}
	return out
}
