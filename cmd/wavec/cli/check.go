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
	params         []string
	format         string
	maxDiagnostics int
	// jsonToStdout sends JSON diagnostics to standard output, for commands
	// whose standard output carries nothing else (check).
	jsonToStdout bool
}

func (f *compileFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.sets, "set", nil, "override the default of a parameter, as `NAME=VALUE` (repeatable)")
	fs.StringArrayVar(&f.params, "params", nil, "override parameter defaults with the NAME = VALUE lines of `FILE`, e.g. one file per environment (repeatable; --set wins)")
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

// compile compiles the pipeline args name with the flags' --set and
// --params and the namespace override ns (empty for none).
func (f *compileFlags) compile(args []string, sets map[string]string, ns string) (*compiler.Result, diag.List) {
	return compiler.CompileWith(args, compiler.Options{Sets: sets, ParamFiles: f.params, Namespace: ns})
}

// inputOnly reports a usage error when --set or --params is given for -f
// input, which has no parameters.
func (f *compileFlags) inputOnly(env *Env, cmd string, sets map[string]string) int {
	if len(sets) > 0 || len(f.params) > 0 {
		return usageError(env, cmd, "--set and --params apply to pipelines, not to -f input")
	}
	return ExitOK
}

// printDiagnostics writes diags as text (with snippets from files) to
// stderr, or as JSON: to stdout for check, whose standard output carries
// nothing else, and to stderr for the commands whose standard output
// carries their result. JSON always lists every diagnostic, and is written
// even when there are none, so tools always get an array.
func (f *compileFlags) printDiagnostics(env *Env, files *source.Set, diags diag.List) {
	if f.format == "json" {
		w := env.Stderr
		if f.jsonToStdout {
			w = env.Stdout
		}
		_ = diag.WriteJSON(w, diags)
		return
	}
	if len(diags) == 0 {
		return
	}
	p := &diag.Printer{Files: files, Color: env.color(), Max: f.maxDiagnostics}
	_ = p.Print(env.Stderr, diags)
}

func checkCommand() *command {
	return &command{
		name:    "check",
		args:    "[flags] PATH...",
		summary: "Check a pipeline and report every problem found, without building it.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			f := compileFlags{jsonToStdout: true}
			var strict bool
			var ns string
			f.register(fs)
			fs.StringVarP(&ns, "namespace", "n", "", "check the pipeline as deployed to `NAMESPACE` instead of the one its header names")
			fs.BoolVar(&strict, "strict", false, "fail (exit 1) on warnings too, for CI")
			return func(ctx context.Context, env *Env, args []string) int {
				sets, code := f.parse(env, "check")
				if code != ExitOK {
					return code
				}
				if len(args) == 0 {
					return usageError(env, "check", "name the pipeline: .wave files or a directory")
				}
				// Checking needs no documents: the check stops before emitting.
				res, diags := compiler.CompileWith(args, compiler.Options{Sets: sets, ParamFiles: f.params, Namespace: ns, CheckOnly: true})
				f.printDiagnostics(env, res.Files, diags)
				if diags.HasErrors() || strict && len(diags) > 0 {
					return ExitFailure
				}
				return ExitOK
			}
		},
	}
}
