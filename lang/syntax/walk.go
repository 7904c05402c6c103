package syntax

import (
	"github.com/wavec/wavec/lang/source"
)

// Node is a node of the syntax tree. Every AST type in this package is a
// Node through its pointer; a nil pointer has an invalid span and no
// children.
type Node interface {
	// Span returns the node's source range: from its first character to
	// just after its last.
	Span() source.Span
	// Children calls fn for each of the node's non-nil children, in source
	// order. Comments and the Source file are not children.
	Children(fn func(Node))
	// setEnd sets where the node ends (partial trees).
	setEnd(source.Pos)
	// isNil reports whether the node is a nil pointer.
	isNil() bool
}

// Inspect walks the AST rooted at node depth first, calling fn for every
// node (including node itself). When fn returns false, the node's children
// are skipped. Comments and the Source file are not visited.
func Inspect(node Node, fn func(n Node) bool) {
	if isNil(node) {
		return
	}
	var visit func(Node)
	visit = func(n Node) {
		if fn(n) {
			n.Children(visit)
		}
	}
	visit(node)
}

// NodeSpan returns the source range of an AST node, or an invalid span for
// values that are not nodes (and for nil nodes).
func NodeSpan(n any) source.Span {
	if nd, ok := n.(Node); ok && !isNil(nd) {
		return nd.Span()
	}
	return source.Span{}
}

// isNil reports whether n is nil or a nil pointer.
func isNil(n Node) bool { return n == nil || n.isNil() }

// visit calls fn with n when n is not nil.
func visit[T any, P interface {
	*T
	Node
}](fn func(Node), n P) {
	if n != nil {
		fn(n)
	}
}

// visitAll calls fn with each non-nil element of ns.
func visitAll[T any, P interface {
	*T
	Node
}](fn func(Node), ns []P) {
	for _, n := range ns {
		if n != nil {
			fn(n)
		}
	}
}

func mkSpan(pos, end source.Pos) source.Span { return source.Span{Start: pos, End: end} }
