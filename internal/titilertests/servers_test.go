//go:build parity

package titilertests

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

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
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "FUNCTIONS_CUSTOMHANDLER_PORT="+port,
		"TILEFUNC_LOCAL_ASSET_DIRS="+cat.fixtures+","+cat.standIns, "TITILER_PGSTAC_API_DEBUG=TRUE")
	cmd.Env = append(cmd.Env, optionalRoutes...)
	return serve(t, "tilefunc", cmd, port)
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
	port := freePort(t)
	cmd := exec.Command(filepath.Join(root, ".local", "titiler-venv", "bin", "uvicorn"), "titiler.pgstac.main:app",
		"--host", "127.0.0.1", "--port", port, "--workers", "1", "--no-access-log")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "PROJ_NETWORK=OFF",
		"TITILER_PGSTAC_CACHE_DISABLE=TRUE", "TITILER_PGSTAC_API_DEBUG=TRUE",
		"TITILER_PGSTAC_API_METRICS_ENABLED=FALSE", "TITILER_PGSTAC_API_TELEMETRY_ENABLED=FALSE")
	cmd.Env = append(cmd.Env, optionalRoutes...)
	return serve(t, "titiler-pgstac", cmd, port)
}

// serve starts cmd, its output in a log shown if the test fails, and
// waits until /healthz answers on port.
func serve(t *testing.T, name string, cmd *exec.Cmd, port string) string {
	logPath := filepath.Join(t.TempDir(), name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	log.Close()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	showLog := func() string { b, _ := os.ReadFile(logPath); return string(b[max(0, len(b)-4096):]) }
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s log (end):\n%s", name, showLog())
		}
	})
	base := "http://127.0.0.1:" + port
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case <-exited:
			t.Fatalf("%s exited before answering /healthz:\n%s", name, showLog())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer /healthz on %s in 60 s", name, base)
		}
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
