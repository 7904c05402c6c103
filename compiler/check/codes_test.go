package check_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCodesDocumented checks that docs/diagnostics.md has a section for
// every diagnostic code the checker defines, and that no two constants
// share a code.
func TestCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/diagnostics.md")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				code, _ := strconv.Unquote(lit.Value)
				if prev, dup := seen[code]; dup {
					t.Errorf("%s and %s share code %s", prev, name.Name, code)
				}
				seen[code] = name.Name
				if !strings.Contains(string(doc), "\n## "+code+"\n") {
					t.Errorf("%s (%s) is not documented in docs/diagnostics.md", code, name.Name)
				}
			}
		}
	}
	if len(seen) < 40 {
		t.Errorf("found only %d codes", len(seen))
	}
}
