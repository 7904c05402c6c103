// Package format prints .wave files in their canonical form, the one
// `wavec fmt` writes.
//
// The printer follows the source where the language leaves a choice and
// makes everything else uniform:
//
//   - Every comment is kept: own-line comments stay on their own line at the
//     indentation of what follows them, trailing comments stay at the end of
//     their line.
//   - One declaration per line, except that a wave or hook statement that
//     starts on the line where the previous wave or hook statement ended
//     stays on that line (`wave 0 < configmap app-config > presync migrate`).
//   - Runs of blank lines become one blank line; there are none at the start
//     of the file or just inside brackets.
//   - A block `{}`, list `[]` or member list `< >` stays on one line when its
//     brackets were on one line (`{ a = 1; b = 2 }`, `[1, 2]`,
//     `< job a, job b >`); otherwise it has one entry per line, indented by
//     two spaces. On one line, the entries of a declaration's body are
//     separated by "; ", those of a map value by ", ".
//   - In a multi-line block, the `=` of consecutive one-line `key = value`
//     entries line up, and so do the `=` of consecutive one-line params.
//     Trailing comments on consecutive lines of the same indentation line up.
//   - Strings and numbers are printed exactly as written, including the
//     content of """ strings.
//
// Printing is idempotent: formatting formatted source changes nothing.
package format

