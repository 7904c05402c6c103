package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
	"github.com/wavec/wavec/runtime/progress"
)

// syncRun is one attempt of a sync.
type syncRun struct {
	k    *kube
	opts Options
	// parent is the caller's context: when it ends, the user stopped the
	// sync (as opposed to the sync's own --timeout).
	parent  context.Context
	em      *emitter
	attempt int
	// op is "sync" or "delete", for events.
	op string
	// noRetry is set for failures another attempt cannot fix (bad input).
	noRetry bool

	started  time.Time
	revision string
	tr       *tracker
	logs     *logs
	steps    []*step
	syncFail []*task
	// hooks lists the hooks created by this attempt, in creation order.
	hooksMu sync.Mutex
	hooks   []*task
	// stopLogs ends the Pod watch of a hook's log stream, by hook.
	stopLogs map[*task]context.CancelFunc

	inv     *inventory
	desired []Ref
	// keep lists inventory entries that stay although they left the
	// pipeline (not pruned this time).
	keep []Ref

	plan     *plan.Plan
	summary  []progress.StepSummary
	prevDone time.Time
}

// failure is why a step, and so the sync, failed.
type failure struct {
	msg string
	// diagnose lists the tasks whose objects deserve a diagnosis.
	diagnose []*task
}

func (s *syncRun) fail(msg string) Result { return s.done(progress.Failed, msg) }

// begin starts an attempt of a sync or delete: it records the start, and
// returns the attempt's context (bounded by --timeout), a context for
// background work such as log streams, and the function that ends both.
func (s *syncRun) begin(ctx context.Context) (attempt, background context.Context, end func()) {
	s.started, s.parent = time.Now(), ctx
	s.stopLogs = map[*task]context.CancelFunc{}
	attempt, cancelAttempt := ctx, context.CancelFunc(func() {})
	if s.opts.Timeout > 0 {
		attempt, cancelAttempt = context.WithTimeout(ctx, s.opts.Timeout)
	}
	background, stopBackground := context.WithCancel(ctx)
	return attempt, background, func() { stopBackground(); cancelAttempt() }
}

