//go:build bench

package bench_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/demo"
	"tilefunc/internal/bench"
	"tilefunc/internal/testenv"
	"tilefunc/internal/world"
	"tilefunc/pgstac"
)

var (
	requests = flag.Int("requests", 1500, "world requests per replay (a shuffled sample of urls.txt)")
	lowZoom  = flag.Int("low-zoom", 300, "requests of the zooms 0-2 pass")
	levels   = flag.String("clients", "1,10,50", "concurrencies of the local pass")
	colds    = flag.Int("cold", 5, "cold starts per server (the median is reported)")
	seed     = flag.Uint64("seed", 1, "the sample's shuffle")
	out      = flag.String("out", "", "the report's file (default bench/results/<date>-<host>.md)")
	command  = flag.String("command", "make bench", "the command the report says reproduces it")
	extraEnv = flag.String("tilefunc-env", "", "settings added to tilefunc's environment in every pass, comma-separated NAME=value")
)

// The CPU each server runs alone on; the load generator (this process) is
// started by make bench on the other one.
const serverCPU = "0"

const tilePrefix = "/collections/world/tiles/WebMercatorQuad/"

// TestBench is `make bench`: tilefunc and titiler-pgstac, one at a time,
// each alone on one CPU, replay the same shuffled world requests over the
// same database and COGs; then tilefunc replays them keeping no dataset
// between requests; then tilefunc reads the COGs from Azurite; then
// both replay zooms 0-2 only; then both read web-optimised copies of the
// COGs; then each is started five times to its first tile; then the floor. It asserts nothing about time: it writes the report.
func TestBench(t *testing.T) {
	dir, err := world.Dir()
	if err != nil {
		t.Fatal(err)
	}
	all, err := world.URLs(dir)
	if err != nil {
		t.Fatal(err)
	}
	sample := world.Sample(all, *requests, *seed)
	warm := world.Sample(all, *requests+20, *seed)[len(sample):]
	var low []string
	for _, p := range all {
		if world.Zoom(p) <= 2 {
			low = append(low, p)
		}
	}
	low = world.Sample(low, *lowZoom, *seed)

	db := testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error { return world.Load(ctx, conn, dir) })
	bin := testenv.BuildHandler(t)
	tilefunc := func(t *testing.T, env ...string) server {
		return startTilefunc(t, bin, append([]string{"DATABASE_URL=" + db, "TILEFUNC_LOCAL_ASSET_DIRS=" + world.COGDir(dir)}, env...)...)
	}
	titiler := func(t *testing.T) server { return startTitiler(t, db) }

	r := &bench.Report{
		Date: time.Now().UTC().Format("2006-01-02"), Commit: commit(t), Machine: hostname(), CPU: bench.CPUModel(),
		Command: *command,
		Settings: []string{
			fmt.Sprintf("each server alone on CPU %s (taskset; tilefunc GOMAXPROCS=1, titiler-pgstac one uvicorn worker), each cache at its default; vegeta on CPU 1; PostgreSQL not pinned (both servers share it alike)", serverCPU),
			fmt.Sprintf("requests: %d of urls.txt's %d, shuffled (seed %d), after 20 warm-up requests to a freshly started server; the zooms 0-2 pass: %d", len(sample), len(all), *seed, len(low)),
			"GDAL " + gdalVersion() + ", " + runtime.Version() + ", titiler-pgstac " + titilerVersion(t),
		},
	}
	if *extraEnv != "" {
		r.Settings = append(r.Settings, "tilefunc's environment adds "+*extraEnv)
	}
	local := bench.Pass{Name: "local", About: "COGs on the local disk, the same database for both servers."}
	for _, c := range clientLevels(t) {
		row := bench.Row{Clients: c}
		row.Tilefunc = replay(t, tilefunc, sample, warm, c)
		ti := replay(t, func(t *testing.T, _ ...string) server { return titiler(t) }, sample, warm, c)
		row.Titiler, row.Mismatch = &ti, mismatches(row.Tilefunc, ti)
		local.Rows = append(local.Rows, row)
		t.Logf("local, %d clients: tilefunc %.1f tiles/s, titiler-pgstac %.1f", c, row.Tilefunc.Rate(), ti.Rate())
	}
	r.Passes = append(r.Passes, local)
	r.Passes = append(r.Passes, keptNothingPass(t, tilefunc, sample, warm, local))
	r.Passes = append(r.Passes, blobPass(t, bin, dir, sample, warm, local))
	lowPass := bench.Pass{Name: "low zoom", About: "Zooms 0-2 only: the low-zoom mosaics titiler-pgstac's users find slow (every world item under each tile)."}
	row := bench.Row{Clients: 10, Tilefunc: replay(t, tilefunc, low, warm, 10)}
	ti := replay(t, func(t *testing.T, _ ...string) server { return titiler(t) }, low, warm, 10)
	row.Titiler, row.Mismatch = &ti, mismatches(row.Tilefunc, ti)
	r.Passes = append(r.Passes, bench.Pass{Name: lowPass.Name, About: lowPass.About, Rows: []bench.Row{row}})
	r.Passes = append(r.Passes, webOptimisedPass(t, bin, dir, sample, warm))

	r.ColdTilefunc = coldTilefunc(t, bin, db, dir)
	r.ColdTitiler = coldTitiler(t, db)
	r.Floor = floor(t, len(sample))

	report := r.Markdown()
	fmt.Println(report)
	path := *out
	if path == "" {
		path = filepath.Join(testenv.RepoRoot(t), "bench", "results", r.Date+"-"+r.Machine+".md")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("report written to %s", path)
}

