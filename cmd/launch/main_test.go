package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The host's own loader and libc stand in for the bundled ones.
const (
	hostLoader = "/lib64/ld-linux-x86-64.so.2"
	hostLibc   = "/lib/x86_64-linux-gnu/libc.so.6"
)

func TestCommand(t *testing.T) {
	argv, env := command("/app", []string{"/app/handler", "-x"}, []string{"PATH=/bin", "PROJ_DATA=/mine", "TMPDIR=/t"})
	want := []string{"/app/lib/ld-linux-x86-64.so.2", "--inhibit-cache", "--library-path", "/app/lib", "--argv0", "/app/handler", "/app/bin/handler-real", "-x"}
	if !slices.Equal(argv, want) {
		t.Errorf("argv = %q, want %q", argv, want)
	}
	for _, kv := range []string{"PATH=/bin", "PROJ_DATA=/mine", "TMPDIR=/t", "GDAL_DATA=/app/share/gdal", "PROJ_LIB=/app/share/proj", "GDAL_DRIVER_PATH=disable"} {
		if !slices.Contains(env, kv) {
			t.Errorf("env lacks %s: %q", kv, env)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "PROJ_DATA=/app") || strings.HasPrefix(kv, "CPL_TMPDIR=") {
			t.Errorf("env has %s: a setting given by the host must win", kv)
		}
	}
	if _, env := command("/app", nil, nil); !slices.Contains(env, "CPL_TMPDIR="+os.TempDir()) {
		t.Errorf("no CPL_TMPDIR without TMPDIR: %q", env)
	}
}

// fakeApp lays out an app folder like make package's, with the host's loader
// and libc, and dash as the "real handler", every file without execute bits
// but the launcher's (as the Functions host leaves them).
func fakeApp(t *testing.T) string {
	for _, p := range []string{hostLoader, hostLibc, "/bin/dash"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("needs %s: %v", p, err)
		}
	}
	root := t.TempDir()
	for _, d := range []string{"lib", "bin"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cp := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cp(hostLoader, loaderRel)
	cp(hostLibc, "lib/libc.so.6")
	cp("/bin/dash", realRel)
	build := exec.Command("go", "build", "-o", filepath.Join(root, "handler"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the launcher: %v\n%s", err, out)
	}
	return root
}

// The launcher, started through a symlink from another working directory,
// runs bin/handler-real through lib/'s loader with the arguments and the
// package's settings, and makes the loader executable.
func TestLaunchRunsTheRealBinaryThroughTheBundledLoader(t *testing.T) {
	root := fakeApp(t)
	elsewhere := t.TempDir()
	link := filepath.Join(elsewhere, "entry")
	if err := os.Symlink(filepath.Join(root, "handler"), link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, "-c", `printf '%s\n' "$0" "$1" "$GDAL_DATA" "$PROJ_DATA" "$GDAL_DRIVER_PATH" "$KEEP"`, "name", "arg 1")
	cmd.Dir = elsewhere
	cmd.Env = []string{"KEEP=kept"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := strings.Join([]string{"name", "arg 1", root + "/share/gdal", root + "/share/proj", "disable", "kept"}, "\n") + "\n"
	if string(out) != want {
		t.Fatalf("output %q, want %q", out, want)
	}
	st, err := os.Stat(filepath.Join(root, loaderRel))
	if err != nil || st.Mode().Perm()&0o111 != 0o111 {
		t.Fatalf("loader mode %v, %v: want executable", st.Mode(), err)
	}
}

// Where the loader cannot be made executable (a read-only package), a copy
// in a memfd runs instead.
func TestMemfdCopyOfTheLoaderRuns(t *testing.T) {
	root := fakeApp(t)
	path, err := memfdCopy(filepath.Join(root, loaderRel))
	if err != nil {
		t.Fatal(err)
	}
	// The path names this process's descriptor; a child reaches it by pid.
	path = strings.Replace(path, "/proc/self/", fmt.Sprintf("/proc/%d/", os.Getpid()), 1)
	out, err := exec.Command(path, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ld.so") {
		t.Fatalf("%s --version: %v %s", path, err, out)
	}
}

func TestMissingLayoutSaysSo(t *testing.T) {
	err := launch(t.TempDir(), []string{"handler"}, nil)
	if err == nil || !strings.Contains(err.Error(), "make package") {
		t.Fatalf("err = %v", err)
	}
}

// host.json starts this launcher, from the app root.
func TestHostJSONStartsTheLauncher(t *testing.T) {
	b, err := os.ReadFile("../../host.json")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Version       string
		CustomHandler struct {
			Description struct{ DefaultExecutablePath, WorkingDirectory string }
		}
		ExtensionBundle any
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	d := h.CustomHandler.Description
	if h.Version != "2.0" || d.DefaultExecutablePath != "handler" || d.WorkingDirectory != "" || h.ExtensionBundle != nil {
		t.Fatalf("host.json: %+v", h)
	}
}
