package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docBlock is one labelled code block of docs/diagnostics.md: a file the
// example writes (“`p.wave`:”) or a command and what it prints
// (“`wavec check p.wave`:”).
type docBlock struct {
	label, text string
}

var docBlockRE = regexp.MustCompile("(?s)\n`([^`\n]+)`:\n\n```[a-z]*\n(.*?)```\n")

// TestDiagnosticsDocExamples runs every example of docs/diagnostics.md:
// the files a section shows are written to a directory, each command the
// section shows is run there, and what it prints on standard error must be
// the text the section shows, byte for byte. So the reference cannot drift
// from what wavec says.
func TestDiagnosticsDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/diagnostics.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := strings.Split(string(doc), "\n## ")
	ran := 0
	for _, sec := range sections[1:] {
		title, _, _ := strings.Cut(sec, "\n")
		var blocks []docBlock
		for _, m := range docBlockRE.FindAllStringSubmatch(sec, -1) {
			blocks = append(blocks, docBlock{label: m[1], text: m[2]})
		}
		if len(blocks) == 0 {
			continue
		}
		t.Run(title, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			for _, b := range blocks {
				if !strings.HasPrefix(b.label, "wavec ") {
					if err := os.MkdirAll(filepath.Dir(b.label), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(b.label, []byte(b.text), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				var stdout, stderr bytes.Buffer
				env := &Env{
					Stdin:  strings.NewReader(""),
					Stdout: &stdout,
					Stderr: &stderr,
					Getenv: func(k string) string {
						if k == "NO_COLOR" {
							return "1"
						}
						return ""
					},
				}
				Run(context.Background(), env, strings.Fields(b.label)[1:])
				ran++
				if got := stderr.String(); got != b.text {
					t.Errorf("%s prints on standard error:\n%s\nthe docs show:\n%s", b.label, got, b.text)
				}
			}
		})
	}
	if ran < 50 {
		t.Errorf("ran only %d examples; docs/diagnostics.md shows more", ran)
	}
}
