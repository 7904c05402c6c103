package apply

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/progress"
)

// crdScopes returns, for every CustomResourceDefinition among objs, whether
// the kind it defines is namespaced.
func crdScopes[O interface {
	GroupVersionKind() schema.GroupVersionKind
}](objs []O, get func(O) *unstructured.Unstructured) map[schema.GroupKind]bool {
	out := map[schema.GroupKind]bool{}
	for _, x := range objs {
		if x.GroupVersionKind().GroupKind() != crdGVK.GroupKind() {
			continue
		}
		o := get(x)
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
		out[schema.GroupKind{Group: group, Kind: kind}] = scope != "Cluster"
	}
	return out
}

// prepare copies the input and makes it what the sync applies: namespaced
// objects without a namespace get the pipeline's, cluster-scoped ones lose
// any, and every object gets PipelineLabel. It also computes the revision.
func (s *syncRun) prepare(ctx context.Context, input []manifest.Object) ([]manifest.Object, error) {
	scopes := crdScopes(input, func(o manifest.Object) *unstructured.Unstructured { return o.Unstructured })
	var (
		objs []manifest.Object
		errs []string
	)
	for _, in := range input {
		o := in.DeepCopy()
		gvk := o.GroupVersionKind()
		var namespaced bool
		m, err := s.k.mapping(gvk)
		switch {
		case err == nil:
			namespaced = m.Scope.Name() == meta.RESTScopeNameNamespace
		case meta.IsNoMatchError(err) || strings.Contains(err.Error(), "does not serve"):
			ns, ok := scopes[gvk.GroupKind()]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: %s", objectName(o), explain(err)))
				continue
			}
			namespaced = ns
		default:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("discovering %s: %s", gvkString(gvk), explain(err))
		}
		if namespaced && o.GetNamespace() == "" {
			o.SetNamespace(s.opts.Namespace)
		}
		if !namespaced {
			o.SetNamespace("")
		}
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[PipelineLabel] = s.opts.Pipeline
		o.SetLabels(labels)
		prepared := in // keeps where each field was written, for diagnostics
		prepared.Unstructured = o
		objs = append(objs, prepared)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	us := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		us[i] = o.Unstructured
	}
	s.revision = Revision(us)
	return objs, nil
}

func objectName(o *unstructured.Unstructured) string {
	if o.GetName() == "" && o.GetGenerateName() != "" {
		return o.GetKind() + "/" + o.GetGenerateName() + "*"
	}
	return o.GetKind() + "/" + o.GetName()
}

// resolve finds the REST mapping of every task it can; custom resources of
// CRDs the sync creates are resolved once the CRD is established.
func (s *syncRun) resolve() {
	for _, t := range s.allTasks() {
		if t.mapping == nil {
			t.mapping, _ = s.k.mapping(t.obj.GroupVersionKind())
		}
	}
}

// pruneCandidates reads the inventory and returns the live objects that
// left the pipeline and may be pruned. It records in s.desired what the
// sync applies and in s.keep what stays in the inventory.
func (s *syncRun) pruneCandidates(ctx context.Context, desired []Ref) ([]*unstructured.Unstructured, error) {
	inv, err := s.k.readInventory(ctx, s.opts.Namespace, s.opts.Pipeline)
	if err != nil {
		return nil, err
	}
	s.inv = inv
	s.desired = desired
	want := map[Ref]bool{}
	for _, r := range desired {
		want[r] = true
	}
	var (
		prunes []*unstructured.Unstructured
		left   []string
	)
	for _, r := range inv.refs {
		if want[r] {
			continue
		}
		live, _, err := s.k.fetch(ctx, r)
		if err != nil {
			return nil, err
		}
		switch {
		case live == nil:
			// Already gone: drop it from the inventory.
		case !owned(live, s.opts.Pipeline):
			s.em.emit(progress.Event{Type: progress.Warning, Object: r.Short(), Namespace: r.Namespace,
				Message: fmt.Sprintf("%s left the pipeline but no longer carries %s=%s; wavec does not own it and will not prune it", r.Short(), PipelineLabel, s.opts.Pipeline)})
		case !s.opts.Prune:
			s.keep = append(s.keep, r)
			left = append(left, r.Short())
		default:
			prunes = append(prunes, live)
		}
	}
	if len(left) > 0 {
		s.em.emit(progress.Event{Type: progress.Warning,
			Message: fmt.Sprintf("%d objects left the pipeline and are kept (run with --prune to delete them): %s", len(left), strings.Join(left, ", "))})
	}
	return prunes, nil
}

// ensureNamespace creates the pipeline's namespace when it does not exist,
// as Argo CD's CreateNamespace=true does.
func (s *syncRun) ensureNamespace(ctx context.Context) error {
	ns := s.opts.Namespace
	m, err := s.k.mapping(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"})
	if err != nil {
		return err
	}
	_, err = s.k.get(ctx, m, "", ns)
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) {
		return fmt.Errorf("reading namespace %s: %s", ns, explain(err))
	}
	if !s.opts.CreateNamespace {
		for _, t := range s.allTasks() {
			if t.obj.GetKind() == "Namespace" && t.obj.GetName() == ns {
				return nil // the plan creates it
			}
		}
		return fmt.Errorf("namespace %s does not exist (create it, or drop --create-namespace=false)", ns)
	}
	nsObj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
	_, err = s.k.create(ctx, m, nsObj, cluster.WriteOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %s", ns, explain(err))
	}
	s.em.emit(progress.Event{Type: progress.Applied, Object: "Namespace/" + ns, Action: "created"})
	// Pods are rejected until the namespace's default ServiceAccount
	// exists, a moment after the namespace.
	for _, t := range s.allTasks() {
		if t.obj.GetKind() == "Pod" && t.obj.GetNamespace() == ns {
			m, err := s.k.mapping(schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"})
			if err != nil {
				return err
			}
			return s.k.watchUntil(ctx, m, ns, "default", func(u *unstructured.Unstructured) (bool, error) { return u != nil, nil })
		}
	}
	return nil
}
