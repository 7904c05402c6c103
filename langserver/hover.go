package langserver

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/emit"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
	"github.com/wavec/wavec/runtime/apply"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
)

func (s *server) hover(_ context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	a, d, off, err := s.cursor(p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	text, sp := a.hoverText(d.path, off)
	if text == "" {
		return nil, nil
	}
	h := &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: text}}
	if sp.IsValid() {
		r := a.linesOf(d.path).rangeOf(sp)
		h.Range = &r
	}
	return h, nil
}

// hoverText returns what to show for the position off of file path, in
// Markdown, and the span it is about.
func (a *analysis) hoverText(path string, off int) (string, source.Span) {
	a.planMu.Lock()
	defer a.planMu.Unlock()
	if sym, ref := a.target(path, off); sym != nil {
		sp := sym.nameSpan
		if ref != nil {
			sp = ref.span
		}
		return a.describe(sym), sp
	}
	for _, st := range a.index.statements {
		if inSpan(st.keyword, path, off) {
			return a.describeStatement(st), st.keyword
		}
	}
	f := a.byPath[path]
	if f == nil {
		return "", source.Span{}
	}
	var text string
	var at source.Span
	syntax.Inspect(f, func(n syntax.Node) bool {
		if text != "" {
			return false
		}
		switch n := n.(type) {
		case *syntax.Kind:
			if n != nil && inSpan(span(n.Pos, n.EndPos), path, off) {
				text, at = describeKind(n.Value), span(n.Pos, n.EndPos)
			}
		case *syntax.RefKind:
			if n != nil && inSpan(span(n.Pos, n.EndPos), path, off) {
				text, at = describeKind(n.Value), span(n.Pos, n.EndPos)
			}
		case *syntax.Resource:
			if n != nil && n.Kind != nil && n.Body != nil {
				if k, ok := ir.ParseKind(n.Kind.Value); ok {
					text, at = fieldHover(n.Body, path, off, func(name string) (field, bool) { return fieldOf(k, name) }, n.Kind.Value)
					if text == "" {
						text, at = generalHover(k, n.Body, path, off)
					}
				}
			}
		case *syntax.Probe:
			if n != nil && n.Timing != nil {
				text, at = fieldHover(n.Timing, path, off, lookupIn(probeTimingDocs), "probe timing")
			}
		case *syntax.Pipeline:
			if n != nil && n.Body != nil {
				text, at = fieldHover(n.Body, path, off, func(name string) (field, bool) {
					f, ok := pipelineOptions[name]
					return f, ok
				}, "pipeline")
			}
		case *syntax.HookOption:
			if n != nil {
				for _, id := range n.Delete {
					if id != nil && inSpan(id.Span(), path, off) {
						if pol, ok := argocd.ParseDeletePolicyKeyword(id.Value); ok {
							text, at = fmt.Sprintf("**delete %s**: Argo CD hook delete policy `%s`", pol.Keyword(), pol), id.Span()
						}
					}
				}
			}
		}
		return true
	})
	return text, at
}

// fieldHover describes the key of a block entry at off, if there is one.
func fieldHover(b *syntax.Block, path string, off int, lookup func(string) (field, bool), owner string) (string, source.Span) {
	for _, e := range b.Entries {
		if e == nil || e.Key == nil {
			continue
		}
		ks := span(e.Key.Pos, e.Key.EndPos)
		if !inSpan(ks, path, off) {
			if e.Block != nil && e.Label != nil && e.Key.String == nil && inSpan(span(e.Block.Pos, e.Block.EndPos), path, off) {
				// A named container's or own volume's fields.
				what := e.Key.Name() + " " + e.Label.Name()
				switch e.Key.Name() {
				case "container", "init", "sidecar":
					return fieldHover(e.Block, path, off, containerFieldOf, what)
				case "volume":
					return fieldHover(e.Block, path, off, lookupIn(volumeFieldDocs), what)
				}
			}
			continue
		}
		if e.Key.String != nil {
			// A quoted key is always data.
			return fmt.Sprintf("**%s** entry %q", owner, e.Key.Name()), ks
		}
		f, ok := lookup(e.Key.Name())
		if !ok {
			if owner == "configmap" || owner == "secret" {
				return fmt.Sprintf("**%s** data entry `%s`", owner, e.Key.Name()), ks
			}
			return "", source.Span{}
		}
		return fmt.Sprintf("**%s** field of %s\n\n%s\n\nSets `%s`.", e.Key.Name(), owner, f.doc, f.sets), ks
	}
	return "", source.Span{}
}

