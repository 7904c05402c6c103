package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/klog/v2"

	"github.com/wavec/wavec/runtime/apply"
	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
	"github.com/wavec/wavec/runtime/progress"
)

// clusterInput holds the flags run and delete share: what to read (a
// pipeline or annotated YAML), which cluster, and how to report.
type clusterInput struct {
	compile compileFlags
	cluster cluster.Flags
	files   []string
	name    string
	output  string
	timeout time.Duration
	stepTO  time.Duration
	fs      *pflag.FlagSet
}

func (in *clusterInput) register(fs *pflag.FlagSet) {
	in.fs = fs
	fs.StringArrayVarP(&in.files, "filename", "f", nil, "read Argo CD-annotated YAML from `FILE`, a directory, or - for standard input (repeatable) instead of a pipeline")
	fs.StringVar(&in.name, "name", "", "the pipeline's name for -f input (default: the first -f path's base name without extension)")
	in.compile.register(fs)
	in.cluster.Register(fs)
	fs.StringVarP(&in.output, "output", "o", "", "progress format: empty for text (a live view on a terminal), or json for one event per line on standard output")
	fs.DurationVar(&in.timeout, "timeout", 0, "give up a sync (each attempt) after this long; 0 waits as long as the steps allow")
	fs.DurationVar(&in.stepTO, "step-timeout", 5*time.Minute, "how long to wait for a step or hook that has no timeout of its own (default: the pipeline's, else 5m)")
}

// loaded is a pipeline ready to run.
type loaded struct {
	objs        []manifest.Object
	name        string
	namespace   string // the pipeline's own, or empty for -f input
	stepTimeout time.Duration
}

// load compiles the pipeline named by args or reads the -f files. It
// prints diagnostics and returns a non-zero exit code on failure.
func (in *clusterInput) load(env *Env, cmd string, args []string) (*loaded, int) {
	sets, code := in.compile.parse(env, cmd)
	if code != ExitOK {
		return nil, code
	}
	if in.output != "" && in.output != "json" {
		return nil, usageError(env, cmd, "--output must be json or empty, not %q", in.output)
	}
	if in.stepTO <= 0 {
		return nil, usageError(env, cmd, "--step-timeout must be positive")
	}
	l := &loaded{stepTimeout: in.stepTO}
	switch {
	case len(in.files) > 0 && len(args) > 0:
		return nil, usageError(env, cmd, "give either a pipeline (PATH...) or -f files, not both")
	case len(in.files) > 0:
		if code := in.compile.inputOnly(env, cmd, sets); code != ExitOK {
			return nil, code
		}
		if in.name == "" && in.files[0] == "-" {
			return nil, usageError(env, cmd, "name the pipeline with --name when reading standard input")
		}
		objs, err := manifest.Load(in.files, env.Stdin)
		if err != nil {
			in.compile.printLoadErrors(env, cmd, err)
			return nil, ExitFailure
		}
		if len(objs) == 0 {
			fmt.Fprintf(env.Stderr, "wavec %s: %s holds no objects\n", cmd, strings.Join(in.files, ", "))
			return nil, ExitFailure
		}
		l.objs = objs
		l.name = in.name
		if l.name == "" {
			base := filepath.Base(filepath.Clean(in.files[0]))
			l.name = strings.TrimSuffix(base, filepath.Ext(base))
		}
	case len(args) > 0:
		if in.name != "" {
			return nil, usageError(env, cmd, "--name applies to -f input; a pipeline names itself")
		}
		// -n deploys the pipeline to another namespace, checked like
		// the header's.
		res, diags := in.compile.compile(args, sets, in.cluster.Namespace)
		if diags.HasErrors() || in.compile.format == "json" || len(diags) > 0 {
			in.compile.printDiagnostics(env, res.Files, diags)
		}
		if diags.HasErrors() {
			return nil, ExitFailure
		}
		for _, o := range res.Objects() {
			l.objs = append(l.objs, manifest.Object{Unstructured: o, Source: manifest.Source{File: strings.Join(args, ",")}})
		}
		l.name, l.namespace = res.Name(), res.Namespace()
		if !in.fs.Changed("step-timeout") && res.DefaultTimeout() > 0 {
			l.stepTimeout = res.DefaultTimeout()
		}
	default:
		return nil, usageError(env, cmd, "name the pipeline (.wave files or a directory) or give -f files")
	}
	return l, ExitOK
}

