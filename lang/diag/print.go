package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/wavec/wavec/lang/source"
)

// tabWidth is how many columns a tab takes in printed snippets.
const tabWidth = 4

// Printer prints diagnostics for people.
type Printer struct {
	// Files supplies the source text for snippets; without it (or for
	// files it lacks) only the first line and the notes are printed.
	Files *source.Set
	// Color enables ANSI colour; set it only when writing to a terminal.
	Color bool
	// Max caps how many diagnostics are printed; 0 means all. A line
	// saying how many were left out follows the last one printed.
	Max int
}

// ansi escape codes used when Color is set.
const (
	bold    = "\x1b[1m"
	red     = "\x1b[1;31m"
	yellow  = "\x1b[1;33m"
	blue    = "\x1b[1;34m"
	cyan    = "\x1b[1;36m"
	reset   = "\x1b[0m"
	noColor = ""
)

func (p *Printer) paint(code, s string) string {
	if !p.Color || code == noColor {
		return s
	}
	return code + s + reset
}

// Print writes every diagnostic in l to w, followed by a blank line between
// diagnostics. It returns the first write error.
func (p *Printer) Print(w io.Writer, l List) error {
	var b strings.Builder
	shown := l
	if p.Max > 0 && len(l) > p.Max {
		shown = l[:p.Max]
	}
	for i, d := range shown {
		if i > 0 {
			b.WriteByte('\n')
		}
		p.write(&b, d)
	}
	if len(shown) < len(l) {
		fmt.Fprintf(&b, "\n... and %d more (use --max-diagnostics=0 to see all)\n", len(l)-len(shown))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (p *Printer) write(b *strings.Builder, d *Diagnostic) {
	sevColor := red
	if d.Severity == Warning {
		sevColor = yellow
	}
	code := ""
	if d.Code != "" {
		code = "[" + string(d.Code) + "]"
	}
	fmt.Fprintf(b, "%s: %s: %s\n", p.paint(bold, message(source.Format(d.Subject.Start))),
		p.paint(sevColor, d.Severity.String()+message(code)), p.paint(bold, message(d.Summary)))
	f := p.Files.File(d.Subject.Start.Filename)
	gutter := 1
	if f != nil && source.Valid(d.Subject.Start) {
		line := d.Subject.Start.Line
		gutter = len(strconv.Itoa(line))
		pad := strings.Repeat(" ", gutter)
		text := f.Line(line)
		// Carets run from the start column to the end of the span, or to the
		// end of the line when the span continues on later lines.
		startByte := byteOffsetInLine(f, d.Subject.Start)
		endByte := len(text)
		if d.Subject.End.Line == line && d.Subject.End.Offset >= d.Subject.Start.Offset {
			endByte = startByte + (d.Subject.End.Offset - d.Subject.Start.Offset)
		}
		endByte = min(endByte, len(text))
		startByte = min(startByte, len(text))
		shown, lead, n := snippet(text, startByte, endByte)
		fmt.Fprintf(b, "%s %s\n", pad, p.paint(blue, "|"))
		fmt.Fprintln(b, strings.TrimRight(fmt.Sprintf("%s %s %s", p.paint(blue, strconv.Itoa(line)), p.paint(blue, "|"), shown), " "))
		fmt.Fprintf(b, "%s %s %s%s\n", pad, p.paint(blue, "|"), strings.Repeat(" ", lead), p.paint(sevColor, strings.Repeat("^", n)))
	}
	pad := strings.Repeat(" ", gutter)
	for _, n := range d.Notes {
		where := ""
		if n.Span.IsValid() {
			where = " (" + message(source.Format(n.Span.Start)) + ")"
		}
		fmt.Fprintf(b, "%s %s %s%s\n", pad, p.paint(blue, "="), p.paint(bold, "note: ")+message(n.Message), where)
	}
	for _, h := range d.Hints {
		fmt.Fprintf(b, "%s %s %s\n", pad, p.paint(blue, "="), p.paint(cyan, "hint: ")+message(h))
	}
}

// byteOffsetInLine returns how many bytes into its line pos is.
func byteOffsetInLine(f *source.File, pos source.Pos) int {
	content := f.Content()
	off := min(pos.Offset, len(content))
	start := off
	for start > 0 && content[start-1] != '\n' {
		start--
	}
	return off - start
}

// displayWidth returns how many terminal columns s takes, with tabs expanded
// and East Asian wide characters counted as two.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r == '\t':
			w += tabWidth - w%tabWidth
		case r == utf8.RuneError:
			w++
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				w += 2
			default:
				w++
			}
		}
	}
	return w
}

// jsonPos is a position in the JSON form.
type jsonPos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type jsonNote struct {
	Message string   `json:"message"`
	Pos     *jsonPos `json:"pos,omitempty"`
}

type jsonDiagnostic struct {
	Severity Severity   `json:"severity"`
	Code     Code       `json:"code"`
	Summary  string     `json:"summary"`
	Pos      jsonPos    `json:"pos"`
	End      jsonPos    `json:"end"`
	Notes    []jsonNote `json:"notes,omitempty"`
	Hints    []string   `json:"hints,omitempty"`
}

// WriteJSON writes l as a JSON array, one object per diagnostic with
// severity, code, summary, pos and end ({file, line, column}), notes and
// hints. An empty list is written as [].
func WriteJSON(w io.Writer, l List) error {
	out := make([]jsonDiagnostic, 0, len(l))
	for _, d := range l {
		jd := jsonDiagnostic{
			Severity: d.Severity, Code: d.Code, Summary: d.Summary,
			Pos:   toJSONPos(d.Subject.Start),
			End:   toJSONPos(d.Subject.End),
			Hints: d.Hints,
		}
		for _, n := range d.Notes {
			jn := jsonNote{Message: n.Message}
			if n.Span.IsValid() {
				p := toJSONPos(n.Span.Start)
				jn.Pos = &p
			}
			jd.Notes = append(jd.Notes, jn)
		}
		out = append(out, jd)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := w.Write(escapeJSON(b.Bytes()))
	return err
}

func toJSONPos(p source.Pos) jsonPos {
	return jsonPos{File: p.Filename, Line: p.Line, Column: p.Column}
}
