package syntax

import (
	"strings"
	"testing"

	"github.com/wavec/wavec/lang/source"
)

func TestParseDesignCardLine(t *testing.T) {
	src := "pipeline app in prod\nwave 0 < configmap app-config > presync migrate\n"
	f, diags := Parse("card.wave", []byte(src))
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags.Err())
	}
	if len(f.Decls) != 3 {
		t.Fatalf("got %d declarations, want 3 (pipeline, wave, presync hook)", len(f.Decls))
	}
	w := f.Decls[1].Wave
	if w == nil || w.Number.Text != "0" || len(w.Members) != 1 || w.Members[0].Resource.Kind.Value != "configmap" || w.Members[0].Resource.Name.Value != "app-config" {
		t.Errorf("wave parsed wrong: %+v", w)
	}
	h := f.Decls[2].Hook
	if h == nil || h.Phases[0].Value != "presync" || h.Single == nil || h.Single.Name.Value != "migrate" {
		t.Errorf("hook parsed wrong: %+v", h)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"pipeline a", `x.wave:1:11: error[E0101]: unexpected end of file; expected "in"`},
		{"job x { image = }", `x.wave:1:17: error[E0101]: unexpected "}"; expected a value`},
		{`job x { image "a" }`, `x.wave:1:15: error[E0101]: unexpected string "a"; expected "=" or "{"`},
		{"deploymnt x {}", `x.wave:1:1: error[E0101]: unexpected "deploymnt"`},
		{`job x { a = "b }`, `x.wave:1:13: error[E0103]: string is not terminated before the end of the line`},
		{"job x { a = \"\"\"\n b", `x.wave:1:13: error[E0103]: multi-line string is never closed`},
		{"object w = \"\"\"\n  kind: X\n", `x.wave:1:12: error[E0103]: multi-line string is never closed`},
		{"job x { a = @ }", `x.wave:1:13: error[E0102]: unexpected character "@"`},
		{"job x { a = \x01 }", `x.wave:1:13: error[E0102]: unexpected character U+0001`},
		{"job x { a = \"\xff\" }", `x.wave:1:14: error[E0104]: invalid UTF-8 byte 0xff`},
		{"job\x00", `x.wave:1:4: error[E0104]: file contains a NUL byte`},
		{strings.Repeat("[", 100), `error[E0106]: brackets nest more than 64 deep`},
		{"job x { ready = " + strings.Repeat("http on ", 10000) + "80 }", `x.wave:1:529: error[E0106]: probes nest more than 64 deep`},
		{"job x { ready = " + strings.Repeat("exec [{ a = 1 }] on ", 100) + "80 }", `error[E0106]: probes nest more than 64 deep`},
		{`job x { a = "\q" }`, `x.wave:1:14: error[E0107]: unknown escape sequence \q`},
		{`job x { a = "${1x}" }`, `x.wave:1:14: error[E0107]: ${1x} does not name a parameter`},
		{`job x { a = "${x" }`, `x.wave:1:14: error[E0107]: ${ is not closed with }`},
		{"job x { a = \"\"\"\n    a\n  b\n    \"\"\" }", `x.wave:3:1: error[E0107]: line is indented less than the closing """`},
	}
	for _, c := range cases {
		_, diags := Parse("x.wave", []byte(c.src))
		if len(diags) == 0 {
			t.Errorf("%q: no diagnostic, want %q", c.src, c.want)
			continue
		}
		if got := diags[0].Error(); !strings.Contains(got, c.want) {
			t.Errorf("%q:\n got  %s\n want %s", c.src, got, c.want)
		}
	}
}

func TestDeclarationHint(t *testing.T) {
	_, diags := Parse("x.wave", []byte("deploymnt x {}"))
	if len(diags) != 1 || len(diags[0].Hints) == 0 || diags[0].Hints[0] != `did you mean "deployment"?` {
		t.Fatalf("diags = %+v", diags)
	}
}

func TestStringParts(t *testing.T) {
	cases := []struct {
		raw  string
		want string // literal text, with refs shown as <name>
	}{
		{`"plain"`, "plain"},
		{`"a\"b\\c\n\u00e9\$"`, "a\"b\\c\n\u00e9$"},
		{`"img:${tag}-x"`, "img:<tag>-x"},
		{`"keep $${HOME} and $HOME"`, "keep ${HOME} and $HOME"},
		{"\"\"\"\n  apiVersion: v1\n    kind: X\n\n  \"\"\"", "apiVersion: v1\n  kind: X\n\n"},
		{"\"\"\"one line\"\"\"", "one line"},
		{"\"\"\"\n  raw \\n ${v}\n  \"\"\"", "raw \\n <v>\n"},
		{"\"\"\"\na\nb\"\"\"", "a\nb"},
	}
	for _, c := range cases {
		s := &String{Raw: c.raw}
		parts, diags := s.Parts(nil)
		if len(diags) > 0 {
			t.Errorf("%q: %v", c.raw, diags.Err())
		}
		var b strings.Builder
		for _, p := range parts {
			if p.Ref != "" {
				b.WriteString("<" + p.Ref + ">")
			} else {
				b.WriteString(p.Text)
			}
		}
		if b.String() != c.want {
			t.Errorf("%q: got %q, want %q", c.raw, b.String(), c.want)
		}
	}
}