// connect connects to the cluster and settles the namespace: the
// pipeline's own (which -n replaced), else -n, else the context's.
func (in *clusterInput) connect(env *Env, cmd string, l *loaded) (*apply.Engine, string, int) {
	if l.namespace != "" && in.cluster.Namespace != "" && in.cluster.Namespace != l.namespace {
		return nil, "", usageError(env, cmd, "pipeline %s runs in namespace %s; -n %s contradicts it", l.name, l.namespace, in.cluster.Namespace)
	}
	if err := in.cluster.CheckRate(); err != nil {
		return nil, "", usageError(env, cmd, "%v", err)
	}
	// client-go logs through klog to stderr; wavec reports for itself.
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	clients, err := in.cluster.Connect(env.Getenv)
	if err != nil {
		fmt.Fprintf(env.Stderr, "wavec %s: %v\n", cmd, err)
		return nil, "", ExitFailure
	}
	ns := l.namespace
	if ns == "" {
		ns = in.cluster.Namespace
	}
	if ns == "" {
		ns = clients.Namespace
	}
	eng, err := apply.New(clients)
	if err != nil {
		fmt.Fprintf(env.Stderr, "wavec %s: %v\n", cmd, err)
		return nil, "", ExitFailure
	}
	return eng, ns, ExitOK
}

// reporter returns the progress reporter for the output format and the
// terminal.
func (in *clusterInput) reporter(env *Env) progress.Reporter {
	switch {
	case in.output == "json":
		return progress.NewJSON(env.Stdout)
	case env.StderrIsTerminal && env.colorMode != "never" && !env.dumbTerminal():
		width := 100
		if f, ok := env.Stderr.(*os.File); ok {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil {
				width = w
			}
		}
		return progress.NewLive(env.Stderr, width)
	}
	return progress.NewPlain(env.Stderr)
}

// exitCode maps a result to the process's exit code, printing the message
// of a failure no event reported.
func exitCode(env *Env, cmd string, res apply.Result) int {
	switch res.Status {
	case progress.Succeeded:
		return ExitOK
	case progress.Interrupted:
		return ExitInterrupted
	}
	if res.Summary == nil && res.Message != "" {
		fmt.Fprintf(env.Stderr, "wavec %s: %s\n", cmd, res.Message)
	}
	return ExitFailure
}

func runCommand() *command {
	return &command{
		name:    "run",
		args:    "[flags] PATH... | -f FILE...",
		summary: "Sync a pipeline (or Argo CD-annotated YAML) to a cluster with Argo CD's order, hooks and waves.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var in clusterInput
			in.register(fs)
			var (
				createNS, force, prune, noWaitLast bool
				dryRun                             string
				waveDelay                          time.Duration
				retry                              int
			)
			fs.BoolVar(&createNS, "create-namespace", true, "create the pipeline's namespace when it does not exist")
			fs.BoolVar(&force, "force-conflicts", false, "take ownership of fields other field managers own (server-side apply --force-conflicts)")
			fs.BoolVar(&prune, "prune", false, "delete objects an earlier run applied that left the pipeline")
			fs.StringVar(&dryRun, "dry-run", "none", "server: validate every object with a server-side dry run, print the plan and change nothing")
			fs.Lookup("dry-run").NoOptDefVal = "server"
			fs.DurationVar(&waveDelay, "wave-delay", 0, "pause after every step but the last (Argo CD pauses 2s)")
			fs.BoolVar(&noWaitLast, "no-wait-last", false, "do not wait for the last step's resources to be healthy, as Argo CD does")
			fs.IntVar(&retry, "retry", 0, "retry a failed sync up to `N` times, waiting 5s, 10s, 20s, ... (at most 3m) in between")
			return func(ctx context.Context, env *Env, args []string) int {
				if dryRun != "none" && dryRun != "server" {
					return usageError(env, "run", "--dry-run must be server (or none), not %q", dryRun)
				}
				if retry < 0 || waveDelay < 0 || in.timeout < 0 {
					return usageError(env, "run", "--retry, --wave-delay and --timeout must not be negative")
				}
				l, code := in.load(env, "run", args)
				if code != ExitOK {
					return code
				}
				eng, ns, code := in.connect(env, "run", l)
				if code != ExitOK {
					return code
				}
				rep := in.reporter(env)
				var planWarnings func(*plan.Plan)
				if in.output != "json" {
					// Problems in the input's annotations are diagnostics,
					// with snippets or as JSON, like plan -f prints them;
					// a JSON event stream keeps them as warning events.
					planWarnings = func(p *plan.Plan) {
						diags, files := p.Diagnostics()
						in.compile.printDiagnostics(env, files, diags)
					}
				}
				res := eng.Sync(ctx, l.objs, apply.Options{
					Pipeline:        l.name,
					Namespace:       ns,
					CreateNamespace: createNS,
					ForceConflicts:  force,
					DryRun:          dryRun == "server",
					Prune:           prune,
					WaveDelay:       waveDelay,
					NoWaitLast:      noWaitLast,
					Timeout:         in.timeout,
					StepTimeout:     l.stepTimeout,
					Retry:           retry,
					Reporter:        rep,
					PlanWarnings:    planWarnings,
				})
				rep.Close()
				if dryRun == "server" && res.Plan != nil && in.output != "json" && res.Status == progress.Succeeded {
					_ = plan.WriteTable(env.Stdout, res.Plan)
				}
				return exitCode(env, "run", res)
			}
		},
	}
}
