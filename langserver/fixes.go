package langserver

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// Quick fixes come from the hints that are one edit of the diagnostic's
// subject: "did you mean ...?" and the hook delete policy to write. A fix
// is offered only when the subject's text has the shape the hint replaces,
// so a hint that does not fit produces no edit rather than a wrong one.

var (
	meanQuoted   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^did you mean (\"(?:[^\"\\\\]|\\\\.)*\")\\?$") })
	meanCode     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^did you mean `([^`]+)`\\?$") })
	deletePolicy = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^(?:add before-create: |use )`(delete [^`]+)`$") })
	addField     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^add `([a-z_]+ = [^`]+)`$") })
	placeholder  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b[A-Z]{2,}\b`) })
)

// fix is one edit that carries out a hint.
type fix struct {
	title   string
	newText string
}

// fixFor returns the fix of d, whose subject's text in its file is
// subject, and the text before the subject on its line.
func fixFor(d *diag.Diagnostic, subject, before string) (fix, bool) {
	if subject == "" {
		return fix{}, false
	}
	for _, h := range d.Hints {
		if m := meanQuoted().FindStringSubmatch(h); m != nil {
			want, err := strconv.Unquote(m[1])
			if err != nil || want == "" {
				continue
			}
			switch {
			case strings.HasPrefix(subject, "${") && strings.HasSuffix(subject, "}") && isName(subject[2:len(subject)-1]):
				return fix{"Change to ${" + want + "}", "${" + want + "}"}, true
			case strings.HasPrefix(subject, `"`) && strings.HasSuffix(subject, `"`) && len(subject) >= 2:
				return fix{"Change to " + strconv.Quote(want), strconv.Quote(want)}, true
			case isName(subject) && subject != want:
				return fix{"Change to " + want, want}, true
			}
		}
		if m := meanCode().FindStringSubmatch(h); m != nil {
			want := m[1]
			wk, wn, two := strings.Cut(want, " ")
			sk, sn, stwo := strings.Cut(subject, " ")
			switch {
			case two && stwo && isName(sk) && isName(sn) && isKindWord(sk):
				return fix{"Change to " + want, want}, true
			case two && !stwo && isName(subject):
				// The subject is the name; the kind may stand before it.
				if strings.HasSuffix(strings.TrimRight(before, " \t"), wk) {
					return fix{"Change to " + want, wn}, true
				}
				return fix{"Change to " + want, want}, true
			case !two && isName(subject) && !stwo:
				return fix{"Change to " + want, want}, true
			}
		}
		if m := deletePolicy().FindStringSubmatch(h); m != nil && strings.HasPrefix(subject, "delete") {
			return fix{"Change to " + m[1], m[1]}, true
		}
	}
	return fix{}, false
}

func (s *server) codeAction(_ context.Context, p *protocol.CodeActionParams) ([]protocol.CodeAction, error) {
	a, d, err := s.analysisOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	l := a.linesOf(d.path)
	out := []protocol.CodeAction{}
	if l == nil {
		return out, nil
	}
	if len(p.Context.Only) > 0 {
		wanted := false
		for _, k := range p.Context.Only {
			if k == protocol.QuickFix || strings.HasPrefix(string(protocol.QuickFix), string(k)+".") {
				wanted = true
			}
		}
		if !wanted {
			return out, nil
		}
	}
	lo, hi := l.offset(p.Range.Start), l.offset(p.Range.End)
	for _, dg := range a.diags {
		sp := dg.Subject
		if sp.Start.Filename != d.path || !source.Valid(sp.End) || sp.End.Offset < sp.Start.Offset {
			continue
		}
		if sp.End.Offset < lo || sp.Start.Offset > hi {
			continue
		}
		start, end := sp.Start.Offset, min(sp.End.Offset, len(l.content))
		lineStart := start
		for lineStart > 0 && l.content[lineStart-1] != '\n' {
			lineStart--
		}
		edit := protocol.TextEdit{Range: l.rangeOf(sp)}
		fx, ok := fixFor(dg, string(l.content[start:end]), string(l.content[lineStart:start]))
		if ok {
			edit.NewText = fx.newText
		} else if fx, edit, ok = a.addFieldFix(dg, l); !ok {
			continue
		}
		out = append(out, protocol.CodeAction{
			Title:       fx.title,
			Kind:        protocol.QuickFix,
			Diagnostics: []protocol.Diagnostic{a.protocolDiagnostic(dg, d.path)},
			IsPreferred: true,
			Edit:        &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{d.uri: {edit}}},
		})
	}
	return out, nil
}

// addFieldFix returns the fix of a hint "add `FIELD = VALUE`" for a
// declaration that lacks a required field: the entry inserted at the start
// of its body (or a body holding it). Hints whose value is a placeholder
// such as NAME are left alone.
func (a *analysis) addFieldFix(d *diag.Diagnostic, l *lines) (fix, protocol.TextEdit, bool) {
	var entry string
	for _, h := range d.Hints {
		if m := addField().FindStringSubmatch(h); m != nil && !placeholder().MatchString(m[1]) {
			entry = m[1]
			break
		}
	}
	if entry == "" {
		return fix{}, protocol.TextEdit{}, false
	}
	var sym *symbol
	for _, s := range a.index.decls {
		if s.resource != nil && s.nameSpan == d.Subject {
			sym = s
		}
	}
	if sym == nil {
		return fix{}, protocol.TextEdit{}, false
	}
	r := sym.resource
	var at int
	var text string
	switch {
	case r.Body == nil:
		at, text = r.EndPos.Offset, " { "+entry+" }"
	case r.Body.Pos.Line == r.Body.EndPos.Line:
		at, text = r.Body.Pos.Offset+1, " "+entry+";"
	default:
		at, text = r.Body.Pos.Offset+1, "\n  "+entry
	}
	p := l.position(at)
	return fix{title: "Add " + entry}, protocol.TextEdit{Range: protocol.Range{Start: p, End: p}, NewText: text}, true
}
