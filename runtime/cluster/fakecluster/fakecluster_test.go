package fakecluster

import (
	"context"
	"errors"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/wavec/wavec/runtime/cluster"
)

var ctx = context.Background()

func configMap(name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": "default"}, "data": map[string]any{"k": name}}}
	u.SetLabels(labels)
	return u
}

func mapping(t *testing.T, c *Cluster, gk schema.GroupKind) *meta.RESTMapping {
	t.Helper()
	m, err := c.Mapping(gk)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func next(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("the watch ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event")
	}
	return watch.Event{}
}

func TestApplyCreatesThenUpdates(t *testing.T) {
	c := New()
	m := mapping(t, c, schema.GroupKind{Kind: "ConfigMap"})
	r, err := c.Apply(ctx, m, configMap("a", nil), cluster.WriteOptions{})
	if err != nil || !r.Created || r.Object.GetUID() == "" {
		t.Fatalf("first apply: %+v, %v", r, err)
	}
	again, err := c.Apply(ctx, m, configMap("a", nil), cluster.WriteOptions{})
	if err != nil || again.Created || again.Object.GetResourceVersion() != r.Object.GetResourceVersion() {
		t.Errorf("an unchanged apply: %+v, %v", again, err)
	}
	changed := configMap("a", map[string]string{"x": "y"})
	up, err := c.Apply(ctx, m, changed, cluster.WriteOptions{})
	if err != nil || up.Object.GetUID() != r.Object.GetUID() || up.Object.GetResourceVersion() == r.Object.GetResourceVersion() {
		t.Errorf("a changed apply: %+v, %v", up, err)
	}
	dry, err := c.Apply(ctx, m, configMap("b", nil), cluster.WriteOptions{DryRun: true})
	if err != nil || dry.Object.GetName() != "b" || c.Object(schema.GroupKind{Kind: "ConfigMap"}, "default", "b") != nil {
		t.Errorf("a dry run stored the object: %+v, %v", dry, err)
	}
}

func TestMissingNamespace(t *testing.T) {
	c := New()
	m := mapping(t, c, schema.GroupKind{Kind: "ConfigMap"})
	u := configMap("a", nil)
	u.SetNamespace("nowhere")
	_, err := c.Apply(ctx, m, u, cluster.WriteOptions{DryRun: true})
	var se apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &se) || se.Status().Details.Kind != "namespaces" {
		t.Errorf("apply into a missing namespace: %v", err)
	}
}

func TestDeletePreconditionsAndFinalizers(t *testing.T) {
	c := New()
	m := mapping(t, c, schema.GroupKind{Kind: "ConfigMap"})
	u := configMap("a", nil)
	u.SetFinalizers([]string{"example.com/hold"})
	r, err := c.Create(ctx, m, u, cluster.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := types.UID("someone-else")
	if err := c.Delete(ctx, m, "default", "a", metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &other}}); !apierrors.IsConflict(err) {
		t.Errorf("delete with another UID: %v", err)
	}
	uid := r.Object.GetUID()
	if err := c.Delete(ctx, m, "default", "a", metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}); err != nil {
		t.Fatal(err)
	}
	held := c.Object(schema.GroupKind{Kind: "ConfigMap"}, "default", "a")
	if held == nil || held.GetDeletionTimestamp() == nil {
		t.Fatalf("an object with a finalizer: %v", held)
	}
	if !c.Remove(schema.GroupKind{Kind: "ConfigMap"}, "default", "a") || c.Object(schema.GroupKind{Kind: "ConfigMap"}, "default", "a") != nil {
		t.Error("Remove left the object")
	}
	if err := c.Delete(ctx, m, "default", "a", metav1.DeleteOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("delete of a missing object: %v", err)
	}
}

