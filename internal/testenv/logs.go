package testenv

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The log scan of make test: with TILEFUNC_TEST_LOGS naming a folder,
// every server log a test makes is kept there, and every secret the tests
// hand out (tokens, identity headers, keys) is listed in its secrets file;
// internal/logscan then checks that no log line holds one.

var logMu sync.Mutex

// ServerLog is w, and with TILEFUNC_TEST_LOGS set a file of the test's
// name in that folder too.
func ServerLog(t testing.TB, w io.Writer) io.Writer {
	dir := os.Getenv("TILEFUNC_TEST_LOGS")
	if dir == "" {
		return w
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + ".log"
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("test log: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return io.MultiWriter(w, f)
}

// NoteSecret lists s as a secret the logs must not hold.
func NoteSecret(s string) {
	dir := os.Getenv("TILEFUNC_TEST_LOGS")
	if dir == "" || s == "" {
		return
	}
	logMu.Lock()
	defer logMu.Unlock()
	f, err := os.OpenFile(filepath.Join(dir, "secrets"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(s + "\n")
}
