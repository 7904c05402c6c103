// Package cli implements the wavec command line: one pflag.FlagSet per
// subcommand, all input and output through an Env so that commands can be
// run in-process by tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/wavec/wavec/lang/diag"
)

// Exit codes shared by every subcommand.
const (
	// ExitOK means the command did what was asked.
	ExitOK = 0
	// ExitFailure means diagnostics were reported or a sync failed.
	ExitFailure = 1
	// ExitUsage means the command line itself was wrong.
	ExitUsage = 2
	// ExitInterrupted means the user stopped the command (Ctrl-C or SIGTERM).
	ExitInterrupted = 130
)

// Env is everything a command may touch in the outside world. Commands never
// use os.Stdout, os.Getenv or the working directory directly, so tests can run
// them in-process.
type Env struct {
	// Stdin is the standard input, read by `-f -`.
	Stdin io.Reader
	// Stdout receives the command's result (YAML, a plan, formatted source).
	Stdout io.Writer
	// Stderr receives diagnostics, progress and errors.
	Stderr io.Writer
	// Getenv looks up an environment variable.
	Getenv func(string) string
	// StderrIsTerminal reports whether Stderr is an interactive terminal,
	// which enables colour and live progress.
	StderrIsTerminal bool

	// colorMode is the --color flag: auto, always or never.
	colorMode string
}

// colorModes are the values --color takes.
var colorModes = []string{"auto", "always", "never"}

// color reports whether output to Stderr may use ANSI colour: --color=always
// says yes, --color=never no, and auto (the default) yes only on a terminal
// when NO_COLOR is unset or empty and TERM is not "dumb".
func (env *Env) color() bool {
	switch env.colorMode {
	case "always":
		return true
	case "never":
		return false
	}
	return env.StderrIsTerminal && env.getenv("NO_COLOR") == "" && !env.dumbTerminal()
}

// dumbTerminal reports whether TERM says the terminal cannot move the
// cursor or show colour.
func (env *Env) dumbTerminal() bool { return env.getenv("TERM") == "dumb" }

func (env *Env) getenv(name string) string {
	if env.Getenv == nil {
		return ""
	}
	return env.Getenv(name)
}

// command is one wavec subcommand.
type command struct {
	// name is the word that selects the command.
	name string
	// args is the synopsis after the name, for example "[flags] PATH...".
	args string
	// summary is a one-line description for `wavec help`.
	summary string
	// flags builds the command's flag set and returns the function that
	// runs the command once the flags are parsed.
	flags func(fs *pflag.FlagSet) func(ctx context.Context, env *Env, args []string) int
}

// commands lists the subcommands in the order `wavec help` shows them.
func commands() []*command {
	return []*command{
		buildCommand(),
		checkCommand(),
		fmtCommand(),
		planCommand(),
		importCommand(),
		runCommand(),
		diffCommand(),
		statusCommand(),
		deleteCommand(),
		versionCommand(),
		lspCommand(),
		completionCommand(),
	}
}

// Main runs wavec with the process's arguments, streams and signals and
// returns the exit code.
func Main() int {
	// Only run and delete (which delete the hooks still running), fmt
	// (which stops between files it rewrites) and status (whose --watch
	// then reports what it was waiting for) act on an interruption;
	// every other command ends at once, as a program without a handler
	// does, even while it blocks reading `-f -` or a file.
	ctx := context.Background()
	if len(os.Args) > 1 && stopsGracefully(os.Args[1]) {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		go func() {
			// A second Ctrl-C or SIGTERM ends them at once.
			<-ctx.Done()
			stop()
		}()
	}
	env := &Env{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Getenv:           os.Getenv,
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
	return Run(ctx, env, os.Args[1:])
}

// stopsGracefully reports whether command name handles an interruption
// itself, through the context Run passes it.
func stopsGracefully(name string) bool {
	return name == "run" || name == "delete" || name == "fmt" || name == "status"
}

// Run runs wavec with the given arguments (without the program name) in env
// and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		writeHelp(env.Stderr)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				fs := newFlagSet(c)
				c.flags(fs)
				registerColor(fs, env)
				writeCommandHelp(env.Stdout, c, fs)
				return ExitOK
			}
			fmt.Fprintf(env.Stderr, "wavec: unknown command %q; run 'wavec help'\n", args[1])
			return ExitUsage
		}
		writeHelp(env.Stdout)
		return ExitOK
	case "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		msg := fmt.Sprintf("wavec: unknown command %q", name)
		if s := diag.Suggest(name, commandNames()); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		fmt.Fprintf(env.Stderr, "%s\nRun 'wavec help' for the list of commands.\n", msg)
		return ExitUsage
	}
	fs := newFlagSet(c)
	run := c.flags(fs)
	registerColor(fs, env)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			writeCommandHelp(env.Stdout, c, fs)
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "wavec %s: %v\nRun 'wavec help %s' for usage.\n", c.name, err, c.name)
		return ExitUsage
	}
	if !slices.Contains(colorModes, env.colorMode) {
		return usageError(env, c.name, "--color must be auto, always or never, not %q", env.colorMode)
	}
	return run(ctx, env, fs.Args())
}

// registerColor adds --color, which every command takes, to fs.
func registerColor(fs *pflag.FlagSet, env *Env) {
	fs.StringVar(&env.colorMode, "color", "auto", "colour in diagnostics and progress: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never")
}

// usageError prints a usage error for command c and returns ExitUsage.
func usageError(env *Env, c string, format string, a ...any) int {
	fmt.Fprintf(env.Stderr, "wavec %s: %s\nRun 'wavec help %s' for usage.\n", c, fmt.Sprintf(format, a...), c)
	return ExitUsage
}

func newFlagSet(c *command) *pflag.FlagSet {
	fs := pflag.NewFlagSet("wavec "+c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	return fs
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return names
}

func writeHelp(w io.Writer) {
	fmt.Fprintf(w, "wavec compiles .wave pipelines into Argo CD-annotated Kubernetes manifests,\n")
	fmt.Fprintf(w, "shows the order Argo CD will sync them in, and runs that sync against a cluster.\n\n")
	fmt.Fprintf(w, "Usage:\n  wavec <command> [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'wavec help <command>' or 'wavec <command> -h' for a command's flags.\n")
}

func writeCommandHelp(w io.Writer, c *command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: wavec %s %s\n\n%s\n", c.name, c.args, c.summary)
	if u := fs.FlagUsages(); strings.TrimSpace(u) != "" {
		fmt.Fprintf(w, "\nFlags:\n%s", u)
	}
}
