// Package fakecluster is an in-memory cluster.API for testing the engine
// of runtime/apply without an API server. Objects live in a map; every
// write bumps a resource version and reaches the watches; deletes honour
// UID preconditions and finalizers; a CustomResourceDefinition serves its
// kind once written. Tests play the controllers (OnWrite, Modify), delete
// objects behind the engine's back (Remove), close watches (CloseWatches)
// and make requests fail (Fail), which a real cluster cannot easily be made
// to do.
//
// It is not an API server: server-side apply replaces the object (keeping
// its status) instead of merging fields, and there is no admission, no
// garbage collection and no validation beyond names and namespaces.
package fakecluster

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/wavec/wavec/runtime/cluster"
)

// Verbs name the requests, for Fail and Requests.
const (
	Apply  = "apply"
	Create = "create"
	Update = "update"
	Delete = "delete"
	Get    = "get"
	List   = "list"
	Watch  = "watch"
)

// Request is one request the cluster served or refused.
type Request struct {
	// Verb is one of the verbs above.
	Verb string
	// Kind, Namespace and Name say what it was about (Name is empty for
	// lists and watches).
	Kind, Namespace, Name string
	// DryRun marks dry-run writes and deletes.
	DryRun bool
	// Err is the error returned, if any.
	Err error
}

// Cluster is an in-memory cluster. The zero value is not usable; call New.
type Cluster struct {
	mu      sync.Mutex
	kinds   map[schema.GroupKind]*meta.RESTMapping
	objs    map[key]*unstructured.Unstructured
	rv      int64
	uids    int
	names   int
	history []change
	watches map[*fakeWatch]bool
	faults  []*Fault
	onWrite []func(*unstructured.Unstructured)
	logs    map[string]string
	reqs    []Request
}

type key struct {
	gr       schema.GroupResource
	ns, name string
}

// change is a watch event in the history, replayed to watches that start
// from an older resource version.
type change struct {
	rv  int64
	gr  schema.GroupResource
	typ watch.EventType
	obj *unstructured.Unstructured
}

// Fault makes requests fail.
type Fault struct {
	// Verb, Kind and Name select the requests ("" matches any kind or
	// name).
	Verb, Kind, Name string
	// SkipDryRun leaves dry-run requests alone.
	SkipDryRun bool
	// Times is how many requests fail; a negative number means all.
	Times int
	// Err is the error they return.
	Err error
	// Lost makes an apply or a create take effect all the same: the
	// client sees Err as when a response is lost or the request's
	// context ends after the server has written the object.
	Lost bool
}

// lostResponse is a fault whose request still takes effect.
type lostResponse struct{ err error }

func (l lostResponse) Error() string { return l.err.Error() }

func (l lostResponse) Unwrap() error { return l.err }

// lost splits a fault into the error to return before the write (when
// the request must not take effect) and the one to return after it.
func lost(err error) (before, after error) {
	if l, ok := err.(lostResponse); ok {
		return nil, l.err
	}
	return err, nil
}

var _ cluster.API = (*Cluster)(nil)

// New returns an empty cluster that serves the built-in kinds wavec
// applies, with namespace "default".
func New() *Cluster {
	c := &Cluster{
		kinds:   map[schema.GroupKind]*meta.RESTMapping{},
		objs:    map[key]*unstructured.Unstructured{},
		watches: map[*fakeWatch]bool{},
		logs:    map[string]string{},
	}
	for _, k := range []struct {
		gv, kind, resource string
		namespaced         bool
	}{
		{"v1", "ConfigMap", "configmaps", true},
		{"v1", "Secret", "secrets", true},
		{"v1", "ServiceAccount", "serviceaccounts", true},
		{"v1", "Pod", "pods", true},
		{"v1", "Service", "services", true},
		{"v1", "PersistentVolumeClaim", "persistentvolumeclaims", true},
		{"v1", "Event", "events", true},
		{"v1", "Namespace", "namespaces", false},
		{"apps/v1", "Deployment", "deployments", true},
		{"apps/v1", "ReplicaSet", "replicasets", true},
		{"apps/v1", "StatefulSet", "statefulsets", true},
		{"apps/v1", "DaemonSet", "daemonsets", true},
		{"batch/v1", "Job", "jobs", true},
		{"batch/v1", "CronJob", "cronjobs", true},
		{"networking.k8s.io/v1", "Ingress", "ingresses", true},
		{"rbac.authorization.k8s.io/v1", "Role", "roles", true},
		{"rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true},
		{"rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false},
		{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false},
		{"apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false},
	} {
		gv, _ := schema.ParseGroupVersion(k.gv)
		c.AddKind(gv.WithKind(k.kind), k.resource, k.namespaced)
	}
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "default"}}}
	c.store(c.kinds[schema.GroupKind{Kind: "Namespace"}], ns, true)
	return c
}

