package main

import (
	"os"
	"regexp"
	"testing"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/lang/format"
)

// TestReadmePipeline keeps the pipeline shown in the README true: it must
// check without diagnostics and be in canonical form.
func TestReadmePipeline(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```wave\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("README.md shows no ```wave block")
	}
	for _, b := range blocks {
		src := b[1]
		if _, diags := compiler.CompileSource("README.md.wave", src, nil); len(diags) > 0 {
			t.Errorf("README pipeline has diagnostics:\n%v\n%s", diags.Err(), src)
		}
		out, diags := format.Format("README.md.wave", src)
		if len(diags) > 0 || string(out) != string(src) {
			t.Errorf("README pipeline is not in canonical form; wavec fmt gives:\n%s", out)
		}
	}
}
