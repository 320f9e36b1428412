//go:build parity

package titilertests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airbusgeo/godal"
	"github.com/jackc/pgx/v5"

	"tilefunc/demo"
	"tilefunc/internal/testenv"
)

// The catalog of titiler-pgstac's suite: its two collections and 163 NOAA
// items (testdata/, unchanged), loaded into a fresh pgSTAC database as its
// conftest.py does. Their hrefs point to NOAA's bucket; titiler's suite
// reads the one COG it ships in place of any of them (mock_rasterio_open:
// tests/fixtures/<the href's file name>) and, in its tests without that
// mock, fetches NOAA's files. Here nothing is fetched: the shipped item
// reads the shipped COG, and every other item reads a stand-in, the
// shipped COG's pixels at an eighth of their resolution placed on that
// item's bbox (3 bands of uint8 with the same mask), written when the
// suite starts. Values read from a stand-in are the stand-in's, not
// NOAA's: the table in suite_test.go lists the assertions that changes.

const (
	// noaaBucket is where the items' hrefs point.
	noaaBucket = "https://noaa-eri-pds.s3.us-east-1.amazonaws.com/2020_Nashville_Tornado/20200307a_RGB/"
	// shippedCOG is the one raster titiler-pgstac's suite ships, of the item
	// 20200307aC0853900w361030.
	shippedCOG = "20200307aC0853900w361030n.tif"
	// standInSize is the side of a stand-in in pixels: the shipped COG's
	// 1868 divided by 8.
	standInSize = 234
)

// catalog is the suite's STAC catalog with its hrefs on this machine.
type catalog struct {
	fixtures    string // the absolute testdata folder
	standIns    string // the folder of the stand-ins
	collections []map[string]any
	items       []map[string]any
	files       map[string]string // item id → the file its asset cog reads
}

// loadCatalog reads the fixtures, points every href at a local file and
// writes the stand-ins.
func loadCatalog(t *testing.T) *catalog {
	fixtures, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalog{fixtures: fixtures, standIns: t.TempDir(), files: map[string]string{}}
	cat.collections = readLines(t, filepath.Join(fixtures, "noaa-emergency-response.json"), filepath.Join(fixtures, "maxar_BayOfBengal.json"))
	cat.items = readLines(t, filepath.Join(fixtures, "noaa-eri-nashville2020.json"))
	for _, it := range cat.items {
		asset := it["assets"].(map[string]any)["cog"].(map[string]any)
		name, ok := strings.CutPrefix(asset["href"].(string), noaaBucket)
		if !ok {
			t.Fatalf("item %v: href %v is not in NOAA's bucket", it["id"], asset["href"])
		}
		file := filepath.Join(fixtures, name)
		if name != shippedCOG {
			file = filepath.Join(cat.standIns, name)
		}
		asset["href"] = file
		cat.files[it["id"].(string)] = file
	}
	if err := writeStandIns(filepath.Join(fixtures, shippedCOG), cat.items, cat.files); err != nil {
		t.Fatalf("write the stand-ins: %v", err)
	}
	return cat
}

// database loads the catalog into a new pgSTAC database, in UTC as the
// suite's is, runs then on it and returns its URL.
func (cat *catalog) database(t *testing.T, then ...func(context.Context, *pgx.Conn) error) string {
	return testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET TIMEZONE = ''UTC''', current_database()); END $$"); err != nil {
			return err
		}
		if err := demo.Load(ctx, conn, cat.collections, cat.items); err != nil {
			return err
		}
		// conftest.py::pgstac: 2 collections and 163 items.
		var collections, items int
		if err := conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM pgstac.collections), (SELECT count(*) FROM pgstac.items)").Scan(&collections, &items); err != nil {
			return err
		}
		if collections != 2 || items != 163 {
			return fmt.Errorf("loaded %d collections and %d items, want 2 and 163", collections, items)
		}
		for _, f := range then {
			if err := f(ctx, conn); err != nil {
				return err
			}
		}
		return nil
	})
}

// readLines decodes files of one JSON object a line.
func readLines(t *testing.T, paths ...string) []map[string]any {
	var out []map[string]any
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				var v map[string]any
				if err := json.Unmarshal([]byte(line), &v); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				out = append(out, v)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	return out
}

// writeStandIns writes, for every item whose file is not the shipped COG,
// the shipped COG's pixels resampled to standInSize on the item's bbox.
func writeStandIns(shipped string, items []map[string]any, files map[string]string) error {
	godal.RegisterAll()
	src, err := godal.Open(shipped)
	if err != nil {
		return err
	}
	defer src.Close()
	size := fmt.Sprint(standInSize)
	small, err := src.Translate("", []string{"-of", "MEM", "-outsize", size, size})
	if err != nil {
		return err
	}
	defer small.Close()
	for _, it := range items {
		file := files[it["id"].(string)]
		if file == shipped {
			continue
		}
		var ullr []string
		for _, i := range []int{0, 3, 2, 1} { // west, north, east, south
			ullr = append(ullr, fmt.Sprint(it["bbox"].([]any)[i]))
		}
		ds, err := small.Translate(file, append([]string{"-of", "COG", "-co", "COMPRESS=DEFLATE", "-a_ullr"}, ullr...))
		if err != nil {
			return fmt.Errorf("item %v: %w", it["id"], err)
		}
		if err := ds.Close(); err != nil {
			return err
		}
	}
	return nil
}

// pixel is what file holds at lon, lat (EPSG:4326, as every fixture is):
// each band's value, nil outside the raster or under its mask.
func pixel(t *testing.T, file string, lon, lat float64) []float64 {
	ds, err := godal.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	gt, err := ds.GeoTransform()
	if err != nil {
		t.Fatal(err)
	}
	st := ds.Structure()
	col, row := int((lon-gt[0])/gt[1]), int((lat-gt[3])/gt[5])
	if col < 0 || row < 0 || col >= st.SizeX || row >= st.SizeY {
		return nil
	}
	var out []float64
	for _, b := range ds.Bands() {
		v := make([]float64, 1)
		if err := b.Read(col, row, v, 1, 1); err != nil {
			t.Fatal(err)
		}
		m := make([]uint8, 1)
		if err := b.MaskBand().Read(col, row, m, 1, 1); err != nil {
			t.Fatal(err)
		}
		if m[0] == 0 {
			return nil
		}
		out = append(out, v[0])
	}
	return out
}
