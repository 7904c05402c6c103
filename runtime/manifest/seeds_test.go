package manifest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/wavec/wavec/compiler"
)

// exampleDocuments returns seeds for the YAML fuzz target made from real
// manifests: every document `wavec build` emits for the examples, every
// document of the YAML files under examples/, and the health fixtures.
// Documents larger than the fuzz target's limit are left out; so is the
// `---` line that separates them.
func exampleDocuments(tb testing.TB) []string {
	tb.Helper()
	var docs []string
	add := func(stream []byte) {
		for _, d := range splitAll(stream) {
			if len(d) > 0 && len(d) <= 4096 && len(bytes.TrimSpace(d)) > 0 {
				docs = append(docs, string(d))
			}
		}
	}
	dirs, err := filepath.Glob("../../examples/*")
	if err != nil {
		tb.Fatal(err)
	}
	for _, dir := range dirs {
		res, diags := compiler.Compile([]string{dir}, nil)
		if diags.HasErrors() {
			tb.Fatalf("%s does not compile: %v", dir, diags)
		}
		for _, d := range res.Documents {
			add(d.YAML)
		}
	}
	for _, root := range []string{"../../examples", "../health/testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isManifestName(d.Name()) {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			add(data)
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if len(docs) == 0 {
		tb.Fatal("no example documents found")
	}
	return docs
}

// splitAll cuts a stream into its documents at `---` lines, dropping them.
func splitAll(stream []byte) [][]byte {
	var out [][]byte
	var cur []byte
	for line := range bytes.Lines(stream) {
		if string(bytes.TrimRight(line, "\r\n")) == "---" {
			out = append(out, cur)
			cur = nil
			continue
		}
		cur = append(cur, line...)
	}
	return append(out, cur)
}

// TestExampleDocumentsLoad checks that the fuzz seeds made from the
// examples are good manifests, so the fuzzer starts from valid input.
func TestExampleDocumentsLoad(t *testing.T) {
	for _, doc := range exampleDocuments(t) {
		if _, err := LoadReader(bytes.NewReader([]byte(doc)), "seed.yaml"); err != nil {
			t.Errorf("seed does not load: %v\n%s", err, doc)
		}
	}
}