func TestWatchFromResourceVersion(t *testing.T) {
	c := New()
	m := mapping(t, c, schema.GroupKind{Kind: "ConfigMap"})
	sel := metav1.ListOptions{LabelSelector: "app=x"}
	list, err := c.List(ctx, m, "default", sel)
	if err != nil {
		t.Fatal(err)
	}
	// Changes between the list and the watch are not lost.
	if _, err := c.Create(ctx, m, configMap("other", nil), cluster.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(ctx, m, configMap("a", map[string]string{"app": "x"}), cluster.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	sel.ResourceVersion = list.GetResourceVersion()
	w, err := c.Watch(ctx, m, "default", sel)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if ev := next(t, w); ev.Type != watch.Added || ev.Object.(*unstructured.Unstructured).GetName() != "a" {
		t.Errorf("first event %s %v", ev.Type, ev.Object)
	}
	c.Modify(schema.GroupKind{Kind: "ConfigMap"}, "default", "a", func(u *unstructured.Unstructured) { u.Object["data"] = map[string]any{"k": "v2"} })
	if ev := next(t, w); ev.Type != watch.Modified {
		t.Errorf("second event %s", ev.Type)
	}
	c.Remove(schema.GroupKind{Kind: "ConfigMap"}, "default", "a")
	if ev := next(t, w); ev.Type != watch.Deleted {
		t.Errorf("third event %s", ev.Type)
	}
	c.CloseWatches()
	select {
	case _, ok := <-w.ResultChan():
		if ok {
			t.Error("an event after CloseWatches")
		}
	case <-time.After(10 * time.Second):
		t.Error("CloseWatches left the watch open")
	}
}

func TestFaults(t *testing.T) {
	c := New()
	m := mapping(t, c, schema.GroupKind{Kind: "ConfigMap"})
	c.Fail(Fault{Verb: Apply, Name: "a", SkipDryRun: true, Times: 1, Err: apierrors.NewTooManyRequests("busy", 1)})
	if _, err := c.Apply(ctx, m, configMap("a", nil), cluster.WriteOptions{DryRun: true}); err != nil {
		t.Errorf("a dry run failed: %v", err)
	}
	if _, err := c.Apply(ctx, m, configMap("b", nil), cluster.WriteOptions{}); err != nil {
		t.Errorf("another object failed: %v", err)
	}
	if _, err := c.Apply(ctx, m, configMap("a", nil), cluster.WriteOptions{}); !apierrors.IsTooManyRequests(err) {
		t.Errorf("the fault was not injected: %v", err)
	}
	if _, err := c.Apply(ctx, m, configMap("a", nil), cluster.WriteOptions{}); err != nil {
		t.Errorf("the fault outlived its count: %v", err)
	}
	reqs := c.Requests()
	if len(reqs) != 4 || !apierrors.IsTooManyRequests(reqs[2].Err) || !reqs[0].DryRun {
		t.Errorf("requests: %+v", reqs)
	}
}

func TestCustomResourceDefinitionServesItsKind(t *testing.T) {
	c := New()
	gk := schema.GroupKind{Group: "example.com", Kind: "Widget"}
	if _, err := c.Mapping(gk); !meta.IsNoMatchError(err) {
		t.Fatalf("an unknown kind: %v", err)
	}
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets.example.com"},
		"spec": map[string]any{"group": "example.com", "scope": "Namespaced",
			"names":    map[string]any{"kind": "Widget", "plural": "widgets"},
			"versions": []any{map[string]any{"name": "v1", "served": true}}},
	}}
	if _, err := c.Apply(ctx, mapping(t, c, crd.GroupVersionKind().GroupKind()), crd, cluster.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := c.Mapping(gk, "v1")
	if err != nil || m.Resource.Resource != "widgets" || m.Scope.Name() != meta.RESTScopeNameNamespace {
		t.Errorf("mapping %+v, %v", m, err)
	}
	served, err := c.Served(ctx, "example.com/v1")
	if err != nil || len(served) != 1 || served[0].Name != "widgets" {
		t.Errorf("served %+v, %v", served, err)
	}
	stored := c.Object(crd.GroupVersionKind().GroupKind(), "", "widgets.example.com")
	conds, _, _ := unstructured.NestedSlice(stored.Object, "status", "conditions")
	if len(conds) != 2 {
		t.Errorf("conditions %v", conds)
	}
}
