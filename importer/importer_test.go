package importer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavec/wavec/bench/gen"
	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
)

// outcome is what checkContract found for one input.
type outcome struct {
	imported       bool
	objects, typed int
}

// checkContract imports objs and checks the contract: the imported pipeline
// builds the same objects, plans the same steps, and importing what it
// builds gives the same text again. Input that does not import must give
// an error diagnostic.
func checkContract(t *testing.T, label string, objs []manifest.Object) outcome {
	t.Helper()
	res, problems := Import(objs, Options{})
	if res == nil {
		if !hasErrors(problems) {
			t.Errorf("%s: no pipeline and no error", label)
		}
		return outcome{}
	}
	built, diags := compiler.CompileSource("import.wave", res.Source, nil)
	if diags.HasErrors() {
		t.Fatalf("%s: the import does not compile: %v\n%s", label, diags, res.Source)
	}
	got, err := manifest.LoadReader(bytes.NewReader(built.YAML()), "built")
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	// (1) The same objects.
	if len(got) != len(objs) {
		t.Errorf("%s: %d objects built, input has %d", label, len(got), len(objs))
	}
	for _, w := range objs {
		found := false
		for _, g := range got {
			if g.GetKind() == w.GetKind() && g.GetName() == w.GetName() && Equal(cleanObject(w.Unstructured), g.Object, res.Namespace) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: %s is not built unchanged", label, w.Ref())
		}
	}
	// (2) The same plan.
	if a, b := steps(objs, res.Namespace), steps(got, res.Namespace); a != b {
		t.Errorf("%s: plan of the input:\n%s\nplan of the import:\n%s", label, a, b)
	}
	// (3) A fixed point.
	again, problems := Import(got, Options{})
	if again == nil {
		t.Fatalf("%s: the built output does not import: %v", label, problems)
	}
	if !bytes.Equal(again.Source, res.Source) {
		t.Errorf("%s: importing the built output gives other text:\n%s\nfirst import:\n%s", label, again.Source, res.Source)
	}
	return outcome{imported: true, objects: res.Objects, typed: res.Typed}
}

// steps summarizes a sync plan: each step's phase, wave and tasks.
func steps(objs []manifest.Object, ns string) string {
	p := plan.ForSync(objs, plan.Options{Namespace: ns})
	var b strings.Builder
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "%s:", s.Name())
		for _, task := range s.Tasks {
			fmt.Fprintf(&b, " %s(%s,gated=%t)", task.Ref(), task.Phase, task.Gated)
		}
		b.WriteString("\n")
	}
	for _, task := range p.Kept {
		fmt.Fprintf(&b, "kept %s\n", task.Ref())
	}
	return b.String()
}

func load(t *testing.T, data []byte, name string) []manifest.Object {
	t.Helper()
	objs, err := manifest.LoadReader(bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestExamples imports the built output of every example.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob("../examples/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, diags := compiler.Compile([]string{dir}, nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			o := checkContract(t, dir, load(t, res.YAML(), dir))
			if !o.imported {
				t.Fatalf("%s does not import", dir)
			}
			t.Logf("%s: %d objects, %d typed", dir, o.objects, o.typed)
		})
	}
}

// TestBenchRelease imports the benchmark generator's Argo CD-annotated
// YAML, whose order comes from annotations.
func TestBenchRelease(t *testing.T) {
	dir := t.TempDir()
	if err := gen.WriteKustomize(dir, gen.Options{Size: gen.Size{Resources: 100, Waves: 10}}); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			paths = append(paths, f)
		}
	}
	objs, err := manifest.Load(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := checkContract(t, "bench", objs)
	if !o.imported || o.objects != 100 {
		t.Fatalf("imported %v, %d objects", o.imported, o.objects)
	}
	t.Logf("bench: %d objects, %d typed", o.objects, o.typed)
}

// TestPeerExamples imports every YAML file of ../shared/peer-examples that
// loads; a file that does not import must say why.
func TestPeerExamples(t *testing.T) {
	root := "../../shared/peer-examples"
	if _, err := os.Stat(root); err != nil {
		t.Skip("no peer examples beside the repository")
	}
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	var imported, failed, objects, typed int
	for _, f := range files {
		objs, err := manifest.Load([]string{f}, nil)
		if err != nil || len(objs) == 0 {
			continue
		}
		o := checkContract(t, f, objs)
		if o.imported {
			imported++
			objects += o.objects
			typed += o.typed
		} else {
			failed++
		}
	}
	t.Logf("%d files imported (%d objects, %d typed), %d refused with a diagnostic", imported, objects, typed, failed)
	if imported == 0 {
		t.Error("no peer example imports")
	}
}

// BenchmarkImportPeerExamples imports every peer example file that
// imports; docs/import.md reports the time per run.
func BenchmarkImportPeerExamples(b *testing.B) {
	root := "../../shared/peer-examples"
	if _, err := os.Stat(root); err != nil {
		b.Skip("no peer examples beside the repository")
	}
	var inputs [][]manifest.Object
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			if objs, err := manifest.Load([]string{p}, nil); err == nil && len(objs) > 0 {
				if res, _ := Import(objs, Options{}); res != nil {
					inputs = append(inputs, objs)
				}
			}
		}
		return nil
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, objs := range inputs {
			if res, _ := Import(objs, Options{}); res == nil {
				b.Fatal("import failed")
			}
		}
	}
}

// BenchmarkImportBenchRelease imports the benchmark generator's release of
// 100 objects.
func BenchmarkImportBenchRelease(b *testing.B) {
	dir := b.TempDir()
	if err := gen.WriteKustomize(dir, gen.Options{Size: gen.Size{Resources: 100, Waves: 10}}); err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var paths []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			paths = append(paths, f)
		}
	}
	objs, err := manifest.Load(paths, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, _ := Import(objs, Options{}); res == nil {
			b.Fatal("import failed")
		}
	}
}
