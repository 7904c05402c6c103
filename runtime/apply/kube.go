package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/wavec/wavec/runtime/cluster"
)

// FieldManager is the server-side apply field manager wavec applies as.
const FieldManager = cluster.FieldManager

// kube is the engine's access to the API server: a cluster.API and what the
// engine builds on it (mapping with a reset for new kinds, replace, deletes
// with preconditions, waits by watch).
type kube struct {
	c cluster.API
}

// mapping finds the resource of gvk. A kind the mapper does not know may
// be new (a CRD established since discovery was cached), so it resets the
// mapper once and tries again.
func (k *kube) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := k.c.Mapping(gvk.GroupKind(), gvk.Version)
	if err != nil && meta.IsNoMatchError(err) {
		k.c.ResetMapping()
		m, err = k.c.Mapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, fmt.Errorf("the cluster does not serve %s (is its CustomResourceDefinition installed?)", gvkString(gvk))
		}
		return nil, err
	}
	return m, nil
}

func gvkString(gvk schema.GroupVersionKind) string {
	if gvk.Group == "" {
		return gvk.Version + " " + gvk.Kind
	}
	return gvk.Group + "/" + gvk.Version + " " + gvk.Kind
}

// Backoff of requests the server throttles.
const (
	// throttleRetries is how many times a throttled request is sent
	// again before its error is returned.
	throttleRetries = 8
	// throttleDelay is the first pause before sending it again; it
	// doubles up to throttleMaxDelay.
	throttleDelay    = 250 * time.Millisecond
	throttleMaxDelay = 8 * time.Second
)

// throttled sends a request with send, and again while the server answers
// 429 Too Many Requests (API Priority and Fairness, or a limit of requests
// in flight), pausing as long as the server suggests (Retry-After) and at
// least a backoff that doubles from throttleDelay, until ctx ends or
// throttleRetries are spent. client-go already repeats 429 answers that
// carry Retry-After a few times; this covers the rest, so that a busy
// server slows a sync down instead of failing it.
func throttled[T any](ctx context.Context, send func() (T, error)) (T, error) {
	delay := throttleDelay
	for i := 0; ; i++ {
		v, err := send()
		if !apierrors.IsTooManyRequests(err) || i == throttleRetries {
			return v, err
		}
		d := delay
		if s, ok := apierrors.SuggestsClientDelay(err); ok && time.Duration(s)*time.Second > d {
			d = time.Duration(s) * time.Second
		}
		if sleep(ctx, d) != nil {
			return v, err
		}
		delay = min(2*delay, throttleMaxDelay)
	}
}

