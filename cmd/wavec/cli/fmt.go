package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/pflag"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/format"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// stdinName names standard input, read when a PATH is "-".
const stdinName = "<standard input>"

// fmtOptions are the flags of `wavec fmt`.
type fmtOptions struct {
	list        bool
	diff        bool
	write       bool
	check       bool
	diagnostics string
	// unformatted counts the files --check found not canonical.
	unformatted int
}

func fmtCommand() *command {
	return &command{
		name:    "fmt",
		args:    "[-l] [-d] [-w] [--check] PATH... | -",
		summary: "Print .wave files in canonical form, or list, diff or rewrite the ones that are not.",
		flags: func(fs *pflag.FlagSet) func(context.Context, *Env, []string) int {
			var o fmtOptions
			fs.BoolVarP(&o.list, "list", "l", false, "list the files whose formatting differs from the canonical form")
			fs.BoolVarP(&o.diff, "diff", "d", false, "print a unified diff of the changes instead of the formatted source")
			fs.BoolVarP(&o.write, "write", "w", false, "rewrite the files whose formatting differs, in place")
			fs.BoolVar(&o.check, "check", false, "print nothing but exit 1 when a file's formatting differs, naming it on standard error (for CI); -l and -d still print")
			fs.StringVar(&o.diagnostics, "diagnostics", "text", "diagnostics format: text or json")
			return o.run
		},
	}
}

// run formats every file that args name: PATHs are .wave files, directories
// (their .wave files) or "-" for standard input. A path that is missing or a
// file with syntax errors is reported and left alone; the other files are
// still formatted, and the exit code is ExitFailure.
func (o *fmtOptions) run(ctx context.Context, env *Env, args []string) int {
	if o.diagnostics != "text" && o.diagnostics != "json" {
		return usageError(env, "fmt", "--diagnostics must be text or json, not %q", o.diagnostics)
	}
	if o.check && o.write {
		return usageError(env, "fmt", "--check reports and -w rewrites; give one of them")
	}
	if len(args) == 0 {
		return usageError(env, "fmt", "name the .wave files or directories to format, or - for standard input")
	}
	var files []string
	seen := map[string]bool{}
	failed := false
	for _, a := range args {
		if a == "-" {
			if o.write {
				return usageError(env, "fmt", "cannot rewrite standard input with -w")
			}
			files = append(files, a)
			continue
		}
		expanded, err := source.Expand([]string{a})
		if err != nil {
			fmt.Fprintf(env.Stderr, "wavec fmt: %s\n", diag.Escape(err.Error()))
			failed = true
			continue
		}
		for _, f := range expanded {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	set := source.NewSet()
	var diags diag.List
	for _, name := range files {
		if ctx.Err() != nil {
			return ExitInterrupted
		}
		src, err := o.read(env, name)
		if err != nil {
			fmt.Fprintf(env.Stderr, "wavec fmt: %s\n", diag.Escape(err.Error()))
			failed = true
			continue
		}
		f, ds := syntax.Parse(name, src)
		if ds.HasErrors() {
			set.Add(f.Source)
			diags.Append(ds)
			failed = true
			continue
		}
		if err := o.output(env, name, src, format.Source(f)); err != nil {
			fmt.Fprintf(env.Stderr, "wavec fmt: %s\n", diag.Escape(err.Error()))
			failed = true
		}
	}
	if o.unformatted > 0 {
		failed = true
	}
	if o.diagnostics == "json" {
		_ = diag.WriteJSON(env.Stderr, diags)
	} else if len(diags) > 0 {
		_ = (&diag.Printer{Files: set, Color: env.color()}).Print(env.Stderr, diags)
	}
	if failed {
		return ExitFailure
	}
	return ExitOK
}

// read returns the content of the file name, or of standard input for "-".
func (o *fmtOptions) read(env *Env, name string) ([]byte, error) {
	if name != "-" {
		return os.ReadFile(name)
	}
	src, err := io.ReadAll(env.Stdin)
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %v", err)
	}
	return src, nil
}

// output does what the flags ask with a file whose source src formats to
// out: print its name, print a diff, rewrite it, or (without flags) print
// out.
func (o *fmtOptions) output(env *Env, name string, src, out []byte) error {
	display := name
	if name == "-" {
		display = stdinName
	}
	if !o.list && !o.diff && !o.write && !o.check {
		_, err := env.Stdout.Write(out)
		return err
	}
	if bytes.Equal(src, out) {
		return nil
	}
	if o.check {
		o.unformatted++
		if !o.list && !o.diff {
			fmt.Fprintf(env.Stderr, "%s is not in canonical form; run wavec fmt -w on it\n", diag.Escape(display))
		}
	}
	if o.list {
		if _, err := fmt.Fprintln(env.Stdout, display); err != nil {
			return err
		}
	}
	if o.write {
		if err := writeFileAtomic(name, out); err != nil {
			return err
		}
	}
	if o.diff {
		d := filepath.ToSlash(display)
		if _, err := env.Stdout.Write(diff.Diff(d+".orig", src, d, out)); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic replaces the content of the file name with data: it writes
// a temporary file next to it with the same permissions and renames it over
// the original, so that readers see the old or the new content, never a mix.
// A symbolic link is followed, and its target rewritten.
func writeFileAtomic(name string, data []byte) (err error) {
	target, err := filepath.EvalSymlinks(name)
	if err != nil {
		return err
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return fmt.Errorf("rewriting %s: %v", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("rewriting %s: %v", name, err)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}
