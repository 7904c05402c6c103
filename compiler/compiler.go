// Package compiler compiles .wave pipelines: it reads and parses the files,
// checks them (compiler/check) and emits Kubernetes objects with Argo CD's
// annotations (compiler/emit). `wavec build`, `check`, `plan` and `run` all
// start here.
package compiler

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/emit"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// CodeInput is a path on the command line that cannot be read.
const CodeInput diag.Code = "E0001"

// CodeInternal is a failure to serialise a checked pipeline: a bug in wavec.
const CodeInternal diag.Code = "E0002"

// Result is a compiled pipeline.
type Result struct {
	// Files holds every source file read, for printing diagnostics.
	Files *source.Set
	// Pipeline is the checked pipeline.
	Pipeline *ir.Pipeline
	// Documents are the emitted objects in Argo CD's sync order (phase,
	// wave, kind, name). Nil when the check found errors.
	Documents []*emit.Document
}

// Name returns the pipeline's name.
func (r *Result) Name() string { return r.Pipeline.Name }

// Namespace returns the pipeline's namespace.
func (r *Result) Namespace() string { return r.Pipeline.Namespace }

// DefaultTimeout returns how long `wavec run` waits for a step or hook that
// has no timeout of its own (the header's `timeout`, default 5m).
func (r *Result) DefaultTimeout() time.Duration { return r.Pipeline.Timeout }

// YAML returns every document as one YAML stream, separated by `---`.
func (r *Result) YAML() []byte { return emit.Join(r.Documents) }

// Objects returns a copy of every emitted object, in the order of
// Documents. Each carries the annotations of emit (sync wave, hook, delete
// policy, sync options and wavec.io/timeout where the pipeline gives one).
func (r *Result) Objects() []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(r.Documents))
	for i, d := range r.Documents {
		out[i] = d.Object.DeepCopy()
	}
	return out
}

// Compile compiles the pipeline made of paths: .wave files, or directories
// whose .wave files are read (source.Expand). sets are --set overrides of
// parameters. It always returns a Result (with Documents only when there
// are no errors) and every diagnostic, sorted by position.
func Compile(paths []string, sets map[string]string) (*Result, diag.List) {
	return CompileWith(paths, Options{Sets: sets})
}

// Options adjust a compilation with what the command line gives.
type Options struct {
	// Sets are --set overrides of parameter defaults, by name.
	Sets map[string]string
	// ParamFiles are --params files of `NAME = VALUE` lines
	// (check.ParseParams), applied in order before Sets.
	ParamFiles []string
	// Namespace, when not empty, replaces the pipeline's namespace (-n).
	Namespace string
	// CheckOnly stops after the check: the Result has the pipeline and
	// every diagnostic but no Documents (wavec check).
	CheckOnly bool
	// YAMLOnly keeps only the YAML of each document: Document.Object is
	// nil. It is for callers that write the YAML and nothing else (wavec
	// build to standard output), and keeps a large build's memory down.
	YAMLOnly bool
}

// CompileWith is Compile with the command line's options: --set, --params
// files and a namespace override. Problems in a --params file are reported
// like the pipeline's, with their positions.
func CompileWith(paths []string, opts Options) (*Result, diag.List) {
	res := &Result{Files: source.NewSet()}
	sets := opts.Sets
	names, err := source.Expand(paths)
	if err != nil {
		var diags diag.List
		for _, p := range paths {
			if _, err := source.Expand([]string{p}); err != nil {
				msg := strings.TrimPrefix(err.Error(), p+": ")
				diags.Add(diag.Errorf(source.Span{Start: source.Pos{Filename: p}}, CodeInput, "%s", msg).
					Hint("name .wave files, or a directory that holds them"))
			}
		}
		if len(diags) == 0 {
			diags.Add(diag.Errorf(source.Span{}, CodeInput, "%v", err))
		}
		return res, diags
	}
	// Files are read and parsed concurrently, a worker per CPU (a file
	// being parsed holds much more memory than its tree, so parsing every
	// file at once would multiply the peak); the results are gathered in
	// the order of names, so nothing downstream depends on scheduling.
	parsed := make([]*syntax.File, len(names))
	perFile := make([]diag.List, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(names))) {
		wg.Go(func() {
			for i := range next {
				n := names[i]
				src, err := os.ReadFile(n)
				if err != nil {
					perFile[i] = diag.List{diag.Errorf(source.Span{Start: source.Pos{Filename: n}}, CodeInput, "cannot read %s: %v", n, unwrapPath(err))}
					continue
				}
				parsed[i], perFile[i] = syntax.Parse(n, src)
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	var files []*syntax.File
	var diags diag.List
	for i, f := range parsed {
		diags.Append(perFile[i])
		if f != nil {
			res.Files.Add(f.Source)
			files = append(files, f)
		}
	}
	// A bad line of a --params file does not stop the check: the lines
	// that are fine are applied, and every problem is reported.
	params, pdiags := readParams(res, opts.ParamFiles)
	res, diags = compileParsed(res, files, diags, check.Options{Sets: sets, Params: params, Namespace: opts.Namespace}, opts)
	if len(pdiags) > 0 {
		diags.Append(pdiags)
		diags.Sort()
		if pdiags.HasErrors() {
			res.Documents = nil
		}
	}
	return res, diags
}

// readParams reads and parses the --params files, adding them to res.Files
// so diagnostics can show their lines.
func readParams(res *Result, names []string) ([]check.Setting, diag.List) {
	var out []check.Setting
	var diags diag.List
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			diags.Add(diag.Errorf(source.Span{Start: source.Pos{Filename: n}}, CodeInput, "cannot read %s: %v", n, unwrapPath(err)).
				Hint("--params names a file of NAME = VALUE lines"))
			continue
		}
		f := source.NewFile(n, src)
		res.Files.Add(f)
		s, d := check.ParseParams(f)
		out = append(out, s...)
		diags.Append(d)
	}
	return out, diags
}

// CompileSource compiles a pipeline of one file given as bytes; object
// files are read relative to name's directory. Tests and fuzzers use it.
func CompileSource(name string, src []byte, sets map[string]string) (*Result, diag.List) {
	res := &Result{Files: source.NewSet()}
	f, diags := syntax.Parse(name, src)
	res.Files.Add(f.Source)
	return compileParsed(res, []*syntax.File{f}, diags, check.Options{Sets: sets}, Options{})
}

func compileParsed(res *Result, files []*syntax.File, diags diag.List, opts check.Options, stage Options) (*Result, diag.List) {
	if diags.HasErrors() {
		// Checking a partial AST would mostly repeat the syntax errors.
		res.Pipeline = &ir.Pipeline{}
		diags.Sort()
		return res, diags
	}
	p, d := check.Check(files, opts)
	res.Pipeline = p
	diags.Append(d)
	diags.Sort()
	if diags.HasErrors() || stage.CheckOnly {
		return res, diags
	}
	docs, err := emit.EmitWith(p, emit.Options{YAMLOnly: stage.YAMLOnly})
	if err != nil {
		diags.Add(diag.Errorf(p.Span, CodeInternal, "cannot emit the pipeline: %v", err).Hint("this is a bug in wavec; please report it"))
		return res, diags
	}
	res.Documents = docs
	return res, diags
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
