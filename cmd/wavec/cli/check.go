package cli

import (
	"context"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// defaultMaxDiagnostics is how many diagnostics text output shows unless
// --max-diagnostics says otherwise; a long list is mostly consequences of
// the first few.
const defaultMaxDiagnostics = 10

// compileFlags are the flags every command that compiles a pipeline takes.
type compileFlags struct {
	sets           []string
	format         string
	maxDiagnostics int
}

func (f *compileFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.sets, "set", nil, "override the default of a parameter, as `NAME=VALUE` (repeatable)")
	fs.StringVar(&f.format, "diagnostics", "text", "diagnostics format: text or json")
	fs.IntVar(&f.maxDiagnostics, "max-diagnostics", defaultMaxDiagnostics, "print at most `N` diagnostics as text (0: all)")
}

// parse checks the flag values and returns the --set overrides.
func (f *compileFlags) parse(env *Env, cmd string) (map[string]string, int) {
	if f.format != "text" && f.format != "json" {
		return nil, usageError(env, cmd, "--diagnostics must be text or json, not %q", f.format)
	}
	if f.maxDiagnostics < 0 {
		return nil, usageError(env, cmd, "--max-diagnostics must be 0 or more")
	}
	sets := map[string]string{}
	for _, s := range f.sets {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, usageError(env, cmd, "--set %q: write NAME=VALUE", s)
		}
		sets[name] = value
	}
	return sets, ExitOK
}

// printDiagnostics writes diags to stderr as text (with snippets from files)
// or JSON. JSON always lists every diagnostic, and is written even when
// there are none, so tools always get an array.
func (f *compileFlags) printDiagnostics(env *Env, files *source.Set, diags diag.List) {
	if f.format == "json" {
		_ = diag.WriteJSON(env.Stderr, diags)
		return
	}
	if len(diags) == 0 {
		return
	}
	p := &diag.Printer{Files: files, Color: env.StderrIsTerminal, Max: f.maxDiagnostics}
	_ = p.Print(env.Stderr, diags)
}

func checkCommand() *command {
	return &command{
		name:    "check",
		args:    "[flags] PATH...",
		summary: "Check a pipeline and report every problem found, without building it.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var f compileFlags
			f.register(fs)
			return func(ctx context.Context, env *Env, args []string) int {
				sets, code := f.parse(env, "check")
				if code != ExitOK {
					return code
				}
				if len(args) == 0 {
					return usageError(env, "check", "name the pipeline: .wave files or a directory")
				}
				res, diags := compiler.Compile(args, sets)
				f.printDiagnostics(env, res.Files, diags)
				if diags.HasErrors() {
					return ExitFailure
				}
				return ExitOK
			}
		},
	}
}
