package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"tilefunc/functions"
	"tilefunc/internal/cli"
)

// command is one subcommand of the handler binary.
type command struct {
	name    string // as typed after "handler": "doctor", "sql grants"
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands are the handler binary's subcommands; with none it serves.
var commands = []command{
	{"sql grants", "print the SQL that creates and grants the database role", sqlGrants},
	{"doctor", "check identity, database grants, blob access; list the role's connections", doctor},
	{"smoke", "check a deployed app: /healthz, a registration with the key, a tile, WMTS", smoke},
	{"functions", "write the function.json folders the Functions host needs", functions.Command},
}

// dispatch runs the subcommand args names, or serve when there is none.
// Errors follow cli.ExitCode: help is cli.ErrHelp, a wrong command line a
// *cli.UsageError, both already printed.
func dispatch(args []string, stdout, stderr io.Writer, serve func() error) error {
	if len(args) == 0 {
		return serve()
	}
	if isHelp(args[0]) {
		usage(stdout, "")
		return cli.ErrHelp
	}
	for _, c := range commands {
		if words := strings.Fields(c.name); len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return c.run(args[len(words):], stdout, stderr)
		}
	}
	// A group of commands ("handler sql") lists its own.
	group, err := "", fmt.Errorf("handler: unknown command %q", args[0])
	switch {
	case strings.HasPrefix(args[0], "-"):
		err = fmt.Errorf("handler: flag provided but not defined: %s", args[0])
	case isGroup(args[0]) && len(args) > 1 && isHelp(args[1]):
		usage(stdout, args[0])
		return cli.ErrHelp
	case isGroup(args[0]) && len(args) > 1:
		group, err = args[0], fmt.Errorf("handler %s: unknown command %q", args[0], args[1])
	case isGroup(args[0]):
		group, err = args[0], fmt.Errorf("handler %s: which command?", args[0])
	}
	fmt.Fprintln(stderr, err)
	usage(stderr, group)
	return &cli.UsageError{Err: err}
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func isGroup(word string) bool {
	return slices.ContainsFunc(commands, func(c command) bool { return strings.HasPrefix(c.name, word+" ") })
}

// usage lists the commands, or those of one group ("sql").
func usage(w io.Writer, group string) {
	if group == "" {
		fmt.Fprint(w, "usage: handler [COMMAND] [flags]\n\n"+
			"With no command, handler serves the titiler-pgstac API on FUNCTIONS_CUSTOMHANDLER_PORT\n"+
			"(or TILEFUNC_ADDR), with the settings in the environment.\n\nCommands:\n")
	} else {
		fmt.Fprintf(w, "usage: handler %s COMMAND [flags]\n\nCommands:\n", group)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, c := range commands {
		if group == "" || strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(tw, "  handler %s\t%s\n", c.name, c.summary)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRun 'handler COMMAND --help' for a command's flags.")
}
