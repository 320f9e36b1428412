// Command logscan checks the server logs of a test run (the folder
// TILEFUNC_TEST_LOGS named) for secrets: every token, identity header and
// key the tests handed out (its secrets file), the storage account key and
// database password of the environment, and unredacted SAS signatures. It
// prints where each is found, never the secret, and exits 1 if any is.
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tilefunc"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: logscan DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	secrets := known(dir)
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	found, lines := 0, 0
	for _, path := range logs {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for n := 1; sc.Scan(); n++ {
			lines++
			for _, what := range leaks(sc.Text(), secrets) {
				found++
				fmt.Printf("logscan: %s:%d holds %s\n", filepath.Base(path), n, what)
			}
		}
		f.Close()
	}
	fmt.Printf("logscan: %d lines of %d server logs, %d secrets looked for: %d found\n", lines, len(logs), len(secrets), found)
	if found > 0 {
		os.Exit(1)
	}
}

// known are the secrets to look for, by what they are.
func known(dir string) map[string]string {
	out := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(dir, "secrets")); err == nil {
		for i, s := range strings.Fields(string(b)) {
			out[s] = fmt.Sprintf("handed-out secret #%d", i+1)
		}
	}
	for _, kv := range strings.Split(os.Getenv("AZURE_STORAGE_CONNECTION_STRING"), ";") {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.EqualFold(k, "AccountKey") {
			out[v] = "the storage account key"
		}
	}
	out[":postgres@"] = "the database password"
	return out
}

// leaks says what secrets line holds.
func leaks(line string, secrets map[string]string) []string {
	var out []string
	for s, what := range secrets {
		if len(s) >= 8 && strings.Contains(line, s) {
			out = append(out, what)
		}
	}
	if tilefunc.Redact(line) != line { // a signature Redact would hide is in clear
		out = append(out, "a SAS signature")
	}
	return out
}
