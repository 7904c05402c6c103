package syntax

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wavec/wavec/lang/source"
)

// reflectChildren returns the nodes directly below n found by reflection:
// every non-nil pointer to an AST struct in its fields, in field order.
func reflectChildren(n Node) []Node {
	var out []Node
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || v.Type() == reflect.TypeOf(&source.File{}) || v.Type() == reflect.TypeOf(&Comment{}) {
				return
			}
			if c, ok := v.Interface().(Node); ok {
				out = append(out, c)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	e := reflect.ValueOf(n).Elem()
	for i := 0; i < e.NumField(); i++ {
		walk(e.Field(i))
	}
	return out
}

// TestChildrenComplete checks, on every file of testdata/parse that
// parses, that each node's Children lists exactly the nodes its fields hold,
// so a field added to the AST cannot be missed by Inspect.
func TestChildrenComplete(t *testing.T) {
	files, _ := filepath.Glob("testdata/parse/*.txtar")
	seen := map[reflect.Type]bool{}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, af := range ar.Files {
			if af.Name != "in.wave" {
				continue
			}
			f, _ := Parse("in.wave", af.Data)
			Inspect(f, func(n Node) bool {
				seen[reflect.TypeOf(n)] = true
				var got []Node
				n.Children(func(c Node) { got = append(got, c) })
				want := reflectChildren(n)
				if len(got) != len(want) {
					t.Fatalf("%s: %T has %d children, its fields hold %d", file, n, len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s: child %d of %T is %T, its fields hold %T", file, i, n, got[i], want[i])
					}
				}
				return true
			})
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d node types seen; the test data no longer covers the AST", len(seen))
	}
}
