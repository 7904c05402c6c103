package syntax

// The Node methods of the AST types. Each is safe on a nil pointer.

import "github.com/wavec/wavec/lang/source"

// Span returns the node's source range.
func (n *File) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *File) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visitAll(fn, n.Decls)
}

func (n *File) setEnd(p source.Pos) { n.EndPos = p }
func (n *File) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Comment) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children does nothing: a Comment has no children.
func (n *Comment) Children(func(Node)) {}

func (n *Comment) setEnd(p source.Pos) { n.EndPos = p }
func (n *Comment) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Decl) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Decl) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Resource)
	visit(fn, n.Wave)
	visit(fn, n.Hook)
	visit(fn, n.Object)
	visit(fn, n.Param)
	visit(fn, n.Pipeline)
}

func (n *Decl) setEnd(p source.Pos) { n.EndPos = p }
func (n *Decl) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Pipeline) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Pipeline) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Name)
	visit(fn, n.Namespace)
	visit(fn, n.Body)
}

func (n *Pipeline) setEnd(p source.Pos) { n.EndPos = p }
func (n *Pipeline) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Param) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Param) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Name)
	visit(fn, n.Value)
}

func (n *Param) setEnd(p source.Pos) { n.EndPos = p }
func (n *Param) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Resource) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Resource) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Kind)
	visit(fn, n.Name)
	visitAll(fn, n.After)
	visit(fn, n.Body)
}

func (n *Resource) setEnd(p source.Pos) { n.EndPos = p }
func (n *Resource) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Object) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Object) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Name)
	visit(fn, n.From)
	visit(fn, n.Inline)
	visitAll(fn, n.After)
}

func (n *Object) setEnd(p source.Pos) { n.EndPos = p }
func (n *Object) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Wave) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Wave) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Number)
	visitAll(fn, n.Members)
}

func (n *Wave) setEnd(p source.Pos) { n.EndPos = p }
func (n *Wave) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Hook) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Hook) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visitAll(fn, n.Phases)
	visit(fn, n.Wave)
	visitAll(fn, n.Members)
	visit(fn, n.Single)
	visitAll(fn, n.Options)
}

func (n *Hook) setEnd(p source.Pos) { n.EndPos = p }
func (n *Hook) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *PhaseWord) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children does nothing: a PhaseWord has no children.
func (n *PhaseWord) Children(func(Node)) {}

func (n *PhaseWord) setEnd(p source.Pos) { n.EndPos = p }
func (n *PhaseWord) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *HookOption) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *HookOption) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visitAll(fn, n.Delete)
	visit(fn, n.Timeout)
	visit(fn, n.Retries)
	visitAll(fn, n.After)
}

func (n *HookOption) setEnd(p source.Pos) { n.EndPos = p }
func (n *HookOption) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Member) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Member) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Object)
	visit(fn, n.Resource)
	visit(fn, n.Name)
}

func (n *Member) setEnd(p source.Pos) { n.EndPos = p }
func (n *Member) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Target) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Target) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Kind)
	visit(fn, n.Name)
}

func (n *Target) setEnd(p source.Pos) { n.EndPos = p }
func (n *Target) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Kind) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children does nothing: a Kind has no children.
func (n *Kind) Children(func(Node)) {}

func (n *Kind) setEnd(p source.Pos) { n.EndPos = p }
func (n *Kind) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *RefKind) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children does nothing: a RefKind has no children.
func (n *RefKind) Children(func(Node)) {}

func (n *RefKind) setEnd(p source.Pos) { n.EndPos = p }
func (n *RefKind) isNil() bool         { return n == nil }

// Children does nothing: a Ident has no children.
func (n *Ident) Children(func(Node)) {}

func (n *Ident) setEnd(p source.Pos) { n.EndPos = p }
func (n *Ident) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Block) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Block) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visitAll(fn, n.Entries)
}

func (n *Block) setEnd(p source.Pos) { n.EndPos = p }
func (n *Block) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Entry) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Entry) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Key)
	visit(fn, n.Label)
	visit(fn, n.Value)
	visit(fn, n.Block)
}

func (n *Entry) setEnd(p source.Pos) { n.EndPos = p }
func (n *Entry) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Key) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Key) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.String)
}

func (n *Key) setEnd(p source.Pos) { n.EndPos = p }
func (n *Key) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Value) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Value) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Left)
	visit(fn, n.Right)
}

func (n *Value) setEnd(p source.Pos) { n.EndPos = p }
func (n *Value) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Primary) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Primary) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.String)
	visit(fn, n.Number)
	visit(fn, n.Ref)
	visit(fn, n.Probe)
	visit(fn, n.List)
	visit(fn, n.Map)
}

func (n *Primary) setEnd(p source.Pos) { n.EndPos = p }
func (n *Primary) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Number) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children does nothing: a Number has no children.
func (n *Number) Children(func(Node)) {}

func (n *Number) setEnd(p source.Pos) { n.EndPos = p }
func (n *Number) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *String) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children does nothing: a String has no children.
func (n *String) Children(func(Node)) {}

func (n *String) setEnd(p source.Pos) { n.EndPos = p }
func (n *String) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *List) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *List) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visitAll(fn, n.Items)
}

func (n *List) setEnd(p source.Pos) { n.EndPos = p }
func (n *List) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Ref) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Ref) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Kind)
	visit(fn, n.Name)
}

func (n *Ref) setEnd(p source.Pos) { n.EndPos = p }
func (n *Ref) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Probe) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Probe) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Path)
	visit(fn, n.Command)
	visit(fn, n.Port)
	visit(fn, n.Timing)
}

func (n *Probe) setEnd(p source.Pos) { n.EndPos = p }
func (n *Probe) isNil() bool         { return n == nil }

// Span returns the node's source range.
func (n *Port) Span() source.Span {
	if n == nil {
		return source.Span{}
	}
	return mkSpan(n.Pos, n.EndPos)
}

// Children calls fn for each non-nil child of n, in source order.
func (n *Port) Children(fn func(Node)) {
	if n == nil {
		return
	}
	visit(fn, n.Number)
}

func (n *Port) setEnd(p source.Pos) { n.EndPos = p }
func (n *Port) isNil() bool         { return n == nil }
