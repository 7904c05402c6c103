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
