package check

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// Setting is one override of a parameter's default, from a --params file.
type Setting struct {
	// Name is the parameter's name.
	Name string
	// Value is the value as --set takes it (unquoted).
	Value string
	// NameSpan and ValueSpan locate the name and the value in the file.
	NameSpan, ValueSpan source.Span
}

// ParseParams reads a --params file: one `NAME = VALUE` per line, as
// --set NAME=VALUE takes it; blank lines and lines starting with `#` or
// `//` are ignored. A value may be written in double quotes, with Go's
// escapes, to keep spaces at its ends. Every bad line is reported, with its
// position; a name given twice is an error.
func ParseParams(f *source.File) ([]Setting, diag.List) {
	var out []Setting
	var diags diag.List
	seen := map[string]source.Span{}
	src := f.Content()
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += off
		}
		line := string(src[off:end])
		lineStart := off
		off = end + 1
		trimmed := strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "//") {
			continue
		}
		lead := strings.Index(line, trimmed)
		at := func(from, to int) source.Span { return f.Span(lineStart+from, lineStart+to) }
		eq := strings.IndexByte(trimmed, '=')
		if eq < 0 {
			diags.Add(diag.Errorf(at(lead, lead+len(trimmed)), CodeParamsLine, "expected NAME = VALUE, not %q", trimmed).
				Hint("write one parameter per line, e.g. replicas = 3"))
			continue
		}
		name := strings.TrimSpace(trimmed[:eq])
		nameAt := at(lead, lead+max(1, len(strings.TrimRight(trimmed[:eq], " \t"))))
		if !isParamName(name) {
			diags.Add(diag.Errorf(nameAt, CodeParamsLine, "%q is not a parameter name", name).
				Hint("write one parameter per line, e.g. replicas = 3"))
			continue
		}
		raw := strings.TrimSpace(trimmed[eq+1:])
		vfrom := lead + eq + 1 + strings.Index(trimmed[eq+1:], raw)
		if raw == "" {
			vfrom = lead + len(trimmed)
		}
		valueAt := at(vfrom, vfrom+len(raw))
		value := raw
		if strings.HasPrefix(raw, `"`) {
			v, err := strconv.Unquote(raw)
			if err != nil {
				diags.Add(diag.Errorf(valueAt, CodeParamsLine, "the value of %s is not a valid quoted string", name).
					Hint(`close the quotes, and escape a quote inside as \"`))
				continue
			}
			value = v
		}
		if prev, ok := seen[name]; ok {
			diags.Add(diag.Errorf(nameAt, CodeRepeated, "parameter %s is given twice", name).
				Note(prev, "first given here").
				Hint("remove one of the lines"))
			continue
		}
		seen[name] = nameAt
		out = append(out, Setting{Name: name, Value: value, NameSpan: nameAt, ValueSpan: valueAt})
	}
	return out, diags
}

// isParamName reports whether s can be the name of a parameter: a letter
// or `_`, then letters, digits, `_` and `-`.
func isParamName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}
