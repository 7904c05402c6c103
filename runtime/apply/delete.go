package apply

import (
	"context"
	"fmt"
	"github.com/wavec/wavec/argocd"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
	"github.com/wavec/wavec/runtime/progress"
)

// Delete deletes pipeline opts.Pipeline as Argo CD deletes an application:
// the PreDelete hooks among objs first (waited for until they complete),
// then every object the pipeline's inventory lists that still carries the
// pipeline's label, wave by wave from the highest down, waiting until each
// wave is gone, then the PostDelete hooks; then the sync hooks earlier
// syncs left behind, and finally the inventory. A failing PreDelete hook
// stops the deletion before anything is deleted.
func (e *Engine) Delete(ctx context.Context, objs []manifest.Object, opts Options) Result {
	if err := opts.check(); err != nil {
		return Result{Status: progress.Failed, Message: err.Error()}
	}
	s := &syncRun{k: e.k, opts: opts, em: &emitter{r: opts.Reporter}, attempt: 1, op: "delete"}
	return s.runDelete(ctx, objs)
}

func (s *syncRun) runDelete(ctx context.Context, input []manifest.Object) Result {
	attemptCtx, bg, end := s.begin(ctx)
	defer end()
	f := s.delete(attemptCtx, bg, input)
	return s.finish(ctx, f, func() *failure {
		if msg := s.deleteLeftoverHooks(attemptCtx, input); msg != "" {
			return &failure{msg: msg}
		}
		if s.inv.exists {
			if err := s.k.deleteInventory(ctx, s.inv); err != nil {
				return &failure{msg: fmt.Sprintf("deleting the inventory: %s", explain(err))}
			}
		}
		return nil
	})
}

// delete does the work of a deletion up to the end of its last step and
// returns why it failed (nil when every step succeeded).
func (s *syncRun) delete(ctx, bg context.Context, input []manifest.Object) *failure {
	// Only the delete hooks of the input matter; the resources to delete
	// are those of the inventory, as they are on the cluster.
	var hooks []manifest.Object
	for _, o := range input {
		if a, _ := argocd.Decode(o.GetAnnotations()); len(a.DeletePhases) > 0 {
			hooks = append(hooks, o)
		}
	}
	hooks, err := s.prepare(ctx, hooks)
	if err != nil {
		return &failure{msg: err.Error()}
	}
	inv, err := s.k.readInventory(ctx, s.opts.Namespace, s.opts.Pipeline)
	if err != nil {
		return &failure{msg: err.Error()}
	}
	s.inv = inv
	if !inv.exists {
		s.em.emit(progress.Event{Type: progress.Warning, Message: fmt.Sprintf("pipeline %s has no inventory in namespace %s: wavec has applied nothing of it there", s.opts.Pipeline, s.opts.Namespace)})
	}
	var live []manifest.Object
	for _, r := range inv.refs {
		u, _, err := s.k.fetch(ctx, r)
		if err != nil {
			return &failure{msg: err.Error()}
		}
		switch {
		case u == nil:
		case !owned(u, s.opts.Pipeline):
			s.em.emit(progress.Event{Type: progress.Warning, Object: r.Short(), Message: fmt.Sprintf("%s no longer carries %s=%s; wavec does not own it and leaves it", r.Short(), PipelineLabel, s.opts.Pipeline)})
		default:
			live = append(live, manifest.Object{Unstructured: u, Source: manifest.Source{File: "(live) " + r.String()}})
		}
	}
	p := plan.ForDelete(append(hooks, live...), plan.Options{Namespace: s.opts.Namespace, Revision: s.revision})
	s.plan = p
	s.steps, _, err = convertPlan(p, s.opts.StepTimeout, false)
	if err != nil {
		return &failure{msg: err.Error()}
	}
	s.resolve()
	s.nameHooks()
	s.em.emit(progress.Event{Type: progress.SyncStart, Operation: "delete", Pipeline: s.opts.Pipeline, Namespace: s.opts.Namespace,
		Revision: s.revision, Attempt: 1, Total: len(s.steps)})
	s.em.emit(progress.Event{Type: progress.PlanReady, Steps: s.stepInfos()})
	for _, t := range p.Kept {
		s.em.emit(progress.Event{Type: progress.Warning, Object: t.Ref(), Message: fmt.Sprintf("%s is kept: %s", t.Ref(), t.Note)})
	}
	if f := s.startTracking(ctx, bg); f != nil {
		return f
	}
	return s.runSteps(ctx)
}

// deleteLeftoverHooks deletes the hooks of the sync phases that earlier
// syncs left on the cluster (BeforeHookCreation keeps a hook until the
// next sync): objects of the pipeline's hooks' kinds that carry its label,
// by name, or by generateName prefix for generated names.
func (s *syncRun) deleteLeftoverHooks(ctx context.Context, input []manifest.Object) string {
	type leftover struct {
		u *unstructured.Unstructured
		m *meta.RESTMapping
	}
	var found []leftover
	seen := map[types.UID]bool{}
	for _, o := range input {
		if a, _ := argocd.Decode(o.GetAnnotations()); !a.Hook || len(a.Phases) == 0 {
			continue
		}
		m, err := s.k.mapping(o.GroupVersionKind())
		if err != nil {
			continue // a kind the cluster does not serve has no objects
		}
		ns := o.GetNamespace()
		if ns == "" && m.Scope.Name() == meta.RESTScopeNameNamespace {
			ns = s.opts.Namespace
		}
		list, err := s.k.list(ctx, m, ns, metav1.ListOptions{LabelSelector: PipelineLabel + "=" + s.opts.Pipeline})
		if err != nil {
			return fmt.Sprintf("listing leftover hooks %s: %s", objectName(o.Unstructured), explain(err))
		}
		for i := range list.Items {
			u := &list.Items[i]
			match := u.GetName() == o.GetName() || o.GetName() == "" && o.GetGenerateName() != "" && strings.HasPrefix(u.GetName(), o.GetGenerateName())
			if match && !seen[u.GetUID()] && u.GetDeletionTimestamp() == nil {
				seen[u.GetUID()] = true
				found = append(found, leftover{u, m})
			}
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		msgs []string
	)
	for _, l := range found {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref, ns := l.u.GetKind()+"/"+l.u.GetName(), l.u.GetNamespace()
			s.em.emit(progress.Event{Type: progress.Deleting, Object: ref, Namespace: ns, Hook: true, Action: "delete"})
			err := s.k.del(ctx, l.m, ns, l.u.GetName(), l.u.GetUID())
			if err == nil {
				err = s.k.waitGone(ctx, l.m, ns, l.u.GetName(), l.u.GetUID())
			}
			if err != nil {
				mu.Lock()
				msgs = append(msgs, fmt.Sprintf("deleting hook %s: %s", ref, explain(err)))
				mu.Unlock()
				return
			}
			s.em.emit(progress.Event{Type: progress.Deleted, Object: ref, Namespace: ns, Hook: true})
		}()
	}
	wg.Wait()
	sort.Strings(msgs)
	return strings.Join(msgs, "; ")
}
