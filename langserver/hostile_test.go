package langserver

import (
	"os"
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"
)

// Every request works on every prefix of every example, as while typing:
// nothing panics, whatever the cursor position and however broken the file.
func TestEveryPositionOfTruncatedExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/*.wave")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	// And every example of grammar.md, as the grammar's snapshot test
	// holds them: general blocks, named containers, every kind.
	files = append(files, "../editors/vscode/test/snap/grammar-md.wave")
	s := &server{docs: map[protocol.DocumentURI]*document{}, workspace: newWorkspace(), analyses: map[string]*analysis{}, gens: map[string]int{}}
	checked := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut <= len(src); cut += 97 {
			text := string(src[:cut])
			path, _ := filepath.Abs(name)
			a := s.analyze(snapshot{key: "untitled:" + name, texts: map[string]string{path: text}, uris: map[string]protocol.DocumentURI{}})
			l := a.linesOf(path)
			for off := 0; off <= len(text); off += 13 {
				a.hoverText(path, off)
				a.target(path, off)
				c := &completer{a: a, seen: map[string]bool{}, path: path, off: off}
				c.complete([]byte(text[:off]))
				l.position(off)
			}
			if f := a.byPath[path]; f != nil {
				for _, d := range f.Decls {
					outline(l, d)
				}
			}
			for _, d := range a.diags {
				a.protocolDiagnostic(d, path)
			}
			checked++
		}
	}
	if checked < 50 {
		t.Fatalf("only %d prefixes tried", checked)
	}
}
