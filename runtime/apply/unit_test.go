package apply

import (
	"errors"
	"github.com/wavec/wavec/argocd"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/plan"
)

func TestHookName(t *testing.T) {
	started := time.Unix(1700000000, 0)
	got := HookName("migrate-", "d26d3700aa11", "PreSync", started)
	if want := "migrate-d26d370-presync-1700000000"; got != want {
		t.Errorf("HookName = %q, want %q", got, want)
	}
	// A revision of fewer than 8 characters is used whole, as Argo CD does.
	if got := HookName("x-", "abc", "PostSync", started); got != "x-abc-postsync-1700000000" {
		t.Errorf("short revision: %q", got)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 3 * time.Minute, 3 * time.Minute}
	for n, w := range want {
		if got := Backoff(n); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, w)
		}
	}
	if got := Backoff(1000); got != 3*time.Minute {
		t.Errorf("Backoff(1000) = %s", got)
	}
}

func obj(kind, name string, ann map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind(kind)
	u.SetName(name)
	u.SetAnnotations(ann)
	return u
}

func TestRevisionIgnoresOrder(t *testing.T) {
	a, b := obj("ConfigMap", "a", nil), obj("ConfigMap", "b", nil)
	if Revision([]*unstructured.Unstructured{a, b}) != Revision([]*unstructured.Unstructured{b, a}) {
		t.Error("revision depends on the order of objects")
	}
	c := obj("ConfigMap", "b", map[string]string{"x": "y"})
	if Revision([]*unstructured.Unstructured{a, b}) == Revision([]*unstructured.Unstructured{a, c}) {
		t.Error("revision ignores a changed object")
	}
	if len(Revision(nil)) != 64 {
		t.Error("revision is not a hex SHA-256")
	}
}

func TestRefRoundTrip(t *testing.T) {
	for _, r := range []Ref{
		{Group: "", Kind: "ConfigMap", Namespace: "ns", Name: "a"},
		{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "r"},
		{Group: "apps", Kind: "Deployment", Namespace: "ns", Name: "web"},
	} {
		got, err := ParseRef(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRef(%q) = %v, %v", r.String(), got, err)
		}
	}
	for _, bad := range []string{"", "a/b", "/ConfigMap/ns/", "a/b/c/d/e"} {
		if _, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q) accepted", bad)
		}
	}
}

func TestGroupsSplitsByKind(t *testing.T) {
	mk := func(kind string) *task { return &task{obj: obj(kind, "x", nil)} }
	ts := []*task{mk("ConfigMap"), mk("ConfigMap"), mk("Secret"), mk("ConfigMap")}
	g := groups(ts)
	if len(g) != 3 || len(g[0]) != 2 || len(g[1]) != 1 || len(g[2]) != 1 {
		t.Errorf("groups = %d groups %v", len(g), g)
	}
}

func TestParseTimeout(t *testing.T) {
	d, err := parseTimeout(obj("Job", "j", map[string]string{argocd.AnnotationTimeout: "90s"}), time.Minute)
	if err != nil || d != 90*time.Second {
		t.Errorf("90s: %v %v", d, err)
	}
	d, err = parseTimeout(obj("Job", "j", nil), time.Minute)
	if err != nil || d != time.Minute {
		t.Errorf("default: %v %v", d, err)
	}
	if _, err := parseTimeout(obj("Job", "j", map[string]string{argocd.AnnotationTimeout: "soon"}), time.Minute); err == nil || !strings.Contains(err.Error(), "Job/j") {
		t.Errorf("bad duration: %v", err)
	}
}

func TestExplainConflict(t *testing.T) {
	err := &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Reason: metav1.StatusReasonConflict, Code: 409,
		Message: "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas",
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{
			Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "kubectl-client-side-apply" using apps/v1`, Field: ".spec.replicas",
		}}},
	}}
	got := explain(err)
	for _, want := range []string{".spec.replicas", `"kubectl-client-side-apply"`, "--force-conflicts"} {
		if !strings.Contains(got, want) {
			t.Errorf("explain = %q, missing %q", got, want)
		}
	}
	if got := explain(errors.New("a\nb")); got != "a b" {
		t.Errorf("explain keeps newlines: %q", got)
	}
}

func TestIsNamespaceNotFound(t *testing.T) {
	if !isNamespaceNotFound(apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "x")) {
		t.Error("namespace not found not recognised")
	}
	if isNamespaceNotFound(apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "x")) {
		t.Error("configmap not found taken for a namespace")
	}
}

// TestConvertPlanPrunes checks that prune steps merge into the apply step
// of their wave, prunes first, and that prune waves run in reverse.
func TestConvertPlanPrunes(t *testing.T) {
	objs := load(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: keep, annotations: {argocd.argoproj.io/sync-wave: "0"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: later, annotations: {argocd.argoproj.io/sync-wave: "2"}}
`)
	live := load(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: gone0, annotations: {argocd.argoproj.io/sync-wave: "0"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: gone2, annotations: {argocd.argoproj.io/sync-wave: "2"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: last, annotations: {argocd.argoproj.io/sync-options: PruneLast=true}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: kept, annotations: {argocd.argoproj.io/sync-options: Prune=false}}
`)
	p := plan.ForSyncWithPrunes(objs, live, plan.Options{Namespace: "ns"})
	steps, _, err := convertPlan(p, time.Minute, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		var labels []string
		for _, t := range s.tasks {
			labels = append(labels, t.label())
		}
		got = append(got, s.String()+": "+strings.Join(labels, ", "))
	}
	want := []string{
		"Sync wave 0: prune ConfigMap/gone2, ConfigMap/keep",
		"Sync wave 2: prune ConfigMap/gone0, ConfigMap/later",
		"Sync wave 3: prune ConfigMap/last",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Kept) != 1 || p.Kept[0].Name() != "kept" {
		t.Errorf("kept = %v", p.Kept)
	}
}

// TestConvertPlanGating checks that wavec waits for every task with a
// health check, and that --no-wait-last falls back to Argo CD's gating.
func TestConvertPlanGating(t *testing.T) {
	objs := load(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}
`)
	p := plan.ForSync(objs, plan.Options{Namespace: "ns"})
	steps, _, _ := convertPlan(p, time.Minute, false)
	if !steps[0].tasks[0].gated {
		t.Error("a single-step Deployment is not waited for")
	}
	steps, _, _ = convertPlan(p, time.Minute, true)
	if steps[0].tasks[0].gated {
		t.Error("--no-wait-last waits for the last step's Deployment")
	}
}
