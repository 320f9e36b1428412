// Package world reads titiler-pgstac's benchmark data set, kept beside the
// repository in ../shared/data/world (not in git: 15 COGs of 5000x5000 px):
// its STAC collection, its items with their hrefs pointed at the COGs on
// this machine, and its tile URLs. Parity tests and benchmarks load it.
package world

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/airbusgeo/godal"
	"github.com/jackc/pgx/v5"

	"tilefunc/demo"
)

// CollectionID is the id in collection.json.
const CollectionID = "world"

// Dir is the data set's folder: TILEFUNC_WORLD_DIR when set, else
// ../shared/data/world beside the repository that holds the working
// directory (CI clones the repo with a copy of shared/ beside it).
func Dir() (string, error) {
	if d := os.Getenv("TILEFUNC_WORLD_DIR"); d != "" {
		return filepath.Abs(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "data", "world")
			if _, err := os.Stat(filepath.Join(d, "items.json")); err != nil {
				return "", fmt.Errorf("world data set: no items.json in %s (want shared/ beside the repository, or TILEFUNC_WORLD_DIR)", d)
			}
			return d, nil
		}
	}
	return "", fmt.Errorf("world data set: no go.mod above %s", wd)
}

// COGDir is where the data set's COGs are.
func COGDir(dir string) string { return filepath.Join(dir, "cogs") }

// Collection reads collection.json.
func Collection(dir string) (map[string]any, error) {
	b, err := os.ReadFile(filepath.Join(dir, "collection.json"))
	if err != nil {
		return nil, err
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("collection.json: %w", err)
	}
	return c, nil
}

// Items reads items.json (one item a line) and points every asset href,
// written as /data/<file>.tif, at <dir>/cogs/<file>.tif, which must exist.
func Items(dir string) ([]map[string]any, error) { return ItemsIn(dir, COGDir(dir)) }

// ItemsIn is Items with the hrefs pointed at the same files in cogs.
func ItemsIn(dir, cogs string) ([]map[string]any, error) {
	f, err := os.Open(filepath.Join(dir, "items.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var it map[string]any
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, fmt.Errorf("items.json line %d: %w", n, err)
		}
		if err := rewriteHrefs(it, cogs); err != nil {
			return nil, fmt.Errorf("items.json line %d: %w", n, err)
		}
		items = append(items, it)
	}
	return items, sc.Err()
}

func rewriteHrefs(item map[string]any, cogs string) error {
	assets, _ := item["assets"].(map[string]any)
	for key, a := range assets {
		asset, _ := a.(map[string]any)
		href, _ := asset["href"].(string)
		if href == "" {
			return fmt.Errorf("item %v asset %s: no href", item["id"], key)
		}
		local := filepath.Join(cogs, path.Base(href))
		if _, err := os.Stat(local); err != nil {
			return fmt.Errorf("item %v asset %s: %w", item["id"], key, err)
		}
		asset["href"] = local
	}
	return nil
}

// Load upserts the collection and its items into the pgSTAC database conn
// is connected to.
func Load(ctx context.Context, conn *pgx.Conn, dir string) error {
	return LoadIn(ctx, conn, dir, COGDir(dir))
}

// LoadIn is Load with the items' hrefs pointed at the same files in cogs.
func LoadIn(ctx context.Context, conn *pgx.Conn, dir, cogs string) error {
	c, err := Collection(dir)
	if err != nil {
		return err
	}
	items, err := ItemsIn(dir, cogs)
	if err != nil {
		return err
	}
	return demo.Load(ctx, conn, []map[string]any{c}, items)
}

// variable is a siege variable line: PATH=collections/world/...
var variable = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// URLs reads urls.txt, written for the siege load tool: VAR=value lines,
// then one $(PROT)://$(HOST):$(PORT)/$(PATH)z/x/y?query line per request.
// It returns each request as the part after $(PATH) ("0/0/0?assets=asset"),
// in file order, repeats kept, so a caller puts its own prefix in front.
func URLs(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, "urls.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	const marker = "$(PATH)"
	var urls []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch i := strings.Index(line, marker); {
		case line == "" || variable.MatchString(line):
		case i < 0:
			return nil, fmt.Errorf("urls.txt line %d: no %s in %q", n, marker, line)
		default:
			urls = append(urls, line[i+len(marker):])
		}
	}
	return urls, sc.Err()
}

// Sample is n of paths in an order shuffled by seed, the same for the same
// arguments (benchmarks replay one sample against every server and the
// in-process floor). With n above len(paths), all of them.
func Sample(paths []string, n int, seed uint64) []string {
	out := slices.Clone(paths)
	r := rand.New(rand.NewPCG(seed, seed))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(n, len(out))]
}

// Zoom is the z of a path Sample or URLs returns ("3/2/1?..." is 3).
func Zoom(path string) int {
	z, _, _ := strings.Cut(path, "/")
	n, err := strconv.Atoi(z)
	if err != nil {
		return -1
	}
	return n
}

// WebOptimised makes, in out, a web-optimised copy of each of the data
// set's COGs under its own name, unless there is one already: EPSG:3857 on
// WebMercatorQuad's tiles (GDAL's COG driver, GoogleMapsCompatible), its
// levels aligned down to zoom 2, JPEG at the originals' quality (75). It
// takes about 100 s on one CPU for the 15.
func WebOptimised(dir, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(COGDir(dir), "*.tif"))
	if err != nil || len(names) == 0 {
		return fmt.Errorf("world data set: no COG in %s (%v)", COGDir(dir), err)
	}
	godal.RegisterAll()
	for _, src := range names {
		dst := filepath.Join(out, filepath.Base(src))
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		if err := webOptimised(src, dst); err != nil {
			return fmt.Errorf("web-optimised copy of %s: %w", src, err)
		}
	}
	return nil
}

func webOptimised(src, dst string) error {
	in, err := godal.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".part" // renamed once whole, so that a stopped run is made again
	// GDAL warns that the rasters reaching the poles are clamped to the
	// tile matrix's extent, which is what a web-optimised COG is; its
	// errors still fail the copy.
	out, err := in.Translate(tmp, []string{"-of", "COG", "-co", "TILING_SCHEME=GoogleMapsCompatible", "-co", "ALIGNED_LEVELS=5",
		"-co", "COMPRESS=JPEG", "-co", "QUALITY=75"}, godal.SkipWarnings)
	if err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
