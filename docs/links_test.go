// Package docs holds the project's documentation; its test keeps the
// links between the pages working.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	link    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading = regexp.MustCompile(`(?m)^#+ (.+)$`)
	notSlug = regexp.MustCompile(`[^a-z0-9 _-]`)
)

// anchors are the GitHub anchors of a markdown file's headings.
func anchors(t *testing.T, path string) map[string]bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(string(b), -1) {
		a[strings.ReplaceAll(notSlug.ReplaceAllString(strings.ToLower(m[1]), ""), " ", "-")] = true
	}
	return a
}

// Every relative link of the README and the docs reaches a file, and a
// heading when it names one; the README links every page of docs/.
func TestLinksResolve(t *testing.T) {
	pages, _ := filepath.Glob("*.md")
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if !strings.Contains(string(readme), "](docs/"+p+")") {
			t.Errorf("README.md does not link docs/%s", p)
		}
	}
	for _, from := range append(pages, "../README.md") {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := from
			if file != "" {
				path = filepath.Join(filepath.Dir(from), file)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links %s: no such file", from, target)
				continue
			}
			if anchor != "" && !anchors(t, path)[anchor] {
				t.Errorf("%s links %s: no such heading", from, target)
			}
		}
	}
}
