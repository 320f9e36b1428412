//go:build parity

package parity_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/parity"
	"tilefunc/internal/testenv"
	"tilefunc/internal/world"
)

var (
	// Until tilefunc serves /collections/{id}, its side is a registered
	// search for the collection; {search} stands for that search's id.
	tilefuncPrefix = flag.String("tilefunc-prefix", "/searches/{search}", "tilefunc's mosaic path; {search} is replaced by the id of a search registered for the world collection")
	titilerPrefix  = flag.String("titiler-prefix", "/collections/world", "titiler-pgstac's mosaic path")
	workers        = flag.Int("workers", 8, "requests in flight at once, per server")
	sampleEvery    = flag.Int("sample-every", 100, "compare the pixels of every n-th request")
	stride         = flag.Int("stride", 1, "send every n-th request of urls.txt only (a quicker run while developing)")
)

// The world data set's 10,000 requests (titiler-pgstac's benchmark) sent to
// both servers: every status must match (200 where items cover the tile,
// 204 where none does), and the sampled images must look the same.
func TestWorldTilesMatchTitilerPgstac(t *testing.T) {
	dir, err := world.Dir()
	if err != nil {
		t.Fatal(err)
	}
	all, err := world.URLs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i := 0; i < len(all); i += max(*stride, 1) {
		paths = append(paths, all[i])
	}
	db := loadWorld(t, dir)
	tf := startTilefunc(t, db, world.COGDir(dir))
	ti := startTitiler(t, db)
	prefix := strings.ReplaceAll(*tilefuncPrefix, "{search}", register(t, tf))

	tiles := "/tiles/WebMercatorQuad/"
	keep := func(i int) bool { return i%*sampleEvery == 0 }
	ctx := context.Background()
	// One server at a time, each with the machine to itself.
	a := parity.Fetch(ctx, parity.Client(*workers), tf+prefix+tiles, paths, *workers, keep)
	b := parity.Fetch(ctx, parity.Client(*workers), ti+*titilerPrefix+tiles, paths, *workers, keep)
	t.Logf("%d requests, %d workers per server", len(paths), *workers)
	t.Logf("tilefunc       %s: %v (%.0f tiles/s), statuses %s", prefix, a.Elapsed.Round(time.Millisecond), rate(len(paths), a.Elapsed), parity.Counts(a))
	t.Logf("titiler-pgstac %s: %v (%.0f tiles/s), statuses %s", *titilerPrefix, b.Elapsed.Round(time.Millisecond), rate(len(paths), b.Elapsed), parity.Counts(b))
	t.Logf("time ratio titiler-pgstac/tilefunc: %.2f", b.Elapsed.Seconds()/a.Elapsed.Seconds())

	if ms := parity.Statuses(paths, a, b, http.StatusOK, http.StatusNoContent); len(ms) > 0 {
		for _, m := range ms[:min(len(ms), 10)] {
			t.Errorf("tilefunc vs titiler-pgstac: %s", m)
		}
		t.Errorf("%d of %d requests answered differently (first 10 above)", len(ms), len(paths))
	}
	comparePixels(t, paths, a, b)
}

// comparePixels decodes the kept 200 answers of both servers. Both warp
// with GDAL from the same COGs and the same overview levels, and encode
// JPEG with libjpeg-turbo at quality 85: measured (every 100th request,
// 2026-12-01), every pixel of every sampled tile is the same, at each zoom
// 0-6. The checks stay on 8x8 block means with a tolerance, which a
// shifted or wrong tile fails: the next different tile's block means
// differ by 41 on average (the control below, logged each run).
func comparePixels(t *testing.T, paths []string, a, b parity.Run) {
	var total parity.PixelDiff
	byZoom := map[string]*parity.PixelDiff{}
	types := map[string]int{}
	for i := range paths {
		ra, rb := a.Responses[i], b.Responses[i]
		if ra.Body == nil || rb.Body == nil || ra.Status != http.StatusOK || rb.Status != http.StatusOK {
			continue
		}
		types[ra.Type+" vs "+rb.Type]++
		var one parity.PixelDiff
		if err := one.Add(ra.Body, rb.Body); err != nil {
			t.Errorf("#%d %s: %v", i, paths[i], err)
			continue
		}
		if one.BlockMean() > 3 {
			t.Errorf("#%d %s: 8x8 block means differ by %.2f on average, want at most 3", i, paths[i], one.BlockMean())
		}
		z, _, _ := strings.Cut(paths[i], "/")
		if byZoom[z] == nil {
			byZoom[z] = &parity.PixelDiff{}
		}
		byZoom[z].Merge(one)
		total.Merge(one)
	}
	t.Logf("content types (tilefunc vs titiler-pgstac): %v", types)
	for z := range 32 {
		if d := byZoom[fmt.Sprint(z)]; d != nil {
			t.Logf("pixels z%d: %s", z, d)
		}
	}
	t.Logf("pixels, all: %s", total)
	ctl, closest := control(t, paths, a, b)
	t.Logf("control, each image against the next different tile: %s; closest pair's block means differ by %.2f", ctl, closest)
	if total.Images == 0 {
		t.Fatal("no image pair compared")
	}
	if s := parity.Share(total.MaskDiffer, total.Pixels); s > 0.001 {
		t.Errorf("data/no-data mask differs at %.3f%% of pixels, want at most 0.1%%", 100*s)
	}
	if m := total.Mean(); m > 4 {
		t.Errorf("pixel values differ by %.2f on average, want at most 4", m)
	}
}

// control compares each kept tilefunc image with titiler-pgstac's image of
// the next kept different tile: how far apart two different tiles are, and
// the smallest block mean difference of such a pair.
func control(t *testing.T, paths []string, a, b parity.Run) (parity.PixelDiff, float64) {
	var kept []int
	for i := range paths {
		if a.Responses[i].Body != nil && b.Responses[i].Body != nil && a.Responses[i].Status == http.StatusOK && b.Responses[i].Status == http.StatusOK {
			kept = append(kept, i)
		}
	}
	var d parity.PixelDiff
	closest := math.Inf(1)
	for k, i := range kept {
		for _, j := range kept[k+1:] {
			if paths[j] == paths[i] {
				continue
			}
			var one parity.PixelDiff
			if err := one.Add(a.Responses[i].Body, b.Responses[j].Body); err != nil {
				t.Error(err)
			}
			closest = min(closest, one.BlockMean())
			d.Merge(one)
			break
		}
	}
	return d, closest
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// loadWorld makes a fresh pgSTAC database holding the world collection.
func loadWorld(t *testing.T, dir string) string {
	return testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error { return world.Load(ctx, conn, dir) })
}

// register stores a search for the world collection in tilefunc.
func register(t *testing.T, base string) string {
	resp, err := http.Post(base+"/searches/register", "application/json", strings.NewReader(`{"collections":["world"]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.ID == "" {
		t.Fatalf("register the world search: %d %v", resp.StatusCode, err)
	}
	return out.ID
}
