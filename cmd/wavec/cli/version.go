package cli

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// Version is the wavec release, set at link time with
// -ldflags "-X github.com/wavec/wavec/cmd/wavec/cli.Version=v1.2.3".
var Version = ""

func versionCommand() *command {
	return &command{
		name:    "version",
		args:    "",
		summary: "Print the wavec version.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			return func(ctx context.Context, env *Env, args []string) int {
				if len(args) > 0 {
					return usageError(env, "version", "takes no arguments")
				}
				fmt.Fprintf(env.Stdout, "wavec %s\n", version())
				return ExitOK
			}
		},
	}
}

// version reports the link-time Version, else the module version the binary
// was built from, else "devel".
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
