package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tilefunc/internal/testenv"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tilefunc-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "handler")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build handler: %v\n%s", err, out)
		os.Exit(1)
	}
	code := testenv.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// logBuffer is a process's output as it comes: the process writes it while
// the test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs the binary as the Functions host does: settings in the
// environment, the port in FUNCTIONS_CUSTOMHANDLER_PORT.
func start(t *testing.T, env ...string) (base string, logs *logBuffer) {
	base, logs, _ = launch(t, env...)
	return base, logs
}

// launch is start that also hands back the process, for tests that stop
// it themselves.
func launch(t *testing.T, env ...string) (base string, logs *logBuffer, cmd *exec.Cmd) {
	port := freePort(t)
	cmd = exec.Command(binary)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "FUNCTIONS_CUSTOMHANDLER_PORT=" + port}, env...)
	logs = &logBuffer{}
	out := testenv.ServerLog(t, logs)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base = "http://127.0.0.1:" + port
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The host polls GET / until anything answers.
		if resp, err := http.Get(base + "/"); err == nil {
			resp.Body.Close()
			return base, logs, cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("handler did not listen on FUNCTIONS_CUSTOMHANDLER_PORT: %s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServesTilesOnTheHostPort(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	base, logs := start(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t))

	resp, err := http.Post(base+"/searches/register", "application/json", strings.NewReader(`{"collections":["demo-rgb"]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var id string
	if _, err := fmt.Sscanf(string(body), `{"id":%q`, &id); err != nil || resp.StatusCode != 200 {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	tile, err := http.Get(base + "/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual")
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(tile.Body)
	tile.Body.Close()
	if tile.StatusCode != 200 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("tile: %d %q", tile.StatusCode, png[:min(len(png), 80)])
	}
	if strings.Contains(logs.String(), "postgres:postgres") {
		t.Fatalf("the log shows the database password: %s", logs)
	}
}

func TestBadSettingStopsStartupWithOneLine(t *testing.T) {
	cmd := exec.Command(binary)
	cmd.Env = []string{"DATABASE_URL=postgresql://u:s3cret@localhost/db", "USE_POSTGRES_MI=maybe"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("the handler started with USE_POSTGRES_MI=maybe")
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "USE_POSTGRES_MI") || strings.Contains(lines[0], "s3cret") {
		t.Fatalf("want one line naming USE_POSTGRES_MI, got %q", out)
	}
}

// `handler functions` runs before any setting is read: packaging needs no
// database.
func TestFunctionsSubcommandWritesTheFunctionFolders(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "functions", "-out", dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("handler functions: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "search_tile", "function.json"))
	if err != nil || !strings.Contains(string(b), `"route": "searches/{search_id}/tiles/{tileMatrixSetId}/{z:int}/{x:int}/{y}"`) {
		t.Fatalf("search_tile/function.json: %v %s", err, b)
	}
}

// The log is JSON lines: each request one line with its function, status,
// duration, size and the ids the Functions host forwards, so Application
// Insights ties it to the invocation; never the query (a function key).
func TestRequestsLogAsJSONLinesWithTheInvocationID(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	base, logs := start(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t))
	req, _ := http.NewRequest(http.MethodGet, base+"/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual&code=s3cr3tkey", nil)
	req.Header.Set("X-Azure-Functions-InvocationId", "0f8fad5b-d9cb-469f-a165-70867728950e")
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var line map[string]any
	for deadline := time.Now().Add(5 * time.Second); line == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, l := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" && m["function"] == "collection_tile" {
				line = m
			}
		}
	}
	if line == nil {
		t.Fatalf("no JSON request line for the tile in the log:\n%s", logs)
	}
	if line["level"] != "INFO" || line["status"] != 200.0 || line["invocation_id"] != "0f8fad5b-d9cb-469f-a165-70867728950e" ||
		line["traceparent"] != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" || line["bytes"].(float64) < 100 ||
		line["duration_ms"].(float64) <= 0 || line["path"] != "/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png" {
		t.Errorf("request line %v", line)
	}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		// GDAL writes its own messages to stderr, in its words.
		if gdal := strings.HasPrefix(l, "ERROR ") || strings.HasPrefix(l, "Warning "); !gdal && !json.Valid([]byte(l)) {
			t.Errorf("a log line is not JSON: %s", l)
		}
	}
	if strings.Contains(logs.String(), "s3cr3tkey") {
		t.Errorf("the function key reached the log")
	}
}
