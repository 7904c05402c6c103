package langserver

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/compiler"
)

// TestApplyChanges: a change's range counts UTF-16 code units, as the
// protocol does; several changes apply in order, each to the text the one
// before it left; a change without a range replaces the whole text.
func TestApplyChanges(t *testing.T) {
	rng := func(l1, c1, l2, c2 uint32) *protocol.Range {
		return &protocol.Range{Start: pos(l1, c1), End: pos(l2, c2)}
	}
	for _, tc := range []struct {
		name, text string
		changes    []contentChange
		want       string
	}{
		{"insert at the start", "b", []contentChange{{Range: rng(0, 0, 0, 0), Text: "a"}}, "ab"},
		{"whole text", "old", []contentChange{{Text: "new"}}, "new"},
		{"whole text then a range", "old", []contentChange{{Text: "new\ntext"}, {Range: rng(1, 0, 1, 4), Text: "line"}}, "new\nline"},
		{"after a surrogate pair", "x 😀 y\n", []contentChange{{Range: rng(0, 4, 0, 4), Text: "!"}}, "x 😀! y\n"},
		{"after two-byte runes", "café = 1\n", []contentChange{{Range: rng(0, 4, 0, 4), Text: "s"}}, "cafés = 1\n"},
		{"across lines", "a {\n  b\n}\nc\n", []contentChange{{Range: rng(0, 2, 2, 1), Text: "{}"}}, "a {}\nc\n"},
		{"in order", "abc", []contentChange{{Range: rng(0, 0, 0, 1), Text: "xy"}, {Range: rng(0, 1, 0, 2), Text: "Z"}}, "xZbc"},
		{"delete a line", "a\nb\nc\n", []contentChange{{Range: rng(1, 0, 2, 0), Text: ""}}, "a\nc\n"},
		{"past the end", "a\n", []contentChange{{Range: rng(5, 0, 5, 0), Text: "b"}}, "a\nb"},
	} {
		if got := applyChanges(tc.text, tc.changes); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestIncrementalChanges: the server asks for incremental changes and
// diagnoses the text they leave, whether an editor sends ranges (as VS Code
// and Neovim do) or the whole text.
func TestIncrementalChanges(t *testing.T) {
	_, _, app := shop(t)
	c := newClient(t)
	c.open(app, appFile)
	c.waitDiagnostics(app, none)

	// A comment line above everything, then the reference misspelt in the
	// same notification: the second range is in the text the first left.
	ref := strings.Index(appFile, "configmap api-config]") + len("configmap api-conf")
	l := newLines([]byte(appFile))
	p := l.position(ref)
	comment := "// café 😀\n"
	c.edit(app,
		protocol.TextEdit{Range: protocol.Range{Start: pos(0, 0), End: pos(0, 0)}, NewText: comment},
		protocol.TextEdit{Range: protocol.Range{Start: pos(p.Line+1, p.Character), End: pos(p.Line+1, p.Character+1)}, NewText: ""},
	)
	want := comment + appFile[:ref] + appFile[ref+1:]
	ds := c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	ref2 := pipeline(t, map[string]string{"pipeline.wave": headerFile, "app.wave": want})
	_, diags := compiler.Compile([]string{ref2}, nil)
	if len(diags) == 0 || len(ds) != len(diags) {
		t.Fatalf("got %d diagnostics, wavec check of the edited text reports %d: %+v", len(ds), len(diags), ds)
	}
	wl := newLines([]byte(want))
	for i, w := range diags {
		if r := wl.rangeOf(w.Subject); ds[i].Code != string(w.Code) || ds[i].Range != r {
			t.Errorf("diagnostic %d: %v at %+v, want %s at %+v", i, ds[i].Code, ds[i].Range, w.Code, r)
		}
	}

	// Fixed by a range again, then the whole text replaced.
	c.edit(app, protocol.TextEdit{Range: protocol.Range{Start: pos(p.Line+1, p.Character), End: pos(p.Line+1, p.Character)}, NewText: "i"})
	c.waitDiagnostics(app, none)
	c.change(app, strings.Replace(appFile, "api-config]", "api-confg]", 1))
	c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 && ds[0].Code == "E0301" })
}
