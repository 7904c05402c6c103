// Package check resolves names and checks types in parsed .wave files and
// builds the pipeline's IR (compiler/ir). It never changes the AST. It
// reports every problem it finds, not only the first, and also the ordering
// traps of Argo CD that docs/semantics.md lists (a PreSync hook reading a
// ConfigMap created in the Sync phase, and so on).
package check

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// Options adjust a check.
type Options struct {
	// Sets are --set overrides of parameter defaults, by parameter name.
	Sets map[string]string
	// Params are overrides of parameter defaults read from --params files,
	// in order (a later one wins; Sets win over all of them). Each carries
	// its position, which diagnostics point at.
	Params []Setting
	// Namespace, when not empty, replaces the namespace the header names
	// (-n on the command line). It is checked like the header's.
	Namespace string
	// OpenDir opens the directory that an object file is read from, the
	// directory of the .wave file that names it. Nil means os.OpenRoot,
	// which refuses paths (also through symbolic links) that leave it.
	OpenDir func(dir string) (*os.Root, error)
}

// Check checks the files of one pipeline and returns its IR with every
// diagnostic found, sorted by position. The IR is complete only when the
// diagnostics hold no errors. The order of files does not matter.
func Check(files []*syntax.File, opts Options) (*ir.Pipeline, diag.List) {
	c := &checker{
		opts:   opts,
		p:      &ir.Pipeline{Restricted: true, Timeout: ir.DefaultTimeout},
		params: map[string]*param{},
	}
	c.files = append(c.files, files...)
	sort.SliceStable(c.files, func(i, j int) bool { return c.files[i].Source.Name() < c.files[j].Source.Name() })
	c.byFile = make(map[string]*syntax.File, len(c.files))
	for _, f := range c.files {
		if _, ok := c.byFile[f.Source.Name()]; !ok {
			c.byFile[f.Source.Name()] = f
		}
	}
	c.header()
	c.collectParams()
	c.applySets()
	c.collectDecls()
	c.bodies()
	c.checkObjectSchemas()
	c.place()
	c.sharedSelectors() // selector.go: after place, which says what is skipped
	c.generatedNames()
	c.generalPlacement()
	c.order()
	c.traps()
	c.unusedParams()
	c.finish()
	c.diags.Sort()
	return c.p, c.diags
}

// checker holds the state of one Check.
type checker struct {
	// images remembers what the reference grammar said of each image
	// (nil: valid); a pipeline names the same few images many times.
	images map[string]error
	opts   Options
	files  []*syntax.File
	// byFile holds the files by name (the first of a name), for fileOf.
	byFile map[string]*syntax.File
	diags  diag.List
	p      *ir.Pipeline
	params map[string]*param
	decls  map[declKey]*decl
	byName map[string][]*decl
	order_ []*decl // declarations in source order
	// objectDocs are the documents of objects, for checkObjectSchemas.
	objectDocs []*objectDoc
	// failedDocs records that a document's problems were reported outside
	// parseDocs's own report (bad metadata, at its place).
	failedDocs bool
	// general holds what the general blocks of each workload set.
	general map[*decl]*generalState
	// subGeneral holds what the general fields of each workload's
	// `container`, `init` and `sidecar` blocks set, by container name.
	subGeneral map[*decl]map[string]*subGeneralState
	// mainOverlays are the overlays of each workload's main container,
	// named by nameMainOverlays once its name is known.
	mainOverlays map[*decl][]*ir.Overlay
	// metaLabels are the labels of each workload's `metadata { labels }`.
	metaLabels map[*decl]metaLabels
}

// declKey identifies a declaration.
type declKey struct {
	kind ir.Kind
	name string
}

// decl is a declaration together with its AST.
type decl struct {
	res  *ir.Resource
	file *syntax.File
	node *syntax.Resource // nil for objects
	obj  *syntax.Object   // nil for built-in kinds
	// placedBy is the wave or hook statement member that placed it.
	placedBy *syntax.Member
	hook     *syntax.Hook
	// deleteSpan is where the hook's delete option is written.
	deleteSpan source.Span
	// waveSpan is where the explicit wave number is written.
	waveSpan source.Span
	// docAt is where each document of an object starts.
	docAt []source.Span
}

func (c *checker) add(d *diag.Diagnostic) *diag.Diagnostic {
	c.diags.Add(d)
	return d
}

func (c *checker) errorf(span source.Span, code diag.Code, format string, args ...any) *diag.Diagnostic {
	return c.add(diag.Errorf(span, code, format, args...))
}

func (c *checker) warnf(span source.Span, code diag.Code, format string, args ...any) *diag.Diagnostic {
	return c.add(diag.Warningf(span, code, format, args...))
}

func span(n any) source.Span { return syntax.NodeSpan(n) }

