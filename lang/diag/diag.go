// Package diag defines the diagnostics every phase of wavec reports, and
// prints them for people (file:line:col, a source snippet with carets, notes
// and hints) and for tools (JSON).
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/wavec/wavec/lang/source"
)

// Severity says how serious a diagnostic is.
type Severity int

const (
	// Error diagnostics stop a build, a plan or a run.
	Error Severity = iota
	// Warning diagnostics are printed but do not change the exit code.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Code is a stable identifier of a kind of diagnostic, such as "E0203".
// Codes never change meaning between releases, so users can search for them
// and tools can match on them.
type Code string

// Note points at a second place in the source that explains a diagnostic,
// for example where a referenced object is declared.
type Note struct {
	// Span is where the note points; it may be invalid for a note that
	// points nowhere.
	Span source.Span
	// Message is a full sentence or phrase, without a trailing period.
	Message string
}

// Diagnostic is one problem found in the input.
type Diagnostic struct {
	// Severity is Error or Warning.
	Severity Severity
	// Code identifies the kind of problem.
	Code Code
	// Summary is a terse, lower-case statement of the problem.
	Summary string
	// Subject is the tightest span of source responsible for the problem.
	Subject source.Span
	// Notes point at related places.
	Notes []Note
	// Hints say how to fix the problem; the first one is the best guess.
	Hints []string
}

// Error formats the diagnostic's first line, so a Diagnostic can be used as
// an error.
func (d *Diagnostic) Error() string {
	return fmt.Sprintf("%s: %s[%s]: %s", source.Format(d.Subject.Start), d.Severity, d.Code, d.Summary)
}

// Errorf returns an error diagnostic at span.
func Errorf(span source.Span, code Code, format string, args ...any) *Diagnostic {
	return &Diagnostic{Severity: Error, Code: code, Summary: fmt.Sprintf(format, args...), Subject: span}
}

// Warningf returns a warning diagnostic at span.
func Warningf(span source.Span, code Code, format string, args ...any) *Diagnostic {
	return &Diagnostic{Severity: Warning, Code: code, Summary: fmt.Sprintf(format, args...), Subject: span}
}

// Note adds a note pointing at span and returns d.
func (d *Diagnostic) Note(span source.Span, format string, args ...any) *Diagnostic {
	d.Notes = append(d.Notes, Note{Span: span, Message: fmt.Sprintf(format, args...)})
	return d
}

// Hint adds a hint and returns d.
func (d *Diagnostic) Hint(format string, args ...any) *Diagnostic {
	d.Hints = append(d.Hints, fmt.Sprintf(format, args...))
	return d
}

// List is a list of diagnostics. Functions return a partial result together
// with a List rather than stopping at the first problem.
type List []*Diagnostic

// Add appends d to l.
func (l *List) Add(d *Diagnostic) { *l = append(*l, d) }

// Append appends all of other to l.
func (l *List) Append(other List) { *l = append(*l, other...) }

// HasErrors reports whether any diagnostic in l is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns the number of errors in l.
func (l List) Errors() int {
	n := 0
	for _, d := range l {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

// Sort orders l by file, then position, then code, and drops exact
// duplicates (same position, code and summary).
func (l *List) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i].Subject.Start, s[j].Subject.Start
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return s[i].Code < s[j].Code
	})
	out := s[:0]
	for i, d := range s {
		if i > 0 {
			p := out[len(out)-1]
			if p.Subject.Start == d.Subject.Start && p.Code == d.Code && p.Summary == d.Summary {
				continue
			}
		}
		out = append(out, d)
	}
	*l = out
}

// Err returns nil when l holds no errors, and otherwise an error whose text
// lists the first lines of every diagnostic.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return listError(l)
}

type listError List

func (e listError) Error() string {
	var b strings.Builder
	for i, d := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// AsList returns the diagnostics inside err when it came from List.Err or is
// a *Diagnostic, and ok=false otherwise.
func AsList(err error) (List, bool) {
	var le listError
	if errors.As(err, &le) {
		return List(le), true
	}
	var d *Diagnostic
	if errors.As(err, &d) {
		return List{d}, true
	}
	return nil, false
}
