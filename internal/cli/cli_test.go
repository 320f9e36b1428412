package cli_test

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"tilefunc/internal/cli"
)

func parse(args ...string) (stdout, stderr string, err error) {
	fs := flag.NewFlagSet("handler thing", flag.ContinueOnError)
	fs.String("colour", "red", "the colour")
	var out, errs bytes.Buffer
	err = cli.Parse(fs, args, &out, &errs)
	return out.String(), errs.String(), err
}

func TestHelpPrintsTheUsageOnStdout(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		out, errs, err := parse(arg)
		if !errors.Is(err, cli.ErrHelp) || cli.ExitCode(err) != 0 || errs != "" ||
			!strings.Contains(out, "handler thing") || !strings.Contains(out, "-colour") {
			t.Errorf("%s: err %v, stdout %q, stderr %q", arg, err, out, errs)
		}
	}
}

func TestAWrongCommandLinePrintsTheUsageOnStderr(t *testing.T) {
	for _, args := range [][]string{{"-size", "3"}, {"-colour"}, {"stray"}} {
		out, errs, err := parse(args...)
		var ue *cli.UsageError
		if !errors.As(err, &ue) || cli.ExitCode(err) != 2 || out != "" ||
			!strings.HasPrefix(errs, "handler thing: ") || !strings.Contains(errs, "-colour") {
			t.Errorf("%q: err %v, stdout %q, stderr %q", args, err, out, errs)
		}
	}
}

func TestFlagsParse(t *testing.T) {
	if out, errs, err := parse("-colour", "blue"); err != nil || out != "" || errs != "" || cli.ExitCode(err) != 0 {
		t.Fatalf("err %v, stdout %q, stderr %q", err, out, errs)
	}
	if cli.ExitCode(errors.New("no database")) != 1 {
		t.Fatal("a failure is not exit 1")
	}
}

func parseURL(args ...string) (pos []string, colour, stderr string, err error) {
	fs := flag.NewFlagSet("handler thing", flag.ContinueOnError)
	c := fs.String("colour", "red", "the colour")
	var out, errs bytes.Buffer
	pos, err = cli.ParseArgs(fs, args, []string{"URL"}, &out, &errs)
	return pos, *c, errs.String(), err
}

// A positional argument may come before, after or between the flags.
func TestParseArgsTakesItsArgumentAnywhere(t *testing.T) {
	for _, args := range [][]string{{"http://x", "-colour", "blue"}, {"-colour", "blue", "http://x"}, {"-colour=blue", "http://x"}} {
		pos, colour, errs, err := parseURL(args...)
		if err != nil || len(pos) != 1 || pos[0] != "http://x" || colour != "blue" || errs != "" {
			t.Errorf("%q: args %q, colour %s, err %v, stderr %q", args, pos, colour, err, errs)
		}
	}
}

func TestParseArgsNamesAMissingOrStrayArgument(t *testing.T) {
	for args, want := range map[string]string{"": "missing the URL argument", "http://x http://y": `unexpected argument "http://y"`,
		"http://x -size 3": "-size"} {
		_, _, errs, err := parseURL(strings.Fields(args)...)
		if cli.ExitCode(err) != 2 || !strings.Contains(errs, want) || !strings.Contains(errs, "-colour") {
			t.Errorf("%q: err %v, stderr %q, want it to say %q and the usage", args, err, errs, want)
		}
	}
}