// keptNothingPass replays the sample at 10 clients against tilefunc with
// TILEFUNC_DATASET_HANDLES=0, against titiler-pgstac's figures of the local
// pass. titiler-pgstac keeps nothing between requests either (rasterio
// closes each dataset, and GDAL drops its cached blocks with it), so the
// two peaks are the memory each needs for the same work, without the
// cache that tilefunc's default spends memory on.
func keptNothingPass(t *testing.T, start func(*testing.T, ...string) server, sample, warm []string, local bench.Pass) bench.Pass {
	keepNothing := func(t *testing.T, _ ...string) server { return start(t, "TILEFUNC_DATASET_HANDLES=0") }
	row := bench.Row{Clients: 10, Tilefunc: replay(t, keepNothing, sample, warm, 10)}
	if l := local.Row(10); l != nil && l.Titiler != nil {
		ti := *l.Titiler
		row.Titiler, row.Mismatch = &ti, mismatches(row.Tilefunc, ti)
	}
	return bench.Pass{Name: "nothing kept", Rows: []bench.Row{row},
		About: "tilefunc with TILEFUNC_DATASET_HANDLES=0: no dataset, and so no cached block, kept between requests, as titiler-pgstac keeps none (rasterio closes each dataset). Against titiler-pgstac's figures of the local pass at 10 clients, not a second run of it."}
}

// blobPass replays the sample at 10 clients against tilefunc reading the
// same COGs from Azurite through its blob path.
func blobPass(t *testing.T, bin, dir string, sample, warm []string, local bench.Pass) bench.Pass {
	items, err := world.Items(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, it := range items {
		files = append(files, assetHref(it))
	}
	urls, err := demo.Upload(context.Background(), testenv.Azurite(t), fmt.Sprintf("bench-%d", time.Now().UnixNano()), files)
	if err != nil {
		t.Fatalf("upload the world COGs to Azurite: %v", err)
	}
	for _, it := range items {
		asset := it["assets"].(map[string]any)["asset"].(map[string]any)
		asset["href"] = urls[filepath.Base(asset["href"].(string))]
	}
	collection, err := world.Collection(dir)
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error {
		return demo.Load(ctx, conn, []map[string]any{collection}, items)
	})
	start := func(t *testing.T, env ...string) server {
		return startTilefunc(t, bin, append([]string{"DATABASE_URL=" + db, "AZURE_STORAGE_CONNECTION_STRING=" + testenv.Azurite(t)}, env...)...)
	}
	row := bench.Row{Clients: 10, Tilefunc: replay(t, start, sample, warm, 10)}
	if l := local.Row(10); l != nil {
		f := l.Tilefunc
		row.Against = &f
	}
	return bench.Pass{Name: "blob", About: "tilefunc only: the same COGs in Azurite, read through the blob path and its block cache, against its local-disk figures.",
		Against: "tilefunc, local disk", Rows: []bench.Row{row}}
}

