package tiles_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"

	"tilefunc/tiles"
)

// PROJ never fetches grids, even when the environment turns its network
// on: a NAD27 point, whose best transformation uses a NOAA grid PROJ
// would download, is carried without a request to the grid server. The
// transformation runs in a child process, whose PROJ starts with the
// environment given.
func TestPROJDoesNotFetchGrids(t *testing.T) {
	if os.Getenv("TILEFUNC_TEST_PROJ_CHILD") != "" {
		_, _, err := tiles.TransformPoint(-100, 40, tiles.CRS{SRS: "EPSG:4267"}, tiles.WGS84)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	var hits atomic.Int64
	grids := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer grids.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPROJDoesNotFetchGrids$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TILEFUNC_TEST_PROJ_CHILD=1", "PROJ_NETWORK=ON", "PROJ_NETWORK_ENDPOINT="+grids.URL,
		"PROJ_USER_WRITABLE_DIRECTORY="+t.TempDir(), "PROJ_SKIP_READ_USER_WRITABLE_DIRECTORY=YES")
	out, err := cmd.CombinedOutput()
	if n := hits.Load(); n != 0 {
		t.Errorf("the grid server got %d requests, want 0", n)
	}
	if err != nil {
		t.Errorf("the point is not carried without the grid: %v\n%s", err, out)
	}
}
