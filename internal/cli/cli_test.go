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
