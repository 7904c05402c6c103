package conformance_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/argoproj/gitops-engine/pkg/utils/kube"

	"github.com/wavec/wavec/conformance/engine"
	"github.com/wavec/wavec/conformance/order"
)

// checkOrder compares the order Argo CD's engine computes for the
// manifests in file with `wavec plan -f file -o json`, for destination
// namespace ns, without and with the sync option CreateNamespace=true.
func checkOrder(t *testing.T, file, ns string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.SplitYAML(data)
	if err != nil {
		t.Fatalf("%s: Argo CD cannot read it: %v", file, err)
	}
	for _, create := range []bool{false, true} {
		args := []string{"plan", "-o", "json", "-n", ns, "-f", file}
		if create {
			args = append(args, "--create-namespace")
		}
		got := planTasks(t, wavec(t, args...), ns)
		want, err := engine.Order(objs, engineOptions(ns, create))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if d := order.Diff(want, got); d != "" {
			t.Errorf("%s (CreateNamespace=%v): wavec plan differs from Argo CD's engine: %s", file, create, d)
		}
	}
}

// TestOrderExamples compares the order of every example pipeline: its
// compiled manifests through Argo CD's engine, against `wavec plan` of the
// manifests and of the pipeline itself.
func TestOrderExamples(t *testing.T) {
	dirs, err := filepath.Glob("../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no examples found")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			built := filepath.Join(t.TempDir(), "manifests.yaml")
			if err := os.WriteFile(built, wavec(t, "build", dir), 0o644); err != nil {
				t.Fatal(err)
			}
			objs, err := kube.SplitYAML(wavec(t, "build", dir))
			if err != nil {
				t.Fatal(err)
			}
			ns := ""
			for _, o := range objs {
				if ns = o.GetNamespace(); ns != "" {
					break
				}
			}
			if ns == "" {
				t.Fatalf("%s: no object has a namespace", dir)
			}
			checkOrder(t, built, ns)
			// The pipeline planned directly orders as its manifests do.
			fromSource := planTasks(t, wavec(t, "plan", "-o", "json", dir), ns)
			fromYAML := planTasks(t, wavec(t, "plan", "-o", "json", "-n", ns, "-f", built), ns)
			if d := order.Diff(fromYAML, fromSource); d != "" {
				t.Errorf("wavec plan %s differs from wavec plan -f of its build: %s", dir, d)
			}
		})
	}
}

// TestOrderCases compares the order of the hand-written cases in
// testdata/manifests, each a difference once found between wavec and
// Argo CD's engine.
func TestOrderCases(t *testing.T) {
	files, err := filepath.Glob("testdata/manifests/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no cases in testdata/manifests")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { checkOrder(t, f, "conformance") })
	}
}

// peerExamples returns the folder of upstream example manifests kept
// beside the repository (WAVEC_PEER_EXAMPLES overrides where), or skips.
func peerExamples(t *testing.T) string {
	dir := os.Getenv("WAVEC_PEER_EXAMPLES")
	if dir == "" {
		dir = "../../shared/peer-examples"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("peer examples not available: %v", err)
	}
	return dir
}

// notManifests are peer example files Argo CD never syncs as they are:
// kustomize's own configuration, Helm templates, and documentation
// excerpts without apiVersion.
func notManifests(path string) bool {
	name := filepath.Base(path)
	return name == "kustomization.yaml" || strings.HasSuffix(name, ".tpl.yaml") ||
		strings.Contains(filepath.ToSlash(path), "/kapp-docs/")
}

// TestOrderPeerExamples compares the order of every YAML file of the peer
// examples, each as an application of its own.
func TestOrderPeerExamples(t *testing.T) {
	root := peerExamples(t)
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml") {
			return nil
		}
		if notManifests(path) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) { checkOrder(t, path, "peer") })
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no peer example files found")
	}
}
