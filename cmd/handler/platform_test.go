package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestPrettyName(t *testing.T) {
	for in, want := range map[string]string{
		"NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\n": "Debian GNU/Linux 11 (bullseye)",
		"PRETTY_NAME='Ubuntu 24.04 LTS'":                                              "Ubuntu 24.04 LTS",
		"PRETTY_NAME=Alpine":                                                          "Alpine",
		"NAME=x":                                                                      "",
	} {
		if got := prettyName(in); got != want {
			t.Errorf("prettyName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGlibcVersion(t *testing.T) {
	if v := glibcVersion(); !regexp.MustCompile(`^2\.\d+`).MatchString(v) {
		t.Fatalf("glibc version %q", v)
	}
	if osRelease() == "" {
		t.Fatal("empty OS release")
	}
}

// The platform line names GDAL's version and its drivers, tilefunc's own
// build's few.
func TestPlatformLineNamesGDALAndItsDrivers(t *testing.T) {
	var buf bytes.Buffer
	logPlatform(slog.New(slog.NewJSONHandler(&buf, nil)))
	var line struct {
		Msg     string `json:"msg"`
		GDAL    string `json:"gdal"`
		Drivers string `json:"gdal_drivers"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	drivers := strings.Split(line.Drivers, ",")
	if line.Msg != "platform" || !regexp.MustCompile(`^3\.\d+\.\d+$`).MatchString(line.GDAL) ||
		!slices.Contains(drivers, "GTiff") || !slices.Contains(drivers, "COG") || slices.Contains(drivers, "WMTS") {
		t.Fatalf("platform line %s", buf.Bytes())
	}
}
