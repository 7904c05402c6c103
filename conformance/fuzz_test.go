package conformance_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/argoproj/gitops-engine/pkg/utils/kube"

	"github.com/wavec/wavec/conformance/engine"
	"github.com/wavec/wavec/conformance/order"
)

// FuzzOrder generates annotated manifest sets from its input and compares
// the order of Argo CD's engine with `wavec plan -o json`. Every input
// that once showed a difference is kept in testdata/fuzz/FuzzOrder and
// runs with every go test. Run it for long with
//
//	go test -run '^$' -fuzz FuzzOrder -fuzztime 10m
func FuzzOrder(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("a set of objects with hooks and waves"))
	f.Add([]byte{11, 0, 0, 0, 1, 1, 1, 0, 13, 0, 2, 0, 0, 3, 1, 0, 36, 2, 1, 1, 0, 1, 0, 2})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		manifests := generate(data)
		file := filepath.Join(dir, "manifests.yaml")
		if err := os.WriteFile(file, []byte(manifests), 0o644); err != nil {
			t.Fatal(err)
		}
		objs, err := kube.SplitYAML([]byte(manifests))
		if err != nil {
			t.Fatalf("Argo CD cannot read the generated manifests: %v\n%s", err, manifests)
		}
		for _, create := range []bool{false, true} {
			args := []string{"plan", "-o", "json", "-n", "conformance", "-f", file}
			if create {
				args = append(args, "--create-namespace")
			}
			out, err := runWavec(args...)
			if err != nil {
				t.Fatalf("wavec plan: %v\n%s", err, manifests)
			}
			got := planTasks(t, out, "conformance")
			want, err := engine.Order(objs, engineOptions("conformance", create))
			if err != nil {
				t.Fatalf("engine: %v\n%s", err, manifests)
			}
			if d := order.Diff(want, got); d != "" {
				t.Fatalf("CreateNamespace=%v: wavec plan differs from Argo CD's engine: %s\nmanifests:\n%s", create, d, manifests)
			}
		}
	})
}
