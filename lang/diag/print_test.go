package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wavec/wavec/lang/source"
)

func render(t *testing.T, src string, start, end int, d *Diagnostic) string {
	t.Helper()
	f := source.NewFile("p.wave", []byte(src))
	set := source.NewSet()
	set.Add(f)
	d.Subject = f.Span(start, end)
	var b bytes.Buffer
	if err := (&Printer{Files: set}).Print(&b, List{d}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestPrintSnippet(t *testing.T) {
	src := "pipeline a in b\njob migrate { env_from = [configmap agent-config] }\n"
	start := strings.Index(src, "configmap agent")
	d := &Diagnostic{Severity: Error, Code: "E0203", Summary: `presync hook "migrate" reads configmap "agent-config", which is created later`}
	d.Note(source.Span{Start: source.Pos{Filename: "p.wave", Line: 5, Column: 3}}, `configmap "agent-config" is applied in the Sync phase, wave 0`)
	d.Hint("move it into a presync wave before the hook")
	got := render(t, src, start, start+len("configmap agent-config"), d)
	want := `p.wave:2:27: error[E0203]: presync hook "migrate" reads configmap "agent-config", which is created later
  |
2 | job migrate { env_from = [configmap agent-config] }
  |                           ^^^^^^^^^^^^^^^^^^^^^^
  = note: configmap "agent-config" is applied in the Sync phase, wave 0 (p.wave:5:3)
  = hint: move it into a presync wave before the hook
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPrintTabsAndWideCharacters(t *testing.T) {
	src := "\tlabel = \"日本\" x\n"
	start := strings.Index(src, "x")
	got := render(t, src, start, start+1, Errorf(source.Span{}, "E0001", "bad"))
	want := "p.wave:1:15: error[E0001]: bad\n" +
		"  |\n" +
		"1 |     label = \"日本\" x\n" +
		"  | " + strings.Repeat(" ", 19) + "^\n"
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestPrintAtEndOfFile(t *testing.T) {
	src := "pipeline a in b\nwave 0 <"
	got := render(t, src, len(src), len(src), Errorf(source.Span{}, "E0101", "unexpected end of file"))
	want := "p.wave:2:9: error[E0101]: unexpected end of file\n" +
		"  |\n" +
		"2 | wave 0 <\n" +
		"  |         ^\n"
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestPrintMultiLineSpanUnderlinesToEndOfLine(t *testing.T) {
	src := "job a {\n  x = 1\n}\n"
	got := render(t, src, 0, len(src)-1, Errorf(source.Span{}, "E0001", "bad"))
	if !strings.Contains(got, "1 | job a {\n  | ^^^^^^^\n") {
		t.Errorf("got:\n%s", got)
	}
}

func TestListSortDedupAndErr(t *testing.T) {
	f := source.NewFile("b.wave", []byte("0123456789"))
	var l List
	l.Add(Errorf(f.Span(5, 6), "E2", "late"))
	l.Add(Warningf(f.Span(1, 2), "W1", "early"))
	l.Add(Errorf(f.Span(5, 6), "E2", "late"))
	l.Sort()
	if len(l) != 2 || l[0].Code != "W1" || l[1].Code != "E2" {
		t.Fatalf("sorted list = %v", l)
	}
	if l.Errors() != 1 || !l.HasErrors() {
		t.Errorf("Errors() = %d", l.Errors())
	}
	err := l.Err()
	if err == nil || !strings.Contains(err.Error(), "b.wave:1:6: error[E2]: late") {
		t.Errorf("Err() = %v", err)
	}
	back, ok := AsList(err)
	if !ok || len(back) != 2 {
		t.Errorf("AsList = %v, %v", back, ok)
	}
	if (List{l[0]}).Err() != nil {
		t.Error("a list of warnings must have a nil Err")
	}
}

func TestPrintMax(t *testing.T) {
	var l List
	for i := 0; i < 5; i++ {
		l.Add(Errorf(source.Span{Start: source.Pos{Filename: "x", Line: i + 1, Column: 1}}, "E1", "e%d", i))
	}
	var b bytes.Buffer
	(&Printer{Max: 2}).Print(&b, l)
	if strings.Count(b.String(), "error[E1]") != 2 || !strings.Contains(b.String(), "and 3 more") {
		t.Errorf("got:\n%s", b.String())
	}
}

func TestWriteJSON(t *testing.T) {
	f := source.NewFile("c.wave", []byte("abc\ndef"))
	d := Errorf(f.Span(4, 7), "E9", "bad thing").Hint("do better")
	d.Note(f.Span(0, 1), "see here")
	var b bytes.Buffer
	if err := WriteJSON(&b, List{d}); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0]["severity"] != "error" || got[0]["code"] != "E9" {
		t.Fatalf("got %v", got)
	}
	pos := got[0]["pos"].(map[string]any)
	if pos["file"] != "c.wave" || pos["line"] != 2.0 || pos["column"] != 1.0 {
		t.Errorf("pos = %v", pos)
	}
	b.Reset()
	WriteJSON(&b, nil)
	if strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("empty list = %q", b.String())
	}
}

func TestPrintEmptyLineHasNoTrailingSpace(t *testing.T) {
	src := "a\n\nb"
	got := render(t, src, 2, 2, Errorf(source.Span{}, "E0001", "bad"))
	if strings.Contains(got, " \n") {
		t.Errorf("trailing space in:\n%q", got)
	}
}
