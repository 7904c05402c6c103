package apply

import (
	"context"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// tracker keeps a watch-fed cache of every object of the pipeline (those
// with its label), one informer per resource and namespace, and wakes the
// engine whenever any of them changes. Steps advance on these
// notifications; nothing polls.
type tracker struct {
	k        *kube
	selector string
	ctx      context.Context

	mu   sync.Mutex
	infs map[infKey]cache.SharedIndexInformer
	// denied receives the error of an informer the server refuses to
	// serve (no permission to list or watch), by informer.
	denied map[infKey]chan error

	notify chan struct{}
	lastMu sync.Mutex
	// gone holds the UIDs of objects the watches saw deleted.
	gone map[types.UID]bool
	last time.Time
	// changed holds the objects (objectKey) the watches saw change since
	// takeChanged was last called.
	changed map[objectKey]bool
}

// objectKey identifies an object among those the tracker watches.
type objectKey struct {
	gvr      schema.GroupVersionResource
	ns, name string
}

type infKey struct {
	gvr schema.GroupVersionResource
	ns  string
}

// newTracker returns a tracker of objects with label PipelineLabel=pipeline;
// its informers stop when ctx ends.
func newTracker(ctx context.Context, k *kube, pipeline string) *tracker {
	return &tracker{
		k:        k,
		selector: PipelineLabel + "=" + pipeline,
		ctx:      ctx,
		infs:     map[infKey]cache.SharedIndexInformer{},
		denied:   map[infKey]chan error{},
		notify:   make(chan struct{}, 1),
	}
}

func (t *tracker) key(m *meta.RESTMapping, ns string) infKey {
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		ns = ""
	}
	return infKey{m.Resource, ns}
}

// watch makes sure the objects of m's resource in ns are watched and
// returns once the cache holds their current state.
func (t *tracker) watch(ctx context.Context, m *meta.RESTMapping, ns string) error {
	key := t.key(m, ns)
	t.mu.Lock()
	inf, ok := t.infs[key]
	if !ok {
		inf = cache.NewSharedIndexInformer(t.listWatch(m, key.ns), &unstructured.Unstructured{}, 0, cache.Indexers{})
		_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { t.signal(key.gvr, obj) },
			UpdateFunc: func(_, obj any) { t.signal(key.gvr, obj) },
			DeleteFunc: func(obj any) { t.deleted(obj); t.signal(key.gvr, obj) },
		})
		denied := make(chan error, 1)
		_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			// Other errors are retried by the informer; these are not
			// going to pass.
			if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || apierrors.IsMethodNotSupported(err) {
				select {
				case denied <- err:
				default:
				}
			}
		})
		t.infs[key], t.denied[key] = inf, denied
		go inf.RunWithContext(t.ctx)
	}
	denied := t.denied[key]
	t.mu.Unlock()
	select {
	case <-inf.HasSyncedChecker().Done():
		return nil
	case err := <-denied:
		select {
		case denied <- err: // for other waiters
		default:
		}
		return fmt.Errorf("cannot watch %s: %s", key.gvr.String(), explain(err))
	case <-ctx.Done():
		return ctx.Err()
	case <-t.ctx.Done():
		return t.ctx.Err()
	}
}

// listWatch lists and watches the pipeline's objects of m's resource in
// ns through the Cluster.
func (t *tracker) listWatch(m *meta.RESTMapping, ns string) cache.ListerWatcher {
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = t.selector
			return t.k.list(ctx, m, ns, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = t.selector
			return t.k.watch(ctx, m, ns, o)
		},
	}
	// A Cluster that cannot stream a list through a watch says so (see
	// k8s.io/client-go/util/watchlist); the informer then lists.
	return cache.ToListWatcherWithWatchListSemantics(lw, t.k.c)
}

// signal records a change of obj, of resource gvr, and its time, and wakes
// the waiter.
func (t *tracker) signal(gvr schema.GroupVersionResource, obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	t.lastMu.Lock()
	t.last = time.Now()
	if u, ok := obj.(*unstructured.Unstructured); ok {
		if t.changed == nil {
			t.changed = map[objectKey]bool{}
		}
		t.changed[objectKey{gvr, u.GetNamespace(), u.GetName()}] = true
	}
	t.lastMu.Unlock()
	select {
	case t.notify <- struct{}{}:
	default:
	}
}

// deleted records that a watched object is gone.
func (t *tracker) deleted(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		t.lastMu.Lock()
		if t.gone == nil {
			t.gone = map[types.UID]bool{}
		}
		t.gone[u.GetUID()] = true
		t.lastMu.Unlock()
	}
}

// takeChanged returns the objects that changed since the last call, and
// forgets them.
func (t *tracker) takeChanged() map[objectKey]bool {
	t.lastMu.Lock()
	defer t.lastMu.Unlock()
	c := t.changed
	t.changed = nil
	return c
}

// isGone reports whether a watch saw the object with uid deleted.
func (t *tracker) isGone(uid types.UID) bool {
	t.lastMu.Lock()
	defer t.lastMu.Unlock()
	return uid != "" && t.gone[uid]
}

// lastEvent returns when the latest change was delivered.
func (t *tracker) lastEvent() time.Time {
	t.lastMu.Lock()
	defer t.lastMu.Unlock()
	return t.last
}

// cached returns the cached object, or nil.
func (t *tracker) cached(m *meta.RESTMapping, ns, name string) *unstructured.Unstructured {
	key := t.key(m, ns)
	t.mu.Lock()
	inf := t.infs[key]
	t.mu.Unlock()
	if inf == nil {
		return nil
	}
	k := name
	if key.ns != "" {
		k = key.ns + "/" + name
	}
	o, ok, err := inf.GetStore().GetByKey(k)
	if err != nil || !ok {
		return nil
	}
	u, _ := o.(*unstructured.Unstructured)
	return u
}

// current returns the newest known state of an object wavec wrote and got
// back as written: the cached one if it is the same object (same UID) at
// the same or a later resource version, else written itself (the watch
// has not delivered the write yet).
func (t *tracker) current(m *meta.RESTMapping, written *unstructured.Unstructured) *unstructured.Unstructured {
	c := t.cached(m, written.GetNamespace(), written.GetName())
	if c != nil && c.GetUID() == written.GetUID() && newer(c.GetResourceVersion(), written.GetResourceVersion()) {
		return c
	}
	return written
}

// newer reports whether resource version a is at least b.
func newer(a, b string) bool {
	c, err := resourceversion.CompareResourceVersion(a, b)
	if err != nil {
		return a == b
	}
	return c >= 0
}

// uidOf is a helper for messages and preconditions.
func uidOf(u *unstructured.Unstructured) types.UID {
	if u == nil {
		return ""
	}
	return u.GetUID()
}
