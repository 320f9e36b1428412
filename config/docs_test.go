package config_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"tilefunc/config"
)

var update = flag.Bool("update", false, "rewrite the settings table of docs/configuration.md from config.Settings")

const (
	configurationDoc = "../docs/configuration.md"
	tableStart       = "<!-- settings table: generated from config.Settings by `go test ./config -run TestDocsSettingsTable -update` -->\n"
	tableEnd         = "<!-- end of settings table -->\n"
)

// docs/configuration.md's settings table is config.Settings, row for row,
// with the seed guide's name for each setting that has one.
func TestDocsSettingsTable(t *testing.T) {
	b, err := os.ReadFile(configurationDoc)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(b), tableStart)
	if !ok {
		t.Fatalf("%s lacks the line %q", configurationDoc, tableStart)
	}
	table, after, ok := strings.Cut(rest, tableEnd)
	if !ok {
		t.Fatalf("%s lacks the line %q", configurationDoc, tableEnd)
	}
	want := settingsTable()
	if *update {
		if err := os.WriteFile(configurationDoc, []byte(before+tableStart+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if table != want {
		t.Errorf("%s's settings table differs from config.Settings: run go test ./config -run TestDocsSettingsTable -update\nwant:\n%s", configurationDoc, want)
	}
}

// settingsTable is the markdown table of every setting.
func settingsTable() string {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	var b strings.Builder
	b.WriteString("| Setting | Default | Seed guide's name | What it does |\n|---|---|---|---|\n")
	for _, s := range config.Settings {
		def := "(none)"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		b.WriteString("| `" + s.Name + "` | " + cell(def) + " | " + cell(config.SeedNames[s.Name]) + " | " + cell(s.Doc) + " |\n")
	}
	return b.String()
}

// Every seed name belongs to a setting that exists.
func TestSeedNamesAreSettings(t *testing.T) {
	known := map[string]bool{}
	for _, s := range config.Settings {
		known[s.Name] = true
	}
	for name := range config.SeedNames {
		if !known[name] {
			t.Errorf("SeedNames has %s, which is not in Settings", name)
		}
	}
}
