package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/cluster"
)

// Labels and names wavec puts on the cluster.
const (
	// PipelineLabel is set on every object wavec applies to the name of
	// its pipeline. Only objects with it are ever pruned or deleted.
	PipelineLabel = "wavec.io/pipeline"
	// InventoryLabel is set on a pipeline's inventory ConfigMap to the
	// pipeline's name.
	InventoryLabel = "wavec.io/inventory"
	// InventoryPrefix starts the name of a pipeline's inventory ConfigMap.
	InventoryPrefix = "wavec-inventory-"
	// inventoryKey is the data key of the inventory's object list.
	inventoryKey = "objects"
)

// InventoryName returns the name of the inventory ConfigMap of pipeline.
func InventoryName(pipeline string) string { return InventoryPrefix + pipeline }

// Ref identifies an object on the cluster by group, kind, namespace and
// name; it is one line of an inventory.
type Ref struct {
	Group, Kind, Namespace, Name string
}

// RefOf returns the Ref of obj.
func RefOf(obj *unstructured.Unstructured) Ref {
	gvk := obj.GroupVersionKind()
	return Ref{Group: gvk.Group, Kind: gvk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// String returns "group/Kind/namespace/name"; the group is empty for the
// core API and the namespace for cluster-scoped objects.
func (r Ref) String() string {
	return r.Group + "/" + r.Kind + "/" + r.Namespace + "/" + r.Name
}

// Short returns "Kind/name" for messages.
func (r Ref) Short() string { return r.Kind + "/" + r.Name }

// ParseRef parses the String form of a Ref.
func ParseRef(s string) (Ref, error) {
	p := strings.Split(s, "/")
	if len(p) != 4 || p[1] == "" || p[3] == "" {
		return Ref{}, fmt.Errorf("inventory entry %q is not group/kind/namespace/name", s)
	}
	return Ref{Group: p[0], Kind: p[1], Namespace: p[2], Name: p[3]}, nil
}

func compareRefs(a, b Ref) int { return strings.Compare(a.String(), b.String()) }

// inventory is the record of what a pipeline applied, kept in a ConfigMap
// in the pipeline's namespace.
type inventory struct {
	namespace, pipeline string
	refs                []Ref
	exists              bool
}

func (k *kube) configMaps() (*meta.RESTMapping, error) {
	return k.mapping(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"})
}

// readInventory returns the inventory of pipeline in ns (empty when there
// is none).
func (k *kube) readInventory(ctx context.Context, ns, pipeline string) (*inventory, error) {
	inv := &inventory{namespace: ns, pipeline: pipeline}
	m, err := k.configMaps()
	if err != nil {
		return nil, err
	}
	cm, err := k.get(ctx, m, ns, InventoryName(pipeline))
	if apierrors.IsNotFound(err) {
		return inv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the inventory %s/%s: %s", ns, InventoryName(pipeline), explain(err))
	}
	inv.exists = true
	text, _, _ := unstructured.NestedString(cm.Object, "data", inventoryKey)
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		r, err := ParseRef(line)
		if err != nil {
			return nil, fmt.Errorf("inventory %s/%s: %v", ns, InventoryName(pipeline), err)
		}
		inv.refs = append(inv.refs, r)
	}
	return inv, nil
}

// write applies the inventory with refs as its list.
func (k *kube) writeInventory(ctx context.Context, inv *inventory, refs []Ref) error {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, compareRefs)
	refs = slices.Compact(refs)
	var b strings.Builder
	for _, r := range refs {
		b.WriteString(r.String() + "\n")
	}
	m, err := k.configMaps()
	if err != nil {
		return err
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata": map[string]any{
			"name":      InventoryName(inv.pipeline),
			"namespace": inv.namespace,
			"labels": map[string]any{
				InventoryLabel:                 inv.pipeline,
				"app.kubernetes.io/managed-by": "wavec",
			},
		},
		"data": map[string]any{inventoryKey: b.String()},
	}}
	if _, err := k.apply(ctx, m, cm, cluster.WriteOptions{Force: true}); err != nil {
		return fmt.Errorf("writing the inventory %s/%s: %s", inv.namespace, InventoryName(inv.pipeline), explain(err))
	}
	inv.refs, inv.exists = refs, true
	return nil
}

// deleteInventory removes the inventory.
func (k *kube) deleteInventory(ctx context.Context, inv *inventory) error {
	m, err := k.configMaps()
	if err != nil {
		return err
	}
	return k.del(ctx, m, inv.namespace, InventoryName(inv.pipeline), "")
}

// owned reports whether live carries the label of pipeline: wavec only
// ever prunes or deletes such objects.
func owned(live *unstructured.Unstructured, pipeline string) bool {
	return live != nil && live.GetLabels()[PipelineLabel] == pipeline
}

// fetch gets the live object of r, or nil when it does not exist or its
// kind is no longer served.
func (k *kube) fetch(ctx context.Context, r Ref) (*unstructured.Unstructured, *meta.RESTMapping, error) {
	m, err := k.c.Mapping(schema.GroupKind{Group: r.Group, Kind: r.Kind})
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	u, err := k.get(ctx, m, r.Namespace, r.Name)
	if apierrors.IsNotFound(err) {
		return nil, m, nil
	}
	if err != nil {
		return nil, m, fmt.Errorf("reading %s: %s", r.Short(), explain(err))
	}
	return u, m, nil
}
