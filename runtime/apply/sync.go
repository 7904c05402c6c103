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

// failure is why an attempt failed.
type failure struct {
	msg string
	// diagnose lists the tasks whose objects deserve a diagnosis.
	diagnose []*task
	// steps is set when the failure happened once the steps had begun,
	// which runs the SyncFail hooks.
	steps bool
}

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
	f := s.sync(attemptCtx, bg, input)
	if f == nil && s.opts.DryRun {
		return s.done(progress.Succeeded, "dry run: nothing was changed")
	}
	return s.finish(ctx, f, func() *failure {
		if err := s.writeInventory(ctx, append(slices.Clone(s.desired), s.keep...)); err != nil {
			return &failure{msg: err.Error()}
		}
		return nil
	})
}

// sync does the work of an attempt of a sync, up to the end of its last
// step, and returns why it failed (nil when every step succeeded).
func (s *syncRun) sync(ctx, bg context.Context, input []manifest.Object) *failure {
	objs, err := s.prepare(ctx, input)
	if err != nil {
		return &failure{msg: err.Error()}
	}
	p, err := s.planSync(objs, nil)
	if err != nil {
		s.noRetry = true
		return &failure{msg: err.Error()}
	}
	prunes, err := s.pruneCandidates(ctx, s.applied())
	if err != nil {
		return &failure{msg: err.Error()}
	}
	if len(prunes) > 0 {
		if p, err = s.planSync(objs, prunes); err != nil {
			s.noRetry = true
			return &failure{msg: err.Error()}
		}
		s.keepUnpruned(prunes)
	}
	s.plan = p
	s.resolve()
	s.nameHooks()
	if s.opts.PlanWarnings != nil && s.attempt == 1 && len(p.Warnings) > 0 {
		s.opts.PlanWarnings(p) // before the first event, so a live view starts below them
	}
	s.em.emit(progress.Event{Type: progress.SyncStart, Operation: "sync", Pipeline: s.opts.Pipeline, Namespace: s.opts.Namespace,
		Revision: s.revision, Attempt: s.attempt, Total: len(s.stepInfos()), DryRun: s.opts.DryRun})
	s.em.emit(progress.Event{Type: progress.PlanReady, Steps: s.stepInfos()})
	if s.opts.PlanWarnings == nil {
		for _, w := range p.Warnings {
			s.em.emit(progress.Event{Type: progress.Warning, Object: w.Object, Message: w.Source.Label(w.Object) + ": " + w.Message})
		}
	}

	if !s.opts.DryRun {
		if err := s.ensureNamespace(ctx); err != nil {
			return &failure{msg: err.Error()}
		}
	}
	if msg := s.dryRun(ctx); msg != "" {
		return &failure{msg: msg} // SyncFail hooks do not run on dry-run failures
	}
	if s.opts.DryRun {
		return nil
	}

	if f := s.startTracking(ctx, bg); f != nil {
		return f
	}
	// Record everything this sync may create before creating it, so that
	// an interrupted sync leaves nothing untracked; prunes stay listed
	// until they are done.
	before := append(slices.Clone(s.desired), s.keep...)
	for _, u := range prunes {
		before = append(before, RefOf(u))
	}
	if err := s.writeInventory(ctx, before); err != nil {
		return &failure{msg: err.Error()}
	}
	return s.runSteps(ctx)
}

// startTracking starts the watches of the plan's objects and the hook log
// streams, which live as long as bg.
func (s *syncRun) startTracking(ctx, bg context.Context) *failure {
	s.tr = newTracker(bg, s.k, s.opts.Pipeline)
	s.logs = &logs{k: s.k, ctx: bg, emit: func(hook, line string) {
		s.em.emit(progress.Event{Type: progress.Log, Object: hook, Message: line})
	}}
	if err := s.watchAll(ctx); err != nil {
		return &failure{msg: err.Error()}
	}
	return nil
}

// runSteps runs the steps in order, with the wave delay between them, and
// stops at the first that fails. No step starts once ctx has ended: the
// user stopped the sync, or its --timeout expired (also during the delay).
func (s *syncRun) runSteps(ctx context.Context) *failure {
	for i, st := range s.steps {
		if ctx.Err() != nil {
			return &failure{msg: s.timedOut("before " + st.String()), steps: true}
		}
		f := s.runStep(ctx, st)
		if f != nil {
			if ctx.Err() != nil && f.msg == "" {
				f.msg = s.timedOut("")
			}
			f.steps = true
			return f
		}
		if i < len(s.steps)-1 && s.opts.WaveDelay > 0 {
			if err := sleep(ctx, s.opts.WaveDelay); err != nil {
				return &failure{msg: s.timedOut("during the wave delay after " + st.String()), steps: true}
			}
			s.prevDone = s.prevDone.Add(s.opts.WaveDelay)
		}
	}
	return nil
}

// timedOut says that the attempt ran out of time, and where.
func (s *syncRun) timedOut(where string) string {
	msg := fmt.Sprintf("the %s timed out after %s", s.op, s.opts.Timeout)
	if where != "" {
		msg += ", " + where
	}
	return msg
}

// finish ends an attempt of a sync or a delete whatever happened: it is
// their one exit once begun. When the user stopped it (its parent context
// ended), running hooks are deleted and nothing else runs (stop). When it
// failed in a step, the SyncFail hooks run and hooks with the HookFailed
// policy are deleted. When every step succeeded, hooks with the
// HookSucceeded policy are deleted and complete does the operation's last
// work (which may fail too).
func (s *syncRun) finish(ctx context.Context, f *failure, complete func() *failure) Result {
	if s.interrupted() {
		return s.stop(ctx)
	}
	switch {
	case f != nil && f.steps:
		// As Argo CD: the HookFailed hooks that have completed are deleted
		// as soon as the failure is seen, before the SyncFail hooks start;
		// the SyncFail hooks' own, and any still running, after them
		// (semantics.md, Execution).
		completed := func(t *task) bool {
			return t.phase != "SyncFail" && t.state != stateRunning && t.state != statePending
		}
		s.deleteHooks(ctx, func(t *task) bool { return t.onFailure && completed(t) }, "hook-failed")
		s.runSyncFail(ctx)
		if s.interrupted() {
			return s.stop(ctx)
		}
		s.deleteHooks(ctx, func(t *task) bool { return t.onFailure && !completed(t) }, "hook-failed")
	case f == nil:
		s.deleteHooks(ctx, func(t *task) bool { return t.onSuccess }, "hook-succeeded")
		f = complete()
		if s.interrupted() {
			return s.stop(ctx)
		}
	}
	s.finishLogs()
	if f != nil {
		return s.done(progress.Failed, f.msg)
	}
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