// AddKind serves kind gvk as resource (its plural).
func (c *Cluster) AddKind(gvk schema.GroupVersionKind, resource string, namespaced bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addKind(gvk, resource, namespaced)
}

func (c *Cluster) addKind(gvk schema.GroupVersionKind, resource string, namespaced bool) {
	scope := meta.RESTScopeRoot
	if namespaced {
		scope = meta.RESTScopeNamespace
	}
	c.kinds[gvk.GroupKind()] = &meta.RESTMapping{Resource: gvk.GroupVersion().WithResource(resource), GroupVersionKind: gvk, Scope: scope}
}

// OnWrite calls fn with a copy of every object a request (not a dry run)
// writes, after the write; fn plays a controller, typically through
// Modify. It is called without the cluster's lock held.
func (c *Cluster) OnWrite(fn func(obj *unstructured.Unstructured)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onWrite = append(c.onWrite, fn)
}

// Fail makes the requests f selects fail.
func (c *Cluster) Fail(f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, &f)
}

// SetLog sets the log of a Pod's container; logs not set are not served.
func (c *Cluster) SetLog(ns, pod, container, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logs[ns+"/"+pod+"/"+container] = text
}

// Requests returns the requests so far, in order.
func (c *Cluster) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reqs)
}

// Object returns a copy of the stored object, or nil.
func (c *Cluster) Object(gk schema.GroupKind, ns, name string) *unstructured.Unstructured {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.kinds[gk]
	if m == nil {
		return nil
	}
	if u := c.objs[c.key(m, ns, name)]; u != nil {
		return u.DeepCopy()
	}
	return nil
}

// Objects returns copies of the stored objects of kind gk, sorted by
// namespace and name.
func (c *Cluster) Objects(gk schema.GroupKind) []*unstructured.Unstructured {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.kinds[gk]
	if m == nil {
		return nil
	}
	var out []*unstructured.Unstructured
	for k, u := range c.objs {
		if k.gr == m.Resource.GroupResource() {
			out = append(out, u.DeepCopy())
		}
	}
	slices.SortFunc(out, func(a, b *unstructured.Unstructured) int {
		return strings.Compare(a.GetNamespace()+"/"+a.GetName(), b.GetNamespace()+"/"+b.GetName())
	})
	return out
}

// Modify changes a stored object as a controller or another user would:
// fn edits a copy, which is stored under a new resource version and sent to
// the watches. It reports whether the object exists.
func (c *Cluster) Modify(gk schema.GroupKind, ns, name string, fn func(*unstructured.Unstructured)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.kinds[gk]
	if m == nil {
		return false
	}
	cur := c.objs[c.key(m, ns, name)]
	if cur == nil {
		return false
	}
	u := cur.DeepCopy()
	fn(u)
	c.store(m, u, false)
	return true
}

// Remove deletes an object at once, as someone else would (finalizers are
// ignored). It reports whether the object existed.
func (c *Cluster) Remove(gk schema.GroupKind, ns, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.kinds[gk]
	if m == nil {
		return false
	}
	k := c.key(m, ns, name)
	if c.objs[k] == nil {
		return false
	}
	c.remove(m, k)
	return true
}

// CloseWatches ends every open watch, as an API server does when it
// restarts or times a watch out; clients must watch again.
func (c *Cluster) CloseWatches() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for w := range c.watches {
		w.close()
		delete(c.watches, w)
	}
}

// IsWatchListSemanticsUnSupported tells client-go's informers to list and
// then watch (k8s.io/client-go/util/watchlist).
func (c *Cluster) IsWatchListSemanticsUnSupported() bool { return true }

// Mapping implements cluster.API.
func (c *Cluster) Mapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.kinds[gk]
	if m == nil || len(versions) > 0 && versions[0] != "" && !slices.Contains(versions, m.GroupVersionKind.Version) {
		return nil, &meta.NoKindMatchError{GroupKind: gk, SearchedVersions: versions}
	}
	cp := *m
	return &cp, nil
}

