package gen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavec/wavec/lang/syntax"
	"sigs.k8s.io/yaml"
)

var testOpts = Options{Size: Size{Resources: 100, Waves: 10}, Namespace: "bench-test"}

func TestExpectedCounts(t *testing.T) {
	for _, s := range append(Sizes, Size{MinResources, 1}, Size{101, 3}) {
		objs, err := Expected(Options{Size: s})
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != s.Resources {
			t.Errorf("%v: %d objects", s, len(objs))
		}
		kinds := map[string]int{}
		hooks := 0
		waves := map[int]bool{}
		for _, o := range objs {
			kinds[o.Kind]++
			if o.Phase != Sync {
				hooks++
			} else {
				waves[o.Wave] = true
			}
		}
		if hooks != 3 || kinds["Job"] != 2 {
			t.Errorf("%v: %d hooks, %d jobs, want 3 and 2", s, hooks, kinds["Job"])
		}
		if len(waves) != s.Waves {
			t.Errorf("%v: plain resources in %d waves, want %d", s, len(waves), s.Waves)
		}
		if kinds["Deployment"] != kinds["Service"] || kinds["Deployment"] == 0 {
			t.Errorf("%v: kinds %v", s, kinds)
		}
		steps, err := Steps(Options{Size: s})
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) != s.Waves+3 {
			t.Errorf("%v: %d steps, want waves+3", s, len(steps))
		}
	}
}

func TestBadSizes(t *testing.T) {
	for _, s := range []Size{{5, 1}, {100, 0}, {9, 3}} {
		if _, err := Expected(Options{Size: s}); err == nil {
			t.Errorf("%v: no error", s)
		}
	}
}

// TestKustomizeInput checks the plain YAML tree without kustomize: its files,
// with the kustomization's namespace, are the expected objects.
func TestKustomizeInput(t *testing.T) {
	dir := t.TempDir()
	if err := WriteKustomize(dir, testOpts); err != nil {
		t.Fatal(err)
	}
	var k struct {
		Namespace string   `json:"namespace"`
		Resources []string `json:"resources"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatal(err)
	}
	if k.Namespace != testOpts.Namespace {
		t.Errorf("kustomization namespace %q", k.Namespace)
	}
	var all bytes.Buffer
	for _, r := range k.Resources {
		b, err := os.ReadFile(filepath.Join(dir, r))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	got, err := Normalize(all.Bytes(), k.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Expected(testOpts)
	if d := Diff(want, got, 20); d != "" {
		t.Errorf("kustomize input differs:\n%s", d)
	}
}

// TestWaveInputParses checks that the generated pipeline is valid .wave
// syntax; that it compiles to the expected objects is checked by the
// harness's equivalence test once `wavec build` exists.
func TestWaveInputParses(t *testing.T) {
	dir := t.TempDir()
	if err := WriteWave(dir, testOpts); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.wave"))
	if len(files) != testOpts.Waves+1 {
		t.Errorf("%d .wave files, want %d", len(files), testOpts.Waves+1)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, diags := syntax.Parse(f, src); diags.HasErrors() {
			t.Errorf("%s: %v", filepath.Base(f), diags.Err())
		}
	}
}

// TestHelmChartShape checks what can be checked without Helm: every
// template file is one step, hooks carry Helm's annotations and plain
// resources Argo CD's.
func TestHelmChartShape(t *testing.T) {
	dir := t.TempDir()
	if err := WriteHelm(dir, testOpts); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Chart.yaml", "values.yaml", "templates/_helpers.tpl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	steps, _ := Steps(testOpts)
	for i, s := range steps {
		b, err := os.ReadFile(filepath.Join(dir, "templates", s.FileName(i)+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if n := strings.Count(text, "\nkind: "); n != len(s.Objects) {
			t.Errorf("%s: %d objects, want %d", s.FileName(i), n, len(s.Objects))
		}
		if s.Phase == Sync && strings.Contains(text, "helm.sh/hook") {
			t.Errorf("%s: plain resources with Helm hook annotations", s.FileName(i))
		}
		if s.Phase != Sync && (strings.Contains(text, "argocd.argoproj.io") || !strings.Contains(text, "helm.sh/hook-weight")) {
			t.Errorf("%s: hooks must be Helm hooks with weights", s.FileName(i))
		}
	}
}

func TestNormalizeHelmHooks(t *testing.T) {
	in := `
# Source: shop/templates/x.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-2"
    helm.sh/hook-delete-policy: hook-succeeded,before-hook-creation
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  namespace: other
  annotations:
    argocd.argoproj.io/sync-wave: "7"
---
# only a comment
`
	got, err := Normalize([]byte(in), "ns")
	if err != nil {
		t.Fatal(err)
	}
	want := []Object{
		{Kind: "ConfigMap", Namespace: "other", Name: "c", Phase: Sync, Wave: 7},
		{Kind: "Job", Namespace: "ns", Name: "migrate", Phase: PreSync, Wave: -2, DeletePolicy: "BeforeHookCreation,HookSucceeded"},
	}
	if d := Diff(want, got, 10); d != "" {
		t.Error(d)
	}
	if _, err := Normalize([]byte("kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: test\n"), "ns"); err == nil {
		t.Error("a helm test hook has no Argo CD phase, want an error")
	}
}
