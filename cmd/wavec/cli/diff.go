package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/klog/v2"

	"github.com/wavec/wavec/runtime/apply"
	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/objdiff"
)

// exitDiffError is wavec diff's exit code for an error, as kubectl diff's
// (which exits 1 when something differs).
const exitDiffError = 2

// registerSources adds the flags that name what a sync would apply (a
// pipeline, or -f files) and the cluster, without run's progress flags.
func (in *clusterInput) registerSources(fs *pflag.FlagSet) {
	in.fs = fs
	in.stepTO = 5 * time.Minute
	fs.StringArrayVarP(&in.files, "filename", "f", nil, "read Argo CD-annotated YAML from `FILE`, a directory, or - for standard input (repeatable) instead of a pipeline")
	fs.StringVar(&in.name, "name", "", "the pipeline's name for -f input (default: the first -f path's base name without extension)")
	in.compile.register(fs)
	in.cluster.Register(fs)
}

// connectClients connects to the cluster, settles the namespace as run
// does (the pipeline's own, else -n, else the context's), and returns the
// clients and an engine on them.
func (in *clusterInput) connectClients(env *Env, pipelineNS, pipeline string) (*cluster.Clients, *apply.Engine, string, error) {
	if pipelineNS != "" && in.cluster.Namespace != "" && in.cluster.Namespace != pipelineNS {
		return nil, nil, "", fmt.Errorf("pipeline %s runs in namespace %s; -n %s contradicts it", pipeline, pipelineNS, in.cluster.Namespace)
	}
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	clients, err := in.cluster.Connect(env.Getenv)
	if err != nil {
		return nil, nil, "", err
	}
	ns := pipelineNS
	if ns == "" {
		ns = in.cluster.Namespace
	}
	if ns == "" {
		ns = clients.Namespace
	}
	eng, err := apply.New(clients)
	if err != nil {
		return nil, nil, "", err
	}
	return clients, eng, ns, nil
}

// stdoutColor reports whether standard output is a terminal that takes
// colours (NO_COLOR unset).
func stdoutColor(env *Env) bool {
	f, ok := env.Stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && env.Getenv("NO_COLOR") == ""
}

func diffCommand() *command {
	return &command{
		name:    "diff",
		args:    "[flags] PATH... | -f FILE|DIR|- ...",
		summary: "Show what a sync would change: a server-side dry run of every object against the live one.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var in clusterInput
			in.registerSources(fs)
			var (
				createNS, force, prune bool
				output                 string
			)
			fs.BoolVar(&createNS, "create-namespace", true, "as wavec run: the pipeline's namespace is created when it does not exist")
			fs.BoolVar(&force, "force-conflicts", false, "as wavec run: take ownership of fields other field managers own")
			fs.BoolVar(&prune, "prune", false, "show the objects wavec run --prune would delete")
			fs.StringVarP(&output, "output", "o", "", "output format: empty for unified diffs, or json")
			return func(ctx context.Context, env *Env, args []string) int {
				if output != "" && output != "json" {
					return usageError(env, "diff", "--output must be json or empty, not %q", output)
				}
				l, code := in.load(env, "diff", args)
				if code != ExitOK {
					return max(code, exitDiffError)
				}
				fail := func(err error) int {
					fmt.Fprintf(env.Stderr, "wavec diff: %v\n", err)
					if ctx.Err() != nil {
						return ExitInterrupted
					}
					return exitDiffError
				}
				_, eng, ns, err := in.connectClients(env, l.namespace, l.name)
				if err != nil {
					return fail(err)
				}
				pv, err := eng.Preview(ctx, l.objs, apply.Options{
					Pipeline: l.name, Namespace: ns, CreateNamespace: createNS,
					ForceConflicts: force, Prune: prune, StepTimeout: l.stepTimeout,
				})
				if err != nil {
					return fail(err)
				}
				rep, err := objdiff.Compare(ctx, pv, l.name, ns)
				if err != nil {
					return fail(err)
				}
				for _, w := range rep.Warnings {
					fmt.Fprintf(env.Stderr, "warning: %s\n", w)
				}
				if output == "json" {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					err = enc.Encode(rep)
				} else {
					err = objdiff.WriteText(env.Stdout, rep, stdoutColor(env))
					_ = objdiff.WriteHooks(env.Stderr, rep)
					fmt.Fprintln(env.Stderr, rep.Summary())
				}
				if err != nil {
					return fail(err)
				}
				if rep.Changes > 0 {
					return ExitFailure
				}
				return ExitOK
			}
		},
	}
}
