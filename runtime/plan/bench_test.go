package plan

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/wavec/wavec/runtime/manifest"
)

// benchObjects returns n objects of a large release as YAML and loaded:
// ConfigMaps, Deployments and Services over 20 namespaces and waves -3..3,
// a PreSync, PostSync and SyncFail hook every 50 objects, and a Namespace
// per namespace declared in a late wave, so both the sort and the Namespace
// adjustment do real work.
func benchObjects(b *testing.B, n int) ([]byte, []manifest.Object) {
	var y bytes.Buffer
	for i := range n {
		ns := fmt.Sprintf("team-%02d", i%20)
		wave := i%7 - 3
		switch {
		case i < 20:
			fmt.Fprintf(&y, "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-%02d\n  annotations:\n    argocd.argoproj.io/sync-wave: \"5\"\n", i)
		case i%50 == 0:
			hook := []string{"PreSync", "PostSync", "SyncFail"}[i/50%3]
			fmt.Fprintf(&y, "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: hook-%d-\n  namespace: %s\n  annotations:\n    argocd.argoproj.io/hook: %s\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded\n    argocd.argoproj.io/sync-wave: \"%d\"\n", i, ns, hook, wave)
		case i%3 == 0:
			fmt.Fprintf(&y, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-%d\n  namespace: %s\n  annotations:\n    argocd.argoproj.io/sync-wave: \"%d\"\ndata:\n  LOG_LEVEL: info\n", i, ns, wave)
		case i%3 == 1:
			fmt.Fprintf(&y, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\n  namespace: %s\n  annotations:\n    argocd.argoproj.io/sync-wave: \"%d\"\nspec:\n  replicas: 3\n", i, ns, wave)
		default:
			fmt.Fprintf(&y, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\n  namespace: %s\n  annotations:\n    argocd.argoproj.io/sync-wave: \"%d\"\n    argocd.argoproj.io/sync-options: ServerSideApply=true\nspec:\n  ports: [{port: 80}]\n", i, ns, wave)
		}
	}
	objs, err := manifest.LoadReader(bytes.NewReader(y.Bytes()), "bench.yaml")
	if err != nil || len(objs) != n {
		b.Fatalf("got %d objects, error %v", len(objs), err)
	}
	return y.Bytes(), objs
}

// BenchmarkPlan orders 10,000 objects (bytes are the YAML they came from).
func BenchmarkPlan(b *testing.B) {
	data, objs := benchObjects(b, 10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p := ForSync(objs, Options{})
		if len(p.Steps) == 0 {
			b.Fatal("empty plan")
		}
	}
}

// BenchmarkPlanRender renders a plan of 10,000 objects in every format.
func BenchmarkPlanRender(b *testing.B) {
	_, objs := benchObjects(b, 10000)
	p := ForSync(objs, Options{})
	for _, f := range []Format{Table, JSON, Mermaid} {
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, p, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
