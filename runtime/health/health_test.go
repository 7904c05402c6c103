package health

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wavec/wavec/runtime/manifest"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fixtureCases loads testdata/<file>: one object per document, whose
// want-status and want-message annotations hold the expected result.
func fixtureCases(t *testing.T, file string) []manifest.Object {
	t.Helper()
	objs, err := manifest.Load([]string{filepath.Join("testdata", file)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) == 0 {
		t.Fatalf("%s holds no cases", file)
	}
	return objs
}

func TestCheckFixtures(t *testing.T) {
	// Every status each kind's check can return has a case in its file.
	files := map[string][]Status{
		"deployment.yaml":  {Healthy, Progressing, Degraded, Suspended, Unknown},
		"statefulset.yaml": {Healthy, Progressing},
		"daemonset.yaml":   {Healthy, Progressing},
		"replicaset.yaml":  {Healthy, Progressing, Degraded},
		"job.yaml":         {Healthy, Progressing, Degraded, Suspended},
		"pod.yaml":         {Healthy, Progressing, Degraded, Unknown},
		"pvc.yaml":         {Healthy, Progressing, Degraded, Unknown},
		"service.yaml":     {Healthy, Progressing},
		"ingress.yaml":     {Healthy, Progressing},
		"apiservice.yaml":  {Healthy, Progressing},
		"hpa.yaml":         {Healthy, Progressing, Degraded, Unknown},
	}
	for file, statuses := range files {
		t.Run(file, func(t *testing.T) {
			var seen []Status
			for _, o := range fixtureCases(t, file) {
				ann := o.GetAnnotations()
				got, ok := Check(o.Unstructured)
				if !ok {
					t.Errorf("%s: no check for %s", o.Source, o.GroupVersionKind())
					continue
				}
				if got.Status.String() != ann["want-status"] || got.Message != ann["want-message"] {
					t.Errorf("%s (%s):\n got %s %q\nwant %s %q", o.Source, o.GetName(), got.Status, got.Message, ann["want-status"], ann["want-message"])
				}
				seen = append(seen, got.Status)
			}
			for _, s := range statuses {
				if !slices.Contains(seen, s) {
					t.Errorf("no case yields %s", s)
				}
			}
		})
	}
}

func TestHasCheck(t *testing.T) {
	for _, tt := range []struct {
		group, kind string
		want        bool
	}{
		{"apps", "Deployment", true},
		{"apps", "StatefulSet", true},
		{"apps", "DaemonSet", true},
		{"apps", "ReplicaSet", true},
		{"batch", "Job", true},
		{"", "Pod", true},
		{"", "PersistentVolumeClaim", true},
		{"", "Service", true},
		{"networking.k8s.io", "Ingress", true},
		{"extensions", "Ingress", true},
		{"apiregistration.k8s.io", "APIService", true},
		{"autoscaling", "HorizontalPodAutoscaler", true},
		// Kinds without a check complete as soon as they are applied.
		{"", "ConfigMap", false},
		{"", "Secret", false},
		{"", "Namespace", false},
		{"", "ServiceAccount", false},
		{"rbac.authorization.k8s.io", "Role", false},
		{"batch", "CronJob", false},
		{"apiextensions.k8s.io", "CustomResourceDefinition", false},
		// The group matters: a Deployment of another group is not checked.
		{"extensions", "Deployment", false},
		{"serving.knative.dev", "Service", false},
	} {
		if got := HasCheck(schema.GroupKind{Group: tt.group, Kind: tt.kind}); got != tt.want {
			t.Errorf("HasCheck(%s/%s) = %v, want %v", tt.group, tt.kind, got, tt.want)
		}
	}
}

func TestCheckLifecycle(t *testing.T) {
	obj := func(apiVersion, kind string, md map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": md}}
	}
	tests := []struct {
		name   string
		obj    *unstructured.Unstructured
		want   Result
		wantOK bool
	}{
		{"missing object", nil, Result{Missing, "object does not exist"}, true},
		{"kind without a check", obj("v1", "ConfigMap", map[string]any{"name": "c"}), Result{}, false},
		{
			"deleted object of a kind without a check",
			obj("v1", "ConfigMap", map[string]any{"name": "c", "deletionTimestamp": "2026-01-01T00:00:00Z"}),
			Result{Progressing, "pending deletion"}, true,
		},
		{
			"deleted hook still held by Argo CD's finalizer is judged by its status",
			obj("batch/v1", "Job", map[string]any{"name": "j", "deletionTimestamp": "2026-01-01T00:00:00Z", "finalizers": []any{"argocd.argoproj.io/hook-finalizer"}}),
			Result{Progressing, "Job: 0 active, 0 succeeded, 0 failed"}, true,
		},
	}
	for _, tt := range tests {
		got, ok := Check(tt.obj)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: got %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestStatusString(t *testing.T) {
	want := []string{"Unknown", "Healthy", "Progressing", "Degraded", "Suspended", "Missing"}
	for i, w := range want {
		if got := Status(i).String(); got != w {
			t.Errorf("Status(%d) = %q, want %q", i, got, w)
		}
	}
}
