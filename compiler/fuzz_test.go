package compiler_test

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/compiler"
)

// FuzzCompile compiles arbitrary source: it must never panic, and whatever
// compiles without errors must emit documents that decode strictly into
// their typed objects.
func FuzzCompile(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*/*.wave")
	more, _ := filepath.Glob("check/testdata/*.wave")
	seeds = append(seeds, more...)
	seeds = append(seeds, "testdata/allkinds/allkinds.wave")
	for _, s := range seeds {
		if src, err := os.ReadFile(s); err == nil {
			f.Add(src)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		res, diags := compiler.CompileSource(filepath.Join(dir, "p.wave"), src, nil)
		if diags.HasErrors() {
			return
		}
		for _, d := range res.Documents {
			obj := typedFor(d.Object.GetKind())
			if obj == nil {
				var m map[string]any
				if err := yaml.Unmarshal(d.YAML, &m); err != nil {
					t.Fatalf("%s %s: %v", d.Object.GetKind(), d.Object.GetName(), err)
				}
				continue
			}
			if err := yaml.UnmarshalStrict(d.YAML, obj); err != nil {
				t.Fatalf("%s %s does not decode strictly: %v\n%s", d.Object.GetKind(), d.Object.GetName(), err, d.YAML)
			}
		}
	})
}
