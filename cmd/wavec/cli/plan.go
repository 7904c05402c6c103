package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/check"
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
		if len(diags) > 0 {
			f.compile.printDiagnostics(env, res.Files, diags)
		}
		if diags.HasErrors() {
			return ExitFailure
		}
		opts := plan.Options{Namespace: res.Namespace(), CreateNamespace: f.createNamespace}
		return writePlan(env, compiledObjects(res), opts, f.deletion, format)
	case f.compile.inputOnly(env, "plan", sets) != ExitOK:
		return ExitUsage
	case len(f.files) == 0:
		return usageError(env, "plan", "name the pipeline (.wave files or a directory) or give the manifests with -f FILE, -f DIR or -f -")
	}
	objs, err := manifest.Load(f.files, env.Stdin)
	if err != nil {
		printLoadErrors(env, "plan", &f.compile, err)
		return ExitFailure
	}
	if f.namespace != "" && format == plan.Table {
		fmt.Fprintf(env.Stdout, "Namespace %s (-n): objects that name no namespace are applied in it\n", f.namespace)
	}
	opts := plan.Options{Namespace: f.namespace, CreateNamespace: f.createNamespace}
	return writePlan(env, objs, opts, f.deletion, format)
}

// writePlan plans objs (a sync plan, or a delete plan when deletion is
// set), writes the warnings to env.Stderr and the plan to env.Stdout in
// format, and returns the exit code. It is the part of `wavec plan` that
// -f input and compiled pipelines share; objects should carry their
// sources so warnings can point at them.
func writePlan(env *Env, objs []manifest.Object, opts plan.Options, deletion bool, format plan.Format) int {
	var p *plan.Plan
	if deletion {
		p = plan.ForDelete(objs, opts)
	} else {
		p = plan.ForSync(objs, opts)
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(env.Stderr, diag.Escape(w.String()))
	}
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

// printLoadErrors reports why the -f input could not be read: as
// diagnostics (text or, with --diagnostics=json, JSON) when the error holds
// them, and otherwise manifest errors as
// "FILE:LINE: document N (Kind/name): error: MESSAGE", one per line, or
// their JSON form.
func printLoadErrors(env *Env, cmd string, f *compileFlags, err error) {
	if l, ok := diag.AsList(err); ok {
		f.printDiagnostics(env, nil, l)
		return
	}
	var list manifest.ErrorList
	var one *manifest.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = manifest.ErrorList{one}
	}
	if f.format == "json" {
		f.printDiagnostics(env, nil, loadDiagnostics(list, err))
		return
	}
	if list == nil {
		fmt.Fprintf(env.Stderr, "wavec %s: %s\n", cmd, diag.Escape(err.Error()))
		return
	}
	for _, e := range list {
		fmt.Fprintf(env.Stderr, "%s: error: %s\n", diag.Escape(e.Source.Label(e.Object)), diag.Escape(e.Message))
	}
}

// loadDiagnostics turns manifest errors into diagnostics for JSON output:
// E0001 for a file that cannot be read, E0414 for a document that is not
// a valid object. err stands for itself when list is empty.
func loadDiagnostics(list manifest.ErrorList, err error) diag.List {
	if len(list) == 0 {
		return diag.List{diag.Errorf(source.Span{}, compiler.CodeInput, "%v", err)}
	}
	var out diag.List
	for _, e := range list {
		code := check.CodeYAML
		if e.Source.Doc == 0 {
			code = compiler.CodeInput
		}
		msg := e.Message
		if label := strings.TrimPrefix(e.Source.Label(e.Object), e.Source.Position()); label != "" {
			msg = strings.TrimPrefix(label, ": ") + ": " + msg
		}
		at := source.Pos{Filename: e.Source.File, Line: e.Source.Line}
		if at.Line > 0 {
			at.Column = 1
		}
		out.Add(diag.Errorf(source.Span{Start: at, End: at}, code, "%s", msg))
	}
	return out
}
