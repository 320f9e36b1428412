package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// subcommands are the handler binary's commands and their flags, as a user
// reads them in `handler --help` and `handler COMMAND --help`.
var subcommands = map[string][]string{
	"sql grants": {"-role", "-mode", "-object-id"},
	"doctor":     {},
	"functions":  {"-out", "-write-auth"},
	"smoke":      {"-key", "-collection", "-assets", "-params", "-timeout"},
}

// runSplit runs the binary with no settings and keeps stdout and stderr apart.
func runSplit(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errs.String(), code
}

func TestEverySubcommandPrintsItsUsageForHelp(t *testing.T) {
	for name, flags := range subcommands {
		for _, help := range []string{"--help", "-h"} {
			args := append(strings.Fields(name), help)
			out, errs, code := runSplit(t, args...)
			if code != 0 || errs != "" || !strings.Contains(out, "usage: handler "+name) {
				t.Errorf("handler %s %s: exit %d, stdout %q, stderr %q", name, help, code, out, errs)
			}
			for _, f := range flags {
				if !strings.Contains(out, f+" ") {
					t.Errorf("handler %s %s does not name %s:\n%s", name, help, f, out)
				}
			}
		}
	}
}

func TestEverySubcommandRefusesAnUnknownFlagWithItsUsage(t *testing.T) {
	for name := range subcommands {
		args := append(strings.Fields(name), "--no-such-flag")
		out, errs, code := runSplit(t, args...)
		if code != 2 || out != "" || !strings.Contains(errs, "no-such-flag") || !strings.Contains(errs, "usage: handler "+name) {
			t.Errorf("handler %s --no-such-flag: exit %d, stdout %q, stderr %q", name, code, out, errs)
		}
	}
}

// The list in `handler --help` is the table above: a new command gets a row
// there, and with it the help and flag tests.
func TestHelpListsEverySubcommand(t *testing.T) {
	for _, help := range []string{"--help", "-h"} {
		out, errs, code := runSplit(t, help)
		if code != 0 || errs != "" {
			t.Fatalf("handler %s: exit %d, stderr %q", help, code, errs)
		}
		listed := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^  handler (\S+(?: \S+)?)   +\S`).FindAllStringSubmatch(out, -1) {
			listed[m[1]] = true
		}
		for name := range subcommands {
			if !listed[name] {
				t.Errorf("handler %s does not list %q:\n%s", help, name, out)
			}
		}
		for name := range listed {
			if _, ok := subcommands[name]; !ok {
				t.Errorf("handler %s lists %q, which these tests do not cover", help, name)
			}
		}
	}
	out, _, code := runSplit(t, "sql", "--help")
	if code != 0 || !strings.Contains(out, "handler sql grants") {
		t.Errorf("handler sql --help: exit %d:\n%s", code, out)
	}
}

func TestAnUnknownSubcommandExits2NamingIt(t *testing.T) {
	for _, args := range [][]string{{"nope"}, {"sql", "nope"}, {"--no-such-flag"}} {
		out, errs, code := runSplit(t, args...)
		if code != 2 || out != "" || !strings.Contains(errs, args[len(args)-1]) || !strings.Contains(errs, "usage: handler") {
			t.Errorf("handler %q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if _, errs, code := runSplit(t, "sql"); code != 2 || !strings.Contains(errs, "handler sql grants") {
		t.Errorf("handler sql: exit %d, stderr %q", code, errs)
	}
}

// A stray word after a command is a mistake, not something to ignore.
func TestASubcommandRefusesAStrayArgument(t *testing.T) {
	_, errs, code := runSplit(t, "doctor", "now")
	if code != 2 || !strings.Contains(errs, `unexpected argument "now"`) {
		t.Errorf("handler doctor now: exit %d, stderr %q", code, errs)
	}
	_, errs, code = runSplit(t, "smoke", "http://127.0.0.1:1", "http://127.0.0.1:2")
	if code != 2 || !strings.Contains(errs, `unexpected argument "http://127.0.0.1:2"`) {
		t.Errorf("handler smoke URL URL: exit %d, stderr %q", code, errs)
	}
}

// smoke takes one URL, an http(s) one, and says so when it is missing.
func TestSmokeNeedsAURL(t *testing.T) {
	for _, c := range []struct{ args, want string }{{"", "missing the URL argument"}, {"ftp://host", "want http(s)://host"},
		{"https://app.example.net/?code=s3cret -params code=x", "pass the key with -key"}} {
		out, errs, code := runSplit(t, append([]string{"smoke"}, strings.Fields(c.args)...)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) || !strings.Contains(errs, "usage: handler smoke") || strings.Contains(errs, "s3cret") {
			t.Errorf("handler smoke %s: exit %d, stdout %q, stderr %q", c.args, code, out, errs)
		}
	}
}
