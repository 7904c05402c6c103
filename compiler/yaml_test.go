package compiler_test

import (
	"bytes"
	"testing"

	goyaml "sigs.k8s.io/yaml/goyaml.v2"

	"github.com/wavec/wavec/compiler"
)

// sameAsGoYAML fails when a document's YAML is not byte for byte what
// sigs.k8s.io/yaml's go-yaml v2 writes for its object (kubeyaml.Marshal
// writes it; go-yaml is the reference).
func sameAsGoYAML(t testing.TB, res *compiler.Result) {
	t.Helper()
	for _, d := range res.Documents {
		want, err := goyaml.Marshal(d.Object.Object)
		if err != nil {
			t.Fatalf("%s %s: go-yaml: %v", d.Object.GetKind(), d.Object.GetName(), err)
		}
		if !bytes.Equal(d.YAML, want) {
			t.Fatalf("%s %s: YAML differs from go-yaml v2's\ngot:\n%s\ngo-yaml:\n%s", d.Object.GetKind(), d.Object.GetName(), d.YAML, want)
		}
	}
}

// TestEmittedYAMLIsGoYAML holds every document of the examples and of the
// pipeline of every kind to go-yaml v2's serialisation of its object.
// FuzzCompile checks the same on every fuzzed pipeline that compiles.
func TestEmittedYAMLIsGoYAML(t *testing.T) {
	for _, dir := range pipelines(t) {
		sameAsGoYAML(t, compile(t, []string{dir}, nil))
	}
}

// TestCompileStages checks CheckOnly (diagnostics, no documents) and
// YAMLOnly (the same bytes, no objects) against a whole compilation.
func TestCompileStages(t *testing.T) {
	for _, dir := range pipelines(t) {
		full, diags := compiler.CompileWith([]string{dir}, compiler.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", dir, diags.Err())
		}
		checked, cdiags := compiler.CompileWith([]string{dir}, compiler.Options{CheckOnly: true})
		if len(checked.Documents) != 0 || len(cdiags) != len(diags) || checked.Pipeline == nil || len(checked.Pipeline.Resources) == 0 {
			t.Errorf("%s: CheckOnly gave %d documents and %d diagnostics (want none and %d), pipeline %v",
				dir, len(checked.Documents), len(cdiags), len(diags), checked.Pipeline != nil)
		}
		lean, _ := compiler.CompileWith([]string{dir}, compiler.Options{YAMLOnly: true})
		if !bytes.Equal(lean.YAML(), full.YAML()) {
			t.Errorf("%s: YAMLOnly changes the YAML", dir)
		}
		for _, d := range lean.Documents {
			if d.Object != nil {
				t.Fatalf("%s: YAMLOnly kept the object of %s", dir, d.Resource.Ref())
			}
		}
	}
	// A pipeline with an error stops CheckOnly just as it stops a build.
	_, diags := compiler.CompileWith([]string{"testdata/allkinds/allkinds.wave"}, compiler.Options{CheckOnly: true, Sets: map[string]string{"no_such_param": "1"}})
	if !diags.HasErrors() {
		t.Error("an unknown --set is no error with CheckOnly")
	}
}
