package syntax

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wavec/wavec/lang/source"
)

// TestKeywordPositions checks, on every file of testdata/parse that parses,
// that each keyword and bracket position the parser records points at that
// keyword or bracket in the source, with its line and column.
func TestKeywordPositions(t *testing.T) {
	files, _ := filepath.Glob("testdata/parse/*.txtar")
	checked := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, af := range ar.Files {
			if af.Name != "in.wave" {
				continue
			}
			f, diags := Parse("in.wave", af.Data)
			if len(diags) > 0 {
				continue
			}
			at := func(p source.Pos, want ...string) {
				t.Helper()
				checked++
				if !source.Valid(p) {
					t.Errorf("%s: no position for %q", file, want)
					return
				}
				if got := f.Source.Pos(p.Offset); got != p {
					t.Errorf("%s: position %v has offset %d, which is %v", file, p, p.Offset, got)
				}
				for _, w := range want {
					if strings.HasPrefix(string(af.Data[p.Offset:]), w) {
						return
					}
				}
				t.Errorf("%s: %v points at %q, want %q", file, p, shorten(string(af.Data[p.Offset:])), want)
			}
			Inspect(f, func(n Node) bool {
				switch n := n.(type) {
				case *Pipeline:
					at(n.InPos, "in")
				case *Param:
					at(n.AssignPos, "=")
				case *Resource:
					if n.External {
						at(n.ExternalPos, "external")
					}
					if len(n.After) > 0 {
						at(n.AfterPos, "after")
					}
				case *Object:
					if n.From != nil {
						at(n.FromPos, "from")
					}
					if n.Inline != nil {
						at(n.FromPos, "=")
					}
					if len(n.After) > 0 {
						at(n.AfterPos, "after")
					}
				case *Wave:
					at(n.OpenPos, "<")
					at(n.ClosePos, ">")
				case *Hook:
					if n.Wave != nil {
						at(n.WavePos, "wave")
					}
					if n.Single == nil {
						at(n.OpenPos, "<")
						at(n.ClosePos, ">")
					}
				case *Block:
					at(n.Pos, "{")
					at(n.ClosePos, "}")
				case *List:
					at(n.Pos, "[")
					at(n.ClosePos, "]")
				case *Entry:
					if n.Value != nil {
						at(n.AssignPos, "=")
					}
				case *Value:
					if n.Right != nil {
						at(n.ArrowPos, "->")
					}
				case *Probe:
					if n.Port != nil {
						at(n.OnPos, "on")
					}
				}
				return true
			})
		}
	}
	if checked < 100 {
		t.Errorf("only %d positions checked; the test data no longer covers them", checked)
	}
}
