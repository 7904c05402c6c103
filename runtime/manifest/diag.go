package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// CodeManifest is the code of every problem with manifests read by Load
// (docs/diagnostics.md).
const CodeManifest diag.Code = "E0901"

// Problem is something to report about a place in manifests.
type Problem struct {
	// Severity and Code classify the problem.
	Severity diag.Severity
	Code     diag.Code
	// Source is where the problem is; Object is "Kind/name" when known.
	Source Source
	Object string
	// Message is a sentence without a trailing period.
	Message string
}

// Diagnostics returns the problems as error diagnostics (CodeManifest),
// as Problems.Diagnostics does. command is the wavec command that read the
// YAML ("plan", "import", ...): a kustomization it cannot read gets a hint
// that pipes the rendered YAML into that same command.
func (l ErrorList) Diagnostics(command string) (diag.List, *source.Set) {
	ps := make([]Problem, len(l))
	for i, e := range l {
		ps[i] = Problem{Severity: diag.Error, Code: CodeManifest, Source: e.Source, Object: e.Object, Message: e.Message}
	}
	diags, files := Diagnostics(ps)
	for i, e := range l {
		if e.Kustomize != "" {
			diags[i].Hint("`kustomize build %s | wavec %s -f -` reads the rendered YAML", e.Kustomize, command)
		}
	}
	return diags, files
}

// Diagnostics returns problems as diagnostics, each at its file, line and
// column, together with the files they point into, so that a diag.Printer
// can show the offending line. The files are read again for that, only the
// lines shown; standard input cannot be, so its problems have no snippet.
func Diagnostics(problems []Problem) (diag.List, *source.Set) {
	lines := map[string][]int{} // the lines each file's problems are on
	for _, p := range problems {
		if p.Source.Line > 0 && p.Source.File != StdinName {
			lines[p.Source.File] = append(lines[p.Source.File], p.Source.Line)
		}
	}
	files := source.NewSet()
	for name, want := range lines {
		if f := snippetFile(name, want); f != nil {
			files.Add(f)
		}
	}
	var out diag.List
	for _, p := range problems {
		var where []string
		if p.Source.Doc > 0 {
			where = append(where, strings.TrimPrefix(p.Source.String(), p.Source.Position()+": "))
		}
		if p.Object != "" {
			where = append(where, "("+p.Object+")")
		}
		summary := p.Message
		if len(where) > 0 {
			summary = strings.Join(where, " ") + ": " + p.Message
		}
		out.Add(&diag.Diagnostic{Severity: p.Severity, Code: p.Code, Summary: summary, Subject: span(files.File(p.Source.File), p.Source)})
	}
	return out, files
}

// maxSnippetLine is how much of a line a snippet shows: hostile input may
// hold lines of many megabytes, which a diagnostic must not echo.
const maxSnippetLine = 160

// snippetFile reads again the lines of file that diagnostics show, each cut
// to maxSnippetLine bytes, and returns them as a source file whose other
// lines are empty, so that memory stays bounded whatever the file holds.
// It returns nil when the file cannot be read.
func snippetFile(name string, want []int) *source.File {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	last := slices.Max(want)
	r := bufio.NewReader(f)
	var b bytes.Buffer
	for n := 1; n <= last; n++ {
		var line []byte
		for {
			chunk, err := r.ReadSlice('\n')
			if slices.Contains(want, n) && len(line) < maxSnippetLine {
				line = append(line, chunk[:min(len(chunk), maxSnippetLine-len(line))]...)
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		line = bytes.TrimRight(line, "\r\n")
		if !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return source.NewFile(name, b.Bytes())
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
