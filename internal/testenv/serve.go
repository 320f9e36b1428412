package testenv

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
)

// Serve starts cmd, a server that listens on port, its output in a log
// shown (the end of it) when the test fails, and waits until /healthz
// answers 200; it returns the base URL. The server is stopped when the
// test ends.
func Serve(t *testing.T, name string, cmd *exec.Cmd, port string) string {
	t.Helper()
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

// BuildHandler builds the handler binary from this checkout into the
// test's temporary folder and returns its path.
func BuildHandler(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "handler")
	if out, err := exec.Command("go", "build", "-o", bin, "tilefunc/cmd/handler").CombinedOutput(); err != nil {
		t.Fatalf("build handler: %v\n%s", err, out)
	}
	return bin
}

// FreePort is a loopback port nothing listens on now.
func FreePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
