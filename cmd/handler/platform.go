package main

/*
#include <gnu/libc-version.h>
*/
import "C"

import (
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"

	"tilefunc/tiles"
)

// logPlatform logs the OS release, the glibc and GDAL versions in use and
// GDAL's drivers (short names, comma-separated): the Functions image is
// not documented, and the package brings its own glibc and GDAL.
func logPlatform(log *slog.Logger) {
	log.Info("platform", "os", osRelease(), "glibc", glibcVersion(), "gdal", tiles.GDALVersion(),
		"gdal_drivers", strings.Join(tiles.GDALDrivers(), ","), "go", runtime.Version())
}

// glibcVersion is the version of the C library this process runs on.
func glibcVersion() string { return C.GoString(C.gnu_get_libc_version()) }

// osRelease is PRETTY_NAME from os-release(5), or "unknown".
func osRelease() string {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if b, err := os.ReadFile(p); err == nil {
			if name := prettyName(string(b)); name != "" {
				return name
			}
		}
	}
	return "unknown"
}

func prettyName(osRelease string) string {
	for _, line := range strings.Split(osRelease, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "PRETTY_NAME=")
		if !ok {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			return u
		}
		return strings.Trim(v, `"'`)
	}
	return ""
}
