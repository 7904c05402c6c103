package cli

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/runtime/apply"
)

func deleteCommand() *command {
	return &command{
		name:    "delete",
		args:    "[flags] PATH... | -f FILE...",
		summary: "Delete what a pipeline applied: PreDelete hooks, its objects in reverse order, then PostDelete hooks.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var in clusterInput
			in.register(fs)
			return func(ctx context.Context, env *Env, args []string) int {
				if in.timeout < 0 {
					return usageError(env, "delete", "--timeout must not be negative")
				}
				l, code := in.load(env, "delete", args)
				if code != ExitOK {
					return code
				}
				eng, ns, code := in.connect(env, "delete", l)
				if code != ExitOK {
					return code
				}
				rep := in.reporter(env)
				res := eng.Delete(ctx, l.objs, apply.Options{
					Pipeline:    l.name,
					Namespace:   ns,
					Timeout:     in.timeout,
					StepTimeout: l.stepTimeout,
					Reporter:    rep,
				})
				rep.Close()
				return exitCode(env, "delete", res)
			}
		},
	}
}
