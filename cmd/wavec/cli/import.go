package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wavec/wavec/importer"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/runtime/manifest"
)

func importCommand() *command {
	return &command{
		name:    "import",
		args:    "[flags] PATH... | -f FILE|DIR|- [-f ...]",
		summary: "Turn Kubernetes YAML (helm template, kustomize build, Argo CD-annotated) into a pipeline.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var (
				files         []string
				dir, ns, name string
				compile       compileFlags
			)
			fs.StringArrayVarP(&files, "filename", "f", nil, "read YAML from `FILE`, a directory, or - for standard input (repeatable)")
			fs.StringVarP(&ns, "namespace", "n", "", "the pipeline's `NAMESPACE` (default: the one most objects name, else default)")
			fs.StringVar(&name, "name", "", "the pipeline's `NAME` (default: from the objects' app.kubernetes.io labels)")
			fs.StringVar(&dir, "output-dir", "", "write one .wave file per application part into the new directory `DIR` instead of standard output")
			fs.StringVar(&compile.format, "diagnostics", "text", "diagnostics format: text or json")
			fs.IntVar(&compile.maxDiagnostics, "max-diagnostics", defaultMaxDiagnostics, "print at most `N` diagnostics as text (0: all)")
			return func(ctx context.Context, env *Env, args []string) int {
				if _, code := compile.parse(env, "import"); code != ExitOK {
					return code
				}
				paths := append(append([]string(nil), files...), args...)
				if len(paths) == 0 {
					return usageError(env, "import", "name the YAML to import: files, directories, or -f - for standard input")
				}
				objs, err := manifest.Load(paths, env.Stdin)
				if err != nil {
					compile.printLoadErrors(env, "import", err)
					return ExitFailure
				}
				if len(objs) == 0 {
					// Named like run does: the importer's own error has no
					// file to point at.
					fmt.Fprintf(env.Stderr, "wavec import: %s holds no objects\n", diag.Escape(strings.Join(paths, ", ")))
					return ExitFailure
				}
				res, problems := importer.Import(objs, importer.Options{Name: name, Namespace: ns})
				diags, srcs := manifest.Diagnostics(problems)
				compile.printDiagnostics(env, srcs, diags)
				if res == nil {
					return ExitFailure
				}
				if dir == "" {
					_, err = env.Stdout.Write(res.Source)
				} else {
					err = writeImport(dir, res)
				}
				if err != nil {
					fmt.Fprintf(env.Stderr, "wavec import: %s\n", diag.Escape(err.Error()))
					return ExitFailure
				}
				return ExitOK
			}
		},
	}
}

// writeImport writes the pipeline's files into dir, which must not exist
// or be empty: first into a temporary directory beside it, then renamed, so
// that dir never holds half a pipeline.
func writeImport(dir string, res *importer.Result) error {
	files, err := res.Files()
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(dir); err == nil {
		if len(entries) > 0 {
			return fmt.Errorf("%s is not empty; import writes a new directory", dir)
		}
		if err := os.Remove(dir); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".import-")
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f.Name), f.Source, 0o644); err != nil {
			os.RemoveAll(tmp)
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}
