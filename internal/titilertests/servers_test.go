//go:build parity

package titilertests

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"tilefunc/internal/testenv"
)

// serverName picks the server the suite runs against. tilefunc is the one
// under test; titiler runs titiler-pgstac as its own conftest.py sets it
// up, which checks the port itself: every assertion, the titiler-pgstac
// column of the difference table included, should pass there too.
var serverName = flag.String("server", "tilefunc", "server under test: tilefunc, or titiler (titiler-pgstac from .local/titiler-venv) to check the port")

// optionalRoutes are the item asset and external raster routes, which
// titiler-pgstac's conftest switches on.
var optionalRoutes = []string{"TITILER_PGSTAC_API_ENABLE_ASSETS_ENDPOINTS=TRUE", "TITILER_PGSTAC_API_ENABLE_EXTERNAL_DATASET_ENDPOINTS=TRUE"}

// start runs the server under test on db, allowed to read the files of
// cat, and returns its base URL; it stops when the test ends.
func start(t *testing.T, db string, cat *catalog) string {
	if *serverName == "titiler" {
		return startTitiler(t, db, cat)
	}
	return startTilefunc(t, db, cat)
}

// startTilefunc builds the handler from this checkout and runs it.
func startTilefunc(t *testing.T, db string, cat *catalog) string {
	bin := filepath.Join(t.TempDir(), "handler")
	if out, err := exec.Command("go", "build", "-o", bin, "tilefunc/cmd/handler").CombinedOutput(); err != nil {
		t.Fatalf("build handler: %v\n%s", err, out)
	}
	port := testenv.FreePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "FUNCTIONS_CUSTOMHANDLER_PORT="+port,
		"TILEFUNC_LOCAL_ASSET_DIRS="+cat.fixtures+","+cat.standIns, "TITILER_PGSTAC_API_DEBUG=TRUE")
	cmd.Env = append(cmd.Env, optionalRoutes...)
	return testenv.Serve(t, "tilefunc", cmd, port)
}

// startTitiler runs titiler-pgstac's uvicorn from the virtualenv that
// scripts/titiler.sh installs, with the settings of its conftest.py (debug
// on, the search cache off, the optional routes on; metrics off, as the
// virtualenv has no prometheus packages), in a folder where its suite's
// relative path tests/fixtures/ names the fixtures.
func startTitiler(t *testing.T, db string, cat *catalog) string {
	root := testenv.RepoRoot(t)
	if out, err := exec.Command("bash", filepath.Join(root, "scripts", "titiler.sh"), "install").CombinedOutput(); err != nil {
		t.Fatalf("install titiler-pgstac: %v\n%s", err, out)
	}
	work := t.TempDir()
	if err := os.Mkdir(filepath.Join(work, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cat.fixtures, filepath.Join(work, "tests", "fixtures")); err != nil {
		t.Fatal(err)
	}
	port := testenv.FreePort(t)
	cmd := exec.Command(filepath.Join(root, ".local", "titiler-venv", "bin", "uvicorn"), "titiler.pgstac.main:app",
		"--host", "127.0.0.1", "--port", port, "--workers", "1", "--no-access-log")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "PROJ_NETWORK=OFF",
		"TITILER_PGSTAC_CACHE_DISABLE=TRUE", "TITILER_PGSTAC_API_DEBUG=TRUE",
		"TITILER_PGSTAC_API_METRICS_ENABLED=FALSE", "TITILER_PGSTAC_API_TELEMETRY_ENABLED=FALSE")
	cmd.Env = append(cmd.Env, optionalRoutes...)
	return testenv.Serve(t, "titiler-pgstac", cmd, port)
}