import (
	"bytes"
	"strings"

	"golang.org/x/text/width"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// Format parses src, read from filename, and returns its canonical form. When
// src has syntax errors it returns nil and the diagnostics.
func Format(filename string, src []byte) ([]byte, diag.List) {
	f, diags := syntax.Parse(filename, src)
	if diags.HasErrors() {
		return nil, diags
	}
	return Source(f), diags
}

// Source returns the canonical form of f, which must be a File that
// syntax.Parse returned without errors: the printer reads comments and the
// placement of keywords, brackets and statements from the tree (f.Comments
// and the nodes' positions), never from the source text. The result ends in
// exactly one newline, or is empty for a file without declarations and
// comments.
func Source(f *syntax.File) []byte {
	p := &printer{comments: f.Comments}
	p.file(f)
	out := align(p.out)
	out = bytes.TrimRight(out, "\n")
	if len(out) == 0 {
		return []byte{}
	}
	return append(out, '\n')
}

// Marker bytes the printer writes where alignment may add spaces; neither can
// occur in UTF-8 text, so they never clash with source text.
const (
	alignEq      = '\xfe' // before the "=" of a one-line entry or param
	alignComment = '\xff' // before a trailing comment
)

// ws is the whitespace requested before the next token.
type ws int

const (
	wsNone  ws = iota // directly after the previous token
	wsSpace           // one space
	wsAlign           // one space that alignment may widen (before "=")
	wsLine            // a new line at the current indentation; one blank line is kept
	wsClose           // a new line for a closing bracket; blank lines are dropped
)

type printer struct {
	out []byte

	comments []*syntax.Comment
	next     int // index of the first comment not yet printed

	indent    int  // indentation level of new lines
	cont      bool // the current statement or entry has continued on a new line (indent includes it)
	ws        ws   // whitespace before the next token
	broken    bool // a comment ended the output line; the next token starts a new one
	afterOpen bool // the last thing printed opens a multi-line container
	lastLine  int  // source line where the last printed token or comment ended; 0 before any
	mark      int  // offset in out of the alignEq marker the last token wrote, or -1
}

// newline writes a line break, a blank line before it when blank is set, and
// the indentation of the current level.
func (p *printer) newline(blank bool) {
	if len(p.out) == 0 {
		return
	}
	if blank {
		p.out = append(p.out, '\n')
	}
	p.out = append(p.out, '\n')
	for range p.indent {
		p.out = append(p.out, ' ', ' ')
	}
}

// structural reports whether w starts a new line by itself.
func structural(w ws) bool { return w == wsLine || w == wsClose }

// breakLine starts a new line before the next token or comment at source line
// next, after a comment or as the requested whitespace asks. A break inside a
// statement (not at a structural position) indents the rest of the
// statement one more level.
func (p *printer) breakLine(next int) {
	if !structural(p.ws) && !p.cont {
		p.cont = true
		p.indent++
	}
	blank := p.ws == wsLine && !p.afterOpen && p.lastLine > 0 && next-p.lastLine > 1
	p.newline(blank)
}

// flush prints the comments that start before offset off.
func (p *printer) flush(off int) {
	for p.next < len(p.comments) && p.comments[p.next].Pos.Offset < off {
		c := p.comments[p.next]
		p.next++
		if len(p.out) > 0 && c.Pos.Line == p.lastLine && !p.broken {
			p.out = append(p.out, alignComment)
		} else {
			p.breakLine(c.Pos.Line)
		}
		p.out = append(p.out, c.Text...)
		p.broken = true
		p.afterOpen = false
		p.lastLine = c.EndPos.Line
	}
}

// token prints text, written at source position at, after the comments
// before it and the requested whitespace.
func (p *printer) token(at source.Pos, text string) {
	p.flush(at.Offset)
	line := at.Line
	p.mark = -1
	switch {
	case p.broken || structural(p.ws):
		p.breakLine(line)
	case p.ws == wsSpace:
		p.out = append(p.out, ' ')
	case p.ws == wsAlign:
		p.mark = len(p.out)
		p.out = append(p.out, alignEq)
	}
	p.out = append(p.out, text...)
	p.broken = false
	p.afterOpen = false
	p.ws = wsNone
	p.lastLine = line + strings.Count(text, "\n")
}

// unit runs print for one statement, entry, list item or member: a line break
// inside it indents its continuation lines, until it ends.
func (p *printer) unit(print func()) {
	saved := p.cont
	p.cont = false
	print()
	if p.cont {
		p.indent--
	}
	p.cont = saved
}

// space requests one space before the next token.
func (p *printer) space() { p.ws = wsSpace }

func (p *printer) file(f *syntax.File) {
	var prev *syntax.Decl
	for _, d := range f.Decls {
		p.ws = wsLine
		if prev != nil && isOrder(prev) && isOrder(d) && prev.EndPos.Line == d.Pos.Line {
			p.ws = wsSpace
		}
		p.unit(func() { p.decl(d) })
		prev = d
	}
	p.ws = wsLine
	p.flush(int(^uint(0) >> 1))
}

// isOrder reports whether d is a wave or hook statement, which may share a
// line with the previous one.
func isOrder(d *syntax.Decl) bool { return d.Wave != nil || d.Hook != nil }

func (p *printer) decl(d *syntax.Decl) {
	switch {
	case d.Pipeline != nil:
		x := d.Pipeline
		p.token(x.Pos, "pipeline")
		p.space()
		p.ident(x.Name)
		p.space()
		p.token(x.InPos, "in")
		p.space()
		p.ident(x.Namespace)
		if x.Body != nil {
			p.space()
			p.body(x.Body)
		}
	case d.Param != nil:
		x := d.Param
		p.token(x.Pos, "param")
		start := len(p.out)
		p.space()
		p.ident(x.Name)
		p.ws = wsAlign
		p.token(x.AssignPos, "=")
		mark := p.mark
		p.space()
		p.value(x.Value)
		p.settleAlign(start, mark)
	case d.Wave != nil:
		x := d.Wave
		p.token(x.Pos, "wave")
		p.space()
		p.number(x.Number)
		p.space()
		p.members(x.OpenPos, x.Members, x.ClosePos)
	case d.Hook != nil:
		p.hook(d.Hook)
	case d.Object != nil:
		p.object(d.Object)
	case d.Resource != nil:
		p.resource(d.Resource)
	}
}

// settleAlign keeps the alignment marker at out[mark] (if mark >= 0) only
// when what was printed since out[start] stayed on one line.
func (p *printer) settleAlign(start, mark int) {
	if mark >= 0 && bytes.IndexByte(p.out[start:], '\n') >= 0 {
		p.out[mark] = ' '
	}
}

func (p *printer) hook(h *syntax.Hook) {
	for i, ph := range h.Phases {
		if i > 0 {
			p.token(h.Phases[i-1].EndPos, ",")
			p.space()
		}
		p.token(ph.Pos, ph.Value)
	}
	if h.Wave != nil {
		p.space()
		p.token(h.WavePos, "wave")
		p.space()
		p.number(h.Wave)
	}
	p.space()
	if h.Single != nil {
		p.member(h.Single)
	} else {
		p.members(h.OpenPos, h.Members, h.ClosePos)
	}
	for _, o := range h.Options {
		p.space()
		p.option(o)
	}
}

func (p *printer) option(o *syntax.HookOption) {
	switch {
	case o.Delete != nil:
		p.token(o.Pos, "delete")
		for i, id := range o.Delete {
			if i > 0 {
				p.token(o.Delete[i-1].EndPos, ",")
			}
			p.space()
			p.ident(id)
		}
	case o.Timeout != nil:
		p.token(o.Pos, "timeout")
		p.space()
		p.value(o.Timeout)
	case o.Retries != nil:
		p.token(o.Pos, "retries")
		p.space()
		p.value(o.Retries)
	case o.After != nil:
		p.token(o.Pos, "after")
		p.space()
		p.targets(o.After)
	}
}

func (p *printer) resource(r *syntax.Resource) {
	p.token(r.Kind.Pos, r.Kind.Value)
	p.space()
	p.ident(r.Name)
	if r.External {
		p.space()
		p.token(r.ExternalPos, "external")
	}
	if len(r.After) > 0 {
		p.space()
		p.token(r.AfterPos, "after")
		p.space()
		p.targets(r.After)
	}
	if r.Body != nil {
		p.space()
		p.body(r.Body)
	}
}

func (p *printer) object(o *syntax.Object) {
	p.token(o.Pos, "object")
	p.space()
	p.ident(o.Name)
	switch {
	case o.From != nil:
		p.space()
		p.token(o.FromPos, "from")
		p.space()
		p.str(o.From)
	case o.Inline != nil:
		p.space()
		p.token(o.FromPos, "=")
		p.space()
		p.str(o.Inline)
	}
	if len(o.After) > 0 {
		p.space()
		p.token(o.AfterPos, "after")
		p.space()
		p.targets(o.After)
	}
}

func (p *printer) targets(ts []*syntax.Target) {
	for i, t := range ts {
		if i > 0 {
			p.token(ts[i-1].EndPos, ",")
			p.space()
		}
		if t.Kind != nil {
			p.token(t.Kind.Pos, t.Kind.Value)
			p.space()
		}
		p.ident(t.Name)
	}
}

func (p *printer) member(m *syntax.Member) {
	switch {
	case m.Object != nil:
		p.object(m.Object)
	case m.Resource != nil:
		p.resource(m.Resource)
	case m.Name != nil:
		p.ident(m.Name)
	}
}

// members prints `< MEMBER, ... >` whose brackets are at open and close.
func (p *printer) members(open source.Pos, ms []*syntax.Member, close source.Pos) {
	items := make([]item, len(ms))
	for i, m := range ms {
		items[i] = item{
			end:   m.EndPos,
			print: func() { p.member(m) },
		}
		if i+1 < len(ms) {
			items[i].sep = memberSeparator(m, ms[i+1])
		}
	}
	p.container(open, close, "<", ">", items, true)
}

// memberSeparator returns the separator between members a and b: ", " on one
// line and nothing on separate lines, except where that would change how they
// parse. A comma after an `after` list would take b as one more target, and
// without a comma b can continue a: `job a` + `external`, `object o` +
// `from`, a bare `job` + `b`.
func memberSeparator(a, b *syntax.Member) separator {
	var after bool
	var open []string // names b would continue a with
	switch {
	case a.Resource != nil:
		r := a.Resource
		after = len(r.After) > 0
		if !after && r.Body == nil {
			open = []string{"after"}
			if !r.External {
				open = append(open, "external")
			}
		}
	case a.Object != nil:
		o := a.Object
		after = len(o.After) > 0
		if !after {
			open = []string{"after"}
			if o.From == nil && o.Inline == nil {
				open = append(open, "from")
			}
		}
	case a.Name != nil:
		if syntax.IsRefKind(a.Name.Value) {
			return separator{oneLine: ", ", multiLine: ","}
		}
	}
	if after {
		return separator{oneLine: " "}
	}
	if b.Name != nil {
		for _, w := range open {
			if b.Name.Value == w {
				return separator{oneLine: ", ", multiLine: ","}
			}
		}
	}
	return separator{oneLine: ", "}
}

// block prints a `{ ... }` block. On one line, the entries of a map value
// are separated by commas (`ports = { http = 80, metrics = 9090 }`), those
// of a declaration's body by semicolons (`job smoke { image = "x"; run = "y" }`).
func (p *printer) block(b *syntax.Block, isMap bool) {
	sep := "; "
	if isMap {
		sep = ", "
	}
	items := make([]item, len(b.Entries))
	for i, e := range b.Entries {
		items[i] = item{
			end:     e.EndPos,
			print:   func() { p.entry(e, false) },
			aligned: func() { p.entry(e, true) },
			sep:     separator{oneLine: sep},
		}
		if i+1 < len(b.Entries) && needsSemicolon(e, b.Entries[i+1]) {
			items[i].sep.multiLine = ";"
		}
	}
	p.container(b.Pos, b.ClosePos, "{", "}", items, true)
}

// body prints the block of a declaration or of a `key { ... }` entry. Like a
// function body in Go, it is indented from the start of its statement even
// when a comment broke the statement's first line.
func (p *printer) body(b *syntax.Block) {
	if p.cont {
		p.cont = false
		p.indent--
	}
	p.block(b, false)
}

// needsSemicolon reports whether entry a must be followed by ";" when b
// starts the next line: a probe without arguments would take a string key as
// its path, and one without a port would take `on { ... }` as its port.
func needsSemicolon(a, b *syntax.Entry) bool {
	if a.Value == nil {
		return false
	}
	last := a.Value.Left
	if a.Value.Right != nil {
		last = a.Value.Right
	}
	pr := last.Probe
	if pr == nil || pr.Port != nil {
		return false
	}
	if b.Key.String != nil && pr.Path == nil && pr.Command == nil {
		return true
	}
	return b.Key.Ident != nil && *b.Key.Ident == "on"
}

func (p *printer) entry(e *syntax.Entry, align bool) {
	if e.Key.String != nil {
		p.str(e.Key.String)
	} else {
		p.token(e.Key.Pos, *e.Key.Ident)
	}
	if l := e.Label; l != nil {
		p.space()
		p.token(l.Pos, *l.Ident)
	}
	start := len(p.out)
	if e.Block != nil {
		p.space()
		p.body(e.Block)
		return
	}
	p.ws = wsSpace
	if align {
		p.ws = wsAlign
	}
	p.token(e.AssignPos, "=")
	mark := p.mark
	p.space()
	p.value(e.Value)
	p.settleAlign(start, mark)
}

func (p *printer) value(v *syntax.Value) {
	p.primary(v.Left)
	if v.Right != nil {
		p.space()
		p.token(v.ArrowPos, "->")
		p.space()
		p.primary(v.Right)
	}
}

func (p *printer) primary(x *syntax.Primary) {
	switch {
	case x.String != nil:
		p.str(x.String)
	case x.Unit != nil:
		p.token(x.Pos, *x.Unit)
	case x.Number != nil:
		p.number(x.Number)
	case x.Bool != nil:
		p.token(x.Pos, *x.Bool)
	case x.List != nil:
		p.list(x.List)
	case x.Map != nil:
		p.block(x.Map, true)
	case x.Probe != nil:
		p.probe(x.Probe)
	case x.Ref != nil:
		p.token(x.Ref.Kind.Pos, x.Ref.Kind.Value)
		p.space()
		p.ident(x.Ref.Name)
	case x.Ident != nil:
		p.token(x.Pos, *x.Ident)
	}
}

func (p *printer) probe(pr *syntax.Probe) {
	p.token(pr.Pos, pr.Type)
	if pr.Path != nil {
		p.space()
		p.str(pr.Path)
	}
	if pr.Command != nil {
		p.space()
		p.list(pr.Command)
	}
	if pr.Port != nil {
		p.space()
		p.token(pr.OnPos, "on")
		p.space()
		p.primary(pr.Port.Primary())
	}
	if pr.Timing != nil {
		p.space()
		p.block(pr.Timing, true)
	}
}

func (p *printer) list(l *syntax.List) {
	items := make([]item, len(l.Items))
	for i, v := range l.Items {
		items[i] = item{
			end:   v.EndPos,
			print: func() { p.value(v) },
			sep:   separator{oneLine: ", ", multiLine: ","},
		}
	}
	// A multi-line list ends every item with a comma, the last one too.
	if len(items) > 0 {
		items[len(items)-1].sep.multiLine = ","
	}
	p.container(l.Pos, l.ClosePos, "[", "]", items, false)
}

// item is one entry of a block, list or member list.
type item struct {
	end     source.Pos // where the entry ends
	print   func()     // prints the entry
	aligned func()     // prints the entry with its "=" aligned, when it can have one
	sep     separator
}

// separator is what follows an item: oneLine between items of a one-line
// container (not after the last), multiLine at the end of its line in a
// multi-line one.
type separator struct {
	oneLine   string
	multiLine string
}

// container prints a bracketed sequence of items whose brackets are at
// source positions open and close. It stays on one line when its brackets were on one
// line, or when it has neither items nor comments; padded sets whether a
// one-line form has spaces inside the brackets.
func (p *printer) container(open, close source.Pos, openText, closeText string, items []item, padded bool) {
	p.token(open, openText)
	hasComments := p.next < len(p.comments) && p.comments[p.next].Pos.Offset < close.Offset
	multi := open.Line != close.Line && (len(items) > 0 || hasComments)
	if !multi {
		for i, it := range items {
			if i > 0 {
				p.token(items[i-1].end, items[i-1].sep.oneLine)
			} else if padded {
				p.space()
			}
			p.unit(it.print)
		}
		if len(items) > 0 && padded {
			p.space()
		}
		p.token(close, closeText)
		return
	}
	p.indent++
	p.afterOpen = true
	for _, it := range items {
		p.ws = wsLine
		print := it.print
		if it.aligned != nil {
			print = it.aligned
		}
		p.unit(func() {
			print()
			if it.sep.multiLine != "" {
				p.token(it.end, it.sep.multiLine)
			}
		})
	}
	p.ws = wsLine
	p.flush(close.Offset)
	p.indent--
	p.ws = wsClose
	p.token(close, closeText)
}

func (p *printer) ident(id *syntax.Ident) { p.token(id.Pos, id.Value) }

func (p *printer) number(n *syntax.Number) { p.token(n.Pos, n.Text) }

func (p *printer) str(s *syntax.String) { p.token(s.Pos, s.Raw) }

// align widens the alignment markers of consecutive lines with the same
// indentation so that what follows them starts in one column, first for "="
// and then for trailing comments, and turns every marker into a space.
func align(out []byte) []byte {
	lines := bytes.Split(out, []byte("\n"))
	alignColumn(lines, alignEq)
	alignColumn(lines, alignComment)
	return bytes.Join(lines, []byte("\n"))
}

func alignColumn(lines [][]byte, marker byte) {
	for i := 0; i < len(lines); {
		if bytes.IndexByte(lines[i], marker) < 0 {
			i++
			continue
		}
		indent := leadingSpaces(lines[i])
		j := i + 1
		for j < len(lines) && bytes.IndexByte(lines[j], marker) >= 0 && leadingSpaces(lines[j]) == indent {
			j++
		}
		col := 0
		for _, l := range lines[i:j] {
			col = max(col, displayWidth(l[:bytes.IndexByte(l, marker)]))
		}
		for k := i; k < j; k++ {
			l := lines[k]
			m := bytes.IndexByte(l, marker)
			pad := col - displayWidth(l[:m]) + 1
			aligned := make([]byte, 0, len(l)+pad)
			aligned = append(aligned, l[:m]...)
			aligned = append(aligned, bytes.Repeat([]byte{' '}, pad)...)
			lines[k] = append(aligned, l[m+1:]...)
		}
		i = j
	}
}

func leadingSpaces(l []byte) int {
	n := 0
	for n < len(l) && l[n] == ' ' {
		n++
	}
	return n
}

// displayWidth returns how many columns s takes in a terminal or editor, with
// East Asian wide characters counted as two.
func displayWidth(s []byte) int {
	w := 0
	for _, r := range string(s) {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			w += 2
		default:
			w++
		}
	}
	return w
}
