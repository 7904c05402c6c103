package syntax

import (
	"strconv"
	"strings"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// Part is one piece of a string's value: literal text, or a ${name}
// reference to a parameter (Ref set, Text empty).
type Part struct {
	// Text is literal text.
	Text string
	// Ref is the name inside ${...}; empty for literal text.
	Ref string
	// Span is where the reference is written, ${ to }.
	Span source.Span
}

// IsTriple reports whether s is written as a """multi-line""" string.
func (s *String) IsTriple() bool { return strings.HasPrefix(s.Raw, `"""`) }

// Unquoted returns the string's value with ${name} references left as
// written. Invalid escapes are kept as written; Parts reports them.
func (s *String) Unquoted() string {
	parts, _ := s.Parts(nil)
	var b strings.Builder
	for _, p := range parts {
		if p.Ref != "" {
			b.WriteString("${" + p.Ref + "}")
			continue
		}
		b.WriteString(p.Text)
	}
	return b.String()
}

// segment is a run of raw source text and the offset where it starts.
type segment struct {
	text string
	off  int
}

// Parts splits the string into literal text and ${name} references,
// processing escapes in "..." strings and stripping the common indentation
// of """...""" strings. sf gives positions for diagnostics; it may be nil.
//
// In "..." strings the escapes are \\ \" \n \r \t \$ and \uXXXX. """...""" strings
// are raw: backslashes are literal. In both, $${ stands for a literal ${.
func (s *String) Parts(sf *source.File) ([]Part, diag.List) {
	var diags diag.List
	span := func(a, b int) source.Span {
		if sf == nil {
			return source.Span{Start: s.Pos, End: s.EndPos}
		}
		return sf.Span(a, b)
	}
	var segs []segment
	escapes := !s.IsTriple()
	if escapes {
		segs = []segment{{s.Raw[1 : len(s.Raw)-1], s.Pos.Offset + 1}}
	} else {
		var d *diag.Diagnostic
		segs, d = tripleSegments(s.Raw, s.Pos.Offset, span)
		if d != nil {
			diags.Add(d)
		}
	}
	var parts []Part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, Part{Text: lit.String()})
			lit.Reset()
		}
	}
	for _, seg := range segs {
		t := seg.text
		for i := 0; i < len(t); {
			c := t[i]
			switch {
			case escapes && c == '\\' && i+1 < len(t):
				n, adv, ok := unescape(t[i:])
				if !ok {
					diags.Add(diag.Errorf(span(seg.off+i, seg.off+i+adv), CodeEscape, "unknown escape sequence %s", t[i:i+adv]).
						Hint(`write \\ for a backslash`))
				}
				lit.WriteString(n)
				i += adv
			case strings.HasPrefix(t[i:], "$${"):
				lit.WriteString("${")
				i += 3
			case strings.HasPrefix(t[i:], "${"):
				end := strings.IndexByte(t[i:], '}')
				if end < 0 {
					diags.Add(diag.Errorf(span(seg.off+i, seg.off+len(t)), CodeEscape, "${ is not closed with }").
						Hint("write $${ for a literal ${"))
					lit.WriteString(t[i:])
					i = len(t)
					continue
				}
				name := t[i+2 : i+end]
				if !isName(name) {
					diags.Add(diag.Errorf(span(seg.off+i, seg.off+i+end+1), CodeEscape, "${%s} does not name a parameter", name).
						Hint("write ${name} with a parameter's name, or $${ for a literal ${"))
				}
				flush()
				parts = append(parts, Part{Ref: name, Span: span(seg.off+i, seg.off+i+end+1)})
				i += end + 1
			default:
				lit.WriteByte(c)
				i++
			}
		}
	}
	flush()
	return parts, diags
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// unescape decodes the escape sequence at the start of t (which begins with
// a backslash) and returns its value, its length and whether it is valid.
func unescape(t string) (string, int, bool) {
	switch t[1] {
	case '\\':
		return `\`, 2, true
	case '"':
		return `"`, 2, true
	case 'n':
		return "\n", 2, true
	case 'r':
		return "\r", 2, true
	case 't':
		return "\t", 2, true
	case '$':
		return "$", 2, true
	case 'u':
		if len(t) >= 6 {
			if v, err := strconv.ParseUint(t[2:6], 16, 32); err == nil {
				return string(rune(v)), 6, true
			}
		}
	}
	return t[:2], 2, false
}

// tripleSegments returns the lines of a """...""" string after stripping the
// indentation of its closing quotes. When the opening quotes end their line,
// that line break is not part of the value; when the closing quotes stand on
// a line of their own, the value ends with a line break.
func tripleSegments(raw string, off int, span func(a, b int) source.Span) ([]segment, *diag.Diagnostic) {
	body := raw[3 : len(raw)-3]
	bodyOff := off + 3
	lines := strings.Split(body, "\n")
	if len(lines) == 1 || strings.TrimRight(lines[0], " \t\r") != "" {
		// One line, or text right after the opening quotes: taken as is.
		return []segment{{body, bodyOff}}, nil
	}
	last := lines[len(lines)-1]
	ownLine := strings.TrimLeft(last, " \t") == ""
	indent := ""
	content := lines[1:]
	if ownLine {
		indent = last
		content = lines[1 : len(lines)-1]
	}
	segs := make([]segment, 0, len(content))
	lineOff := bodyOff + len(lines[0]) + 1
	for i, l := range content {
		next := lineOff + len(l) + 1
		text, at := strings.TrimSuffix(l, "\r"), lineOff
		switch {
		case strings.HasPrefix(text, indent):
			text, at = text[len(indent):], at+len(indent)
		case strings.TrimLeft(text, " \t") == "":
			text = ""
		default:
			return nil, diag.Errorf(span(lineOff, lineOff+len(text)), CodeEscape, "line is indented less than the closing \"\"\"").
				Hint("indent every line of a multi-line string at least as far as its closing \"\"\"")
		}
		if ownLine || i < len(content)-1 {
			text += "\n"
		}
		segs = append(segs, segment{text, at})
		lineOff = next
	}
	return segs, nil
}

// checkStrings reports bad escapes and ${...} references in every string
// of f.
func checkStrings(f *File) diag.List {
	var diags diag.List
	Inspect(f, func(n Node) bool {
		if s, ok := n.(*String); ok {
			_, d := s.Parts(f.Source)
			diags.Append(d)
		}
		return true
	})
	return diags
}
