package compiler_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/wavec/wavec/bench/gen"
	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/emit"
	"github.com/wavec/wavec/lang/syntax"
)

// BenchmarkAfterParse is `wavec build` of the benchmark's generated
// pipeline after its files are parsed: the check, the emitted objects and
// their YAML written out. The files are parsed once, outside the timing,
// so that the figures show the work that follows parsing on its own:
// go test ./compiler -run '^$' -bench AfterParse -benchmem
func BenchmarkAfterParse(b *testing.B) {
	for _, size := range []gen.Size{{Resources: 1000, Waves: 10}, {Resources: 5000, Waves: 50}} {
		b.Run(fmt.Sprintf("%d-%d", size.Resources, size.Waves), func(b *testing.B) {
			dir := b.TempDir()
			if err := gen.WriteWave(dir, gen.Options{Size: size}); err != nil {
				b.Fatal(err)
			}
			names, _ := filepath.Glob(filepath.Join(dir, "*.wave"))
			var files []*syntax.File
			for _, n := range names {
				src, err := os.ReadFile(n)
				if err != nil {
					b.Fatal(err)
				}
				f, diags := syntax.Parse(n, src)
				if diags.HasErrors() {
					b.Fatal(diags.Err())
				}
				files = append(files, f)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				res, diags := compiler.CheckParsed(files, nil, nil)
				if diags.HasErrors() {
					b.Fatal(diags.Err())
				}
				docs, err := emit.EmitWith(res.Pipeline, emit.Options{YAMLOnly: true})
				if err != nil {
					b.Fatal(err)
				}
				if len(docs) < size.Resources {
					b.Fatalf("%d documents for %d resources", len(docs), size.Resources)
				}
				if err := emit.Write(io.Discard, docs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