// header checks the `pipeline NAME in NAMESPACE` lines.
func (c *checker) header() {
	var first *syntax.Pipeline
	var withBody *syntax.Pipeline
	for _, f := range c.files {
		for _, d := range f.Decls {
			h := d.Pipeline
			if h == nil {
				continue
			}
			if first == nil {
				first = h
				continue
			}
			if h.Name.Value != first.Name.Value || h.Namespace.Value != first.Namespace.Value {
				c.errorf(span(h), CodeHeaderConflict, "pipeline %s in %s disagrees with pipeline %s in %s",
					h.Name.Value, h.Namespace.Value, first.Name.Value, first.Namespace.Value).
					Note(span(first), "the pipeline is first named here").
					Hint("every file of a pipeline must name the same pipeline and namespace")
			}
		}
	}
	if first == nil {
		var at source.Span
		if len(c.files) > 0 {
			at = c.files[0].Source.Span(0, 0)
		}
		c.errorf(at, CodeNoHeader, "the pipeline has no header").
			Hint("start one of its files with `pipeline NAME in NAMESPACE`, e.g. `pipeline app in default`")
		c.p.Name, c.p.Namespace = "pipeline", "default"
		return
	}
	c.p.Name, c.p.Namespace, c.p.Span = first.Name.Value, first.Namespace.Value, span(first)
	if msgs := validationLabel(first.Name.Value); msgs != "" {
		c.errorf(first.Name.Span(), CodeBadName, "pipeline name %q is not valid: %s", first.Name.Value, msgs).
			Hint("use lower-case letters, digits and '-', at most 63 characters, e.g. `pipeline agent in agents`")
	}
	if msgs := validationLabel(first.Namespace.Value); msgs != "" {
		c.errorf(first.Namespace.Span(), CodeBadName, "namespace %q is not valid: %s", first.Namespace.Value, msgs).
			Hint("use lower-case letters, digits and '-', at most 63 characters")
	}
	if ns := c.opts.Namespace; ns != "" {
		if msgs := validationLabel(ns); msgs != "" {
			c.errorf(source.Span{Start: source.Pos{Filename: "-n " + ns}}, CodeBadName, "namespace %q is not valid: %s", ns, msgs).
				Note(first.Namespace.Span(), "the pipeline's own namespace is %s", first.Namespace.Value).
				Hint("use lower-case letters, digits and '-', at most 63 characters")
		} else {
			c.p.Namespace = ns
		}
	}
	for _, f := range c.files {
		for _, d := range f.Decls {
			h := d.Pipeline
			if h == nil || h.Body == nil {
				continue
			}
			if withBody != nil {
				c.errorf(span(h.Body), CodeHeaderConflict, "pipeline options are given twice").
					Note(span(withBody.Body), "they are first given here").
					Hint("give the options in one file's header only")
				continue
			}
			withBody = h
		}
	}
	if withBody == nil {
		return
	}
	seen := map[string]*syntax.Entry{}
	for _, e := range withBody.Body.Entries {
		key := e.Key.Name()
		if !c.once(seen, e, "option") {
			continue
		}
		v := entryValue(e)
		switch key {
		case "restricted":
			if b, ok := c.boolean(v, key); ok {
				c.p.Restricted = b
			}
		case "timeout":
			if d, ok := c.duration(v, key, true); ok {
				c.p.Timeout = d
			}
		case "labels":
			c.p.Labels = c.labels(v)
		default:
			c.unknownField(e, "pipeline option", []string{"restricted", "timeout", "labels"})
		}
	}
}

// once records entry e under its key and reports a repeated key, and a
// name between key and value where the key takes none.
func (c *checker) once(seen map[string]*syntax.Entry, e *syntax.Entry, what string) bool {
	key := e.Key.Name()
	if e.Label != nil {
		c.errorf(span(e.Label), CodeUnknownField, "%s %q takes no name", what, key).
			Hint("write `%s = ...`; only a workload's container, init, sidecar and volume and an ingress's rule take a name", key)
		return false
	}
	if prev, ok := seen[key]; ok {
		c.errorf(span(e.Key), CodeRepeated, "%s %q is given twice", what, key).
			Note(span(prev.Key), "first given here").
			Hint("remove one of them")
		return false
	}
	seen[key] = e
	return true
}

func (c *checker) unknownField(e *syntax.Entry, what string, fields []string) {
	d := c.errorf(span(e.Key), CodeUnknownField, "unknown %s %q", what, e.Key.Name())
	if s := diag.Suggest(e.Key.Name(), fields); s != "" {
		d.Hint("did you mean %q?", s)
	} else {
		d.Hint("the fields are %s", strings.Join(fields, ", "))
	}
}

// entryValue returns the entry's value; `key { ... }` is read as
// `key = { ... }`.
func entryValue(e *syntax.Entry) *syntax.Value {
	if e.Value != nil {
		return e.Value
	}
	return &syntax.Value{Pos: e.Block.Pos, EndPos: e.Block.EndPos, Left: &syntax.Primary{Pos: e.Block.Pos, EndPos: e.Block.EndPos, Map: e.Block}}
}

// unusedParams warns about parameters nothing refers to.
func (c *checker) unusedParams() {
	for _, p := range c.params {
		if !p.used {
			c.warnf(p.node.Name.Span(), CodeUnusedParam, "parameter %q is never used", p.node.Name.Value).
				Hint("remove it, or use it as a whole value (`FIELD = %s`) or in a string (\"${%s}\")", p.node.Name.Value, p.node.Name.Value)
		}
	}
}

// finish fills the pipeline's parameter and resource lists in a fixed order.
func (c *checker) finish() {
	for _, p := range c.params {
		c.p.Params = append(c.p.Params, &ir.Param{Name: p.node.Name.Value, Type: p.typ, Value: p.value, Set: p.set, Span: span(p.node)})
	}
	sort.Slice(c.p.Params, func(i, j int) bool { return c.p.Params[i].Name < c.p.Params[j].Name })
	for _, d := range c.order_ {
		c.p.Resources = append(c.p.Resources, d.res)
	}
	sort.SliceStable(c.p.Resources, func(i, j int) bool {
		a, b := c.p.Resources[i], c.p.Resources[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	})
}

// dirOf returns the directory of the file f was parsed from.
func dirOf(f *syntax.File) string {
	d := filepath.Dir(f.Source.Name())
	if d == "" {
		return "."
	}
	return d
}
