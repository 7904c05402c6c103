package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

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
}

func planCommand() *command {
	return &command{
		name:    "plan",
		args:    "[flags] -f FILE|DIR|- [-f ...]",
		summary: "Show the order Argo CD will sync objects in: steps, hooks, and what it waits for.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var f planFlags
			fs.StringArrayVarP(&f.files, "filename", "f", nil, "read Argo CD-annotated YAML from `FILE`, a directory, or - for standard input (repeatable)")
			fs.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(plan.Formats, ", "))
			fs.StringVarP(&f.namespace, "namespace", "n", "", "the Application's destination `NAMESPACE`, which objects without a namespace are in")
			fs.BoolVar(&f.createNamespace, "create-namespace", false, "plan as Argo CD with the sync option CreateNamespace=true on a first sync (needs --namespace)")
			fs.BoolVar(&f.deletion, "delete", false, "show the order of deleting the application instead of syncing it")
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
	switch {
	case len(f.files) > 0 && len(args) > 0:
		return usageError(env, "plan", "give either -f files or a pipeline, not both")
	case len(args) > 0:
		// Planning .wave pipelines compiles them and feeds the objects to
		// writePlan, like the -f path below.
		return usageError(env, "plan", "planning .wave pipelines is not available yet; use `wavec build %s | wavec plan -f -`", strings.Join(args, " "))
	case len(f.files) == 0:
		return usageError(env, "plan", "give the manifests to plan with -f FILE, -f DIR or -f -")
	}
	objs, err := manifest.Load(f.files, env.Stdin)
	if err != nil {
		printLoadErrors(env, err)
		return ExitFailure
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
		fmt.Fprintln(env.Stderr, w.String())
	}
	if err := plan.Write(env.Stdout, p, format); err != nil {
		fmt.Fprintf(env.Stderr, "wavec plan: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}

// printLoadErrors writes manifest errors as
// "FILE:LINE: document N (Kind/name): error: MESSAGE", one per line.
func printLoadErrors(env *Env, err error) {
	var list manifest.ErrorList
	if !errors.As(err, &list) {
		fmt.Fprintf(env.Stderr, "wavec plan: %v\n", err)
		return
	}
	for _, e := range list {
		fmt.Fprintf(env.Stderr, "%s: error: %s\n", e.Source.Label(e.Object), e.Message)
	}
}
