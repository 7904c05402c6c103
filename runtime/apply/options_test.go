package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wavec/wavec/runtime/progress"
)

// TestRetry: a failed sync is tried again with the backoff, and every
// attempt starts afresh.
func TestRetry(t *testing.T) {
	v := newEnv(t)
	o := v.opts("retry")
	o.Retry = 2
	var slept []time.Duration
	o.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	r := v.sync(withTimeout(t, time.Minute), load(t, hookFailure), o)
	if r.Status != progress.Failed || r.Summary.Attempts != 3 {
		t.Fatalf("sync %s after %d attempts, want failed after 3", r.Status, r.Summary.Attempts)
	}
	if len(slept) != 2 || slept[0] != 5*time.Second || slept[1] != 10*time.Second {
		t.Errorf("backoff %v, want [5s 10s]", slept)
	}
	if n := len(v.rec.find(progress.Retry, "")); n != 2 {
		t.Errorf("%d retry events", n)
	}
}

// TestConflict: a field another manager owns is a conflict naming the
// field and the manager, unless --force-conflicts takes it over.
func TestConflict(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	other := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"level":"debug"}}`)
	if _, err := v.cs.CoreV1().ConfigMaps(v.ns).Patch(ctx, "settings", types.ApplyPatchType, other, metav1.PatchOptions{FieldManager: "ops-team"}); err != nil {
		t.Fatal(err)
	}
	objs := load(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: info}\n")
	r := v.sync(withTimeout(t, time.Minute), objs, v.opts("conflict"))
	if r.Status != progress.Failed {
		t.Fatalf("sync %s, want failed", r.Status)
	}
	for _, want := range []string{".data.level", `"ops-team"`, "--force-conflicts"} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("message %q lacks %q", r.Message, want)
		}
	}
	o := v.opts("conflict")
	o.ForceConflicts = true
	if r := v.sync(withTimeout(t, time.Minute), objs, o); r.Status != progress.Succeeded {
		t.Fatalf("sync with force %s: %s", r.Status, r.Message)
	}
	cm, _ := v.cs.CoreV1().ConfigMaps(v.ns).Get(ctx, "settings", metav1.GetOptions{})
	if cm.Data["level"] != "info" {
		t.Errorf("level = %q after --force-conflicts", cm.Data["level"])
	}
}

// TestDryRun: --dry-run=server validates everything and persists nothing;
// a task the server rejects fails the sync before anything is applied,
// without SyncFail.
func TestDryRun(t *testing.T) {
	v := newEnv(t)
	o := v.opts("dry")
	o.DryRun = true
	r := v.sync(withTimeout(t, time.Minute), load(t, rerun), o)
	if r.Status != progress.Succeeded || r.Plan == nil {
		t.Fatalf("dry run %s: %s", r.Status, r.Message)
	}
	if v.exists("configmaps", "settings") || v.exists("deployments", "web") || v.exists("configmaps", InventoryName("dry")) {
		t.Error("a dry run persisted objects")
	}
	if len(v.rec.find(progress.Validated, "")) != 1 {
		t.Error("no validation reported")
	}

	bad := hookFailure + `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  template:
    spec:
      containers: [{name: main, image: registry.example/none:1}]
`
	r = v.sync(withTimeout(t, time.Minute), load(t, bad), v.opts("dry"))
	if r.Status != progress.Failed || !strings.Contains(r.Message, "server-side dry run failed") || !strings.Contains(r.Message, "Deployment/broken") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if v.exists("configmaps", "settings") || v.exists("jobs", "migrate") || v.exists("jobs", "notify") {
		t.Error("objects were applied, or SyncFail ran, after a failed dry run")
	}
}

// TestSyncTimeout: --timeout bounds the whole sync; running out is a
// failure that names what was still running, and SyncFail runs.
func TestSyncTimeout(t *testing.T) {
	v := newEnv(t)
	o := v.opts("slow")
	o.Timeout = 2 * time.Second
	r := v.sync(withTimeout(t, time.Minute), load(t, strings.Replace(slowHook, "DURATION", "60s", 1)), o)
	if r.Status != progress.Failed {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if !strings.Contains(r.Message, "timed out after 2s") || !strings.Contains(r.Message, "Job/migrate") {
		t.Errorf("message %q", r.Message)
	}
	if len(v.rec.find(progress.Applied, "Job/notify")) != 1 {
		t.Error("SyncFail did not run after the sync timed out")
	}
}

// TestCustomResource: a CRD is established before its custom resources
// are applied, in the same sync.
func TestCustomResource(t *testing.T) {
	v := newEnv(t)
	group := v.ns + ".wavec.test"
	crd := `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.GROUP}
