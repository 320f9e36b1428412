//go:build parity

package parity_test

import (
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

// The two servers every parity test runs side by side: tilefunc's handler
// binary, built from this checkout, and titiler-pgstac from its virtualenv,
// each on a free port of its own, stopped when the test ends.

// optionalRoutes switch on, in both servers, the routes of an item's
// assets and of external rasters, which the item table compares.
var optionalRoutes = []string{"TITILER_PGSTAC_API_ENABLE_ASSETS_ENDPOINTS=TRUE", "TITILER_PGSTAC_API_ENABLE_EXTERNAL_DATASET_ENDPOINTS=TRUE"}

// startTilefunc builds and runs the handler on db, serving the local files
// under cogs; it returns the base URL.
func startTilefunc(t *testing.T, db, cogs string) string {
	bin := filepath.Join(t.TempDir(), "handler")
	if out, err := exec.Command("go", "build", "-o", bin, "tilefunc/cmd/handler").CombinedOutput(); err != nil {
		t.Fatalf("build handler: %v\n%s", err, out)
	}
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "TILEFUNC_LOCAL_ASSET_DIRS="+cogs, "FUNCTIONS_CUSTOMHANDLER_PORT="+port)
	cmd.Env = append(cmd.Env, optionalRoutes...)
	return serve(t, "tilefunc", cmd, port)
}

// startTitiler runs titiler-pgstac as scripts/titiler.sh does (installing
// it on first use) on a port of its own.
func startTitiler(t *testing.T, db string) string {
	script := filepath.Join(testenv.RepoRoot(t), "scripts", "titiler.sh")
	if out, err := exec.Command("bash", script, "install").CombinedOutput(); err != nil {
		t.Fatalf("install titiler-pgstac: %v\n%s", err, out)
	}
	port := freePort(t)
	cmd := exec.Command("bash", script, "run")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "TILEFUNC_TITILER_PORT="+port)
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
	showLog := func() string { b, _ := os.ReadFile(logPath); return tail(string(b), 4096) }
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

func tail(s string, n int) string { return s[max(0, len(s)-n):] }

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