// ResetMapping implements cluster.API; the fake has no discovery cache.
func (c *Cluster) ResetMapping() {}

// Served implements cluster.API.
func (c *Cluster) Served(_ context.Context, gv string) ([]metav1.APIResource, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []metav1.APIResource
	for _, m := range c.kinds {
		if m.Resource.GroupVersion().String() == gv {
			out = append(out, metav1.APIResource{Name: m.Resource.Resource, Kind: m.GroupVersionKind.Kind, Namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace})
		}
	}
	if out == nil {
		return nil, apierrors.NewNotFound(schema.GroupResource{}, gv)
	}
	return out, nil
}

func (c *Cluster) key(m *meta.RESTMapping, ns, name string) key {
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		ns = ""
	}
	return key{m.Resource.GroupResource(), ns, name}
}

// begin records a request and returns the fault to inject, if any. It is
// called with the lock held.
func (c *Cluster) begin(ctx context.Context, verb string, m *meta.RESTMapping, ns, name string, dryRun bool) error {
	err := ctx.Err()
	if err == nil {
		for _, f := range c.faults {
			if f.Times != 0 && f.Verb == verb && (f.Kind == "" || f.Kind == m.GroupVersionKind.Kind) && (f.Name == "" || f.Name == name) && !(dryRun && f.SkipDryRun) {
				if f.Times > 0 {
					f.Times--
				}
				err = f.Err
				if f.Lost && !dryRun && (verb == Apply || verb == Create) {
					err = lostResponse{f.Err}
				}
				break
			}
		}
	}
	c.reqs = append(c.reqs, Request{Verb: verb, Kind: m.GroupVersionKind.Kind, Namespace: ns, Name: name, DryRun: dryRun, Err: err})
	return err
}

// checkNamespace fails a namespaced write into a namespace that does not
// exist, as the API server does.
func (c *Cluster) checkNamespace(m *meta.RESTMapping, ns string) error {
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		return nil
	}
	if ns == "" {
		return apierrors.NewBadRequest("the namespace of the object does not match the namespace on the request")
	}
	if c.objs[key{schema.GroupResource{Resource: "namespaces"}, "", ns}] == nil {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, ns)
	}
	return nil
}

// store saves u under a new resource version (unless nothing but
// metadata the server owns changed) and sends the change to the watches.
// It is called with the lock held and returns the stored object.
func (c *Cluster) store(m *meta.RESTMapping, u *unstructured.Unstructured, created bool) *unstructured.Unstructured {
	k := c.key(m, u.GetNamespace(), u.GetName())
	old := c.objs[k]
	if old != nil && equalContent(old, u) {
		return old
	}
	c.rv++
	u.SetResourceVersion(strconv.FormatInt(c.rv, 10))
	if created {
		c.uids++
		u.SetUID(types.UID(fmt.Sprintf("uid-%d", c.uids)))
		u.SetCreationTimestamp(metav1.NewTime(time.Now()))
		u.SetGeneration(1)
	} else if old != nil && !equalField(old, u, "spec") {
		u.SetGeneration(old.GetGeneration() + 1)
	}
	c.objs[k] = u
	typ := watch.Modified
	if created {
		typ = watch.Added
	}
	c.notify(change{rv: c.rv, gr: k.gr, typ: typ, obj: u.DeepCopy()})
	if m.GroupVersionKind.GroupKind() == (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
		c.serveCRD(u)
	}
	return u
}

