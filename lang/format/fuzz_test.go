package format

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// FuzzParse feeds arbitrary bytes to the parser and checks that it never
// panics, that every diagnostic and every node of the (possibly partial)
// tree lies inside the file and every node inside its parent, and that input
// which parses cleanly formats to source that parses to the same tree, keeps
// every comment and is a fixed point of the formatter.
//
// The seeds are the examples, the inputs of the parser's and the
// formatter's golden tests (together they cover every construct of the
// grammar), and a few inline ones; crashers found so far are kept in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, diags := syntax.Parse("fuzz.wave", src)
		for _, d := range diags {
			s := d.Subject
			if !source.Valid(s.Start) || s.Start.Filename != "fuzz.wave" || s.Start.Offset < 0 || s.End.Offset > len(src) || s.End.Offset < s.Start.Offset {
				t.Fatalf("diagnostic %q has span %v-%v outside the %d-byte file", d.Error(), s.Start, s.End, len(src))
			}
		}
		checkSpans(t, file, len(src))
		if len(diags) == 0 {
			checkFormat(t, src)
		}
	})
}

// checkSpans checks that every node of f lies inside the file, which is size
// bytes long, and inside its parent.
func checkSpans(t *testing.T, f *syntax.File, size int) {
	t.Helper()
	syntax.Inspect(f, func(n syntax.Node) bool {
		ps := syntax.NodeSpan(n)
		if ps.Start.Filename != "fuzz.wave" || ps.Start.Offset < 0 || ps.End.Offset < ps.Start.Offset || ps.End.Offset > size {
			t.Fatalf("%T has span %d-%d outside the %d-byte file", n, ps.Start.Offset, ps.End.Offset, size)
		}
		syntax.Inspect(n, func(c syntax.Node) bool {
			if c == n {
				return true
			}
			if cs := syntax.NodeSpan(c); !ps.Contains(cs) {
				t.Fatalf("%T %d-%d is not inside its parent %T %d-%d", c, cs.Start.Offset, cs.End.Offset, n, ps.Start.Offset, ps.End.Offset)
			}
			return false
		})
		return true
	})
}

// fuzzSeeds returns the seed inputs of FuzzParse.
func fuzzSeeds(tb testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(""),
		[]byte("pipeline app in prod\nwave 0 < configmap app-config > presync migrate\n"),
		[]byte("job x { ready = http \"/h\" on http; \"k\" = 1 }\n"),
		[]byte("wave 1 < job a after job b job c, external >\n"),
		[]byte("param a = // c\n  [1, // d\n 2]\n"),
		[]byte("object w = \"\"\"\n  kind: X\n  \"\"\" after object crds // c\n"),
	}
	// Every .wave file under examples/, however deep; there may be none yet.
	err := filepath.WalkDir("../../examples", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(name) != ".wave" {
			return nil
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		seeds = append(seeds, data)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, pattern := range []string{"testdata/*.txtar", "../syntax/testdata/parse/*.txtar"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		for _, name := range m {
			ar, err := txtar.ParseFile(name)
			if err != nil {
				tb.Fatal(err)
			}
			if in := section(ar, "in.wave"); in != nil {
				seeds = append(seeds, in)
			}
		}
	}
	return seeds
}
