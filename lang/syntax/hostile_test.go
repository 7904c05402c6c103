package syntax

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// parseHostile parses src, which must not be a valid file, and checks that
// the result is at least one error diagnostic with a position inside the
// file. It returns the first diagnostic.
func parseHostile(t *testing.T, name string, src []byte) *diag.Diagnostic {
	t.Helper()
	f, diags := Parse("x.wave", src)
	if f == nil || f.Source == nil {
		t.Fatalf("%s: Parse returned no File", name)
	}
	if !diags.HasErrors() {
		t.Fatalf("%s: no error diagnostic", name)
	}
	for _, d := range diags {
		s := d.Subject
		if !source.Valid(s.Start) || s.Start.Filename != "x.wave" || s.End.Offset < s.Start.Offset || s.End.Offset > len(src) {
			t.Errorf("%s: diagnostic %q has span %v-%v (offsets %d-%d) outside the %d-byte file",
				name, d.Error(), s.Start, s.End, s.Start.Offset, s.End.Offset, len(src))
		}
	}
	return diags[0]
}

func TestHostileBinary(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := range 50 {
		src := make([]byte, 1+r.Intn(4096))
		r.Read(src)
		d := parseHostile(t, "random bytes", src)
		if d.Code != CodeEncoding && d.Code != CodeLexical {
			t.Errorf("random bytes #%d: %v, want an encoding or lexical error", i, d)
		}
	}
	d := parseHostile(t, "ELF header", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"))
	if d.Code != CodeEncoding || d.Subject.Start.Column != 8 {
		t.Errorf("ELF header: %v, want the NUL byte at column 8", d)
	}
}

func TestHostileInvalidUTF8(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"job x {\n  image = \"\xc3\x28\"\n}\n", `x.wave:2:12: error[E0104]: invalid UTF-8 byte 0xc3`},
		{"// comment \xff\n", `x.wave:1:12: error[E0104]: invalid UTF-8 byte 0xff`},
		{"\xef\xbb", `x.wave:1:1: error[E0104]: invalid UTF-8 byte 0xef`},
		{"job é\xed\xa0\x80", `x.wave:1:6: error[E0104]: invalid UTF-8 byte 0xed`}, // a UTF-16 surrogate
	} {
		d := parseHostile(t, c.src, []byte(c.src))
		if !strings.HasPrefix(d.Error(), c.want) {
			t.Errorf("%q:\n got  %s\n want %s", c.src, d.Error(), c.want)
		}
	}
}

// TestHostileText feeds random valid UTF-8 made of the language's own
// characters, which gets past the encoding checks into the lexer and parser.
func TestHostileText(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	alphabet := []rune("{}[]<>=,;-> \n\t\"$/\\abcxyz019.日本é@#")
	for range 200 {
		runes := make([]rune, r.Intn(200))
		for i := range runes {
			runes[i] = alphabet[r.Intn(len(alphabet))]
		}
		src := []byte(string(runes))
		f, diags := Parse("x.wave", src)
		if f == nil {
			t.Fatalf("%q: no File", src)
		}
		for _, d := range diags {
			if s := d.Subject; !source.Valid(s.Start) || s.End.Offset > len(src) || s.End.Offset < s.Start.Offset {
				t.Errorf("%q: diagnostic %q has a span outside the file", src, d.Error())
			}
		}
	}
}

func TestEmptyFile(t *testing.T) {
	for _, src := range []string{"", "\n", " \t\r\n\n", "// only a comment"} {
		f, diags := Parse("x.wave", []byte(src))
		if len(diags) != 0 || len(f.Decls) != 0 {
			t.Errorf("%q: %d declarations, diagnostics %v; want none", src, len(f.Decls), diags.Err())
		}
		if f.Pos.Offset != 0 || f.EndPos.Offset != len(src) || !source.Valid(f.Pos) {
			t.Errorf("%q: file span %v-%v", src, f.Pos, f.EndPos)
		}
	}
}

// TestTooLarge checks that a file over MaxFileSize is one diagnostic at its
// start, reported before any lexing (which is what would take long).
func TestTooLarge(t *testing.T) {
	line := []byte("configmap c { A = \"1\" } // filler\n")
	src := bytes.Repeat(line, 10<<20/len(line)+1) // just over 10 MB
	d := parseHostile(t, "10 MB", src)
	if d.Code != CodeTooLarge || d.Subject.Start.Line != 1 || d.Subject.Start.Column != 1 {
		t.Errorf("10 MB file: %v, want %s at 1:1", d, CodeTooLarge)
	}
	one := bytes.Repeat([]byte("x"), 10<<20) // one 10 MB line
	if d := parseHostile(t, "10 MB line", one); d.Code != CodeTooLarge {
		t.Errorf("10 MB line: %v, want %s", d, CodeTooLarge)
	}
}

