package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
	"github.com/wavec/wavec/runtime/progress"
)

// Delete deletes pipeline opts.Pipeline as Argo CD deletes an application:
// the PreDelete hooks among objs first (waited for until they complete),
// then every object the pipeline's inventory lists that still carries the
// pipeline's label, wave by wave from the highest down, waiting until each
// wave is gone, then the PostDelete hooks, and finally the inventory. A
// failing PreDelete hook stops the deletion before anything is deleted.
func (e *Engine) Delete(ctx context.Context, objs []manifest.Object, opts Options) Result {
	if err := opts.check(); err != nil {
		return Result{Status: progress.Failed, Message: err.Error()}
	}
	s := &syncRun{k: e.k, opts: opts, em: &emitter{r: opts.Reporter}, attempt: 1, op: "delete"}
	return s.runDelete(ctx, objs)
}

func (s *syncRun) runDelete(ctx context.Context, input []manifest.Object) Result {
	s.started, s.parent = time.Now(), ctx
	s.stopLogs = map[*task]context.CancelFunc{}
	attemptCtx, cancelAttempt := ctx, context.CancelFunc(func() {})
	if s.opts.Timeout > 0 {
		attemptCtx, cancelAttempt = context.WithTimeout(ctx, s.opts.Timeout)
	}
	defer cancelAttempt()
	bg, stopBg := context.WithCancel(ctx)
	defer stopBg()

	// Only the delete hooks of the input matter; the resources to delete
	// are those of the inventory, as they are on the cluster.
	var hooks []manifest.Object
	for _, o := range input {
		if a, _ := plan.ReadAnnotations(o.Unstructured); len(a.DeletePhases) > 0 {
			hooks = append(hooks, o)
		}
	}
	hooks, err := s.prepare(attemptCtx, hooks)
	if err != nil {
		return s.fail(err.Error())
	}
	inv, err := s.k.readInventory(attemptCtx, s.opts.Namespace, s.opts.Pipeline)
	if err != nil {
		return s.fail(err.Error())
	}
	s.inv = inv
	if !inv.exists {
		s.em.emit(progress.Event{Type: progress.Warning, Message: fmt.Sprintf("pipeline %s has no inventory in namespace %s: wavec has applied nothing of it there", s.opts.Pipeline, s.opts.Namespace)})
	}
	var live []manifest.Object
	for _, r := range inv.refs {
		u, _, err := s.k.fetch(attemptCtx, r)
		if err != nil {
			return s.fail(err.Error())
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
		return s.fail(err.Error())
	}
	s.resolve()
	s.nameHooks()
	s.em.emit(progress.Event{Type: progress.SyncStart, Operation: "delete", Pipeline: s.opts.Pipeline, Namespace: s.opts.Namespace,
		Revision: s.revision, Attempt: 1, Total: len(s.steps)})
	s.em.emit(progress.Event{Type: progress.PlanReady, Steps: s.stepInfos()})
	for _, t := range p.Kept {
		s.em.emit(progress.Event{Type: progress.Warning, Object: t.Ref(), Message: fmt.Sprintf("%s is kept: %s", t.Ref(), t.Note)})
	}

	s.tr = newTracker(bg, s.k, s.opts.Pipeline)
	s.logs = &logs{k: s.k, ctx: bg, emit: func(hook, line string) {
		s.em.emit(progress.Event{Type: progress.Log, Object: hook, Message: line})
	}}
	if err := s.watchAll(attemptCtx); err != nil {
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		return s.fail(err.Error())
	}
	for _, st := range s.steps {
		fail := s.runStep(attemptCtx, st)
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		if fail != nil {
			s.deleteHooks(ctx, func(t *task) bool { return t.onFailure }, "hook-failed")
			s.finishLogs()
			return s.done(progress.Failed, fail.msg)
		}
	}
	s.deleteHooks(ctx, func(t *task) bool { return t.onSuccess }, "hook-succeeded")
	s.finishLogs()
	if inv.exists {
		if err := s.k.deleteInventory(ctx, inv); err != nil {
			return s.done(progress.Failed, fmt.Sprintf("deleting the inventory: %s", explain(err)))
		}
	}
	return s.done(progress.Succeeded, "")
}