func TestRefSpan(t *testing.T) {
	src := `param tag = "1"` + "\n" + `job x { image = "a:${tag}" }`
	f, diags := Parse("x.wave", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags.Err())
	}
	s := f.Decls[1].Resource.Body.Entries[0].Value.Left.String
	parts, _ := s.Parts(f.Source)
	if len(parts) != 2 || parts[1].Ref != "tag" || source.Format(parts[1].Span.Start) != "x.wave:2:20" || parts[1].Span.End.Column != 26 {
		t.Errorf("parts = %+v", parts)
	}
}

func TestSpansNest(t *testing.T) {
	src := "pipeline a in b\nconfigmap c { A = \"1\"; B = [1, 2] }\nwave 0 < configmap c >\npresync wave -1 < job m { image = \"x\" } > delete on-success timeout 5m\n"
	f, diags := Parse("x.wave", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags.Err())
	}
	var check func(parent, n any)
	check = func(parent, n any) {
		ps, cs := NodeSpan(parent), NodeSpan(n)
		if !ps.Contains(cs) {
			t.Errorf("%T %v-%v is not inside its parent %T %v-%v", n, cs.Start, cs.End, parent, ps.Start, ps.End)
		}
	}
	Inspect(f, func(n Node) bool {
		Inspect(n, func(c Node) bool {
			if c != n {
				check(n, c)
			}
			return true
		})
		return true
	})
}

// TestPartialSpansNest checks that the partial tree returned with a syntax
// error still has every node's span inside its parent's.
func TestPartialSpansNest(t *testing.T) {
	for _, src := range []string{
		"job a { x = 1 }\njob b { r = http \"x\" = 5 }",
		"pipeline a in b\nwave 1 < job a { image = [1, 2 }",
		"presync wave -1 < job m { image = \"x\" } > delete on-success timeout",
	} {
		f, diags := Parse("x.wave", []byte(src))
		if len(diags) == 0 {
			t.Fatalf("%q: no syntax error", src)
		}
		Inspect(f, func(n Node) bool {
			ps := NodeSpan(n)
			if ps.End.Offset < ps.Start.Offset {
				t.Errorf("%q: %T ends (%v) before it starts (%v)", src, n, ps.End, ps.Start)
			}
			Inspect(n, func(c Node) bool {
				if cs := NodeSpan(c); c != n && !ps.Contains(cs) {
					t.Errorf("%q: %T %v-%v is not inside its parent %T %v-%v", src, c, cs.Start, cs.End, n, ps.Start, ps.End)
				}
				return true
			})
			return true
		})
	}
}

// TestRecovery checks that a syntax error ends only its declaration: the
// declarations after it are in the tree, every broken declaration is
// reported once at its position, and nothing is reported for the good ones.
func TestRecovery(t *testing.T) {
	src := "job a { image \"x\" }\n" +
		"configmap ok1 { A = \"1\" }\n" +
		"deployment b {\n  image = \n}\n" +
		"configmap ok2 { B = \"2\" }\n" +
		"wave 0 < job a >\n"
	f, diags := Parse("x.wave", []byte(src))
	var got []string
	for _, d := range diags {
		got = append(got, source.Format(d.Subject.Start))
	}
	if want := []string{"x.wave:1:15", "x.wave:5:1"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("errors at %v, want %v: %v", got, want, diags.Err())
	}
	var names []string
	for _, d := range f.Decls {
		switch {
		case d.Resource != nil && d.Resource.Name != nil:
			names = append(names, d.Resource.Name.Value)
		case d.Wave != nil:
			names = append(names, "wave")
		}
	}
	if want := "a ok1 b ok2 wave"; strings.Join(names, " ") != want {
		t.Errorf("declarations %q, want %q", strings.Join(names, " "), want)
	}
	// A key at column 1 that is also a keyword is not taken for the start
	// of a declaration.
	src = "job a {\nservice = web\n  image \"x\"\n}\njob b { image = }\n"
	_, diags = Parse("x.wave", []byte(src))
	got = nil
	for _, d := range diags {
		got = append(got, source.Format(d.Subject.Start))
	}
	if want := []string{"x.wave:3:9", "x.wave:5:17"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("errors at %v, want %v: %v", got, want, diags.Err())
	}
}
