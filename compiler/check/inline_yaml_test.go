package check_test

import (
	"strings"
	"testing"

	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/lang/syntax"
)

// TestInlineYAMLColumns checks that a diagnostic inside inline YAML points
// at the exact column of the offending value, whatever the quotes around
// the YAML: flow style on one line of a `"..."` string, of a `"""`
// string that opens and closes on that line, and of a multi-line one.
func TestInlineYAMLColumns(t *testing.T) {
	for _, c := range []struct {
		name, line string
		multi      bool
	}{
		{name: "single-line string", line: `object cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {a: 1}}"`},
		{name: "triple quotes on one line", line: `object cm = """{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {a: 1}}"""`},
		{name: "flow line in a block", line: `  {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {a: 1}}`, multi: true},
		{name: "flow map in block style", line: `  data: {b: "x", a: 1}`, multi: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := "pipeline app in default\n" + c.line + "\n"
			if c.multi {
				src = "pipeline app in default\nobject cm = \"\"\"\n"
				if strings.HasPrefix(strings.TrimSpace(c.line), "data:") {
					src += "  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm}\n"
				}
				src += c.line + "\n  \"\"\"\n"
			}
			f, diags := syntax.Parse("p.wave", []byte(src))
			if len(diags) > 0 {
				t.Fatal(diags.Err())
			}
			_, diags = check.Check([]*syntax.File{f}, check.Options{})
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got %v", diags.Err())
			}
			d := diags[0]
			lines := strings.Split(src, "\n")
			at := d.Subject.Start
			if at.Line < 1 || at.Line > len(lines) || lines[at.Line-1] != c.line {
				t.Fatalf("diagnostic on line %d, want the line %q", at.Line, c.line)
			}
			want := strings.Index(c.line, "a: 1") + len("a: ") + 1
			if at.Column != want || d.Subject.End.Column != want+1 {
				t.Errorf("%s: columns %d-%d, want %d-%d (the 1)", d.Summary, at.Column, d.Subject.End.Column, want, want+1)
			}
		})
	}
}
