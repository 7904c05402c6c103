package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/runtime/apply"
	"github.com/wavec/wavec/runtime/status"
)

func statusCommand() *command {
	return &command{
		name:    "status",
		args:    "[flags] PATH... | -f FILE|DIR|- ... | --pipeline NAME -n NAMESPACE",
		summary: "Show the live state of a pipeline's objects: health, last hook runs, and why something failed.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var in clusterInput
			in.registerSources(fs)
			var (
				pipeline string
				output   string
				watch    bool
				timeout  time.Duration
			)
			fs.StringVar(&pipeline, "pipeline", "", "report pipeline `NAME` from its inventory and labels, without sources")
			fs.StringVarP(&output, "output", "o", "", "output format: empty for text, or json")
			fs.BoolVarP(&watch, "watch", "w", false, "follow the objects with watches until everything is healthy or something failed")
			fs.DurationVar(&timeout, "timeout", 0, "with --watch, give up after this long (0: wait until healthy or failed)")
			return func(ctx context.Context, env *Env, args []string) int {
				if output != "" && output != "json" {
					return usageError(env, "status", "--output must be json or empty, not %q", output)
				}
				if timeout < 0 {
					return usageError(env, "status", "--timeout must not be negative")
				}
				var (
					name, pipelineNS string
					load             *loaded
				)
				if pipeline != "" {
					if len(args) > 0 || len(in.files) > 0 || in.name != "" || len(in.compile.sets) > 0 {
						return usageError(env, "status", "give either --pipeline or the sources (PATH... or -f), not both")
					}
					name = pipeline
				} else {
					l, code := in.load(env, "status", args)
					if code != ExitOK {
						return code
					}
					load, name, pipelineNS = l, l.name, l.namespace
				}
				clients, eng, ns, err := in.connectClients(env, pipelineNS, name)
				if err != nil {
					fmt.Fprintf(env.Stderr, "wavec status: %v\n", err)
					return ExitFailure
				}
				o := status.Options{Pipeline: name, Namespace: ns, Clients: clients, Engine: eng}
				if load != nil {
					pv, err := eng.Preview(ctx, load.objs, apply.Options{Pipeline: name, Namespace: ns, CreateNamespace: true, StepTimeout: load.stepTimeout})
					if err != nil {
						fmt.Fprintf(env.Stderr, "wavec status: %v\n", err)
						return ExitFailure
					}
					o.Preview = pv
				}
				var rep *status.Report
				if watch {
					wctx := ctx
					if timeout > 0 {
						var cancel context.CancelFunc
						wctx, cancel = context.WithTimeout(ctx, timeout)
						defer cancel()
					}
					rep, err = status.Watch(wctx, o, func(line string) {
						fmt.Fprintf(env.Stderr, "%s %s\n", time.Now().Format("15:04:05"), line)
					})
					switch {
					case err == nil || rep == nil:
					case ctx.Err() != nil:
						// Stopped by the user: report what was waited for.
						fmt.Fprintf(env.Stderr, "wavec status: interrupted\n")
						if code := writeStatus(env, output, rep); code != ExitOK {
							return code
						}
						return ExitInterrupted
					case errors.Is(err, context.DeadlineExceeded):
						fmt.Fprintf(env.Stderr, "wavec status: not healthy after %s\n", timeout)
						err = nil
					}
				} else {
					rep, err = status.Check(ctx, o)
				}
				if err != nil {
					fmt.Fprintf(env.Stderr, "wavec status: %v\n", err)
					if ctx.Err() != nil {
						return ExitInterrupted
					}
					return ExitFailure
				}
				if code := writeStatus(env, output, rep); code != ExitOK {
					return code
				}
				if !rep.Healthy {
					return ExitFailure
				}
				return ExitOK
			}
		},
	}
}

// writeStatus prints the report as text or JSON on standard output.
func writeStatus(env *Env, output string, rep *status.Report) int {
	var err error
	if output == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = status.WriteText(env.Stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "wavec status: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}
