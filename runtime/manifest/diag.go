package manifest

import (
	"bytes"
	"os"
	"strings"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// CodeManifest is the code of every problem with manifests read by Load
// (docs/diagnostics.md).
const CodeManifest diag.Code = "E0901"

// Diagnostics returns the problems as error diagnostics, each at its file,
// line and column, together with the files they point into, so that a
// diag.Printer can show the offending line. The files are read again for
// that; standard input cannot be, so its problems have no snippet.
func (l ErrorList) Diagnostics() (diag.List, *source.Set) {
	files := source.NewSet()
	var out diag.List
	for _, e := range l {
		f := files.File(e.Source.File)
		if f == nil && e.Source.Line > 0 && e.Source.File != StdinName {
			if data, err := os.ReadFile(e.Source.File); err == nil {
				f = source.NewFile(e.Source.File, data)
				files.Add(f)
			}
		}
		summary := e.Message
		if e.Source.Doc > 0 {
			where := strings.TrimPrefix(e.Source.String(), e.Source.Position()+": ")
			if e.Object != "" {
				where += " (" + e.Object + ")"
			}
			summary = where + ": " + e.Message
		}
		out.Add(diag.Errorf(span(f, e.Source), CodeManifest, "%s", summary))
	}
	return out, files
}

// span returns the span of a problem's source: from its column (or the
// first character of the line) to the end of the line when the file's text
// is at hand, else just the position.
func span(f *source.File, s Source) source.Span {
	start := source.Pos{Filename: s.File, Line: s.Line, Column: s.Column}
	if s.Line <= 0 {
		return source.Span{Start: start}
	}
	if start.Column == 0 {
		start.Column = 1
	}
	if f == nil || s.Line > f.LineCount() {
		return source.Span{Start: start, End: start}
	}
	data := f.Content()
	off := 0
	for range s.Line - 1 {
		off += bytes.IndexByte(data[off:], '\n') + 1
	}
	text := f.Line(s.Line)
	col := len(text) - len(strings.TrimLeft(text, " \t")) // the indentation
	if s.Column > 0 {
		col = len(text)
		n := 0
		for i := range text {
			if n == s.Column-1 {
				col = i
				break
			}
			n++
		}
	}
	end := len(strings.TrimRight(text, " \t\r"))
	return f.Span(off+min(col, end), off+max(end, min(col, end)))
}