// apply server-side applies obj as FieldManager.
func (k *kube) apply(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (cluster.WriteResult, error) {
	return throttled(ctx, func() (cluster.WriteResult, error) { return k.c.Apply(ctx, m, obj, o) })
}

// create creates obj (used to dry-run hooks that will be created afresh).
func (k *kube) create(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (cluster.WriteResult, error) {
	return throttled(ctx, func() (cluster.WriteResult, error) { return k.c.Create(ctx, m, obj, o) })
}

// get reads an object.
func (k *kube) get(ctx context.Context, m *meta.RESTMapping, ns, name string) (*unstructured.Unstructured, error) {
	return throttled(ctx, func() (*unstructured.Unstructured, error) { return k.c.Get(ctx, m, ns, name) })
}

// list lists objects of m's resource in ns.
func (k *kube) list(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	return throttled(ctx, func() (*unstructured.UnstructuredList, error) { return k.c.List(ctx, m, ns, o) })
}

// delete sends a delete request.
func (k *kube) delete(ctx context.Context, m *meta.RESTMapping, ns, name string, o metav1.DeleteOptions) error {
	_, err := throttled(ctx, func() (struct{}, error) { return struct{}{}, k.c.Delete(ctx, m, ns, name, o) })
	return err
}

// watch starts a watch.
func (k *kube) watch(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (watch.Interface, error) {
	return throttled(ctx, func() (watch.Interface, error) { return k.c.Watch(ctx, m, ns, o) })
}

// replace replaces obj (sync option Replace=true), creating it when it
// does not exist.
func (k *kube) replace(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (cluster.WriteResult, error) {
	live, err := k.get(ctx, m, obj.GetNamespace(), obj.GetName())
	if apierrors.IsNotFound(err) {
		return k.create(ctx, m, obj, o)
	}
	if err != nil {
		return cluster.WriteResult{}, err
	}
	obj = obj.DeepCopy()
	obj.SetResourceVersion(live.GetResourceVersion())
	return throttled(ctx, func() (cluster.WriteResult, error) { return k.c.Update(ctx, m, obj, o) })
}

// del deletes an object in the background (its dependents are collected
// afterwards, as kubectl does), only if it still has the given UID when uid
// is not empty. An object already gone is not an error.
func (k *kube) del(ctx context.Context, m *meta.RESTMapping, ns, name string, uid types.UID) error {
	policy := metav1.DeletePropagationBackground
	opts := metav1.DeleteOptions{PropagationPolicy: &policy}
	if uid != "" {
		opts.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	err := k.delete(ctx, m, ns, name, opts)
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) && uid != "" {
		return nil // gone, or replaced by an object that is not ours to delete
	}
	return err
}

// watchUntil waits until done returns true for the object (nil once it
// does not exist), watching it from its current state; no polling.
func (k *kube) watchUntil(ctx context.Context, m *meta.RESTMapping, ns, name string, done func(*unstructured.Unstructured) (bool, error)) error {
	for {
		list, err := k.list(ctx, m, ns, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()})
		if err != nil {
			return err
		}
		var cur *unstructured.Unstructured
		if len(list.Items) > 0 {
			cur = &list.Items[0]
		}
		if ok, err := done(cur); ok || err != nil {
			return err
		}
		w, err := k.watch(ctx, m, ns, metav1.ListOptions{
			FieldSelector:       fields.OneTermEqualSelector("metadata.name", name).String(),
			ResourceVersion:     list.GetResourceVersion(),
			AllowWatchBookmarks: true,
		})
		if err != nil {
			return err
		}
		ok, err := consume(ctx, w, done)
		w.Stop()
		if ok || err != nil {
			return err
		}
		// The watch ended (server timeout, compaction): list again.
	}
}

func consume(ctx context.Context, w watch.Interface, done func(*unstructured.Unstructured) (bool, error)) (bool, error) {
	for {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case ev, open := <-w.ResultChan():
			if !open {
				return false, nil
			}
			switch ev.Type {
			case watch.Added, watch.Modified:
				if u, ok := ev.Object.(*unstructured.Unstructured); ok {
					if ok, err := done(u); ok || err != nil {
						return ok, err
					}
				}
			case watch.Deleted:
				if ok, err := done(nil); ok || err != nil {
					return ok, err
				}
			case watch.Error:
				return false, nil
			}
		}
	}
}

// waitGone waits until the object with the given UID (any object of that
// name when uid is empty) no longer exists.
func (k *kube) waitGone(ctx context.Context, m *meta.RESTMapping, ns, name string, uid types.UID) error {
	return k.watchUntil(ctx, m, ns, name, func(u *unstructured.Unstructured) (bool, error) {
		return u == nil || uid != "" && u.GetUID() != uid, nil
	})
}

// crdGVK is the kind of CustomResourceDefinitions.
var crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}

// waitEstablished waits until the CRD name has condition Established, or
// fails on NamesAccepted=False.
func (k *kube) waitEstablished(ctx context.Context, name string) error {
	m, err := k.mapping(crdGVK)
	if err != nil {
		return err
	}
	return k.watchUntil(ctx, m, "", name, func(u *unstructured.Unstructured) (bool, error) {
		if u == nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			cm, _ := c.(map[string]any)
			t, _ := cm["type"].(string)
			s, _ := cm["status"].(string)
			switch {
			case t == "Established" && s == "True":
				return true, nil
			case t == "NamesAccepted" && s == "False":
				msg, _ := cm["message"].(string)
				return false, fmt.Errorf("CustomResourceDefinition %s: names not accepted: %s", name, msg)
			}
		}
		return false, nil
	})
}

// waitServed waits until discovery lists the custom resource that crd
// defines in every version it serves. The API server marks a CRD
// Established a moment before its discovery document includes the new
// resource, and a custom resource applied in that moment cannot be mapped.
// Discovery cannot be watched, so it is asked again after a short, growing
// pause, until ctx ends.
func (k *kube) waitServed(ctx context.Context, crd *unstructured.Unstructured) error {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		name, _ := vm["name"].(string)
		if served, _ := vm["served"].(bool); !served || name == "" {
			continue
		}
		gv := group + "/" + name
		for pause := 20 * time.Millisecond; ; pause = min(2*pause, time.Second) {
			served, err := k.c.Served(ctx, gv)
			if err == nil && slices.ContainsFunc(served, func(r metav1.APIResource) bool { return r.Name == plural }) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s %s is not served yet: %w", gv, plural, context.Cause(ctx))
			case <-time.After(pause):
			}
		}
	}
	return nil
}

// explain turns an API error into one line for people. A server-side apply
// conflict names each field and the manager that owns it.
func explain(err error) string {
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		st := se.Status()
		if st.Reason == metav1.StatusReasonConflict && st.Details != nil {
			var parts []string
			for _, c := range st.Details.Causes {
				if c.Type == metav1.CauseTypeFieldManagerConflict {
					// c.Message is `conflict with "kubectl" using apps/v1`.
					mgr := strings.TrimPrefix(c.Message, "conflict with ")
					parts = append(parts, fmt.Sprintf("field %s is owned by %s", c.Field, mgr))
				}
			}
			if len(parts) > 0 {
				return "apply conflict: " + strings.Join(parts, "; ") + " (use --force-conflicts to take ownership)"
			}
		}
		if st.Message != "" {
			return st.Message
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