func describeKind(word string) string {
	k, ok := ir.ParseKind(word)
	if !ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**", word)
	if k != ir.Object {
		fmt.Fprintf(&b, ": Kubernetes %s", k.KubeKind())
	}
	fmt.Fprintf(&b, "\n\n%s", kindDoc[k])
	if k != ir.Object {
		fmt.Fprintf(&b, "\n\nFields: %s", strings.Join(quoted(check.Fields(k)), ", "))
	}
	if spec := check.GeneralType(k, "spec"); spec != nil {
		fmt.Fprintf(&b, "\n\nAny other field as the Kubernetes API spells it: `spec { }` (%s), `pod { }` (%s) and the %s fields in the body.",
			spec.Name, check.GeneralType(k, "pod").Name, check.GeneralType(k, "").Name)
	}
	return b.String()
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return out
}

// describe returns the hover of a declaration: its source, and for a
// resource where it is applied.
func (a *analysis) describe(sym *symbol) string {
	var b strings.Builder
	b.WriteString("```wave\n")
	b.WriteString(a.declText(sym))
	b.WriteString("\n```\n")
	if loc := sym.nameSpan.Start; source.Valid(loc) {
		fmt.Fprintf(&b, "\ndeclared at %s:%d:%d\n", baseName(loc.Filename), loc.Line, loc.Column)
	}
	if sym.kind == "param" {
		for _, p := range a.result.Pipeline.Params {
			if p.Name == sym.name {
				fmt.Fprintf(&b, "\nparameter of type %s, value `%s`\n", p.Type, p.Value)
			}
		}
		return b.String()
	}
	if k, ok := ir.ParseKind(sym.kind); ok {
		if r := a.result.Pipeline.Lookup(k, sym.name); r != nil {
			b.WriteString("\n" + a.placementText(r) + "\n")
		}
	}
	return b.String()
}

