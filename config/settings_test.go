package config_test

import (
	"os"
	"regexp"
	"testing"

	"tilefunc/config"
)

// Every name Load reads is in Settings, and nothing else is.
func TestSettingsListsEveryNameLoadReads(t *testing.T) {
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([A-Z][A-Z0-9_]{3,})"`).FindAllStringSubmatch(string(src), -1) {
		read[m[1]] = true
	}
	listed := map[string]bool{}
	for _, s := range config.Settings {
		listed[s.Name] = true
		if !read[s.Name] {
			t.Errorf("Settings lists %s, which config.go never reads", s.Name)
		}
	}
	for name := range read {
		if !listed[name] {
			t.Errorf("config.go reads %s, which Settings does not list", name)
		}
	}
}
