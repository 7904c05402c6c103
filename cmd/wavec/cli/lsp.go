package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/langserver"
)

func lspCommand() *command {
	return &command{
		name:    "lsp",
		args:    "[--stdio]",
		summary: "Run the language server for editors (Language Server Protocol on standard input and output).",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			// Clients such as vscode-languageclient pass --stdio; it is
			// the only transport.
			fs.Bool("stdio", true, "talk to the editor over standard input and output (the default and only transport)")
			return func(ctx context.Context, env *Env, args []string) int {
				if len(args) > 0 {
					return usageError(env, "lsp", "takes no arguments")
				}
				err := langserver.Serve(ctx, stdio{env.Stdin, env.Stdout}, langserver.Options{Log: env.Stderr, Version: version()})
				if err != nil {
					fmt.Fprintf(env.Stderr, "wavec lsp: %v\n", err)
					return ExitFailure
				}
				return ExitOK
			}
		},
	}
}

// stdio joins standard input and output into the one stream the server
// talks over. Closing it closes standard input when that can be closed.
type stdio struct {
	io.Reader
	io.Writer
}

func (s stdio) Close() error {
	if c, ok := s.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
