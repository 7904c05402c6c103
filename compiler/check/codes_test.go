package check_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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

// TestEveryCodeDocumented checks that every diagnostic code any package of
// wavec defines (`diag.Code = "..."` outside tests: the parser's, the
// compiler's, the checker's) has a section in docs/diagnostics.md.
func TestEveryCodeDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/diagnostics.md")
	if err != nil {
		t.Fatal(err)
	}
	def := regexp.MustCompile(`diag\.Code = "([EW][0-9]{4})"`)
	found := 0
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range def.FindAllSubmatch(src, -1) {
			found++
			if !strings.Contains(string(doc), "\n## "+string(m[1])+"\n") {
				t.Errorf("%s (defined in %s) is not documented in docs/diagnostics.md", m[1], path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Errorf("found only %d codes", found)
	}
}
