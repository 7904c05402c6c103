package emit

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/ir"
)

// decorateByAccessors is decorate written with Unstructured's accessors,
// which decorate must match on any metadata.
func decorateByAccessors(p *ir.Pipeline, r *ir.Resource, u *unstructured.Unstructured) {
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	for k, v := range p.Labels {
		if _, ok := labels[k]; !ok || r.Object == nil {
			labels[k] = v
		}
	}
	for k, v := range r.Labels {
		labels[k] = v
	}
	if _, ok := labels[NameLabel]; !ok || r.Object == nil && r.Labels[NameLabel] == "" {
		name := u.GetName()
		if r.Object == nil {
			name = r.Name
		} else if name == "" {
			name = strings.TrimRight(u.GetGenerateName(), "-.")
		}
		labels[NameLabel] = nameLabel(name)
	}
	labels[PartOfLabel] = p.Name
	labels[ManagedByLabel] = ManagedBy
	u.SetLabels(labels)
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	for k, v := range r.Annotations {
		ann[k] = v
	}
	for k, v := range Annotations(r) {
		ann[k] = v
	}
	if opts := syncOptions(ann[argocd.AnnotationSyncOptions], r); opts != "" {
		ann[argocd.AnnotationSyncOptions] = opts
	}
	if len(ann) > 0 {
		u.SetAnnotations(ann)
	}
}

// TestDecorateAsAccessors holds decorate to Unstructured's GetLabels and
// SetLabels (and annotations), on objects from YAML with metadata of
// every shape, and on typed objects.
func TestDecorateAsAccessors(t *testing.T) {
	p := &ir.Pipeline{Name: "shop", Labels: map[string]string{"team": "a", "tier": "web"}}
	metas := []map[string]any{
		nil, // no metadata
		{"name": "x"},
		{"generateName": "job-x-"},
		{"name": "x", "labels": map[string]any{"team": "b", "own": "1"}, "annotations": map[string]any{argocd.AnnotationSyncOptions: "Prune=false,Validate=false", "note": "n"}},
		{"name": "x", "labels": map[string]any{"team": "b", "count": int64(3)}, "annotations": map[string]any{"bad": true}},
		{"name": "x", "labels": nil, "annotations": nil},
		{"name": "x", "labels": "team=a", "annotations": []any{"a"}},
		{"name": "x", "labels": map[string]any{NameLabel: "given"}},
	}
	resources := []*ir.Resource{
		{Kind: ir.Object, Name: "obj", Object: &ir.ObjectSpec{}},
		{Kind: ir.Object, Name: "obj", Object: &ir.ObjectSpec{}, Labels: map[string]string{"team": "c", NameLabel: "mine"}, Annotations: map[string]string{"note": "m"},
			NoPrune: true, PruneLast: true, SyncOptions: []string{"Replace=true"}, Placement: ir.Placement{Phases: []argocd.Phase{argocd.PreSync}, Wave: -2}},
		{Kind: ir.ConfigMap, Name: "cm", Placement: ir.Placement{Wave: 3}},
	}
	objects := []map[string]any{{"kind": "ConfigMap"}, {"kind": "ConfigMap", "metadata": nil}, {"kind": "ConfigMap", "metadata": "odd"}}
	for _, m := range metas {
		o := map[string]any{"kind": "ConfigMap"}
		if m != nil {
			o["metadata"] = m
		}
		objects = append(objects, o)
	}
	n := 0
	for _, r := range resources {
		for _, o := range objects {
			want := &unstructured.Unstructured{Object: o}
			want = want.DeepCopy()
			got := want.DeepCopy()
			decorateByAccessors(p, r, want)
			decorate(p, r, got)
			if !reflect.DeepEqual(got.Object, want.Object) {
				t.Errorf("%s, %v:\ngot  %#v\nwant %#v", r.Ref(), o, got.Object, want.Object)
			}
			n++
		}
	}
	if n != len(resources)*len(objects) {
		t.Fatal(n)
	}
}