spec:
  group: GROUP
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: GROUP/v1
kind: Widget
metadata: {name: gear, annotations: {argocd.argoproj.io/sync-wave: "1"}}
spec: {teeth: 12}
`
	t.Cleanup(func() {
		if m, err := v.e.k.mapping(crdGVK); err == nil {
			_ = v.e.k.c.Delete(context.Background(), m, "", "widgets."+group, metav1.DeleteOptions{})
		}
	})
	r := v.sync(withTimeout(t, time.Minute), load(t, strings.ReplaceAll(crd, "GROUP", group)), v.opts("crd"))
	if r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	m, err := v.e.k.mapping(widgetGVK(group))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.e.k.get(context.Background(), m, v.ns, "gear"); err != nil {
		t.Errorf("the custom resource: %v", err)
	}
	val := v.rec.find(progress.Validated, "")
	if len(val) != 1 || !strings.Contains(val[0].Message, "Widget/gear (its CustomResourceDefinition is created by this sync)") {
		t.Errorf("validation: %v", val)
	}
	// A second sync finds the kind served and validates it too.
	r = v.sync(withTimeout(t, time.Minute), load(t, strings.ReplaceAll(crd, "GROUP", group)), v.opts("crd"))
	if r.Status != progress.Succeeded {
		t.Fatalf("second sync %s: %s", r.Status, r.Message)
	}
	if _, err := v.e.k.get(context.Background(), m, v.ns, "gear"); apierrors.IsNotFound(err) {
		t.Error("the custom resource is gone")
	}
}

// TestReplaceAndForce: Replace=true replaces instead of applying, and
// Force=true recreates an object that cannot be updated (a Job whose
// template changed).
func TestReplaceAndForce(t *testing.T) {
	v := newEnv(t)
	pipeline := func(value, image string) string {
		return `
apiVersion: v1
kind: ConfigMap
metadata: {name: replaced, annotations: {argocd.argoproj.io/sync-options: Replace=true}}
data: {value: "` + value + `"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, annotations: {argocd.argoproj.io/sync-options: Force=true}}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: ` + image + `}]
`
	}
	if r := v.sync(withTimeout(t, time.Minute), load(t, pipeline("1", "registry.example/a:1")), v.opts("force")); r.Status != progress.Succeeded {
		t.Fatalf("first sync %s: %s", r.Status, r.Message)
	}
	ctx := context.Background()
	job1, err := v.cs.BatchV1().Jobs(v.ns).Get(ctx, "once", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := v.sync(withTimeout(t, time.Minute), load(t, pipeline("2", "registry.example/b:1")), v.opts("force")); r.Status != progress.Succeeded {
		t.Fatalf("second sync %s: %s", r.Status, r.Message)
	}
	cm, _ := v.cs.CoreV1().ConfigMaps(v.ns).Get(ctx, "replaced", metav1.GetOptions{})
	if cm.Data["value"] != "2" {
		t.Errorf("replaced ConfigMap holds %q", cm.Data["value"])
	}
	for _, f := range cm.ManagedFields {
		if f.Manager == FieldManager && f.Operation != metav1.ManagedFieldsOperationUpdate {
			t.Errorf("Replace=true wrote with operation %s", f.Operation)
		}
	}
	job2, err := v.cs.BatchV1().Jobs(v.ns).Get(ctx, "once", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job2.UID == job1.UID || job2.Spec.Template.Spec.Containers[0].Image != "registry.example/b:1" {
		t.Error("Force=true did not recreate the Job with its new template")
	}
}
