package main

import (
	"regexp"
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
