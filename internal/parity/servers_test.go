//go:build parity

package parity_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"tilefunc/internal/testenv"
)

// The two servers every parity test runs side by side: tilefunc's handler
// binary, built from this checkout, and titiler-pgstac from its virtualenv,
// each on a free port of its own, stopped when the test ends.

// optionalRoutes switch on, in both servers, the routes of an item's
// assets and of external rasters, which the item table compares.
var optionalRoutes = []string{"TITILER_PGSTAC_API_ENABLE_ASSETS_ENDPOINTS=TRUE", "TITILER_PGSTAC_API_ENABLE_EXTERNAL_DATASET_ENDPOINTS=TRUE"}

// startTilefunc builds and runs the handler on db, serving the local files
// under cogs; it returns the base URL.
func startTilefunc(t *testing.T, db, cogs string) string {
	port := testenv.FreePort(t)
	cmd := exec.Command(testenv.BuildHandler(t))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "TILEFUNC_LOCAL_ASSET_DIRS="+cogs, "FUNCTIONS_CUSTOMHANDLER_PORT="+port)
	cmd.Env = append(cmd.Env, optionalRoutes...)
	return testenv.Serve(t, "tilefunc", cmd, port)
}

// startTitiler runs titiler-pgstac as scripts/titiler.sh does (installing
// it on first use) on a port of its own.
func startTitiler(t *testing.T, db string) string {
	script := filepath.Join(testenv.RepoRoot(t), "scripts", "titiler.sh")
	if out, err := exec.Command("bash", script, "install").CombinedOutput(); err != nil {
		t.Fatalf("install titiler-pgstac: %v\n%s", err, out)
	}
	port := testenv.FreePort(t)
	cmd := exec.Command("bash", script, "run")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "TILEFUNC_TITILER_PORT="+port)
	cmd.Env = append(cmd.Env, optionalRoutes...)
	return testenv.Serve(t, "titiler-pgstac", cmd, port)
}
