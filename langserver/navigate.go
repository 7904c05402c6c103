package langserver

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/lang/format"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// errRequestFailed is the protocol's code for a request that was valid but
// could not be carried out (LSP 3.17 RequestFailed).
const errRequestFailed jsonrpc2.Code = -32803

// cursor resolves a position in an open document: its analysis, the
// document and the byte offset.
func (s *server) cursor(p protocol.TextDocumentPositionParams) (*analysis, *document, int, error) {
	a, d, err := s.analysisOf(p.TextDocument.URI)
	if err != nil {
		return nil, nil, 0, err
	}
	return a, d, a.linesOf(d.path).offset(p.Position), nil
}

// target returns the declaration at the cursor: the one a reference there
// resolves to, or the one whose name is there.
func (a *analysis) target(path string, off int) (*symbol, *reference) {
	r, s := a.index.at(path, off)
	if r != nil {
		return r.target, r
	}
	return s, nil
}

func (s *server) definition(_ context.Context, p *protocol.DefinitionParams) ([]protocol.Location, error) {
	a, d, off, err := s.cursor(p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	sym, _ := a.target(d.path, off)
	if sym == nil {
		return []protocol.Location{}, nil
	}
	loc, ok := a.location(sym.nameSpan)
	if !ok {
		return []protocol.Location{}, nil
	}
	return []protocol.Location{loc}, nil
}

func (s *server) references(_ context.Context, p *protocol.ReferenceParams) ([]protocol.Location, error) {
	a, d, off, err := s.cursor(p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	sym, _ := a.target(d.path, off)
	out := []protocol.Location{}
	if sym == nil {
		return out, nil
	}
	if p.Context.IncludeDeclaration {
		if loc, ok := a.location(sym.nameSpan); ok {
			out = append(out, loc)
		}
	}
	for _, r := range a.index.uses(sym) {
		if loc, ok := a.location(r.span); ok {
			out = append(out, loc)
		}
	}
	return out, nil
}

func (s *server) prepareRename(_ context.Context, p *protocol.PrepareRenameParams) (*protocol.Range, error) {
	a, d, off, err := s.cursor(p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	sym, ref := a.target(d.path, off)
	if sym == nil {
		return nil, jsonrpc2.NewError(errRequestFailed, "there is no declaration or parameter here to rename")
	}
	sp := sym.nameSpan
	if ref != nil {
		sp = ref.span
	}
	r := a.linesOf(d.path).rangeOf(sp)
	return &r, nil
}

func (s *server) rename(_ context.Context, p *protocol.RenameParams) (*protocol.WorkspaceEdit, error) {
	a, d, off, err := s.cursor(p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	sym, _ := a.target(d.path, off)
	if sym == nil {
		return nil, jsonrpc2.NewError(errRequestFailed, "there is no declaration or parameter here to rename")
	}
	if !isName(p.NewName) {
		return nil, jsonrpc2.NewError(errRequestFailed, fmt.Sprintf("%q is not a name: use letters, digits and _, with single - or . between them", p.NewName))
	}
	if sym.kind == "volume" {
		if msgs := validation.IsDNS1123Label(p.NewName); len(msgs) > 0 {
			return nil, jsonrpc2.NewError(errRequestFailed, fmt.Sprintf("%q is not a valid volume name: %s", p.NewName, strings.Join(msgs, "; ")))
		}
		if v := a.index.volume(sym.scope, p.NewName); v != nil && p.NewName != sym.name {
			return nil, jsonrpc2.NewError(errRequestFailed, fmt.Sprintf("volume %s exists already in this workload", p.NewName))
		}
	} else if sym.kind == "param" {
		if _, taken := a.index.params[p.NewName]; taken && p.NewName != sym.name {
			return nil, jsonrpc2.NewError(errRequestFailed, fmt.Sprintf("a parameter named %q exists already", p.NewName))
		}
	} else if _, taken := a.index.byKey[sym.kind+" "+p.NewName]; taken && p.NewName != sym.name {
		return nil, jsonrpc2.NewError(errRequestFailed, fmt.Sprintf("%s %s exists already", sym.kind, p.NewName))
	}
	edits := map[protocol.DocumentURI][]protocol.TextEdit{}
	add := func(sp source.Span) {
		if loc, ok := a.location(sp); ok {
			edits[loc.URI] = append(edits[loc.URI], protocol.TextEdit{Range: loc.Range, NewText: p.NewName})
		}
	}
	add(sym.nameSpan)
	for _, r := range a.index.uses(sym) {
		add(r.span)
	}
	return &protocol.WorkspaceEdit{Changes: edits}, nil
}

// isName reports whether s is a .wave name: a letter or _, then letters,
// digits and _, with single - or . between them.
func isName(s string) bool {
	if s == "" {
		return false
	}
	prevSep := true
	for i, c := range s {
		switch {
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			prevSep = false
		case c >= '0' && c <= '9':
			if i == 0 {
				return false
			}
			prevSep = false
		case c == '-' || c == '.':
			if prevSep {
				return false
			}
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep
}

func (s *server) formatting(_ context.Context, p *protocol.DocumentFormattingParams) ([]protocol.TextEdit, error) {
	s.mu.Lock()
	d, ok := s.docs[p.TextDocument.URI]
	var text, path string
	if ok {
		text, path = d.text, d.path
	}
	s.mu.Unlock()
	if !ok {
		return nil, errUnknownDocument(p.TextDocument.URI)
	}
	out, diags := format.Format(path, []byte(text))
	if diags.HasErrors() {
		return nil, jsonrpc2.NewError(errRequestFailed, "cannot format a file with syntax errors: "+diags[0].Error())
	}
	if string(out) == text {
		return []protocol.TextEdit{}, nil
	}
	l := newLines([]byte(text))
	whole := protocol.Range{Start: protocol.Position{}, End: l.position(len(text))}
	return []protocol.TextEdit{{Range: whole, NewText: string(out)}}, nil
}

func (s *server) documentSymbol(_ context.Context, p *protocol.DocumentSymbolParams) ([]protocol.DocumentSymbol, error) {
	a, d, err := s.analysisOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	f := a.byPath[d.path]
	l := a.linesOf(d.path)
	out := []protocol.DocumentSymbol{}
	if f == nil {
		return out, nil
	}
	for _, decl := range f.Decls {
		if sym, ok := outline(l, decl); ok {
			out = append(out, sym)
		}
	}
	return out, nil
}

// outline returns the outline entry of a top-level statement.
func outline(l *lines, d *syntax.Decl) (protocol.DocumentSymbol, bool) {
	entry := func(name, detail string, kind protocol.SymbolKind, whole, sel source.Span, children []protocol.DocumentSymbol) protocol.DocumentSymbol {
		return protocol.DocumentSymbol{Name: name, Detail: detail, Kind: kind, Range: l.rangeOf(whole), SelectionRange: l.rangeOf(sel), Children: children}
	}
	switch {
	case d == nil:
	case d.Pipeline != nil && d.Pipeline.Name != nil && d.Pipeline.Namespace != nil:
		p := d.Pipeline
		return entry(p.Name.Value, "pipeline in "+p.Namespace.Value, protocol.SymbolKindPackage, span(p.Pos, p.EndPos), p.Name.Span(), fields(l, p.Body)), true
	case d.Param != nil && d.Param.Name != nil:
		p := d.Param
		return entry(p.Name.Value, "param", protocol.SymbolKindVariable, span(p.Pos, p.EndPos), p.Name.Span(), nil), true
	case d.Resource != nil && d.Resource.Kind != nil && d.Resource.Name != nil:
		return resourceOutline(l, d.Resource), true
	case d.Object != nil && d.Object.Name != nil:
		o := d.Object
		return entry(o.Name.Value, "object", protocol.SymbolKindObject, span(o.Pos, o.EndPos), o.Name.Span(), nil), true
	case d.Wave != nil && d.Wave.Number != nil:
		w := d.Wave
		return entry("wave "+w.Number.Text, "", protocol.SymbolKindEvent, span(w.Pos, w.EndPos), span(w.Pos, w.Number.EndPos), members(l, w.Members)), true
	case d.Hook != nil:
		h := d.Hook
		var phases []string
		for _, ph := range h.Phases {
			if ph != nil {
				phases = append(phases, ph.Value)
			}
		}
		name := strings.Join(phases, ", ")
		if h.Wave != nil {
			name += " wave " + h.Wave.Text
		}
		sel := span(h.Pos, h.Pos)
		if n := len(h.Phases); n > 0 && h.Phases[n-1] != nil {
			sel.End = h.Phases[n-1].EndPos
		}
		return entry(name, "hook", protocol.SymbolKindEvent, span(h.Pos, h.EndPos), sel, members(l, h.AllMembers())), true
	}
	return protocol.DocumentSymbol{}, false
}

func resourceOutline(l *lines, r *syntax.Resource) protocol.DocumentSymbol {
	detail := r.Kind.Value
	if r.External {
		detail += " (external)"
	}
	return protocol.DocumentSymbol{
		Name: r.Name.Value, Detail: detail, Kind: protocol.SymbolKindObject,
		Range: l.rangeOf(span(r.Pos, r.EndPos)), SelectionRange: l.rangeOf(r.Name.Span()),
		Children: fields(l, r.Body),
	}
}

// members returns the outline of declarations written in place in a wave
// or hook; references to declarations elsewhere are not symbols.
func members(l *lines, ms []*syntax.Member) []protocol.DocumentSymbol {
	var out []protocol.DocumentSymbol
	for _, m := range ms {
		switch {
		case m == nil:
		case m.Resource != nil && m.Resource.Kind != nil && m.Resource.Name != nil && !m.Resource.IsReference():
			out = append(out, resourceOutline(l, m.Resource))
		case m.Object != nil && m.Object.Name != nil && !m.Object.IsReference():
			o := m.Object
			out = append(out, protocol.DocumentSymbol{Name: o.Name.Value, Detail: "object", Kind: protocol.SymbolKindObject,
				Range: l.rangeOf(span(o.Pos, o.EndPos)), SelectionRange: l.rangeOf(o.Name.Span())})
		}
	}
	return out
}

// fields returns the outline of a block's entries.
func fields(l *lines, b *syntax.Block) []protocol.DocumentSymbol {
	if b == nil {
		return nil
	}
	var out []protocol.DocumentSymbol
	for _, e := range b.Entries {
		if e == nil || e.Key == nil {
			continue
		}
		name, sel := e.Key.Name(), span(e.Key.Pos, e.Key.EndPos)
		if e.Label != nil {
			// `container log-shipper { ... }`: the item's name.
			name, sel = name+" "+e.Label.Name(), span(e.Label.Pos, e.Label.EndPos)
		}
		out = append(out, protocol.DocumentSymbol{Name: name, Kind: protocol.SymbolKindField,
			Range: l.rangeOf(span(e.Pos, e.EndPos)), SelectionRange: l.rangeOf(sel), Children: fields(l, e.Block)})
	}
	return out
}