// webOptimisedPass replays the sample at 10 clients against both servers
// over the world COGs made web-optimised (testenv.WebOptimisedWorld): in
// the tiles' CRS, which neither server warps.
func webOptimisedPass(t *testing.T, bin, dir string, sample, warm []string) bench.Pass {
	cogs := testenv.WebOptimisedWorld(t, dir)
	db := testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error { return world.LoadIn(ctx, conn, dir, cogs) })
	start := func(t *testing.T, env ...string) server {
		return startTilefunc(t, bin, append([]string{"DATABASE_URL=" + db, "TILEFUNC_LOCAL_ASSET_DIRS=" + cogs}, env...)...)
	}
	row := bench.Row{Clients: 10, Tilefunc: replay(t, start, sample, warm, 10)}
	ti := replay(t, func(t *testing.T, _ ...string) server { return startTitiler(t, db) }, sample, warm, 10)
	row.Titiler, row.Mismatch = &ti, mismatches(row.Tilefunc, ti)
	return bench.Pass{Name: "web-optimised", Rows: []bench.Row{row},
		About: "The same COGs made web-optimised (EPSG:3857 on WebMercatorQuad's tiles, levels aligned down to zoom 2, JPEG 75; GDAL's COG driver): read from their own grid, with no warp, by both servers."}
}

func assetHref(item map[string]any) string {
	return item["assets"].(map[string]any)["asset"].(map[string]any)["href"].(string)
}

// server is a started server: its URL and process id.
type server struct {
	base string
	pid  int
}

// replay starts a fresh server, warms it with a few requests, then sends
// paths from clients at once, and reads the server's CPU time and peak RSS.
func replay(t *testing.T, start func(*testing.T, ...string) server, paths, warm []string, clients int) bench.Figures {
	var f bench.Figures
	t.Run(fmt.Sprintf("replay-%d", clients), func(t *testing.T) {
		s := start(t)
		bench.Replay(s.base+tilePrefix, warm, 1)
		cpu0, err := bench.CPUTime(s.pid)
		if err != nil {
			t.Fatal(err)
		}
		f.Load = bench.Replay(s.base+tilePrefix, paths, clients)
		cpu1, err := bench.CPUTime(s.pid)
		if err != nil {
			t.Fatal(err)
		}
		f.CPU = cpu1 - cpu0
		if f.PeakRSS, err = bench.PeakRSS(s.pid); err != nil {
			t.Fatal(err)
		}
		if len(f.Errors) > 0 {
			t.Logf("errors (first %d): %q", len(f.Errors), f.Errors)
		}
	})
	return f
}

// mismatches are the paths the two servers answered with different statuses.
func mismatches(a, b bench.Figures) []string {
	var out []string
	for _, p := range slices.Sorted(maps.Keys(a.ByPath)) {
		if sb, ok := b.ByPath[p]; ok && sb != a.ByPath[p] {
			out = append(out, fmt.Sprintf("%s: tilefunc %d, titiler-pgstac %d", p, a.ByPath[p], sb))
		}
	}
	return out
}

// tilefuncEnv is -tilefunc-env as environment entries.
func tilefuncEnv() []string {
	if *extraEnv == "" {
		return nil
	}
	return strings.Split(*extraEnv, ",")
}

func clientLevels(t *testing.T) []int {
	var out []int
	for _, f := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			t.Fatalf("-clients %q: want a list of positive integers", *levels)
		}
		out = append(out, n)
	}
	return out
}

// startTilefunc runs the handler alone on the server CPU with one P.
func startTilefunc(t *testing.T, bin string, env ...string) server {
	port := testenv.FreePort(t)
	cmd := exec.Command("taskset", "-c", serverCPU, bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GOMAXPROCS=1", "FUNCTIONS_CUSTOMHANDLER_PORT=" + port}, env...)
	cmd.Env = append(cmd.Env, tilefuncEnv()...)
	base := testenv.Serve(t, "tilefunc", cmd, port)
	return server{base, cmd.Process.Pid}
}

// startTitiler runs titiler-pgstac as scripts/titiler.sh does (one uvicorn
// worker: the script execs it, so the pid is uvicorn's) on the server CPU.
func startTitiler(t *testing.T, db string) server {
	cmd, port := titilerCommand(t, db)
	base := testenv.Serve(t, "titiler-pgstac", cmd, port)
	return server{base, cmd.Process.Pid}
}

func titilerCommand(t *testing.T, db string) (*exec.Cmd, string) {
	port := testenv.FreePort(t)
	cmd := exec.Command("taskset", "-c", serverCPU, "bash", filepath.Join(testenv.RepoRoot(t), "scripts", "titiler.sh"), "run")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "TILEFUNC_TITILER_PORT="+port)
	return cmd, port
}

