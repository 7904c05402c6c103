package syntax

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wavec/wavec/lang/source"
)

// Dump returns a compact, indented listing of the AST rooted at n, one node
// per line, for tests and debugging. Wrapper nodes (Decl, Member, Primary and
// a Value without "->") are not shown on their own: their single child stands
// for them. When spans is set, every line ends with the node's source range
// as @LINE:COL-LINE:COL; without spans, two trees that differ only in layout
// dump the same.
func Dump(n Node, spans bool) string {
	d := &dumper{spans: spans}
	d.node(n, 0)
	return d.b.String()
}

type dumper struct {
	b     strings.Builder
	spans bool
}

// line writes one node line: indentation, the label and, with spans, the
// range of span.
func (d *dumper) line(depth int, span source.Span, format string, args ...any) {
	d.b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(&d.b, format, args...)
	if d.spans {
		fmt.Fprintf(&d.b, " @%d:%d-%d:%d", span.Start.Line, span.Start.Column, span.End.Line, span.End.Column)
	}
	d.b.WriteByte('\n')
}

func span(pos, end source.Pos) source.Span { return source.Span{Start: pos, End: end} }

func (d *dumper) node(n Node, depth int) {
	if isNil(n) {
		return
	}
	switch n := n.(type) {
	case *File:
		d.line(depth, span(n.Pos, n.EndPos), "File")
		for _, decl := range n.Decls {
			d.node(decl, depth+1)
		}
		for _, c := range n.Comments {
			d.line(depth+1, span(c.Pos, c.EndPos), "Comment %s", strconv.Quote(c.Text))
		}
	case *Decl:
		switch {
		case n.Pipeline != nil:
			d.node(n.Pipeline, depth)
		case n.Param != nil:
			d.node(n.Param, depth)
		case n.Wave != nil:
			d.node(n.Wave, depth)
		case n.Hook != nil:
			d.node(n.Hook, depth)
		case n.Object != nil:
			d.node(n.Object, depth)
		case n.Resource != nil:
			d.node(n.Resource, depth)
		default:
			d.line(depth, span(n.Pos, n.EndPos), "Decl (empty)")
		}
	case *Pipeline:
		d.line(depth, span(n.Pos, n.EndPos), "Pipeline %s in %s", identText(n.Name), identText(n.Namespace))
		if n.Body != nil {
			d.node(n.Body, depth+1)
		}
	case *Param:
		d.line(depth, span(n.Pos, n.EndPos), "Param %s", identText(n.Name))
		d.node(n.Value, depth+1)
	case *Resource:
		label := "Resource " + kindText(n.Kind) + " " + identText(n.Name)
		if n.External {
			label += " external"
		}
		d.line(depth, span(n.Pos, n.EndPos), "%s", label)
		d.targets(n.After, depth+1)
		if n.Body != nil {
			d.node(n.Body, depth+1)
		}
	case *Object:
		d.line(depth, span(n.Pos, n.EndPos), "Object %s", identText(n.Name))
		if n.From != nil {
			d.line(depth+1, span(n.From.Pos, n.From.EndPos), "From %s", strconv.Quote(n.From.Raw))
		}
		if n.Inline != nil {
			d.line(depth+1, span(n.Inline.Pos, n.Inline.EndPos), "Inline %s", strconv.Quote(n.Inline.Raw))
		}
		d.targets(n.After, depth+1)
	case *Wave:
		d.line(depth, span(n.Pos, n.EndPos), "Wave %s", numberText(n.Number))
		for _, m := range n.Members {
			d.node(m, depth+1)
		}
	case *Hook:
		var phases []string
		for _, p := range n.Phases {
			phases = append(phases, p.Value)
		}
		label := "Hook " + strings.Join(phases, ",")
		if n.Wave != nil {
			label += " wave " + numberText(n.Wave)
		}
		if n.Single == nil {
			label += " <>"
		}
		d.line(depth, span(n.Pos, n.EndPos), "%s", label)
		if n.Single != nil {
			d.node(n.Single, depth+1)
		}
		for _, m := range n.Members {
			d.node(m, depth+1)
		}
		for _, o := range n.Options {
			d.node(o, depth+1)
		}
	case *HookOption:
		switch {
		case n.Delete != nil:
			var names []string
			for _, id := range n.Delete {
				names = append(names, identText(id))
			}
			d.line(depth, span(n.Pos, n.EndPos), "Delete %s", strings.Join(names, ", "))
		case n.Timeout != nil:
			d.line(depth, span(n.Pos, n.EndPos), "Timeout")
			d.node(n.Timeout, depth+1)
		case n.Retries != nil:
			d.line(depth, span(n.Pos, n.EndPos), "Retries")
			d.node(n.Retries, depth+1)
		case n.After != nil:
			d.line(depth, span(n.Pos, n.EndPos), "After")
			d.targets(n.After, depth+1)
		default:
			d.line(depth, span(n.Pos, n.EndPos), "HookOption (empty)")
		}
	case *Member:
		switch {
		case n.Object != nil:
			d.node(n.Object, depth)
		case n.Resource != nil:
			d.node(n.Resource, depth)
		case n.Name != nil:
			d.line(depth, span(n.Pos, n.EndPos), "Name %s", identText(n.Name))
		default:
			d.line(depth, span(n.Pos, n.EndPos), "Member (empty)")
		}
	case *Target:
		if n.Kind != nil {
			d.line(depth, span(n.Pos, n.EndPos), "Target %s %s", n.Kind.Value, identText(n.Name))
		} else {
			d.line(depth, span(n.Pos, n.EndPos), "Target %s", identText(n.Name))
		}
	case *Block:
		d.line(depth, span(n.Pos, n.EndPos), "Block")
		for _, e := range n.Entries {
			d.node(e, depth+1)
		}
	case *Entry:
		if n.Label != nil {
			d.line(depth, span(n.Pos, n.EndPos), "Entry %s %s", keyText(n.Key), keyText(n.Label))
		} else {
			d.line(depth, span(n.Pos, n.EndPos), "Entry %s", keyText(n.Key))
		}
		if n.Value != nil {
			d.node(n.Value, depth+1)
		}
		if n.Block != nil {
			d.node(n.Block, depth+1)
		}
	case *Value:
		if n.Right == nil {
			d.node(n.Left, depth)
			return
		}
		d.line(depth, span(n.Pos, n.EndPos), "Arrow")
		d.node(n.Left, depth+1)
		d.node(n.Right, depth+1)
	case *Primary:
		d.primary(n, depth)
	case *Port:
		d.primary(n.Primary(), depth)
	case *String:
		d.line(depth, span(n.Pos, n.EndPos), "String %s", strconv.Quote(n.Raw))
	case *Number:
		d.line(depth, span(n.Pos, n.EndPos), "Number %s", n.Text)
	case *List:
		d.line(depth, span(n.Pos, n.EndPos), "List")
		for _, it := range n.Items {
			d.node(it, depth+1)
		}
	case *Probe:
		d.line(depth, span(n.Pos, n.EndPos), "Probe %s", n.Type)
		if n.Path != nil {
			d.node(n.Path, depth+1)
		}
		if n.Command != nil {
			d.node(n.Command, depth+1)
		}
		if n.Port != nil {
			d.line(depth+1, span(n.Port.Pos, n.Port.EndPos), "On")
			d.node(n.Port, depth+2)
		}
		if n.Timing != nil {
			d.node(n.Timing, depth+1)
		}
	case *Ref:
		d.line(depth, span(n.Pos, n.EndPos), "Ref %s %s", refKindText(n.Kind), identText(n.Name))
	case *Ident:
		d.line(depth, span(n.Pos, n.EndPos), "Name %s", identText(n))
	default:
		d.line(depth, source.Span{}, "%T", n)
	}
}

