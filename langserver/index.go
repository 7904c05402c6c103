package langserver

import (
	"sort"
	"strings"

	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// symbol is a declaration: a resource, an object or a parameter.
type symbol struct {
	// kind is the resource kind word, "object" or "param".
	kind string
	name string
	// nameSpan is the declared name; span the whole declaration.
	nameSpan source.Span
	span     source.Span
	// resource, object or param is the declaration's node.
	resource *syntax.Resource
	object   *syntax.Object
	param    *syntax.Param
	// scope is the workload that declares a volume (kind "volume"): its
	// volumes are named only inside it.
	scope *syntax.Resource
}

// ref returns the symbol as source refers to it, e.g. `configmap app`.
func (s *symbol) ref() string {
	if s.kind == "param" {
		return s.name
	}
	return s.kind + " " + s.name
}

// reference is a use of a name: in a value (`configmap app`, a parameter),
// an `after` target or a wave or hook member.
type reference struct {
	// kind is the kind written with the name, "" for a bare name, or
	// "param" for a parameter's use.
	kind string
	name string
	// span is the name alone.
	span source.Span
	// target is the declaration it resolves to, or nil.
	target *symbol
	// scope is the workload a volume reference is written in.
	scope *syntax.Resource
}

// statement is a wave or hook statement, for hover.
type statement struct {
	// keyword is the span of `wave` or of the phase words.
	keyword source.Span
	span    source.Span
	wave    *syntax.Wave
	hook    *syntax.Hook
}

// index holds every declaration and reference of a pipeline.
type index struct {
	decls      []*symbol
	refs       []*reference
	statements []*statement
	byKey      map[string]*symbol // "kind name"
	byName     map[string][]*symbol
	params     map[string]*symbol
	// volumes are the workloads' own volumes (`volume NAME = ...`), kept
	// apart from decls: they are named only inside their workload.
	volumes []*symbol
}

// volumeKey identifies a volume: its workload and its name.
type volumeKey struct {
	scope *syntax.Resource
	name  string
}

// volume returns the volume named name of workload scope, or nil.
func (ix *index) volume(scope *syntax.Resource, name string) *symbol {
	for _, v := range ix.volumes {
		if v.scope == scope && v.name == name {
			return v
		}
	}
	return nil
}

// buildIndex collects declarations and references from the files and
// resolves the references as the checker does: a kind and a name name one
// declaration; a bare name the only declaration of that name.
func buildIndex(files []*syntax.File) *index {
	ix := &index{byKey: map[string]*symbol{}, byName: map[string][]*symbol{}, params: map[string]*symbol{}}
	var maybeParams []*reference
	for _, f := range files {
		w := &walker{ix: ix, sf: f.Source}
		for _, d := range f.Decls {
			w.decl(d)
		}
		maybeParams = append(maybeParams, w.maybeParams...)
	}
	for _, s := range ix.decls {
		switch s.kind {
		case "param":
			if _, dup := ix.params[s.name]; !dup {
				ix.params[s.name] = s
			}
		default:
			if _, dup := ix.byKey[s.ref()]; !dup {
				ix.byKey[s.ref()] = s
			}
			ix.byName[s.name] = append(ix.byName[s.name], s)
		}
	}
	firstVolume := map[volumeKey]*symbol{}
	for _, v := range ix.volumes {
		if _, dup := firstVolume[volumeKey{v.scope, v.name}]; !dup {
			firstVolume[volumeKey{v.scope, v.name}] = v
		}
	}
	for _, r := range ix.refs {
		switch r.kind {
		case "volume":
			r.target = firstVolume[volumeKey{r.scope, r.name}]
		case "param":
			r.target = ix.params[r.name]
		case "":
			if ds := ix.byName[r.name]; len(ds) == 1 {
				r.target = ds[0]
			}
		default:
			r.target = ix.byKey[r.kind+" "+r.name]
		}
	}
	// A bare name in a value is a parameter only when one has that name
	// (otherwise it is a word such as ClusterIP).
	for _, r := range maybeParams {
		if p, ok := ix.params[r.name]; ok {
			r.target = p
			ix.refs = append(ix.refs, r)
		}
	}
	sort.SliceStable(ix.refs, func(i, j int) bool { return source.Before(ix.refs[i].span.Start, ix.refs[j].span.Start) })
	return ix
}

type walker struct {
	ix          *index
	sf          *source.File
	maybeParams []*reference
	// workload is the resource whose body is being walked, the scope of
	// its volumes.
	workload *syntax.Resource
}

func (w *walker) declare(s *symbol) {
	if s.name == "" || !s.nameSpan.IsValid() {
		return
	}
	w.ix.decls = append(w.ix.decls, s)
}

func (w *walker) use(kind string, id *syntax.Ident) {
	if id == nil || id.Value == "" {
		return
	}
	w.ix.refs = append(w.ix.refs, &reference{kind: kind, name: id.Value, span: id.Span()})
}

func (w *walker) decl(d *syntax.Decl) {
	switch {
	case d == nil:
	case d.Param != nil:
		p := d.Param
		if p.Name != nil {
			w.declare(&symbol{kind: "param", name: p.Name.Value, nameSpan: p.Name.Span(), span: span(p.Pos, p.EndPos), param: p})
		}
		w.value(p.Value)
	case d.Pipeline != nil:
		w.block(d.Pipeline.Body)
	case d.Resource != nil:
		w.resource(d.Resource, true)
	case d.Object != nil:
		w.object(d.Object, true)
	case d.Wave != nil:
		wv := d.Wave
		w.ix.statements = append(w.ix.statements, &statement{keyword: span(wv.Pos, advance(wv.Pos, len("wave"))), span: span(wv.Pos, wv.EndPos), wave: wv})
		for _, m := range wv.Members {
			w.member(m)
		}
	case d.Hook != nil:
		h := d.Hook
		kw := span(h.Pos, h.Pos)
		if n := len(h.Phases); n > 0 && h.Phases[n-1] != nil {
			kw.End = h.Phases[n-1].EndPos
		}
		w.ix.statements = append(w.ix.statements, &statement{keyword: kw, span: span(h.Pos, h.EndPos), hook: h})
		for _, m := range h.AllMembers() {
			w.member(m)
		}
		for _, o := range h.Options {
			if o == nil {
				continue
			}
			w.targets(o.After)
			w.value(o.Timeout)
			w.value(o.Retries)
		}
	}
}

func (w *walker) member(m *syntax.Member) {
	switch {
	case m == nil:
	case m.Resource != nil:
		w.resource(m.Resource, false)
	case m.Object != nil:
		w.object(m.Object, false)
	case m.Name != nil:
		w.use("", m.Name)
	}
}

// resource records r: a declaration at the top level or written in place
// in a wave or hook, a reference otherwise.
func (w *walker) resource(r *syntax.Resource, top bool) {
	if r.Kind == nil || r.Name == nil {
		return
	}
	if !top && r.IsReference() {
		w.use(r.Kind.Value, r.Name)
		return
	}
	w.declare(&symbol{kind: r.Kind.Value, name: r.Name.Value, nameSpan: r.Name.Span(), span: span(r.Pos, r.EndPos), resource: r})
	w.targets(r.After)
	outer := w.workload
	w.workload = r
	w.block(r.Body)
	w.workload = outer
}

func (w *walker) object(o *syntax.Object, top bool) {
	if o.Name == nil {
		return
	}
	if !top && o.IsReference() {
		w.use("object", o.Name)
		return
	}
	w.declare(&symbol{kind: "object", name: o.Name.Value, nameSpan: o.Name.Span(), span: span(o.Pos, o.EndPos), object: o})
	w.targets(o.After)
	w.str(o.From)
	w.str(o.Inline)
}

func (w *walker) targets(ts []*syntax.Target) {
	for _, t := range ts {
		if t == nil {
			continue
		}
		kind := ""
		if t.Kind != nil {
			kind = t.Kind.Value
		}
		w.use(kind, t.Name)
	}
}

func (w *walker) block(b *syntax.Block) {
	if b == nil {
		return
	}
	for _, e := range b.Entries {
		if e == nil {
			continue
		}
		if e.Key != nil {
			w.str(e.Key.String)
		}
		w.volumeEntry(e)
		w.value(e.Value)
		w.block(e.Block)
	}
}

// volumeEntry records a workload's `volume NAME = ...` as a declaration,
// and the names of a general block's `volumeMounts = [{ name = "NAME",
// ... }]` as references to it.
func (w *walker) volumeEntry(e *syntax.Entry) {
	if w.workload == nil || e.Key == nil || e.Key.Ident == nil {
		return
	}
	switch *e.Key.Ident {
	case "volume":
		if e.Label == nil || e.Label.Ident == nil || *e.Label.Ident == "" {
			return
		}
		w.ix.volumes = append(w.ix.volumes, &symbol{kind: "volume", name: *e.Label.Ident,
			nameSpan: span(e.Label.Pos, e.Label.EndPos), span: span(e.Pos, e.EndPos), scope: w.workload})
	case "volumeMounts":
		if e.Label != nil || e.Value == nil || e.Value.Left == nil || e.Value.Left.List == nil || w.sf == nil {
			return
		}
		for _, it := range e.Value.Left.List.Items {
			if it == nil || it.Left == nil || it.Left.Map == nil {
				continue
			}
			for _, f := range it.Left.Map.Entries {
				if f == nil || f.Key == nil || f.Key.Ident == nil || *f.Key.Ident != "name" || f.Value == nil || f.Value.Left == nil {
					continue
				}
				str := f.Value.Left.String
				if str == nil || str.IsTriple() || strings.Contains(str.Raw, "$") || strings.Contains(str.Raw, `\`) {
					continue
				}
				p := f.Value.Left
				name := str.Unquoted()
				w.ix.refs = append(w.ix.refs, &reference{kind: "volume", name: name,
					span: w.sf.Span(p.Pos.Offset+1, p.EndPos.Offset-1), scope: w.workload})
			}
		}
	}
}

func (w *walker) value(v *syntax.Value) {
	if v == nil {
		return
	}
	w.primary(v.Left)
	w.primary(v.Right)
}

func (w *walker) primary(p *syntax.Primary) {
	switch {
	case p == nil:
	case p.String != nil:
		w.str(p.String)
	case p.List != nil:
		for _, it := range p.List.Items {
			w.value(it)
		}
	case p.Map != nil:
		w.block(p.Map)
	case p.Probe != nil:
		w.str(p.Probe.Path)
		if p.Probe.Command != nil {
			for _, it := range p.Probe.Command.Items {
				w.value(it)
			}
		}
	case p.Ref != nil:
		if p.Ref.Kind != nil {
			w.use(p.Ref.Kind.Value, p.Ref.Name)
			if p.Ref.Kind.Value == "volume" && len(w.ix.refs) > 0 && w.ix.refs[len(w.ix.refs)-1].kind == "volume" {
				w.ix.refs[len(w.ix.refs)-1].scope = w.workload
			}
		}
	case p.Ident != nil:
		w.maybeParams = append(w.maybeParams, &reference{kind: "param", name: *p.Ident, span: span(p.Pos, p.EndPos)})
	}
}

// str records the ${name} references inside a string.
func (w *walker) str(s *syntax.String) {
	if s == nil || w.sf == nil {
		return
	}
	parts, _ := s.Parts(w.sf)
	for _, p := range parts {
		if p.Ref == "" || p.Ref == "pipeline" || p.Ref == "namespace" {
			continue
		}
		// The name without ${ and }.
		nameSpan := w.sf.Span(p.Span.Start.Offset+2, p.Span.End.Offset-1)
		w.ix.refs = append(w.ix.refs, &reference{kind: "param", name: p.Ref, span: nameSpan})
	}
}

func span(start, end source.Pos) source.Span { return source.Span{Start: start, End: end} }

// at returns the reference or declaration name at byte offset off of file
// path: a reference, or a symbol whose name is there.
func (ix *index) at(path string, off int) (*reference, *symbol) {
	for _, r := range ix.refs {
		if inSpan(r.span, path, off) {
			return r, nil
		}
	}
	for _, s := range ix.decls {
		if inSpan(s.nameSpan, path, off) {
			return nil, s
		}
	}
	for _, s := range ix.volumes {
		if inSpan(s.nameSpan, path, off) {
			return nil, s
		}
	}
	return nil, nil
}

// inSpan reports whether off lies in sp of file path; the position just
// after the end counts too, where the cursor stands after typing a name.
func inSpan(sp source.Span, path string, off int) bool {
	return sp.Start.Filename == path && sp.Start.Offset <= off && off <= sp.End.Offset
}

// uses returns every reference to s.
func (ix *index) uses(s *symbol) []*reference {
	var out []*reference
	for _, r := range ix.refs {
		if r.target == s {
			out = append(out, r)
		}
	}
	return out
}

// advance returns p moved n bytes along a line of ASCII text.
func advance(p source.Pos, n int) source.Pos {
	p.Offset += n
	p.Column += n
	return p
}