// coldTilefunc starts tilefunc in managed-identity mode, its token from the
// local endpoint, and times exec to the first 200 tile, -cold times.
func coldTilefunc(t *testing.T, bin, db, dir string) []time.Duration {
	role := testenv.Role(t, db, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error { return testenv.SetPassword(role, tok, exp) })
	host, port, name := testenv.Target(t, db)
	var runs []time.Duration
	for range *colds {
		p := testenv.FreePort(t)
		cmd := exec.Command("taskset", "-c", serverCPU, bin)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GOMAXPROCS=1", "FUNCTIONS_CUSTOMHANDLER_PORT=" + p,
			"USE_POSTGRES_MI=true", "LOCAL_MODE=false", "POSTGRES_HOST=" + host, "POSTGRES_PORT=" + port, "POSTGRES_DB=" + name, "POSTGRES_USER=" + role,
			"TILEFUNC_LOCAL_ASSET_DIRS=" + world.COGDir(dir)}, ts.Env()...)
		cmd.Env = append(cmd.Env, tilefuncEnv()...)
		runs = append(runs, firstTile(t, "tilefunc", cmd, p))
	}
	return runs
}

func coldTitiler(t *testing.T, db string) []time.Duration {
	var runs []time.Duration
	for range *colds {
		cmd, port := titilerCommand(t, db)
		runs = append(runs, firstTile(t, "titiler-pgstac", cmd, port))
	}
	return runs
}

// firstTile starts cmd and asks for a z1 tile every 2 ms until it answers
// 200; it returns the time from exec, and stops the server.
func firstTile(t *testing.T, name string, cmd *exec.Cmd, port string) time.Duration {
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	url := "http://127.0.0.1:" + port + tilePrefix + "1/0/0?assets=asset"
	client := &http.Client{Timeout: 30 * time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	for time.Since(t0) < 60*time.Second {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0)
			}
			t.Fatalf("%s cold start: %s answered %d\n%s", name, url, resp.StatusCode, log.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s: no tile in 60 s\n%s", name, log.String())
	return 0
}

// floor runs BenchmarkFloor over the same sample, on the server CPU.
func floor(t *testing.T, n int) bench.Floor {
	cmd := exec.Command("taskset", "-c", serverCPU, "go", "test", "-run", "^$", "-bench", "^BenchmarkFloor$", "-benchtime", "1x", "./handler")
	cmd.Dir = testenv.RepoRoot(t)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1", fmt.Sprintf("TILEFUNC_BENCH_SAMPLE=%d", n), fmt.Sprintf("TILEFUNC_BENCH_SEED=%d", *seed))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("BenchmarkFloor: %v\n%s", err, out)
	}
	metric := func(unit string) float64 {
		m := regexp.MustCompile(`([0-9.]+) ` + regexp.QuoteMeta(unit)).FindSubmatch(out)
		if m == nil {
			t.Fatalf("BenchmarkFloor printed no %s:\n%s", unit, out)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	return bench.Floor{CPU: metric("cpu-ms/tile"), Read: metric("read-ms/tile"), Encode: metric("encode-ms/tile"), Tiles: n}
}

func commit(t *testing.T) string {
	out, err := exec.Command("git", "-C", testenv.RepoRoot(t), "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func hostname() string {
	h, _ := os.Hostname()
	if h == "" {
		return "machine"
	}
	return strings.SplitN(h, ".", 2)[0]
}

// gdalVersion is the GDAL the handler is built with.
func gdalVersion() string {
	out, err := exec.Command("pkg-config", "--modversion", "gdal").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func titilerVersion(t *testing.T) string {
	f, err := os.Open(filepath.Join(testenv.RepoRoot(t), "requirements-titiler.txt"))
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "titiler-pgstac=="); ok {
			return v
		}
	}
	return "unknown"
}
