package langserver

import (
	"sort"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/lang/source"
)

// The protocol counts characters in UTF-16 code units; wavec's positions
// are byte offsets. A lines table converts between the two.
type lines struct {
	content []byte
	starts  []int // byte offset of each line's start
}

func newLines(content []byte) *lines {
	starts := []int{0}
	for i, b := range content {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lines{content: content, starts: starts}
}

// position returns the protocol position of byte offset off.
func (l *lines) position(off int) protocol.Position {
	off = max(0, min(off, len(l.content)))
	i := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > off }) - 1
	return protocol.Position{Line: uint32(i), Character: uint32(utf16Len(l.content[l.starts[i]:off]))}
}

// offset returns the byte offset of protocol position p, clamped to its
// line and to the content.
func (l *lines) offset(p protocol.Position) int {
	if int(p.Line) >= len(l.starts) {
		return len(l.content)
	}
	i := l.starts[p.Line]
	units := 0
	for i < len(l.content) && l.content[i] != '\n' && units < int(p.Character) {
		r, size := utf8.DecodeRune(l.content[i:])
		units += max(1, utf16.RuneLen(r))
		i += size
	}
	return i
}

// rangeOf returns the protocol range of span. An invalid or empty end
// stands for the start.
func (l *lines) rangeOf(span source.Span) protocol.Range {
	if !source.Valid(span.Start) {
		return protocol.Range{}
	}
	start := l.position(span.Start.Offset)
	end := start
	if source.Valid(span.End) && span.End.Offset > span.Start.Offset {
		end = l.position(span.End.Offset)
	}
	return protocol.Range{Start: start, End: end}
}

// utf16Len returns how many UTF-16 code units b takes; an invalid byte
// counts as one replacement character.
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		n += max(1, utf16.RuneLen(r))
	}
	return n
}
