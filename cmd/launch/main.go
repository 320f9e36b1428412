// Command launch is the packaged app's entry point: host.json's
// defaultExecutablePath ("handler" in the zip). It is static (CGO_ENABLED=0),
// so it runs on any x86-64 Linux, whatever its glibc. It starts the real
// handler through the glibc loader bundled beside it:
//
//	lib/ld-linux-x86-64.so.2 --inhibit-cache --library-path lib --argv0 ARGV0 bin/handler-real ARGS...
//
// so the handler, GDAL and every library come from lib/ (glibc included),
// never from the image, and child processes are not affected (no
// LD_LIBRARY_PATH). The Functions host sets the execute bit on this file only;
// the loader gets it here (chmod), or, on a read-only package mount, runs
// from a memfd copy. GDAL_DATA, PROJ_DATA and PROJ_LIB point at share/ unless
// already set. The app root is this file's folder, not the working directory.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The package layout, relative to the app root (scripts/package.sh makes it).
const (
	loaderRel = "lib/ld-linux-x86-64.so.2"
	libRel    = "lib"
	realRel   = "bin/handler-real"
	gdalRel   = "share/gdal"
	projRel   = "share/proj"
)

func main() {
	root, err := appRoot()
	if err == nil {
		err = launch(root, os.Args, os.Environ())
	}
	// launch returns only when no exec worked.
	fmt.Fprintln(os.Stderr, "launch:", err)
	os.Exit(127)
}

// appRoot is the folder that holds this executable, symlinks resolved.
func appRoot() (string, error) {
	exe, err := os.Executable()
	if err != nil || exe == "" {
		// No /proc: argv[0] is the path the host started us with.
		if !strings.Contains(os.Args[0], "/") {
			return "", fmt.Errorf("cannot find the app root: %v (start the launcher by its path)", err)
		}
		exe = os.Args[0]
	}
	exe, err = filepath.Abs(exe)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return filepath.Dir(exe), nil
}

// command is the loader's argv for the real handler, and the environment with
// the package's defaults added.
func command(root string, args, env []string) (argv, environ []string) {
	argv0 := filepath.Join(root, "handler")
	if len(args) > 0 {
		argv0 = args[0]
		args = args[1:]
	}
	argv = append([]string{
		filepath.Join(root, loaderRel),
		"--inhibit-cache", // libraries come from lib/ or nowhere
		"--library-path", filepath.Join(root, libRel),
		"--argv0", argv0,
		filepath.Join(root, realRel),
	}, args...)
	set := map[string]bool{}
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); ok {
			set[k] = true
		}
	}
	environ = append([]string(nil), env...)
	add := func(k, v string) {
		if !set[k] {
			environ = append(environ, k+"="+v)
			set[k] = true
		}
	}
	add("GDAL_DATA", filepath.Join(root, gdalRel))
	add("PROJ_DATA", filepath.Join(root, projRel)) // PROJ >= 9.1
	add("PROJ_LIB", filepath.Join(root, projRel))  // older PROJ
	// The image may have GDAL plugins built for another GDAL.
	add("GDAL_DRIVER_PATH", "disable")
	// GDAL's temporary files otherwise go to the working directory: the
	// package, which is read-only.
	if !set["TMPDIR"] {
		add("CPL_TMPDIR", os.TempDir())
	}
	return argv, environ
}

// launch replaces this process with the real handler. It returns only on
// failure.
func launch(root string, args, env []string) error {
	argv, environ := command(root, args, env)
	loader := argv[0]
	for _, p := range []string{loader, filepath.Join(root, realRel)} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%w: is %s the app folder made by make package?", err, root)
		}
	}
	if err := makeExecutable(loader); err != nil {
		fmt.Fprintf(os.Stderr, "launch: warning: %v\n", err)
	}
	err := syscall.Exec(loader, argv, environ)
	if !errors.Is(err, syscall.EACCES) && !errors.Is(err, syscall.EPERM) {
		return fmt.Errorf("exec %s: %w", loader, err)
	}
	// Not executable and not fixable (read-only mount): run a copy.
	fmt.Fprintf(os.Stderr, "launch: warning: cannot execute %s (%v); running a copy from memory\n", loader, err)
	copyPath, cerr := memfdCopy(loader)
	if cerr == nil {
		err = syscall.Exec(copyPath, argv, environ)
	}
	fmt.Fprintf(os.Stderr, "launch: warning: memfd copy of the loader failed (%v, %v); running a copy from %s\n", cerr, err, os.TempDir())
	if copyPath, cerr = tempCopy(loader); cerr != nil {
		return fmt.Errorf("copy the loader: %w", cerr)
	}
	return fmt.Errorf("exec %s: %w", copyPath, syscall.Exec(copyPath, argv, environ))
}

// makeExecutable adds the execute bits that the Functions host did not set
// (it sets them on defaultExecutablePath only).
func makeExecutable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o111 == 0o111 {
		return nil
	}
	return os.Chmod(path, st.Mode().Perm()|0o111)
}

// memfdCopy copies the file into an anonymous memory file and returns a path
// that executes it (/proc/self/fd/N, valid in this process and across exec).
func memfdCopy(path string) (string, error) {
	fd, err := unix.MemfdCreate(filepath.Base(path), unix.MFD_CLOEXEC)
	if err != nil {
		return "", err
	}
	f := os.NewFile(uintptr(fd), filepath.Base(path))
	if err := copyInto(f, path); err != nil {
		f.Close()
		return "", err
	}
	// f stays open: the path names its descriptor.
	return fmt.Sprintf("/proc/self/fd/%d", fd), nil
}

// tempCopy copies the file into a new executable file under the temp folder.
func tempCopy(path string) (string, error) {
	dir, err := os.MkdirTemp("", "tilefunc-launch-")
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, filepath.Base(path))
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return "", err
	}
	if err := copyInto(f, path); err != nil {
		f.Close()
		return "", err
	}
	return dst, f.Close()
}

func copyInto(dst *os.File, path string) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(dst, src)
	return err
}