func (d *dumper) primary(p *Primary, depth int) {
	sp := span(p.Pos, p.EndPos)
	switch {
	case p.String != nil:
		d.node(p.String, depth)
	case p.Unit != nil:
		d.line(depth, sp, "Unit %s", *p.Unit)
	case p.Number != nil:
		d.node(p.Number, depth)
	case p.Bool != nil:
		d.line(depth, sp, "Bool %s", *p.Bool)
	case p.List != nil:
		d.node(p.List, depth)
	case p.Map != nil:
		d.node(p.Map, depth)
	case p.Probe != nil:
		d.node(p.Probe, depth)
	case p.Ref != nil:
		d.node(p.Ref, depth)
	case p.Ident != nil:
		d.line(depth, sp, "Name %s", *p.Ident)
	default:
		d.line(depth, sp, "Primary (empty)")
	}
}

func (d *dumper) targets(ts []*Target, depth int) {
	for _, t := range ts {
		d.node(t, depth)
	}
}

func identText(id *Ident) string {
	if id == nil {
		return "?"
	}
	return id.Value
}

func kindText(k *Kind) string {
	if k == nil {
		return "?"
	}
	return k.Value
}

func refKindText(k *RefKind) string {
	if k == nil {
		return "?"
	}
	return k.Value
}

func numberText(n *Number) string {
	if n == nil {
		return "?"
	}
	return n.Text
}

func keyText(k *Key) string {
	switch {
	case k == nil:
		return "?"
	case k.Ident != nil:
		return *k.Ident
	case k.String != nil:
		return strconv.Quote(k.String.Raw)
	}
	return "?"
}
