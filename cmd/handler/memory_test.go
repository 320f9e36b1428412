package main_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tilefunc/internal/testenv"
)

// Under a 2 GiB memory limit (GOMEMLIMIT, so renders get 40 % of it, and
// Go's heap what GDAL's cache and C's memory leave of it), the
// requests that asked for tens of gigabytes are refused before anything is
// read, and a mix of 2048-pixel tiles, large parts and statistics at 8 in
// flight is served or told to come back: the process stays up, nothing is
// a 500, and its peak resident memory stays under the limit. A render's
// room is held until its answer is written, its styling and encoding too.
func TestMemoryStaysBoundedUnderHeavyRequests(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	base, logs, cmd := launch(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t), "GOMEMLIMIT=2GiB",
		// GDAL sizes its block cache from the machine (5 % of its memory);
		// on a 2 GiB instance that is about 100 MB, as here.
		"GDAL_CACHEMAX=100")
	if !strings.Contains(logs.String(), `"memory_mb":819`) {
		t.Fatalf("renders should get 40 %% of GOMEMLIMIT:\n%s", logs)
	}
	// Go's heap gets the 2 GiB less GDAL's cache and an eighth for C.
	if !strings.Contains(logs.String(), `"go_limit_mb":1692`) {
		t.Fatalf("Go's memory limit should leave room for GDAL's cache and C's memory:\n%s", logs)
	}

	ones := strings.TrimSuffix(strings.Repeat("1,", 64), ",")
	const rgb = "/collections/demo-rgb"
	refused := []struct{ method, path, body string }{
		{"GET", rgb + "/tiles/WebMercatorQuad/8/128/92.npy?tilesize=2048&assets=visual|bidx=" + ones, ""},
		{"POST", rgb + "/statistics?assets=visual&histogram_bins=1000000000", feature},
		{"GET", rgb + "/bbox/-9,41,10,49/8192x8192.npy?assets=visual&assets=visual&assets=visual", ""},
	}
	for _, c := range refused {
		if st, body := send(t, c.method, base+c.path, c.body); st != http.StatusUnprocessableEntity {
			t.Fatalf("%s %s: %d %s, want 422 before anything is read", c.method, c.path, st, body)
		}
	}

	mix := []struct{ method, path, body string }{
		{"GET", rgb + "/tiles/WebMercatorQuad/8/128/92.npy?tilesize=2048&assets=visual|bidx=1,2,3", ""},
		{"GET", rgb + "/tiles/WebMercatorQuad/7/64/46.png?tilesize=2048&assets=visual", ""},
		{"GET", rgb + "/bbox/-9,41,10,49/2048x2048.png?assets=visual", ""},
		{"POST", rgb + "/statistics?assets=visual&max_size=2048", feature},
	}
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := time.Now().Add(8 * time.Second)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; time.Now().Before(stop); i++ {
				c := mix[i%len(mix)]
				st, _ := send(t, c.method, base+c.path, c.body)
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	peak := peakRSS(t, cmd.Process.Pid)
	t.Logf("statuses %v, peak RSS %d MB", statuses, peak>>20)
	for st := range statuses {
		if st != http.StatusOK && st != http.StatusServiceUnavailable {
			t.Errorf("%d answers of status %d", statuses[st], st)
		}
	}
	if statuses[http.StatusOK] == 0 {
		t.Errorf("nothing was served")
	}
	if peak >= 2<<30 {
		t.Errorf("peak RSS %d MB, above the 2 GiB limit", peak>>20)
	}
	if st, _ := send(t, "GET", base+"/healthz", ""); st != http.StatusOK {
		t.Fatalf("the process is not serving after the load: %d\n%s", st, logs)
	}
}

// feature is a polygon over the demo rasters.
const feature = `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[-9,41],[10,41],[10,49],[-9,49],[-9,41]]]}}`

// send makes one request; a 503 must say when to come back.
func send(t *testing.T, method, url, body string) (int, string) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return 0, ""
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
		t.Errorf("%s %s: 503 without Retry-After", method, url)
	}
	return resp.StatusCode, string(b)
}

var vmHWM = regexp.MustCompile(`VmHWM:\s+(\d+) kB`)

// peakRSS is the process's peak resident memory, in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := vmHWM.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}
