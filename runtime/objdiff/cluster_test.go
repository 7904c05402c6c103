package objdiff

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/wavec/wavec/runtime/apply"
	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

func engine(t *testing.T) (*apply.Engine, kubernetes.Interface) {
	t.Helper()
	cfg := testcluster.Config(t)
	cs := kubernetes.NewForConfigOrDie(cfg)
	c, err := cluster.NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	e, err := apply.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return e, cs
}

func load(t *testing.T, s string) []manifest.Object {
	t.Helper()
	p := filepath.Join(t.TempDir(), "objs.yaml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	objs, err := manifest.Load([]string{p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

const web = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {A: b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: registry.example/web:1}]
`

// TestDeletedWhileComparing: an object someone deletes between the read
// of the live object and the dry run makes a clear error, not a diff
// against a stale object.
func TestDeletedWhileComparing(t *testing.T) {
	e, cs := engine(t)
	ns := testcluster.Namespace(t)
	ctx := context.Background()
	objs := load(t, web)
	opts := apply.Options{Pipeline: "gone", Namespace: ns, CreateNamespace: true, StepTimeout: time.Minute}
	if res := e.Sync(ctx, objs, opts); res.Status != progress.Succeeded {
		t.Fatalf("sync: %s", res.Message)
	}
	pv, err := e.Preview(ctx, objs, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(ctx, pv, "gone", ns)
	if err != nil || r.Changes != 0 {
		t.Fatalf("right after the sync: %v, %+v", err, r)
	}
	_, err = compare(ctx, pv, "gone", ns, options{between: func(it *apply.Item) {
		if it.Object.GetKind() != "Deployment" {
			return
		}
		if err := cs.AppsV1().Deployments(ns).Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}})
	if err == nil || err.Error() != "Deployment/web: deleted or replaced by someone else while wavec compared it; run wavec diff again" {
		t.Fatalf("got %v", err)
	}
	// Once it is gone, it shows as added.
	r, err = Compare(ctx, pv, "gone", ns)
	if err != nil || r.Changes != 1 || r.Objects[1].Change != Added || !strings.Contains(r.Objects[1].Diff, "+kind: Deployment\n") {
		t.Fatalf("after the deletion: %v, %+v", err, r)
	}
}

// TestNewNamespace: before the first sync into a namespace that does not
// exist, the namespace and every object show as added, the objects as
// they would be sent, with a note that the server could not validate them
// yet.
func TestNewNamespace(t *testing.T) {
	e, _ := engine(t)
	ns := testcluster.Namespace(t) + "-new"
	ctx := context.Background()
	pv, err := e.Preview(ctx, load(t, web), apply.Options{Pipeline: "new", Namespace: ns, CreateNamespace: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(ctx, pv, "new", ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Objects) != 3 || r.Changes != 3 || r.Objects[0].Kind != "Namespace" || r.Objects[0].Name != ns {
		t.Fatalf("%+v", r)
	}
	for _, o := range r.Objects[1:] {
		if o.Change != Added || o.Note != "not validated yet: namespace "+ns+" is created by this sync" || !strings.Contains(o.Diff, "+    wavec.io/pipeline: new\n") {
			t.Errorf("%s: %s %q\n%s", o.Ref(), o.Change, o.Note, o.Diff)
		}
	}
}

// TestNewKind: a custom resource whose CustomResourceDefinition the sync
// creates cannot be dry-run yet; it shows as added, as sent, with a note.
func TestNewKind(t *testing.T) {
	e, _ := engine(t)
	ns := testcluster.Namespace(t)
	ctx := context.Background()
	objs := load(t, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.diff.wavec.test}
spec:
  group: diff.wavec.test
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: diff.wavec.test/v1
kind: Gadget
metadata: {name: g}
spec: {size: 3}
`)
	pv, err := e.Preview(ctx, objs, apply.Options{Pipeline: "kind", Namespace: ns, CreateNamespace: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(ctx, pv, "kind", ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Objects) != 2 || r.Changes != 2 {
		t.Fatalf("%+v", r)
	}
	crd, cr := r.Objects[0], r.Objects[1]
	if crd.Kind != "CustomResourceDefinition" || crd.Change != Added || crd.Note != "" || crd.Namespace != "" {
		t.Errorf("CRD: %+v", crd)
	}
	if cr.Kind != "Gadget" || cr.Change != Added || cr.Namespace != ns || cr.Note != "not validated yet: its CustomResourceDefinition is created by this sync" ||
		!strings.Contains(cr.Diff, "+  size: 3\n") {
		t.Errorf("custom resource: %+v", cr)
	}
}

// TestForceRecreates: a plain Job with Force=true whose template changed
// cannot be updated in place; run deletes and creates it, and diff says
// so, showing what the create would store.
func TestForceRecreates(t *testing.T) {
	e, _ := engine(t)
	ns := testcluster.Namespace(t)
	ctx := context.Background()
	job := func(image string) []manifest.Object {
		return load(t, `
apiVersion: batch/v1
kind: Job
metadata:
  name: once
  annotations: {argocd.argoproj.io/sync-options: Force=true}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: `+image+`}]
`)
	}
	opts := apply.Options{Pipeline: "force", Namespace: ns, CreateNamespace: true, StepTimeout: time.Minute}
	if res := e.Sync(ctx, job("registry.example/once:1"), opts); res.Status != progress.Succeeded {
		t.Fatalf("sync: %s", res.Message)
	}
	pv, err := e.Preview(ctx, job("registry.example/once:2"), opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(ctx, pv, "force", ns)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Objects[0]
	if o.Change != Changed || o.Note != apply.ErrRecreate.Error() || r.Changes != 1 ||
		!strings.Contains(o.Diff, "-      - image: registry.example/once:1\n+      - image: registry.example/once:2\n") ||
		!strings.Contains(o.Diff, "         job-name: once\n") {
		t.Fatalf("%+v\n%s", o, o.Diff)
	}
}
