package handler

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"tilefunc"
	"tilefunc/internal/bench"
	_ "tilefunc/internal/malloc" // the floor allocates as the handler does
	"tilefunc/internal/testenv"
	"tilefunc/internal/world"
	"tilefunc/storage"
	"tilefunc/tiles"
)

// BenchmarkFloor is the in-process floor of `make bench`: the sample of
// world tiles the servers are sent, each parsed, read, warped, merged and
// drawn by the route's own code, with no HTTP and no database (each tile's
// items are those whose bbox touches it, as pgSTAC would return). It
// reports CPU ms per tile and the wall time of each stage: what the
// handler's own CPU per tile is measured against.
//
// TILEFUNC_BENCH_SAMPLE and TILEFUNC_BENCH_SEED choose the sample as the
// bench does (world.Sample); run it with GOMAXPROCS=1 on one CPU.
func BenchmarkFloor(b *testing.B) {
	dir := worldDir(b)
	cogs := world.COGDir(dir)
	paths, items := floorInput(b, dir, cogs)
	floorRun(b, paths, items, cogs)
}

// BenchmarkFloorWebOptimised is the floor over the world COGs made
// web-optimised (EPSG:3857 on WebMercatorQuad's tiles, levels aligned down
// to zoom 2, JPEG as the originals): a tile is read from the COG's own
// grid, with no warp. They are made once, into .local/bench (about 100 s
// on one CPU).
func BenchmarkFloorWebOptimised(b *testing.B) {
	dir := worldDir(b)
	cogs := testenv.WebOptimisedWorld(b, dir)
	paths, items := floorInput(b, dir, cogs)
	floorRun(b, paths, items, cogs)
}

func floorRun(b *testing.B, paths []string, items []tilefunc.Item, cogs string) {
	renderer := tiles.NewRenderer(storage.NewResolver(nil, "", []string{cogs}, nil), 2*runtime.GOMAXPROCS(0))
	if err := tiles.Warm(); err != nil {
		b.Fatal(err)
	}
	var read, encode time.Duration
	tilesDone, statuses := 0, map[int]int{}
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for range b.N {
		for _, p := range paths {
			r, e, status := floorTile(b, renderer, items, p)
			read, encode, statuses[status] = read+r, encode+e, statuses[status]+1
			tilesDone++
		}
	}
	b.StopTimer()
	n := float64(tilesDone)
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/n, "cpu-ms/tile")
	b.ReportMetric(float64(read.Microseconds())/1000/n, "read-ms/tile")
	b.ReportMetric(float64(encode.Microseconds())/1000/n, "encode-ms/tile")
	b.ReportMetric(float64(statuses[200]), "200s")
	b.ReportMetric(float64(statuses[204]), "204s")
}

// floorTile renders the tile at path ("z/x/y?query") as the mosaic route
// does once pgSTAC has answered; it returns the time spent reading and
// merging, the time spent drawing, and the status the route would answer.
func floorTile(b *testing.B, r *tiles.Renderer, items []tilefunc.Item, path string) (read, encode time.Duration, status int) {
	ref, format, q := floorRequest(b, path)
	p := newTileRoute(tilefunc.SearchOptions{})
	if err := parseQuery(q, p.groups()...); err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	win, err := ref.window(p.tile)
	if err != nil {
		b.Fatal(err)
	}
	geo, err := ref.tms.GeoBounds(ref.tile)
	if err != nil {
		b.Fatal(err)
	}
	under := touching(items, geo)
	if len(under) == 0 {
		return 0, 0, 204
	}
	t0 := time.Now()
	img, err := r.Image(context.Background(), under, win, p.spec())
	if tilefunc.ErrorCode(err) == tilefunc.ENOCONTENT {
		return time.Since(t0), 0, 204
	}
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	t1 := time.Now()
	if _, _, err := tiles.Draw(img, p.style(), format); err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	return t1.Sub(t0), time.Since(t1), 200
}

// floorRequest splits "z/x/y[.fmt]?query" into the route's variables.
func floorRequest(b *testing.B, path string) (tileRef, *tiles.Format, string) {
	zxy, q, _ := strings.Cut(path, "?")
	vars := map[string]string{"tileMatrixSetId": "WebMercatorQuad"}
	parts := strings.Split(zxy, "/")
	if len(parts) != 3 {
		b.Fatalf("world path %q: want z/x/y", path)
	}
	vars["z"], vars["x"], vars["y"] = parts[0], parts[1], parts[2]
	ref, format, err := parseTileRequest(vars)
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	return ref, format, q
}

// floorInput is the sample of world paths and the world's items, their
// hrefs in cogs, read as the catalog hands them to the pipeline.
func floorInput(b *testing.B, dir, cogs string) (paths []string, items []tilefunc.Item) {
	all, err := world.URLs(dir)
	if err != nil {
		b.Fatal(err)
	}
	paths = world.Sample(all, envInt(b, "TILEFUNC_BENCH_SAMPLE", 1500), uint64(envInt(b, "TILEFUNC_BENCH_SEED", 1)))
	raw, err := world.ItemsIn(dir, cogs)
	if err != nil {
		b.Fatal(err)
	}
	for _, it := range raw {
		buf, _ := json.Marshal(it)
		var item tilefunc.Item
		if err := json.Unmarshal(buf, &item); err != nil {
			b.Fatal(err)
		}
		items = append(items, item)
	}
	return paths, items
}

func worldDir(b *testing.B) string {
	dir, err := world.Dir()
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// touching are the items whose bbox meets geo (lon/lat), in their order.
func touching(items []tilefunc.Item, geo [4]float64) []tilefunc.Item {
	var out []tilefunc.Item
	for _, it := range items {
		if bb, ok := tilefunc.Box2D(it.BBox); ok && bb[0] <= geo[2] && bb[2] >= geo[0] && bb[1] <= geo[3] && bb[3] >= geo[1] {
			out = append(out, it)
		}
	}
	return out
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// cpuTime is the CPU this process has used, read as the bench reads a
// server's.
func cpuTime(b *testing.B) time.Duration {
	d, err := bench.CPUTime(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	return d
}