// declText returns the declaration's source, shortened to its first lines.
func (a *analysis) declText(sym *symbol) string {
	sf := a.sourceOf(sym.span.Start.Filename)
	if sf == nil || !sym.span.IsValid() {
		return sym.ref()
	}
	content := sf.Content()
	start, end := sym.span.Start.Offset, min(sym.span.End.Offset, len(content))
	if start >= end {
		return sym.ref()
	}
	lines := strings.Split(string(content[start:end]), "\n")
	const most = 12
	if len(lines) > most {
		lines = append(lines[:most], "  ...")
	}
	return strings.Join(lines, "\n")
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// placementText says where a resource is applied: its phases and wave as
// the checker placed it, and the steps of `wavec plan`.
func (a *analysis) placementText(r *ir.Resource) string {
	if r.External {
		return "external: exists before the sync, never applied"
	}
	pl := r.Placement
	var b strings.Builder
	if pl.IsHook() {
		fmt.Fprintf(&b, "%s hook, wave %d", pl.PhaseList(), pl.Wave)
		ws := make([]string, 0, len(pl.Delete))
		for _, d := range pl.Delete {
			ws = append(ws, d.Keyword())
		}
		if len(ws) == 0 {
			ws = []string{argocd.BeforeHookCreation.Keyword()}
		}
		fmt.Fprintf(&b, ", delete %s", strings.Join(ws, ", "))
	} else {
		fmt.Fprintf(&b, "sync, wave %d", pl.Wave)
	}
	if !pl.Explicit && len(r.After) > 0 {
		b.WriteString(" (from `after`)")
	}
	for _, st := range a.steps()[r] {
		fmt.Fprintf(&b, "\n\n%s", st)
	}
	return b.String()
}

// steps returns, for every resource of a pipeline without errors, the
// steps `wavec plan` (and `wavec plan --delete` for delete hooks) puts its
// objects in, as "step 2 of 5: PreSync wave 0 (Job/migrate)".
func (a *analysis) steps() map[*ir.Resource][]string {
	if a.planSteps != nil {
		return a.planSteps
	}
	a.planSteps = map[*ir.Resource][]string{}
	docs := a.documents()
	if docs == nil {
		return a.planSteps
	}
	byKey := map[apply.Ref]*ir.Resource{}
	objs := make([]manifest.Object, 0, len(docs))
	for _, d := range docs {
		byKey[apply.RefOf(d.Object)] = d.Resource
		objs = append(objs, manifest.Object{Unstructured: d.Object.DeepCopy()})
	}
	opts := plan.Options{Namespace: a.result.Namespace()}
	for _, pl := range []struct {
		what string
		p    *plan.Plan
	}{{"sync", plan.ForSync(objs, opts)}, {"delete", plan.ForDelete(objs, opts)}} {
		for i, st := range pl.p.Steps {
			for _, t := range st.Tasks {
				if t.Object.Unstructured == nil {
					continue
				}
				r := byKey[apply.RefOf(t.Object.Unstructured)]
				if r == nil || (pl.what == "delete" && st.Action == plan.Delete) {
					continue
				}
				line := fmt.Sprintf("%s step %d of %d: **%s** (%s)", pl.what, i+1, len(pl.p.Steps), st.Name(), t.Ref())
				a.planSteps[r] = append(a.planSteps[r], line)
			}
		}
	}
	return a.planSteps
}

// describeStatement lists where each member of a wave or hook statement
// lands.
func (a *analysis) describeStatement(st *statement) string {
	var ms []*syntax.Member
	title := ""
	if st.wave != nil {
		ms = st.wave.Members
		title = "wave " + st.wave.Number.Text
	} else {
		ms = st.hook.AllMembers()
		var ps []string
		for _, p := range st.hook.Phases {
			if p != nil {
				ps = append(ps, p.Value)
			}
		}
		title = strings.Join(ps, ", ") + " hook"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n", title)
	for _, m := range ms {
		r := a.memberResource(m)
		if r == nil {
			continue
		}
		fmt.Fprintf(&b, "\n- `%s`: %s", r.Ref(), strings.ReplaceAll(a.placementText(r), "\n\n", "; "))
	}
	if a.documents() == nil {
		b.WriteString("\n\n(the plan's steps are shown once the pipeline checks without errors)")
	}
	return b.String()
}

// memberResource returns the checked resource a wave or hook member names.
func (a *analysis) memberResource(m *syntax.Member) *ir.Resource {
	var kind, name string
	switch {
	case m == nil:
		return nil
	case m.Resource != nil && m.Resource.Kind != nil && m.Resource.Name != nil:
		kind, name = m.Resource.Kind.Value, m.Resource.Name.Value
	case m.Object != nil && m.Object.Name != nil:
		kind, name = "object", m.Object.Name.Value
	case m.Name != nil:
		if ds := a.index.byName[m.Name.Value]; len(ds) == 1 {
			kind, name = ds[0].kind, ds[0].name
		}
	}
	k, ok := ir.ParseKind(kind)
	if !ok {
		return nil
	}
	return a.result.Pipeline.Lookup(k, name)
}

// documents returns the pipeline's objects as `wavec build` emits them, or
// nil while it has errors.
func (a *analysis) documents() []*emit.Document {
	if a.emitted || a.diags.HasErrors() || a.result == nil {
		return a.docs
	}
	a.emitted = true
	if docs, err := emit.Emit(a.result.Pipeline); err == nil {
		a.docs = docs
	}
	return a.docs
}
