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
// their typed objects, written byte for byte as go-yaml v2 writes them.
//
// The seeds are every example (each file, and each multi-file example as
// one file), the checker's test inputs and the pipeline of every kind. The
// YAML files the examples bring in with `object NAME from` are copied next
// to the fuzzed file, so mutations of those seeds still reach the emitter.
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
	examples, _ := filepath.Glob("../examples/*")
	for _, ex := range examples {
		files, _ := filepath.Glob(filepath.Join(ex, "*"))
		var whole []byte
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			if filepath.Ext(name) == ".wave" {
				whole = append(append(whole, data...), '\n')
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(name)), data, 0o644); err != nil {
				f.Fatal(err)
			}
		}
		if len(files) > 1 && whole != nil {
			f.Add(whole)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		res, diags := compiler.CompileSource(filepath.Join(dir, "p.wave"), src, nil)
		if diags.HasErrors() {
			return
		}
		sameAsGoYAML(t, res)
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
