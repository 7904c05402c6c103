package syntax

import (
	"sort"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/wavec/wavec/lang/source"
)

// keywordPositions records, in every node of f, the positions of its
// keywords and brackets that are not nodes (InPos, AssignPos, ClosePos, ...).
// Each is the first token after a child the grammar puts before it, or the
// last token of the node, looked up in tokens (those of the whole file).
// Nodes the parser gave up inside get what their tokens allow.
func keywordPositions(f *File, tokens []lexer.Token) {
	r := posRecorder{tokens: tokens}
	Inspect(f, func(n Node) bool {
		r.keywords(n)
		return true
	})
}

// finishTree does what fixEnds and then keywordPositions do, in one walk of
// a tree the parser completed.
func finishTree(f *File, tokens []lexer.Token) {
	r := posRecorder{tokens: tokens}
	var walk func(Node)
	walk = func(n Node) {
		n.Children(walk) // a node's positions need its children's ends
		if n != Node(f) {
			r.fixEnd(n)
		}
		r.keywords(n)
	}
	walk(f)
}

// keywords records the keyword positions of n.
func (r posRecorder) keywords(n Node) {
	switch n := n.(type) {
	case *Pipeline:
		if n.Name != nil && n.Namespace != nil {
			n.InPos = r.after(n.Name.EndPos)
		}
	case *Param:
		if n.Name != nil && n.Value != nil {
			n.AssignPos = r.after(n.Name.EndPos)
		}
	case *Resource:
		if n.Name == nil {
			break
		}
		end := n.Name.EndPos
		if n.External {
			n.ExternalPos = r.after(end)
			end = r.end(n.ExternalPos)
		}
		if len(n.After) > 0 {
			n.AfterPos = r.after(end)
		}
	case *Object:
		if n.Name == nil {
			break
		}
		end := n.Name.EndPos
		switch {
		case n.From != nil:
			n.FromPos = r.after(end)
			end = n.From.EndPos
		case n.Inline != nil:
			n.FromPos = r.after(end)
			end = n.Inline.EndPos
		}
		if len(n.After) > 0 {
			n.AfterPos = r.after(end)
		}
	case *Wave:
		if n.Number != nil {
			n.OpenPos = r.after(n.Number.EndPos)
			n.ClosePos = r.last(n.EndPos)
		}
	case *Hook:
		if len(n.Phases) == 0 || n.Phases[len(n.Phases)-1] == nil {
			break
		}
		end := n.Phases[len(n.Phases)-1].EndPos
		if n.Wave != nil {
			n.WavePos = r.after(end)
			end = n.Wave.EndPos
		}
		if n.Single == nil {
			n.OpenPos = r.after(end)
			if len(n.Members) > 0 && n.Members[len(n.Members)-1] != nil {
				end = n.Members[len(n.Members)-1].EndPos
			} else {
				end = r.end(n.OpenPos)
			}
			n.ClosePos = r.after(end)
		}
	case *Block:
		n.ClosePos = r.last(n.EndPos)
	case *List:
		n.ClosePos = r.last(n.EndPos)
	case *Entry:
		if n.Value != nil && n.Key != nil {
			end := n.Key.EndPos
			if n.Label != nil {
				end = n.Label.EndPos
			}
			n.AssignPos = r.after(end)
		}
	case *Value:
		if n.Right != nil && n.Left != nil {
			n.ArrowPos = r.after(n.Left.EndPos)
		}
	case *Probe:
		if n.Port != nil {
			n.OnPos = r.last(n.Port.Pos)
		}
	}
}

// posRecorder finds tokens by position.
type posRecorder struct {
	tokens []lexer.Token
}

// after returns the position of the first token at or after p that is not
// whitespace, a comment or a separator (",", ";"), or p when there is none.
func (r posRecorder) after(p source.Pos) source.Pos {
	i := sort.Search(len(r.tokens), func(i int) bool { return r.tokens[i].Pos.Offset >= p.Offset })
	for ; i < len(r.tokens); i++ {
		t := r.tokens[i]
		if t.Type == tokWhitespace || t.Type == tokComment || t.Type == tokSep {
			continue
		}
		if t.EOF() {
			break
		}
		return t.Pos
	}
	return p
}

// last returns the position of the last token that is not whitespace or a
// comment before end, or end when there is none.
func (r posRecorder) last(end source.Pos) source.Pos {
	i := sort.Search(len(r.tokens), func(i int) bool { return r.tokens[i].Pos.Offset >= end.Offset }) - 1
	for ; i >= 0; i-- {
		if t := r.tokens[i]; t.Type != tokWhitespace && t.Type != tokComment {
			return t.Pos
		}
	}
	return end
}

// end returns the position just after the one-line token at p.
func (r posRecorder) end(p source.Pos) source.Pos {
	i := sort.Search(len(r.tokens), func(i int) bool { return r.tokens[i].Pos.Offset >= p.Offset })
	if i < len(r.tokens) && r.tokens[i].Pos.Offset == p.Offset {
		n := len(r.tokens[i].Value)
		p.Offset += n
		p.Column += n
	}
	return p
}

// fixEnds sets the end of every node the parser completed to just after
// its last token. The parser ends a node at the token after it, and the
// tokens it reads have no whitespace, so that is where the next token or
// comment starts. Nodes the parser gave up inside have no end yet
// (closeSpans gives them one). The File keeps its end, that of the source.
func fixEnds(f *File, tokens []lexer.Token) {
	r := posRecorder{tokens: tokens}
	Inspect(f, func(n Node) bool {
		if n != Node(f) { // the File spans the whole source
			r.fixEnd(n)
		}
		return true
	})
}

// fixEnd moves the end of n, if it has one, back to just after its last
// token.
func (r posRecorder) fixEnd(n Node) {
	sp := n.Span()
	if !source.Valid(sp.End) {
		return
	}
	tokens := r.tokens
	i := sort.Search(len(tokens), func(i int) bool { return tokens[i].Pos.Offset >= sp.End.Offset }) - 1
	for i >= 0 && tokens[i].Type == tokComment {
		i--
	}
	if i < 0 || tokens[i].Pos.Offset < sp.Start.Offset {
		return
	}
	end := tokens[i].Pos
	advance(&end, []byte(tokens[i].Value))
	n.setEnd(end)
}
