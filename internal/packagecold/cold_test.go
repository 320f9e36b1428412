//go:build verifypackage

package packagecold

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

var (
	root   = flag.String("root", "", "the bare root file system, the app extracted at /app")
	dbURL  = flag.String("db", "", "the database the app reads (a role with read-only grants is made in it)")
	tile   = flag.String("tile", "", "the tile's path and query")
	assets = flag.String("assets", "", "TILEFUNC_LOCAL_ASSET_DIRS of the app")
	runs   = flag.Int("runs", 5, "cold starts; the median is printed")
	cpu    = flag.String("cpu", "1", "the CPU the app runs on (taskset)")
)

// TestPackagedColdStart starts the packaged launcher in the root as the
// Functions host would (only the port and the app settings in its
// environment), -runs times, and times exec to the first 200 answer of
// -tile. The time includes unshare and chroot (a few ms), which the host
// does not pay.
func TestPackagedColdStart(t *testing.T) {
	if *root == "" || *dbURL == "" || *tile == "" {
		t.Fatal("-root, -db and -tile are required (scripts/verify-package.sh passes them)")
	}
	role := testenv.Role(t, *dbURL, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error { return testenv.SetPassword(role, tok, exp) })
	host, port, db := testenv.Target(t, *dbURL)
	settings := append([]string{"USE_POSTGRES_MI=true", "LOCAL_MODE=false", "POSTGRES_HOST=" + host, "POSTGRES_PORT=" + port,
		"POSTGRES_DB=" + db, "POSTGRES_USER=" + role, "TILEFUNC_LOCAL_ASSET_DIRS=" + *assets}, ts.Env()...)
	var times []time.Duration
	for i := range *runs {
		d := coldStart(t, i, settings)
		times = append(times, d)
	}
	before := ts.Requests()
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	ms := make([]string, len(times))
	for i, d := range times {
		ms[i] = fmt.Sprintf("%.0f", d.Seconds()*1000)
	}
	fmt.Printf("cold start: exec of /app/handler in the root to the first 200 tile, managed identity (%d tokens from the local endpoint), CPU %s: median %.0f ms of %d (%s ms)\n",
		before, *cpu, sorted[len(sorted)/2].Seconds()*1000, len(times), strings.Join(ms, ", "))
	if before < int64(*runs) {
		t.Fatalf("%d token requests for %d starts: the app did not sign in with the token", before, *runs)
	}
}

// coldStart runs the app once and returns the time from exec to the first
// 200 tile; any other answer fails the test.
func coldStart(t *testing.T, i int, settings []string) time.Duration {
	p := testenv.FreePort(t)
	log := filepath.Join(t.TempDir(), fmt.Sprintf("cold-%d.log", i))
	out, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	// The host sets the execute bit on the launcher only: take back what the
	// previous run's launcher added to the loader.
	os.Chmod(filepath.Join(*root, "app/lib/ld-linux-x86-64.so.2"), 0o644)
	env := append([]string{"FUNCTIONS_CUSTOMHANDLER_PORT=" + p}, settings...)
	script := `mount -t proc proc "$1/proc" && exec chroot "$1" /usr/bin/env -i "${@:2}" /app/handler`
	cmd := exec.Command("taskset", append([]string{"-c", *cpu, "unshare", "--mount", "--propagation", "private", "--fork", "--",
		"bash", "-c", script, "_", *root}, env...)...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	url := "http://127.0.0.1:" + p + *tile
	client := &http.Client{Timeout: 30 * time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}()
	showLog := func() string { b, _ := os.ReadFile(log); return string(b) }
	for time.Since(t0) < 60*time.Second {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("run %d: %s answered %d\n%s", i, *tile, resp.StatusCode, showLog())
			}
			return time.Since(t0)
		}
		select {
		case <-exited:
			t.Fatalf("run %d: the app exited before answering\n%s", i, showLog())
		default:
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("run %d: no tile in 60 s\n%s", i, showLog())
	return 0
}