// TestLargestFile parses files just under MaxFileSize, one valid and one
// with a syntax error at the very end, so the time a user can wait for is
// exercised: go test's timeout catches a regression to minutes.
func TestLargestFile(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a megabyte of pipeline")
	}
	src := generatePipeline(1 << 20 / 30) // about 30 bytes a line
	for len(src) > MaxFileSize-16 {
		src = src[:bytes.LastIndex(src[:len(src)-2], []byte("\n\n"))+2]
	}
	if _, diags := Parse("x.wave", src); len(diags) != 0 {
		t.Fatalf("%d-byte pipeline: %v", len(src), diags.Err())
	}
	bad := append(src, "job {"...)
	d := parseHostile(t, "error at the end", bad)
	if want := `unexpected "{"; expected a name`; d.Summary != want {
		t.Errorf("error at the end: %v, want %q", d, want)
	}
}

func TestUnterminatedStrings(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`job x { a = "abc`, `x.wave:1:13: error[E0103]: string is not terminated`},
		{"job x { a = \"abc\n}", `x.wave:1:13: error[E0103]: string is not terminated`},
		{`job x { a = """abc`, `x.wave:1:13: error[E0103]: multi-line string is never closed`},
		{"object o = \"\"\"\n  kind: X\n  \"\"", `x.wave:1:12: error[E0103]: multi-line string is never closed`},
		{`"`, `x.wave:1:1: error[E0103]: string is not terminated`},
		{`job x { a = "\"}`, `x.wave:1:13: error[E0103]: string is not terminated`},
	} {
		d := parseHostile(t, c.src, []byte(c.src))
		if !strings.HasPrefix(d.Error(), c.want) {
			t.Errorf("%q:\n got  %s\n want %s", c.src, d.Error(), c.want)
		}
	}
}

func TestDeepNesting(t *testing.T) {
	const n = 10000
	for _, c := range []struct {
		name string
		src  string
	}{
		{"lists", "job x { a = " + strings.Repeat("[", n) + strings.Repeat("]", n) + " }"},
		{"maps", "job x { a = " + strings.Repeat("{ a = ", n) + "1" + strings.Repeat(" }", n) + " }"},
		{"blocks", "job x " + strings.Repeat("{ a ", n) + strings.Repeat("}", n)},
		{"members", "wave 1 " + strings.Repeat("< ", n)},
		{"unclosed", strings.Repeat("{[<", n)},
		{"probes", "job x { a = " + strings.Repeat("http on ", n) + "80 }"},
		{"probe commands", "job x { a = " + strings.Repeat(`exec ["a"] on `, n) + "80 }"},
	} {
		d := parseHostile(t, c.name, []byte(c.src))
		if d.Code != CodeTooDeep {
			t.Errorf("%s: %v, want %s", c.name, d, CodeTooDeep)
		}
	}
	// Nesting up to the limit is fine.
	ok := "job x { a = " + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + " }"
	if _, diags := Parse("x.wave", []byte(ok)); len(diags) != 0 {
		t.Errorf("%d levels: %v", MaxDepth, diags.Err())
	}
	// Many probes side by side are not nesting.
	many := strings.Repeat("presync a timeout tcp on http\njob b { ready = http \"/\" on http; live = tcp on http }\n", 200)
	if _, diags := Parse("x.wave", []byte(many)); len(diags) != 0 {
		t.Errorf("probes side by side: %v", diags.Err())
	}
}

// TestErrorAtEndOfFile checks errors at the very end of the file, with and
// without a final newline, and the snippet printed for them.
func TestErrorAtEndOfFile(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"pipeline a", "x.wave:1:11: error[E0101]: unexpected end of file; expected \"in\"\n  |\n1 | pipeline a\n  |           ^\n"},
		{"pipeline a\n", "x.wave:2:1: error[E0101]: unexpected end of file; expected \"in\"\n  |\n2 |\n  | ^\n"},
		{"job x {\n\timage = \"日本\"", "x.wave:2:14: error[E0101]: unexpected end of file; expected \"}\", \",\", \"->\", a name or a string\n  |\n2 |     image = \"日本\"\n  |                   ^\n"},
	} {
		f, diags := Parse("x.wave", []byte(c.src))
		if len(diags) != 1 {
			t.Fatalf("%q: %v", c.src, diags.Err())
		}
		if !utf8.ValidString(c.src) || diags[0].Subject.Start.Offset != len(c.src) {
			t.Errorf("%q: error at offset %d, want the end (%d)", c.src, diags[0].Subject.Start.Offset, len(c.src))
		}
		got := printDiagnostics(f, diags)
		if got != c.want {
			t.Errorf("%q:\n--- got ---\n%s--- want ---\n%s", c.src, got, c.want)
		}
	}
}
