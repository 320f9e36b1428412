package main_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"tilefunc/internal/testenv"
)

// getBody is a GET's status and body.
func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// With TILEFUNC_PPROF_ADDR the profiles are served there, on a listener of
// their own, and never on the Functions port; start-up says so in one line.
func TestPprofServesOnItsOwnLoopbackListener(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	pprofAddr := "127.0.0.1:" + freePort(t)
	base, logs := start(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_PPROF_ADDR="+pprofAddr)
	if code, body := getBody(t, "http://"+pprofAddr+"/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Fatalf("GET /debug/pprof/ on %s: %d %.200s", pprofAddr, code, body)
	}
	if code, body := getBody(t, "http://"+pprofAddr+"/debug/pprof/heap?debug=1"); code != 200 || !strings.Contains(body, "heap profile") {
		t.Errorf("heap profile: %d %.200s", code, body)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap"} {
		if code, _ := getBody(t, base+path); code != http.StatusNotFound {
			t.Errorf("the Functions port answers %s with %d, want 404", path, code)
		}
	}
	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"msg":"pprof listening"`) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], `"addr":"`+pprofAddr+`"`) {
		t.Errorf("want one start-up line naming %s, got %q", pprofAddr, lines)
	}
}

// Profiling is off unless set: start-up says nothing of it.
func TestPprofIsOffByDefault(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	base, logs := start(t, "DATABASE_URL="+cat.DatabaseURL)
	if code, _ := getBody(t, base+"/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("/debug/pprof/ on the Functions port: %d, want 404", code)
	}
	// The request just made is logged with its path: only the listener's
	// own line would say pprof is on.
	if strings.Contains(logs.String(), "pprof listening") {
		t.Errorf("the log says pprof listens with it off:\n%s", logs)
	}
}

// An address other machines could reach stops start-up with one line
// naming the setting.
func TestPprofOnANonLoopbackAddressStopsStartup(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "192.0.2.1:6060"} {
		cmd := exec.Command(binary)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=postgresql://u:s3cret@localhost/db", "TILEFUNC_PPROF_ADDR=" + addr}
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("the handler started with TILEFUNC_PPROF_ADDR=%s", addr)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "TILEFUNC_PPROF_ADDR") || strings.Contains(lines[0], "s3cret") {
			t.Errorf("%s: want one line naming TILEFUNC_PPROF_ADDR, got %q", addr, out)
		}
	}
}
