package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
)

// planFlags are the flags of `wavec plan`.
type planFlags struct {
	files           []string
	output          string
	namespace       string
	createNamespace bool
	deletion        bool
	compile         compileFlags
}

func planCommand() *command {
	return &command{
		name:    "plan",
		args:    "[flags] PATH... | -f FILE|DIR|- [-f ...]",
		summary: "Show the order Argo CD will sync objects in: steps, hooks, and what it waits for.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var f planFlags
			fs.StringArrayVarP(&f.files, "filename", "f", nil, "read Argo CD-annotated YAML from `FILE`, a directory, or - for standard input (repeatable)")
			fs.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(plan.Formats, ", "))
			fs.StringVarP(&f.namespace, "namespace", "n", "", "the Application's destination `NAMESPACE`: for -f input, where objects without a namespace are; for a pipeline, instead of the one its header names")
			fs.BoolVar(&f.createNamespace, "create-namespace", false, "plan as Argo CD with the sync option CreateNamespace=true on a first sync (needs --namespace)")
			fs.BoolVar(&f.deletion, "delete", false, "show the order of deleting the application instead of syncing it")
			f.compile.register(fs)
			return func(ctx context.Context, env *Env, args []string) int {
				return f.run(env, args)
			}
		},
	}
}

func (f *planFlags) run(env *Env, args []string) int {
	format, ok := plan.ParseFormat(f.output)
	if !ok {
		return usageError(env, "plan", "--output must be one of %s, not %q", strings.Join(plan.Formats, ", "), f.output)
	}
	if f.createNamespace && f.namespace == "" {
		return usageError(env, "plan", "--create-namespace needs --namespace")
	}
	sets, code := f.compile.parse(env, "plan")
	if code != ExitOK {
		return code
	}
	switch {
	case len(f.files) > 0 && len(args) > 0:
		return usageError(env, "plan", "give either -f files or a pipeline, not both")
	case len(args) > 0:
		res, diags := f.compile.compile(args, sets, f.namespace)
		if diags.HasErrors() {
			f.compile.printDiagnostics(env, res.Files, diags)
			return ExitFailure
		}
		opts := plan.Options{Namespace: res.Namespace(), CreateNamespace: f.createNamespace}
		return f.writePlan(env, compiledObjects(res), opts, format, diags, res.Files)
	case f.compile.inputOnly(env, "plan", sets) != ExitOK:
		return ExitUsage
	case len(f.files) == 0:
		return usageError(env, "plan", "name the pipeline (.wave files or a directory) or give the manifests with -f FILE, -f DIR or -f -")
	}
	objs, err := manifest.Load(f.files, env.Stdin)
	if err != nil {
		f.compile.printLoadErrors(env, "plan", err)
		return ExitFailure
	}
	if len(objs) == 0 {
		// Not an error (an overlay may render nothing), but what a failed
		// helm template leaves looks like an empty plan otherwise.
		fmt.Fprintf(env.Stderr, "wavec plan: %s holds no objects\n", diag.Escape(strings.Join(f.files, ", ")))
	}
	if f.namespace != "" && format == plan.Table {
		fmt.Fprintf(env.Stdout, "Namespace %s (-n): objects that name no namespace are applied in it\n", f.namespace)
	}
	opts := plan.Options{Namespace: f.namespace, CreateNamespace: f.createNamespace}
	return f.writePlan(env, objs, opts, format, nil, source.NewSet())
}

// writePlan plans objs (a sync plan, or a delete plan with --delete),
// writes diags (the compiler's, for a pipeline) and the plan's warnings to
// env.Stderr as diagnostics, and the plan to env.Stdout in format, and
// returns the exit code. It is the part of `wavec plan` that -f input and
// compiled pipelines share; objects should carry their sources so warnings
// can point at them, and files holds the sources diags point into.
func (f *planFlags) writePlan(env *Env, objs []manifest.Object, opts plan.Options, format plan.Format, diags diag.List, files *source.Set) int {
	var p *plan.Plan
	if f.deletion {
		p = plan.ForDelete(objs, opts)
	} else {
		p = plan.ForSync(objs, opts)
	}
	warnings, warned := p.Diagnostics()
	for _, wf := range warned.Files() {
		if files.File(wf.Name()) == nil {
			files.Add(wf)
		}
	}
	f.compile.printDiagnostics(env, files, append(diags, warnings...))
	if err := plan.Write(env.Stdout, p, format); err != nil {
		fmt.Fprintf(env.Stderr, "wavec plan: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}

// compiledObjects returns a compiled pipeline's objects in the form the
// planner and the runtime take, each with the position of the declaration
// it was compiled from, so that warnings point into the .wave source.
func compiledObjects(res *compiler.Result) []manifest.Object {
	objs := make([]manifest.Object, 0, len(res.Documents))
	for _, d := range res.Documents {
		span := d.Resource.Span.Start
		objs = append(objs, manifest.Object{
			Unstructured: d.Object.DeepCopy(),
			Source:       manifest.Source{File: span.Filename, Line: span.Line},
		})
	}
	return objs
}

// printLoadErrors writes the problems of -f input as diagnostics: text
// with the offending lines, or JSON with --diagnostics=json.
func (f *compileFlags) printLoadErrors(env *Env, cmd string, err error) {
	var list manifest.ErrorList
	if !errors.As(err, &list) {
		fmt.Fprintf(env.Stderr, "wavec %s: %s\n", cmd, diag.Escape(err.Error()))
		return
	}
	diags, files := list.Diagnostics(cmd)
	f.printDiagnostics(env, files, diags)
}
