package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/wavec/wavec/lang/source"
)

// hostile holds what a file may use to take over a terminal: an OSC title
// sequence ended by BEL, a CSI colour sequence, a C1 CSI, DEL, a
// right-to-left override and a byte that is not UTF-8.
const hostile = "\x1b]0;pwned\x07 \x1b[31mred \u009b2J \x7f \u202eevil \xff"

// rawControl reports the first control or bidirectional character in s
// other than a line break, or -1.
func rawControl(s string) rune {
	for _, r := range s {
		if r != '\n' && (unicode.IsControl(r) || isBidi(r)) {
			return r
		}
	}
	return -1
}

func TestPrintEscapesControlCharacters(t *testing.T) {
	src := "pipeline a in b\nconfigmap c { A = \"" + hostile + "\" }\n"
	start := strings.Index(src, "pwned")
	d := Errorf(source.Span{}, "E0001", "bad %q and %s", "x", hostile)
	d.Note(source.Span{}, "note %s", hostile)
	d.Hint("hint %s", hostile)
	got := render(t, src, start, start+len("pwned"), d)
	if r := rawControl(got); r >= 0 {
		t.Fatalf("output holds control character %U:\n%q", r, got)
	}
	for _, want := range []string{`\x1b]0;`, `\x07`, `\u009b`, `\x7f`, `\u202e`, `\xff`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s:\n%s", want, got)
		}
	}
	// The carets still stand under the span, past the escaped characters.
	lines := strings.Split(got, "\n")
	var code, carets string
	for i, l := range lines {
		if strings.HasPrefix(l, "2 | ") {
			code, carets = l, lines[i+1]
		}
	}
	at := strings.Index(carets, "^")
	if at < 0 || !strings.HasPrefix(code[at:], "pwned") || strings.Count(carets, "^") != len("pwned") {
		t.Errorf("carets misplaced:\n%s\n%s", code, carets)
	}
}

func TestWriteJSONEscapesControlCharacters(t *testing.T) {
	f := source.NewFile("c\x1b[2J.wave", []byte("abc"))
	d := Errorf(f.Span(0, 1), "E9", "bad %s", hostile).Hint("hint %s", hostile)
	var b bytes.Buffer
	if err := WriteJSON(&b, List{d}); err != nil {
		t.Fatal(err)
	}
	if r := rawControl(b.String()); r >= 0 {
		t.Fatalf("JSON holds control character %U:\n%s", r, b.String())
	}
	var got []struct {
		Summary string
		Pos     struct{ File string }
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// JSON keeps the text (with the invalid byte as U+FFFD), escaped
	// only in its encoding.
	if want := "bad " + strings.ToValidUTF8(hostile, "\uFFFD"); got[0].Summary != want {
		t.Errorf("summary = %q, want %q", got[0].Summary, want)
	}
	if got[0].Pos.File != "c\x1b[2J.wave" {
		t.Errorf("file = %q", got[0].Pos.File)
	}
}

func TestPrintCutsLongLinesAroundTheCaret(t *testing.T) {
	long := strings.Repeat("a", 100000) + "TARGET" + strings.Repeat("b", 100000)
	src := "pipeline a in b\nconfigmap c { A = \"" + long + "\" }\n"
	start := strings.Index(src, "TARGET")
	got := render(t, src, start, start+len("TARGET"), Errorf(source.Span{}, "E0001", "bad"))
	if len(got) > 1000 {
		t.Fatalf("printed %d bytes for one diagnostic", len(got))
	}
	lines := strings.Split(got, "\n")
	code, carets := lines[2], lines[3]
	if !strings.HasPrefix(code, "2 | ...a") || !strings.HasSuffix(code, "b...") {
		t.Errorf("line not cut on both sides: %q", code)
	}
	at := strings.Index(carets, "^")
	if at < 0 || !strings.HasPrefix(code[at:], "TARGET") || strings.Count(carets, "^") != len("TARGET") {
		t.Errorf("carets misplaced:\n%s\n%s", code, carets)
	}
	if w := len(code) - len("2 | "); w > maxSnippet+6 {
		t.Errorf("snippet is %d columns wide", w)
	}

	// A long caret span is cut at the window's end; a caret near the end
	// of the line shows the end.
	got = render(t, src, strings.Index(src, "a"), len(src)-3, Errorf(source.Span{}, "E0001", "bad"))
	if n := strings.Count(got, "^"); n == 0 || n > maxSnippet {
		t.Errorf("%d carets:\n%s", n, got)
	}
	end := len(src) - 1
	got = render(t, src, end, end, Errorf(source.Span{}, "E0001", "bad"))
	lines = strings.Split(got, "\n")
	if !strings.HasSuffix(lines[2], `" }`) || strings.Index(lines[3], "^") != len(lines[2])-1+1 {
		t.Errorf("end of line:\n%s", got)
	}
}

func TestMessagesAreCut(t *testing.T) {
	d := Errorf(source.Span{}, "E0001", "unknown name %q", strings.Repeat("x", 200000))
	var b bytes.Buffer
	(&Printer{}).Print(&b, List{d})
	if b.Len() > 2*maxMessage {
		t.Errorf("printed %d bytes", b.Len())
	}
}

// FuzzPrintIsTerminalSafe prints a diagnostic on arbitrary source with an
// arbitrary span: it never panics, and nothing it prints is a control
// character other than the line breaks it writes itself.
func FuzzPrintIsTerminalSafe(f *testing.F) {
	f.Add("pipeline a in b\n"+hostile, 3, 9, "x")
	f.Add(strings.Repeat("\t日本\x1b", 100), 50, 400, "\u202e")
	f.Add("", 0, 0, "")
	f.Fuzz(func(t *testing.T, src string, start, end int, msg string) {
		if start < 0 || end < 0 || start > len(src) || end > len(src) || end < start {
			return
		}
		got := render(t, src, start, end, Errorf(source.Span{}, "E0001", "%s", msg).Hint("%s", msg))
		if r := rawControl(got); r >= 0 {
			t.Fatalf("output holds control character %U:\n%q", r, got)
		}
	})
}