// serveCRD serves the kind a CustomResourceDefinition defines and marks
// it established.
func (c *Cluster) serveCRD(crd *unstructured.Unstructured) {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
	plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
	scope, _, _ := unstructured.NestedString(crd.Object, "spec", "scope")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		if name, _ := vm["name"].(string); name != "" {
			c.addKind(schema.GroupVersionKind{Group: group, Version: name, Kind: kind}, plural, scope != "Cluster")
			break
		}
	}
	if conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions"); len(conds) == 0 {
		_ = unstructured.SetNestedSlice(crd.Object, []any{
			map[string]any{"type": "NamesAccepted", "status": "True"},
			map[string]any{"type": "Established", "status": "True"},
		}, "status", "conditions")
		c.rv++
		crd.SetResourceVersion(strconv.FormatInt(c.rv, 10))
		c.notify(change{rv: c.rv, gr: schema.GroupResource{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"}, typ: watch.Modified, obj: crd.DeepCopy()})
	}
}

// remove deletes the object at k; called with the lock held.
func (c *Cluster) remove(m *meta.RESTMapping, k key) {
	u := c.objs[k]
	delete(c.objs, k)
	c.rv++
	gone := u.DeepCopy()
	gone.SetResourceVersion(strconv.FormatInt(c.rv, 10))
	c.notify(change{rv: c.rv, gr: k.gr, typ: watch.Deleted, obj: gone})
}

// equalContent reports whether a and b differ only in metadata the server
// owns.
func equalContent(a, b *unstructured.Unstructured) bool {
	strip := func(u *unstructured.Unstructured) map[string]any {
		o := u.DeepCopy()
		for _, f := range []string{"resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"} {
			unstructured.RemoveNestedField(o.Object, "metadata", f)
		}
		return o.Object
	}
	return equalAny(strip(a), strip(b))
}

func equalField(a, b *unstructured.Unstructured, field string) bool {
	return equalAny(a.Object[field], b.Object[field])
}

func equalAny(a, b any) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// written runs the OnWrite functions; called without the lock.
func (c *Cluster) written(u *unstructured.Unstructured) {
	c.mu.Lock()
	fns := slices.Clone(c.onWrite)
	c.mu.Unlock()
	for _, fn := range fns {
		fn(u.DeepCopy())
	}
}

// Apply implements cluster.API: the object replaces the stored one,
// keeping its status, UID and creation time.
func (c *Cluster) Apply(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (cluster.WriteResult, error) {
	c.mu.Lock()
	u, created, err := c.apply(ctx, m, obj, o)
	c.mu.Unlock()
	return c.finish(u, created, o, err)
}

// finish ends a write (the lock released): the OnWrite functions see what
// it wrote, and the client gets the object or the write's error.
func (c *Cluster) finish(u *unstructured.Unstructured, created bool, o cluster.WriteOptions, err error) (cluster.WriteResult, error) {
	err, after := lost(err)
	if err != nil {
		return cluster.WriteResult{}, err
	}
	if !o.DryRun {
		c.written(u)
	}
	if after != nil {
		return cluster.WriteResult{}, after
	}
	return cluster.WriteResult{Object: u.DeepCopy(), Created: created}, nil
}

func (c *Cluster) apply(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (*unstructured.Unstructured, bool, error) {
	ns, name := c.scoped(m, obj.GetNamespace()), obj.GetName()
	fault, after := lost(c.begin(ctx, Apply, m, ns, name, o.DryRun))
	if fault != nil {
		return nil, false, fault
	}
	if name == "" {
		return nil, false, apierrors.NewBadRequest("metadata.name is required for apply")
	}
	if err := c.checkNamespace(m, ns); err != nil {
		return nil, false, err
	}
	u := obj.DeepCopy()
	u.SetNamespace(ns)
	old := c.objs[c.key(m, ns, name)]
	if old != nil {
		if old.GetDeletionTimestamp() != nil {
			return nil, false, apierrors.NewConflict(m.Resource.GroupResource(), name, fmt.Errorf("the object is being deleted"))
		}
		u.SetUID(old.GetUID())
		u.SetCreationTimestamp(old.GetCreationTimestamp())
		u.SetGeneration(old.GetGeneration())
		u.SetResourceVersion(old.GetResourceVersion())
		if _, has := u.Object["status"]; !has {
			if st, ok := old.Object["status"]; ok {
				u.Object["status"] = runtimeCopy(st)
			}
		}
	}
	if o.DryRun {
		return u, old == nil, nil
	}
	return c.store(m, u, old == nil).DeepCopy(), old == nil, wrapLost(after)
}

// wrapLost marks the error of a write that took effect.
func wrapLost(err error) error {
	if err == nil {
		return nil
	}
	return lostResponse{err}
}

func runtimeCopy(v any) any {
	return (&unstructured.Unstructured{Object: map[string]any{"v": v}}).DeepCopy().Object["v"]
}

func (c *Cluster) scoped(m *meta.RESTMapping, ns string) string {
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		return ""
	}
	return ns
}

// Create implements cluster.API.
func (c *Cluster) Create(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (cluster.WriteResult, error) {
	c.mu.Lock()
	u, err := c.create(ctx, m, obj, o)
	c.mu.Unlock()
	return c.finish(u, true, o, err)
}

func (c *Cluster) create(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (*unstructured.Unstructured, error) {
	ns := c.scoped(m, obj.GetNamespace())
	fault, after := lost(c.begin(ctx, Create, m, ns, obj.GetName(), o.DryRun))
	if fault != nil {
		return nil, fault
	}
	if err := c.checkNamespace(m, ns); err != nil {
		return nil, err
	}
	u := obj.DeepCopy()
	u.SetNamespace(ns)
	if u.GetName() == "" {
		if u.GetGenerateName() == "" {
			return nil, apierrors.NewBadRequest("name or generateName is required")
		}
		c.names++
		u.SetName(fmt.Sprintf("%s%05d", u.GetGenerateName(), c.names))
	}
	if c.objs[c.key(m, ns, u.GetName())] != nil {
		return nil, apierrors.NewAlreadyExists(m.Resource.GroupResource(), u.GetName())
	}
	if o.DryRun {
		return u, nil
	}
	return c.store(m, u, true).DeepCopy(), wrapLost(after)
}

// Update implements cluster.API.
func (c *Cluster) Update(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (cluster.WriteResult, error) {
	c.mu.Lock()
	u, err := c.update(ctx, m, obj, o)
	c.mu.Unlock()
	return c.finish(u, false, o, err)
}

func (c *Cluster) update(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o cluster.WriteOptions) (*unstructured.Unstructured, error) {
	ns, name := c.scoped(m, obj.GetNamespace()), obj.GetName()
	if err := c.begin(ctx, Update, m, ns, name, o.DryRun); err != nil {
		return nil, err
	}
	old := c.objs[c.key(m, ns, name)]
	if old == nil {
		return nil, apierrors.NewNotFound(m.Resource.GroupResource(), name)
	}
	if rv := obj.GetResourceVersion(); rv != "" && rv != old.GetResourceVersion() {
		return nil, apierrors.NewConflict(m.Resource.GroupResource(), name, fmt.Errorf("the object has been modified"))
	}
	u := obj.DeepCopy()
	u.SetNamespace(ns)
	u.SetUID(old.GetUID())
	u.SetCreationTimestamp(old.GetCreationTimestamp())
	u.SetGeneration(old.GetGeneration())
	if o.DryRun {
		return u, nil
	}
	return c.store(m, u, false).DeepCopy(), nil
}

// Delete implements cluster.API: an object with finalizers is marked for
// deletion, others are removed at once.
func (c *Cluster) Delete(ctx context.Context, m *meta.RESTMapping, ns, name string, o metav1.DeleteOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ns = c.scoped(m, ns)
	dry := len(o.DryRun) > 0
	if err := c.begin(ctx, Delete, m, ns, name, dry); err != nil {
		return err
	}
	k := c.key(m, ns, name)
	cur := c.objs[k]
	if cur == nil {
		return apierrors.NewNotFound(m.Resource.GroupResource(), name)
	}
	if p := o.Preconditions; p != nil && p.UID != nil && *p.UID != cur.GetUID() {
		return apierrors.NewConflict(m.Resource.GroupResource(), name, fmt.Errorf("the UID in the precondition (%s) does not match the UID in record (%s)", *p.UID, cur.GetUID()))
	}
	if dry {
		return nil
	}
	if len(cur.GetFinalizers()) > 0 {
		if cur.GetDeletionTimestamp() == nil {
			u := cur.DeepCopy()
			now := metav1.NewTime(time.Now())
			u.SetDeletionTimestamp(&now)
			c.store(m, u, false)
		}
		return nil
	}
	c.remove(m, k)
	return nil
}

// Get implements cluster.API.
func (c *Cluster) Get(ctx context.Context, m *meta.RESTMapping, ns, name string) (*unstructured.Unstructured, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ns = c.scoped(m, ns)
	if err := c.begin(ctx, Get, m, ns, name, false); err != nil {
		return nil, err
	}
	u := c.objs[c.key(m, ns, name)]
	if u == nil {
		return nil, apierrors.NewNotFound(m.Resource.GroupResource(), name)
	}
	return u.DeepCopy(), nil
}

// selector matches objects against list options.
type selector struct {
	ns     string
	labels labels.Selector
	fields fields.Selector
}

func newSelector(ns string, o metav1.ListOptions) (*selector, error) {
	s := &selector{ns: ns, labels: labels.Everything(), fields: fields.Everything()}
	var err error
	if o.LabelSelector != "" {
		if s.labels, err = labels.Parse(o.LabelSelector); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
	}
	if o.FieldSelector != "" {
		if s.fields, err = fields.ParseSelector(o.FieldSelector); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
	}
	return s, nil
}

func (s *selector) matches(u *unstructured.Unstructured) bool {
	if s.ns != "" && u.GetNamespace() != s.ns {
		return false
	}
	if !s.labels.Matches(labels.Set(u.GetLabels())) {
		return false
	}
	set := fields.Set{}
	for _, r := range s.fields.Requirements() {
		v, _, _ := unstructured.NestedFieldNoCopy(u.Object, strings.Split(r.Field, ".")...)
		set[r.Field] = fmt.Sprint(v)
	}
	return s.fields.Matches(set)
}

// List implements cluster.API.
func (c *Cluster) List(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ns = c.scoped(m, ns)
	if err := c.begin(ctx, List, m, ns, "", false); err != nil {
		return nil, err
	}
	sel, err := newSelector(ns, o)
	if err != nil {
		return nil, err
	}
	list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": m.GroupVersionKind.GroupVersion().String(), "kind": m.GroupVersionKind.Kind + "List"}}
	keys := slices.SortedFunc(maps.Keys(c.objs), func(a, b key) int { return strings.Compare(a.ns+"/"+a.name, b.ns+"/"+b.name) })
	for _, k := range keys {
		if u := c.objs[k]; k.gr == m.Resource.GroupResource() && sel.matches(u) {
			list.Items = append(list.Items, *u.DeepCopy())
		}
	}
	list.SetResourceVersion(strconv.FormatInt(c.rv, 10))
	return list, nil
}

// Watch implements cluster.API. A watch from a resource version first
// receives the changes made since.
func (c *Cluster) Watch(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (watch.Interface, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ns = c.scoped(m, ns)
	if err := c.begin(ctx, Watch, m, ns, "", false); err != nil {
		return nil, err
	}
	sel, err := newSelector(ns, o)
	if err != nil {
		return nil, err
	}
	w := &fakeWatch{c: c, gr: m.Resource.GroupResource(), sel: sel, ch: make(chan watch.Event, 1024), done: make(chan struct{})}
	if o.ResourceVersion != "" && o.ResourceVersion != "0" {
		from, err := strconv.ParseInt(o.ResourceVersion, 10, 64)
		if err != nil {
			return nil, apierrors.NewBadRequest("bad resource version " + o.ResourceVersion)
		}
		for _, ch := range c.history {
			if ch.rv > from {
				w.send(ch)
			}
		}
	}
	c.watches[w] = true
	go func() {
		select {
		case <-ctx.Done():
			w.Stop()
		case <-w.done:
		}
	}()
	return w, nil
}

// notify records a change and sends it to the watches; called with the
// lock held.
func (c *Cluster) notify(ch change) {
	c.history = append(c.history, ch)
	for w := range c.watches {
		if !w.send(ch) {
			// A watcher that does not keep up is dropped, as the API
			// server does; it has to watch again.
			w.close()
			delete(c.watches, w)
		}
	}
}

// Logs implements cluster.API: logs set with SetLog, else an error as
// from a cluster without kubelets.
func (c *Cluster) Logs(_ context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	text, ok := c.logs[ns+"/"+pod+"/"+o.Container]
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("logs of %s/%s are not served", pod, o.Container))
	}
	return io.NopCloser(strings.NewReader(text)), nil
}

// fakeWatch is one watch; its channel is closed when it stops.
type fakeWatch struct {
	c    *Cluster
	gr   schema.GroupResource
	sel  *selector
	ch   chan watch.Event
	done chan struct{}
	once sync.Once
}

// send queues ch if it matches; false when the queue is full. Called with
// the cluster's lock held.
func (w *fakeWatch) send(ch change) bool {
	if ch.gr != w.gr || !w.sel.matches(ch.obj) {
		return true
	}
	select {
	case w.ch <- watch.Event{Type: ch.typ, Object: ch.obj.DeepCopy()}:
		return true
	default:
		return false
	}
}

// close ends the watch; called with the cluster's lock held.
func (w *fakeWatch) close() {
	w.once.Do(func() { close(w.done); close(w.ch) })
}

// Stop implements watch.Interface.
func (w *fakeWatch) Stop() {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	w.close()
	delete(w.c.watches, w)
}

// ResultChan implements watch.Interface.
func (w *fakeWatch) ResultChan() <-chan watch.Event { return w.ch }
