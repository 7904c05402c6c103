package syntax

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

var update = flag.Bool("update", false, "rewrite the golden sections of testdata/parse/*.txtar")

// TestGolden parses the in.wave section of every testdata/parse/*.txtar and
// compares the result with the archive's other section: "ast" (Dump with
// spans) for input that parses cleanly, "errors" (the diagnostics as
// diag.Printer renders them) otherwise. With -update the archives are
// rewritten with what the parser produces now.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/parse/*.txtar files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var in []byte
			found := false
			for _, f := range ar.Files {
				if f.Name == "in.wave" {
					in, found = f.Data, true
				}
			}
			if !found {
				t.Fatalf("%s has no in.wave section", file)
			}
			name, got := goldenOutput(in)
			if *update {
				ar.Files = []txtar.File{{Name: "in.wave", Data: in}, {Name: name, Data: []byte(got)}}
				if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
					t.Fatal(err)
				}
				return
			}
			var want []byte
			for _, f := range ar.Files {
				if f.Name == name {
					want = f.Data
				}
			}
			if want == nil {
				t.Fatalf("%s has no %q section; run go test -update", file, name)
			}
			if got != string(want) {
				t.Errorf("%s: %s differs (run go test -update to accept)\n--- got ---\n%s--- want ---\n%s", file, name, got, want)
			}
		})
	}
}

// goldenOutput parses in and returns the name of the section that should
// hold the result and its text.
func goldenOutput(in []byte) (section, text string) {
	f, diags := Parse("in.wave", in)
	if len(diags) == 0 {
		return "ast", Dump(f, true)
	}
	return "errors", printDiagnostics(f, diags)
}

// printDiagnostics renders diags, found in f, as users see them.
func printDiagnostics(f *File, diags diag.List) string {
	set := source.NewSet()
	set.Add(f.Source)
	var b bytes.Buffer
	if err := (&diag.Printer{Files: set}).Print(&b, diags); err != nil {
		panic(err)
	}
	return b.String()
}
