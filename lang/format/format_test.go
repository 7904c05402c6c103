package format

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wavec/wavec/lang/syntax"
)

var update = flag.Bool("update", false, "rewrite the out.wave sections of testdata/*.txtar")

// TestGolden formats the in.wave section of every testdata/*.txtar and
// compares the result with its out.wave section; -update rewrites them.
// Every case is also checked for the formatter's invariants.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.txtar files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			in, want := section(ar, "in.wave"), section(ar, "out.wave")
			if in == nil {
				t.Fatalf("%s has no in.wave section", file)
			}
			got := checkFormat(t, in)
			if *update {
				ar.Files = []txtar.File{{Name: "in.wave", Data: in}, {Name: "out.wave", Data: got}}
				if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want == nil {
				t.Fatalf("%s has no out.wave section; run go test -update", file)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: formatted output differs (run go test -update to accept)\n--- got ---\n%s--- want ---\n%s", file, got, want)
			}
		})
	}
}

func section(ar *txtar.Archive, name string) []byte {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

// checkFormat formats src, which must parse cleanly, and checks the
// formatter's promises: the output parses cleanly to the same tree, keeps
// every comment in order, and formats to itself. It returns the output.
func checkFormat(t testing.TB, src []byte) []byte {
	t.Helper()
	f, diags := syntax.Parse("in.wave", src)
	if len(diags) > 0 {
		t.Fatalf("input does not parse: %v", diags.Err())
	}
	out := Source(f)
	g, diags := syntax.Parse("out.wave", out)
	if len(diags) > 0 {
		t.Fatalf("output does not parse: %v\n--- input ---\n%s\n--- output ---\n%s", diags.Err(), src, out)
	}
	if a, b := syntax.Dump(f, false), syntax.Dump(g, false); a != b {
		t.Fatalf("output parses to a different tree\n--- input ---\n%s\n--- output ---\n%s\n--- input tree ---\n%s--- output tree ---\n%s", src, out, a, b)
	}
	if a, b := commentTexts(f), commentTexts(g); a != b {
		t.Fatalf("comments changed\n--- input ---\n%s\n--- output ---\n%s", src, out)
	}
	if again := Source(g); !bytes.Equal(again, out) {
		t.Fatalf("formatting is not idempotent\n--- input ---\n%s\n--- first ---\n%s\n--- second ---\n%s", src, out, again)
	}
	if len(out) > 0 && (out[len(out)-1] != '\n' || bytes.HasSuffix(out, []byte("\n\n"))) {
		t.Fatalf("output does not end in exactly one newline: %q", out)
	}
	if len(f.Decls) == 0 && len(f.Comments) == 0 && len(out) != 0 {
		t.Fatalf("an empty file formats to %q", out)
	}
	return out
}

func commentTexts(f *syntax.File) string {
	var b strings.Builder
	for _, c := range f.Comments {
		b.WriteString(c.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestFormatSyntaxError(t *testing.T) {
	out, diags := Format("x.wave", []byte("job x {"))
	if out != nil || !diags.HasErrors() {
		t.Fatalf("Format of a broken file = %q, %v; want nil and errors", out, diags)
	}
}

func TestEmpty(t *testing.T) {
	for _, src := range []string{"", "\n\n", "  \t\n"} {
		out, diags := Format("x.wave", []byte(src))
		if diags.HasErrors() || len(out) != 0 {
			t.Errorf("Format(%q) = %q, %v; want empty", src, out, diags)
		}
	}
}
