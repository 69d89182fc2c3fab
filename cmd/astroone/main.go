// Command astroone is the AstroOne-Go command-line tool: it reads survey
// spectra, prepares them, ingests them into a workspace and queries it.
//
// Each subcommand lives in its own file and registers itself in commands;
// a subcommand only turns flags into library calls.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
)

// command is one subcommand of astroone.
type command struct {
	name    string
	summary string
	// run executes the subcommand with its arguments (without the name).
	// It writes results to stdout and diagnostics to stderr.
	run func(args []string, stdout, stderr io.Writer) error
}

// commands holds every registered subcommand by name.
var commands = map[string]command{}

// register adds a subcommand; it is called from init functions.
func register(c command) { commands[c.name] = c }

// errUsage signals a command-line mistake already reported to the user;
// main exits with status 2 without printing it again.
var errUsage = errors.New("usage error")

func main() {
	// ASTROONE_CPUPROFILE=FILE writes a CPU profile of the command (for
	// `go tool pprof`), to see where a long job spends its time.
	if path := os.Getenv("ASTROONE_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "astroone: ASTROONE_CPUPROFILE: %v\n", err)
			os.Exit(1)
		}
		code := run(os.Args[1:], os.Stdout, os.Stderr)
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches args to a subcommand and returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "astroone: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.run(args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "astroone %s: %v\n", c.name, err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "astroone: read, prepare, catalogue and model survey spectra")
	fmt.Fprintln(w, "\nUsage: astroone COMMAND [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'astroone COMMAND --help' for the flags of a command.")
}

// newFlagSet returns a flag set for a subcommand whose --help prints the
// synopsis and the flags to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: astroone %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs, allowing flags after positional
// arguments (astroone ingest DIR --workspace WS). It returns the positional
// arguments. A parse error is reported by fs and returned as errUsage.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
