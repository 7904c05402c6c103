// Package source holds .wave source files and positions inside them. It
// imports nothing from the rest of wavec (only the parser library's
// position type), so every other package can use it.
package source

import (
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Pos is a position in a source file: the position type of the parser
// library itself. Being the same type, not a copy of its layout, lets the
// parser store the start and end of every syntax node without a reflective
// conversion, which was a tenth of the CPU time of parsing.
//
// Offset counts bytes from the start of the file; Line and Column are
// 1-based, and Column counts characters (Unicode code points), not bytes.
// Its own String method prints "file:0:0" for a position without a line;
// Format is the form wavec prints.
type Pos = lexer.Position

// Valid reports whether p points somewhere (Line is set).
func Valid(p Pos) bool { return p.Line > 0 }

// Format formats p as "file:line:col", the form editors and CI annotators
// parse. A position without a line is just the file name.
func Format(p Pos) string {
	switch {
	case !Valid(p):
		return p.Filename
	case p.Filename == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// Before reports whether p comes before q in the same file, or whether p's
// file sorts before q's.
func Before(p, q Pos) bool {
	if p.Filename != q.Filename {
		return p.Filename < q.Filename
	}
	return p.Offset < q.Offset
}

// Span is the half-open source range [Start, End). End may equal Start for
// an empty range, such as the end of a file.
type Span struct {
	Start Pos
	End   Pos
}

// IsValid reports whether s has a valid start.
func (s Span) IsValid() bool { return Valid(s.Start) }

// String formats the start of s.
func (s Span) String() string { return Format(s.Start) }

// Contains reports whether inner lies within s (same file, by offsets).
func (s Span) Contains(inner Span) bool {
	return s.Start.Filename == inner.Start.Filename &&
		s.Start.Offset <= inner.Start.Offset && inner.End.Offset <= s.End.Offset
}

// File is one source file's name and content, with an index of line starts
// for turning offsets into positions and for printing snippets.
type File struct {
	name    string
	content []byte
	lines   []int // byte offset at which each line starts
}

// NewFile returns a File for content read from name.
func NewFile(name string, content []byte) *File {
	lines := []int{0}
	for i, b := range content {
		if b == '\n' {
			lines = append(lines, i+1)
		}
	}
	return &File{name: name, content: content, lines: lines}
}

// Name returns the file's name as given to NewFile.
func (f *File) Name() string { return f.name }

// Content returns the file's bytes; callers must not modify them.
func (f *File) Content() []byte { return f.content }

// LineCount returns the number of lines; a file that ends in a newline has
// an empty last line.
func (f *File) LineCount() int { return len(f.lines) }

// Line returns the text of line n (1-based) without its line ending, or ""
// when n is out of range.
func (f *File) Line(n int) string {
	if n < 1 || n > len(f.lines) {
		return ""
	}
	start := f.lines[n-1]
	end := len(f.content)
	if n < len(f.lines) {
		end = f.lines[n] - 1
	}
	if end > start && f.content[end-1] == '\r' {
		end--
	}
	return string(f.content[start:end])
}

// Pos returns the position of byte offset off, clamped to the file.
func (f *File) Pos(off int) Pos {
	off = max(0, min(off, len(f.content)))
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	col := utf8.RuneCount(f.content[f.lines[i]:off]) + 1
	return Pos{Filename: f.name, Offset: off, Line: i + 1, Column: col}
}

// Span returns the span of bytes [start, end) of the file.
func (f *File) Span(start, end int) Span {
	return Span{Start: f.Pos(start), End: f.Pos(end)}
}

// Set is a collection of files by name, which diagnostics use to print
// source snippets.
type Set struct {
	files map[string]*File
	order []string
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{files: map[string]*File{}} }

// Add adds f to s, replacing any file of the same name.
func (s *Set) Add(f *File) {
	if _, ok := s.files[f.name]; !ok {
		s.order = append(s.order, f.name)
	}
	s.files[f.name] = f
}

// File returns the file named name, or nil.
func (s *Set) File(name string) *File {
	if s == nil {
		return nil
	}
	return s.files[name]
}

// Files returns the files in the order they were added.
func (s *Set) Files() []*File {
	out := make([]*File, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, s.files[n])
	}
	return out
}
