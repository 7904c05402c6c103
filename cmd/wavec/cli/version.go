package cli

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

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
// was built from (a tag, or a pseudo-version for `go install ...@commit`),
// else "devel"; then, when the build recorded them, the VCS revision with
// "modified" for a dirty work tree, and the Go version.
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(Version, bi)
}

// versionOf is version for the given link-time version and build
// information (nil when the binary has none).
func versionOf(linked string, bi *debug.BuildInfo) string {
	v := linked
	if v == "" && bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "devel"
	}
	if bi == nil {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	var extra []string
	if rev != "" {
		extra = append(extra, "revision "+rev+modified)
	}
	if bi.GoVersion != "" {
		extra = append(extra, bi.GoVersion)
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return v
}