func (s *syncRun) run(ctx context.Context, input []manifest.Object) Result {
	attemptCtx, bg, end := s.begin(ctx)
	defer end()

	objs, err := s.prepare(attemptCtx, input)
	if err != nil {
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		return s.fail(err.Error())
	}
	p, err := s.planSync(objs, nil)
	if err != nil {
		s.noRetry = true
		return s.fail(err.Error())
	}
	prunes, err := s.pruneCandidates(attemptCtx, s.applied())
	if err != nil {
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		return s.fail(err.Error())
	}
	if len(prunes) > 0 {
		if p, err = s.planSync(objs, prunes); err != nil {
			s.noRetry = true
			return s.fail(err.Error())
		}
		s.keepUnpruned(prunes)
	}
	s.plan = p
	s.resolve()
	s.nameHooks()
	s.em.emit(progress.Event{Type: progress.SyncStart, Operation: "sync", Pipeline: s.opts.Pipeline, Namespace: s.opts.Namespace,
		Revision: s.revision, Attempt: s.attempt, Total: len(s.stepInfos()), DryRun: s.opts.DryRun})
	s.em.emit(progress.Event{Type: progress.PlanReady, Steps: s.stepInfos()})
	for _, w := range p.Warnings {
		s.em.emit(progress.Event{Type: progress.Warning, Object: w.Object, Message: w.Source.Label(w.Object) + ": " + w.Message})
	}

	if !s.opts.DryRun {
		if err := s.ensureNamespace(attemptCtx); err != nil {
			if ctx.Err() != nil {
				return s.stop(ctx)
			}
			return s.fail(err.Error())
		}
	}
	if msg := s.dryRun(attemptCtx); msg != "" {
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		return s.fail(msg) // SyncFail hooks do not run on dry-run failures
	}
	if s.opts.DryRun {
		return s.done(progress.Succeeded, "dry run: nothing was changed")
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
	// Record everything this sync may create before creating it, so that
	// an interrupted sync leaves nothing untracked; prunes stay listed
	// until they are done.
	before := append(slices.Clone(s.desired), s.keep...)
	for _, u := range prunes {
		before = append(before, RefOf(u))
	}
	if err := s.writeInventory(attemptCtx, before); err != nil {
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		return s.fail(err.Error())
	}

	var fail *failure
	for i, st := range s.steps {
		last := i == len(s.steps)-1
		fail = s.runStep(attemptCtx, st)
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		if fail != nil {
			if attemptCtx.Err() != nil && fail.msg == "" {
				fail.msg = "the sync timed out after " + s.opts.Timeout.String()
			}
			break
		}
		if !last && s.opts.WaveDelay > 0 {
			if err := sleep(attemptCtx, s.opts.WaveDelay); err != nil {
				if ctx.Err() != nil {
					return s.stop(ctx)
				}
			}
			s.prevDone = s.prevDone.Add(s.opts.WaveDelay)
		}
	}
	if fail != nil {
		s.runSyncFail(ctx)
		if ctx.Err() != nil {
			return s.stop(ctx)
		}
		s.deleteHooks(ctx, func(t *task) bool { return t.onFailure }, "hook-failed")
		s.finishLogs()
		res := s.done(progress.Failed, fail.msg)
		return res
	}
	s.deleteHooks(ctx, func(t *task) bool { return t.onSuccess }, "hook-succeeded")
	if err := s.writeInventory(ctx, append(slices.Clone(s.desired), s.keep...)); err != nil {
		return s.done(progress.Failed, err.Error())
	}
	s.finishLogs()
	return s.done(progress.Succeeded, "")
}

// done emits the closing event and returns the result.
func (s *syncRun) done(status progress.Status, msg string) Result {
	s.skipRemaining()
	d := time.Since(s.started)
	sum := &progress.Summary{Status: status, Duration: progress.Millis(d), Attempts: s.attempt, Steps: s.summary, Message: msg}
	s.em.emit(progress.Event{Type: progress.SyncDone, Operation: s.op, Status: status, Duration: progress.Millis(d), Message: msg, Summary: sum})
	res := Result{Status: status, Message: msg, Summary: sum, Plan: s.plan}
	for _, h := range s.hooks {
		res.Hooks = append(res.Hooks, h.ref())
	}
	return res
}

// skipRemaining lists the steps that never started as skipped.
func (s *syncRun) skipRemaining() {
	started := map[int]bool{}
	for _, x := range s.summary {
		started[x.Index] = true
	}
	for _, st := range s.steps {
		if !started[st.index] {
			s.summary = append(s.summary, progress.StepSummary{Index: st.index, Phase: st.phase, Wave: st.wave, Tasks: len(st.tasks), Status: progress.Skipped})
		}
	}
	if n := len(s.steps) + 1; len(s.syncFail) > 0 && !started[n] {
		s.summary = append(s.summary, progress.StepSummary{Index: n, Phase: "SyncFail", Tasks: len(s.syncFail), Status: progress.Skipped})
	}
}

// interrupted reports whether the user stopped the sync.
func (s *syncRun) interrupted() bool { return s.parent != nil && s.parent.Err() != nil }

// stop ends a sync the user stopped: hooks still running are
// deleted, nothing is rolled back and SyncFail hooks do not run.
func (s *syncRun) stop(ctx context.Context) Result {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	s.deleteHooks(cleanup, func(t *task) bool { return t.state == stateRunning || t.state == statePending }, "terminate")
	for i := range s.summary {
		if s.summary[i].Status == progress.Running {
			s.summary[i].Status = progress.Interrupted
		}
	}
	s.finishLogs()
	return s.done(progress.Interrupted, "interrupted: running hooks were deleted; nothing was rolled back")
}

// finishLogs gives hook log streams a moment to deliver their last lines.
func (s *syncRun) finishLogs() {
	if s.logs == nil {
		return
	}
	for _, stop := range s.stopLogs {
		stop()
	}
	done := make(chan struct{})
	go func() { s.logs.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

// stepInfos describes the plan for reporters; SyncFail hooks appear as one
// last step that runs only on failure.
func (s *syncRun) stepInfos() []progress.StepInfo {
	var out []progress.StepInfo
	for _, st := range s.steps {
		out = append(out, info(st, true))
	}
	if len(s.syncFail) > 0 {
		out = append(out, info(&step{index: len(s.steps) + 1, phase: "SyncFail", tasks: s.syncFail}, true))
	}
	return out
}

func info(st *step, gated bool) progress.StepInfo {
	si := progress.StepInfo{Index: st.index, Phase: st.phase, Wave: st.wave, Gated: gated}
	for _, t := range st.tasks {
		si.Tasks = append(si.Tasks, t.label())
	}
	return si
}

// nameHooks gives hooks that only have a generateName the name Argo CD
// would give them in this sync.
func (s *syncRun) nameHooks() {
	each := func(t *task) {
		if t.hook && t.obj.GetName() == "" {
			t.obj = t.obj.DeepCopy()
			t.obj.SetName(HookName(t.obj.GetGenerateName(), s.revision, t.phase, s.started))
			t.obj.SetGenerateName("")
		}
	}
	for _, st := range s.steps {
		for _, t := range st.tasks {
			each(t)
		}
	}
	for _, t := range s.syncFail {
		each(t)
	}
}

// applied returns the refs of the resources (not hooks) the plan applies.
func (s *syncRun) applied() []Ref {
	var refs []Ref
	for _, t := range s.allTasks() {
		if t.action == actApply && !t.hook {
			refs = append(refs, RefOf(t.obj))
		}
	}
	return refs
}

// keepUnpruned keeps in the inventory the prune candidates the plan does
// not prune (sync option Prune=false) and says so.
func (s *syncRun) keepUnpruned(prunes []*unstructured.Unstructured) {
	pruned := map[Ref]bool{}
	for _, t := range s.allTasks() {
		if t.action == actPrune {
			pruned[RefOf(t.obj)] = true
		}
	}
	for _, p := range prunes {
		if r := RefOf(p); !pruned[r] {
			s.keep = append(s.keep, r)
			s.em.emit(progress.Event{Type: progress.Warning, Object: r.Short(), Namespace: r.Namespace,
				Message: fmt.Sprintf("%s left the pipeline but has sync option Prune=false; it is kept", r.Short())})
		}
	}
}

// allTasks returns every task of the plan, SyncFail hooks last.
func (s *syncRun) allTasks() []*task {
	var all []*task
	for _, st := range s.steps {
		all = append(all, st.tasks...)
	}
	return append(all, s.syncFail...)
}

// watchAll starts the watches of every resource the plan touches, so steps
// need not wait for a cache to fill.
func (s *syncRun) watchAll(ctx context.Context) error {
	type key struct {
		m  *meta.RESTMapping
		ns string
	}
	seen := map[infKey]bool{}
	var keys []key
	for _, t := range s.allTasks() {
		if t.mapping == nil {
			continue // a custom resource whose CRD this sync creates
		}
		k := s.tr.key(t.mapping, t.obj.GetNamespace())
		if !seen[k] {
			seen[k] = true
			keys = append(keys, key{t.mapping, t.obj.GetNamespace()})
		}
	}
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.tr.watch(ctx, k.m, k.ns)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("watching the pipeline's objects: %s", explain(err))
	}
	return nil
}

// writeInventory records refs unless the inventory already says so.
func (s *syncRun) writeInventory(ctx context.Context, refs []Ref) error {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, compareRefs)
	refs = slices.Compact(refs)
	if s.inv.exists && slices.Equal(refs, s.inv.refs) {
		return nil
	}
	return s.k.writeInventory(ctx, s.inv, refs)
}

// runSyncFail runs every SyncFail hook at once and waits for them; the
// sync fails whatever they do.
func (s *syncRun) runSyncFail(ctx context.Context) {
	if len(s.syncFail) == 0 {
		return
	}
	st := &step{index: len(s.steps) + 1, phase: "SyncFail", tasks: s.syncFail}
	s.prevDone = time.Time{}
	s.runStep(ctx, st)
}

// deleteHooks deletes the hooks this attempt created that match and waits
// until they are gone.
func (s *syncRun) deleteHooks(ctx context.Context, match func(*task) bool, why string) {
	s.hooksMu.Lock()
	var hooks []*task
	for _, t := range s.hooks {
		if match(t) {
			hooks = append(hooks, t)
		}
	}
	s.hooksMu.Unlock()
	var wg sync.WaitGroup
	for _, t := range hooks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.em.emit(progress.Event{Type: progress.Deleting, Object: t.ref(), Namespace: t.obj.GetNamespace(), Hook: true, Action: why})
			ns, name, uid := t.obj.GetNamespace(), t.obj.GetName(), uidOf(t.written)
			if err := s.k.del(ctx, t.mapping, ns, name, uid); err != nil {
				s.em.emit(progress.Event{Type: progress.Warning, Object: t.ref(), Message: fmt.Sprintf("deleting hook %s: %s", t.ref(), explain(err))})
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := s.k.waitGone(wctx, t.mapping, ns, name, uid); err != nil {
				s.em.emit(progress.Event{Type: progress.Warning, Object: t.ref(), Message: fmt.Sprintf("hook %s is still being deleted: %s", t.ref(), explain(err))})
				return
			}
			s.em.emit(progress.Event{Type: progress.Deleted, Object: t.ref(), Namespace: ns, Hook: true})
		}()
	}
	wg.Wait()
}

// isNamespaceNotFound reports whether err says the object's namespace does
// not exist.
func isNamespaceNotFound(err error) bool {
	var se apierrors.APIStatus
	if !errors.As(err, &se) || !apierrors.IsNotFound(err) {
		return false
	}
	d := se.Status().Details
	return d != nil && d.Kind == "namespaces"
}
