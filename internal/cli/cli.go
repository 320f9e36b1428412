// Package cli parses a subcommand's flags the way every handler subcommand
// does: -h or --help prints the usage on stdout, a wrong command line prints
// the complaint and the usage on stderr, and the caller's exit code follows
// from the error (see ExitCode).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ErrHelp is returned when the user asked for the usage; it has been printed.
var ErrHelp = flag.ErrHelp

// UsageError is a wrong command line; its message and the usage have been
// printed to stderr.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Parse parses args into fs, which takes no positional arguments. fs.Usage
// writes to fs.Output(); Parse points that at stdout for -h and at stderr for
// an unknown flag, a bad value or a stray argument.
func Parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	_, err := ParseArgs(fs, args, nil, stdout, stderr)
	return err
}

// ParseArgs is Parse for a command that takes one positional argument per
// name in names (in the complaint when one is missing), before, between or
// after its flags: "handler smoke URL -key K" and "handler smoke -key K URL"
// alike. It returns the arguments in order.
func ParseArgs(fs *flag.FlagSet, args, names []string, stdout, stderr io.Writer) ([]string, error) {
	usage := fs.Usage
	if usage == nil {
		usage = func() {
			fmt.Fprintf(fs.Output(), "usage: %s [flags]\n", fs.Name())
			fs.PrintDefaults()
		}
	}
	// The flag package prints its complaint and calls Usage itself; both are
	// silenced so each goes to the stream its case asks for.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var pos []string
	err := fs.Parse(args)
	// flag stops at the first argument that is not a flag: take it and go
	// on with the rest.
	for err == nil && fs.NArg() > 0 && len(pos) < len(names) {
		pos = append(pos, fs.Arg(0))
		err = fs.Parse(fs.Args()[1:])
	}
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		usage()
		return nil, ErrHelp
	case err == nil && fs.NArg() > 0:
		err = fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	case err == nil && len(pos) < len(names):
		err = fmt.Errorf("%s: missing the %s argument", fs.Name(), names[len(pos)])
	case err != nil:
		err = fmt.Errorf("%s: %w", fs.Name(), err)
	}
	fs.SetOutput(stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		usage()
		return nil, &UsageError{err}
	}
	return pos, nil
}

// ExitCode is the process's exit status for a command's error: 0 for none or
// for help, 2 for a wrong command line, 1 for anything else.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}
