package status

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"

	"github.com/wavec/wavec/runtime/cluster"
)

// Watch follows the pipeline's objects with watches until everything is
// healthy or something failed (a resource Degraded, a hook Failed), and
// then returns the report, with diagnoses, as Check does. It calls change
// with one line whenever an object's or hook's state changes. When ctx
// ends first it returns the last report and ctx's error.
//
// Without sources, the objects are those found when it starts.
func Watch(ctx context.Context, o Options, change func(line string)) (*Report, error) {
	targets, warnings, err := findTargets(ctx, o)
	if err != nil {
		return nil, err
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	c := newCacheReader(wctx, o.Clients)
	for _, t := range targets {
		if t.m == nil {
			continue
		}
		if err := c.watch(ctx, t.m, t.ns); err != nil {
			return nil, err
		}
	}
	seen := map[string]string{}
	for {
		rep, lives, err := evaluate(ctx, c, o, targets)
		if err != nil {
			return nil, err
		}
		rep.Warnings = append(warnings, rep.Warnings...)
		for _, l := range changes(rep, seen) {
			change(l)
		}
		if rep.Healthy || failed(rep) {
			finish(ctx, o, rep, lives)
			return rep, nil
		}
		select {
		case <-c.notify:
		case <-ctx.Done():
			// Diagnose what was still waited for, with a fresh context.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			finish(dctx, o, rep, lives)
			cancel()
			return rep, ctx.Err()
		}
	}
}

// failed reports whether something in rep failed for good: a Degraded
// resource or a Failed hook.
func failed(rep *Report) bool {
	for _, x := range rep.Objects {
		if x.Health == "Degraded" {
			return true
		}
	}
	for _, h := range rep.Hooks {
		if h.Last != nil && h.Last.Outcome == Failed {
			return true
		}
	}
	return false
}

// changes returns a line for every object and hook whose state differs
// from what seen records, and records the new states.
func changes(rep *Report, seen map[string]string) []string {
	var lines []string
	note := func(key, line string) {
		if seen[key] != line {
			seen[key] = line
			lines = append(lines, line)
		}
	}
	for _, x := range rep.Objects {
		line := x.Ref() + " " + x.Health
		if x.Message != "" {
			line += ": " + x.Message
		}
		note("o/"+x.Ref(), line)
	}
	for _, h := range rep.Hooks {
		line := fmt.Sprintf("hook %s (%s): ", h.Ref(), h.Phase)
		if h.Last == nil {
			line += "no run"
		} else {
			line += h.Last.Name + " " + h.Last.Outcome
			if h.Last.Message != "" {
				line += ": " + h.Last.Message
			}
		}
		note("h/"+h.Ref(), line)
	}
	return lines
}

// cacheReader reads from watch-fed caches, one informer per resource and
// namespace, and signals notify on every change.
type cacheReader struct {
	c      *cluster.Clients
	ctx    context.Context
	mu     sync.Mutex
	infs   map[infKey]cache.SharedIndexInformer
	notify chan struct{}
}

type infKey struct {
	gvr schema.GroupVersionResource
	ns  string
}

func newCacheReader(ctx context.Context, c *cluster.Clients) *cacheReader {
	return &cacheReader{c: c, ctx: ctx, infs: map[infKey]cache.SharedIndexInformer{}, notify: make(chan struct{}, 1)}
}

func (r *cacheReader) key(m *meta.RESTMapping, ns string) infKey {
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		ns = ""
	}
	return infKey{m.Resource, ns}
}

func (r *cacheReader) signal() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// watch starts the informer of m's resource in ns, if not started yet, and
// waits until its cache is filled. A refusal to list or watch is an error.
func (r *cacheReader) watch(ctx context.Context, m *meta.RESTMapping, ns string) error {
	key := r.key(m, ns)
	r.mu.Lock()
	if _, ok := r.infs[key]; ok {
		r.mu.Unlock()
		return nil
	}
	inf := newInformer(r.c.Dynamic, key.gvr, key.ns)
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { r.signal() },
		UpdateFunc: func(any, any) { r.signal() },
		DeleteFunc: func(any) { r.signal() },
	})
	denied := make(chan error, 1)
	_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || apierrors.IsMethodNotSupported(err) {
			select {
			case denied <- err:
			default:
			}
		}
	})
	r.infs[key] = inf
	r.mu.Unlock()
	go inf.RunWithContext(r.ctx)
	select {
	case <-inf.HasSyncedChecker().Done():
		return nil
	case err := <-denied:
		return fmt.Errorf("cannot watch %s: %s", key.gvr.String(), explain(err))
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *cacheReader) informer(m *meta.RESTMapping, ns string) (cache.SharedIndexInformer, infKey, error) {
	key := r.key(m, ns)
	r.mu.Lock()
	defer r.mu.Unlock()
	inf := r.infs[key]
	if inf == nil {
		return nil, key, errors.New("not watched: " + key.gvr.String())
	}
	return inf, key, nil
}

func (r *cacheReader) get(_ context.Context, m *meta.RESTMapping, ns, name string) (*unstructured.Unstructured, error) {
	inf, key, err := r.informer(m, ns)
	if err != nil {
		return nil, err
	}
	k := name
	if key.ns != "" {
		k = key.ns + "/" + name
	}
	o, ok, err := inf.GetStore().GetByKey(k)
	if err != nil || !ok {
		return nil, err
	}
	u, _ := o.(*unstructured.Unstructured)
	return u, nil
}

func (r *cacheReader) list(_ context.Context, m *meta.RESTMapping, ns string) ([]*unstructured.Unstructured, error) {
	inf, _, err := r.informer(m, ns)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, o := range inf.GetStore().List() {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// newInformer returns an informer of the objects of resource gvr in ns
// ("" for all), as client-go's dynamicinformer makes one, without linking
// the typed informer factories that package brings along.
func newInformer(client dynamic.Interface, gvr schema.GroupVersionResource, ns string) cache.SharedIndexInformer {
	res := client.Resource(gvr).Namespace(ns)
	lw := &cache.ListWatch{
		ListFunc: func(o metav1.ListOptions) (runtime.Object, error) {
			return res.List(context.Background(), o)
		},
		WatchFunc: func(o metav1.ListOptions) (watch.Interface, error) {
			return res.Watch(context.Background(), o)
		},
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return res.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return res.Watch(ctx, o)
		},
	}
	return cache.NewSharedIndexInformerWithOptions(cache.ToListWatcherWithWatchListSemantics(lw, client),
		&unstructured.Unstructured{}, cache.SharedIndexInformerOptions{Indexers: cache.Indexers{}, ObjectDescription: gvr.String()})
}
