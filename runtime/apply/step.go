package apply

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/health"
	"github.com/wavec/wavec/runtime/progress"
)

// maxParallel bounds the requests a step sends at once.
const maxParallel = 16

// runStep runs one step: its deletions (prunes) first, then the
// BeforeHookCreation deletes of its hooks, then its applies kind by kind,
// and waits until watches show every gated task complete.
func (s *syncRun) runStep(ctx context.Context, st *step) *failure {
	start := time.Now()
	var overhead *progress.Millis
	if !s.prevDone.IsZero() && len(s.summary) > 0 {
		o := progress.Millis(start.Sub(s.prevDone))
		overhead = &o
		s.summary[len(s.summary)-1].Overhead = overhead
	}
	wave := st.wave
	s.em.emit(progress.Event{Type: progress.StepStart, Step: st.index, Phase: st.phase, Wave: &wave, Overhead: overhead})
	idx := len(s.summary)
	s.summary = append(s.summary, progress.StepSummary{Index: st.index, Phase: st.phase, Wave: st.wave, Tasks: len(st.tasks), Status: progress.Running})
	for _, t := range st.tasks {
		t.started, t.deadline = start, start.Add(t.timeout)
	}

	finish := func(f *failure, completed time.Time) *failure {
		sum := &s.summary[idx]
		sum.Duration = progress.Millis(completed.Sub(start))
		sum.Status = progress.Succeeded
		if f != nil {
			sum.Status, sum.Message = progress.Failed, f.msg
			if s.interrupted() {
				sum.Status = progress.Interrupted
			}
		}
		s.em.emit(progress.Event{Type: progress.StepDone, Step: st.index, Phase: st.phase, Wave: &wave,
			Status: sum.Status, Duration: sum.Duration, Message: sum.Message})
		if f != nil && sum.Status == progress.Failed && len(f.diagnose) > 0 {
			s.diagnose(ctx, st, f.diagnose)
		}
		s.prevDone = completed
		return f
	}

	var dels, applies []*task
	for _, t := range st.tasks {
		if t.action == actApply {
			applies = append(applies, t)
		} else {
			dels = append(dels, t)
		}
	}
	if f := s.deleteTasks(ctx, st, dels); f != nil {
		return finish(f, time.Now())
	}
	if f := s.replaceHooks(ctx, st, applies); f != nil {
		return finish(f, time.Now())
	}
	for _, g := range groups(applies) {
		if f := s.applyGroup(ctx, st, g); f != nil {
			return finish(f, time.Now())
		}
	}
	f, completed := s.wait(ctx, st)
	return finish(f, completed)
}

// parallel runs fn for every task, at most maxParallel at once, and
// returns the failures' messages in task order.
func parallel(tasks []*task, fn func(*task) string) []string {
	msgs := make([]string, len(tasks))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			msgs[i] = fn(t)
		}()
	}
	wg.Wait()
	var out []string
	for _, m := range msgs {
		if m != "" {
			out = append(out, m)
		}
	}
	return out
}

// deleteTasks sends the deletes of prune and delete tasks; the wait for
// the objects to be gone is part of the step's wait.
func (s *syncRun) deleteTasks(ctx context.Context, st *step, dels []*task) *failure {
	msgs := parallel(dels, func(t *task) string {
		why := "prune"
		if t.action == actDelete {
			why = "delete"
		}
		if t.mapping == nil {
			m, err := s.k.mapping(t.obj.GroupVersionKind())
			if err != nil {
				return fmt.Sprintf("%s: %s", t.ref(), explain(err))
			}
			t.mapping = m
		}
		s.em.emit(progress.Event{Type: progress.Deleting, Step: st.index, Object: t.ref(), Namespace: t.obj.GetNamespace(), Action: why})
		if err := s.k.del(ctx, t.mapping, t.obj.GetNamespace(), t.obj.GetName(), t.obj.GetUID()); err != nil {
			return fmt.Sprintf("deleting %s: %s", t.ref(), explain(err))
		}
		t.written, t.state = t.obj, stateRunning
		return ""
	})
	if len(msgs) > 0 {
		return &failure{msg: strings.Join(msgs, "; ")}
	}
	return nil
}

// replaceHooks deletes the existing objects of hooks with the
// BeforeHookCreation policy and waits until they are gone.
func (s *syncRun) replaceHooks(ctx context.Context, st *step, applies []*task) *failure {
	var hooks []*task
	for _, t := range applies {
		if t.hook && t.beforeCreation {
			hooks = append(hooks, t)
		}
	}
	msgs := parallel(hooks, func(t *task) string {
		if t.mapping == nil {
			return "" // its kind is not served yet, so no object of it exists
		}
		ns, name := t.obj.GetNamespace(), t.obj.GetName()
		live, err := s.k.get(ctx, t.mapping, ns, name)
		if apierrors.IsNotFound(err) {
			return ""
		}
		if err != nil {
			return fmt.Sprintf("reading hook %s: %s", t.ref(), explain(err))
		}
		s.em.emit(progress.Event{Type: progress.Deleting, Step: st.index, Object: t.ref(), Namespace: ns, Hook: true, Action: "before-hook-creation"})
		if err := s.k.del(ctx, t.mapping, ns, name, live.GetUID()); err != nil {
			return fmt.Sprintf("deleting hook %s: %s", t.ref(), explain(err))
		}
		wctx, cancel := context.WithDeadline(ctx, t.deadline)
		defer cancel()
		if err := s.k.waitGone(wctx, t.mapping, ns, name, live.GetUID()); err != nil {
			return fmt.Sprintf("waiting for the old hook %s to be deleted: %s", t.ref(), explain(err))
		}
		s.em.emit(progress.Event{Type: progress.Deleted, Step: st.index, Object: t.ref(), Namespace: ns, Hook: true})
		return ""
	})
	if len(msgs) > 0 {
		return &failure{msg: strings.Join(msgs, "; ")}
	}
	return nil
}

// applyGroup applies tasks of one kind in parallel. CustomResource
// Definitions are waited for until established, and the mapper is reset,
// so that custom resources after them can be applied.
func (s *syncRun) applyGroup(ctx context.Context, st *step, tasks []*task) *failure {
	msgs := parallel(tasks, func(t *task) string { return s.applyTask(ctx, st, t) })
	if len(msgs) > 0 {
		return &failure{msg: strings.Join(msgs, "; ")}
	}
	if tasks[0].obj.GroupVersionKind().GroupKind() == crdGVK.GroupKind() {
		msgs := parallel(tasks, func(t *task) string {
			wctx, cancel := context.WithDeadline(ctx, t.deadline)
			defer cancel()
			if err := s.k.waitEstablished(wctx, t.obj.GetName()); err != nil {
				return fmt.Sprintf("%s is not established: %s", t.ref(), explain(err))
			}
			if err := s.k.waitServed(wctx, t.obj); err != nil {
				return fmt.Sprintf("%s: %s", t.ref(), err)
			}
			return ""
		})
		if len(msgs) > 0 {
			return &failure{msg: strings.Join(msgs, "; ")}
		}
		s.k.c.ResetMapping()
		if err := s.resolveNew(ctx); err != nil {
			return &failure{msg: err.Error()}
		}
	}
	return nil
}

// resolveNew maps the tasks whose kinds were not served before, and
// watches them.
func (s *syncRun) resolveNew(ctx context.Context) error {
	for _, t := range s.allTasks() {
		if t.mapping != nil {
			continue
		}
		m, err := s.k.mapping(t.obj.GroupVersionKind())
		if err != nil {
			continue // perhaps a CRD of a later step
		}
		t.mapping = m
		if err := s.tr.watch(ctx, m, t.obj.GetNamespace()); err != nil {
			return fmt.Errorf("watching %s: %s", gvkString(t.obj.GroupVersionKind()), explain(err))
		}
	}
	return nil
}

// applyTask applies one object and reports it; it returns a message when
// the apply failed.
func (s *syncRun) applyTask(ctx context.Context, st *step, t *task) string {
	if t.mapping == nil {
		m, err := s.k.mapping(t.obj.GroupVersionKind())
		if err != nil {
			t.state = stateFailed
			return fmt.Sprintf("%s: %s", t.ref(), explain(err))
		}
		t.mapping = m
	}
	ns, name := t.obj.GetNamespace(), t.obj.GetName()
	prev := s.tr.cached(t.mapping, ns, name)
	var (
		res cluster.WriteResult
		err error
	)
	switch {
	case t.replace && t.force:
		res, err = s.recreate(ctx, t)
	case t.replace:
		res, err = s.k.replace(ctx, t.mapping, t.obj, s.writeOpts(t, false))
	default:
		res, err = s.k.apply(ctx, t.mapping, t.obj, s.writeOpts(t, false))
		if err != nil && t.force && (apierrors.IsInvalid(err) || apierrors.IsConflict(err)) {
			res, err = s.recreate(ctx, t)
		}
	}
	if err != nil && s.awaitServiceAccount(ctx, t, err) {
		// A namespace created moments ago: its ServiceAccount now exists.
		res, err = s.k.apply(ctx, t.mapping, t.obj, s.writeOpts(t, false))
	}
	for _, w := range res.Warnings {
		s.em.emit(progress.Event{Type: progress.Warning, Step: st.index, Object: t.ref(), Message: t.ref() + ": " + w})
	}
	if err != nil {
		t.state = stateFailed
		if t.hook && s.interrupted() {
			// Stopped while the write was on its way: the server may
			// have created the hook all the same, so stop deletes it by
			// name, as a hook still pending.
			t.state = statePending
			s.hooksMu.Lock()
			s.hooks = append(s.hooks, t)
			s.hooksMu.Unlock()
		}
		return fmt.Sprintf("%s: %s", t.ref(), explain(err))
	}
	t.written, t.state = res.Object, stateRunning
	act := "configured"
	switch {
	case res.Created:
		act = "created"
	case prev != nil && prev.GetUID() == res.Object.GetUID() && prev.GetResourceVersion() == res.Object.GetResourceVersion():
		act = "unchanged"
	}
	s.em.emit(progress.Event{Type: progress.Applied, Step: st.index, Object: t.ref(), Namespace: ns, Hook: t.hook, Action: act})
	if t.hook {
		s.hooksMu.Lock()
		s.hooks = append(s.hooks, t)
		if _, ok := s.stopLogs[t]; !ok && (t.obj.GetKind() == "Job" || t.obj.GetKind() == "Pod") {
			stop, cancel := context.WithCancel(ctx)
			s.stopLogs[t] = cancel
			s.logs.follow(stop, name, res.Object)
		}
		s.hooksMu.Unlock()
	}
	return ""
}

// recreate deletes the object (waiting until it is gone) and creates it
// again: sync option Force=true.
func (s *syncRun) recreate(ctx context.Context, t *task) (cluster.WriteResult, error) {
	ns, name := t.obj.GetNamespace(), t.obj.GetName()
	live, err := s.k.get(ctx, t.mapping, ns, name)
	if err == nil {
		if err := s.k.del(ctx, t.mapping, ns, name, live.GetUID()); err != nil {
			return cluster.WriteResult{}, err
		}
		wctx, cancel := context.WithDeadline(ctx, t.deadline)
		defer cancel()
		if err := s.k.waitGone(wctx, t.mapping, ns, name, live.GetUID()); err != nil {
			return cluster.WriteResult{}, err
		}
	} else if !apierrors.IsNotFound(err) {
		return cluster.WriteResult{}, err
	}
	return s.k.create(ctx, t.mapping, t.obj, s.writeOpts(t, false))
}

// wait returns once every task of the step is complete, or one failed or
// timed out, with the time the watch showed the step complete. It wakes
// only on watch events and deadlines.
func (s *syncRun) wait(ctx context.Context, st *step) (*failure, time.Time) {
	woken, st0 := false, time.Now()
	// The first round checks every task; later rounds only those whose
	// objects the watches saw change, so that a step of thousands of
	// objects does not check them all at every event.
	s.tr.takeChanged()
	all := true
	for {
		var (
			pending []*task
			failed  []*task
			next    time.Time
		)
		changed := s.tr.takeChanged()
		for _, t := range st.tasks {
			if t.state == stateDone {
				continue
			}
			if all || t.mapping == nil || changed[t.objectKey()] {
				s.evaluate(st, t)
			}
			switch t.state {
			case stateFailed:
				failed = append(failed, t)
			case stateRunning:
				pending = append(pending, t)
				if next.IsZero() || t.deadline.Before(next) {
					next = t.deadline
				}
			}
		}
		completed := time.Now()
		if ev := s.tr.lastEvent(); woken && ev.After(st0) {
			completed = ev
		}
		if len(failed) > 0 {
			var msgs []string
			for _, t := range failed {
				msgs = append(msgs, fmt.Sprintf("%s is %s", t.ref(), withMessage(t.health, t.message)))
			}
			return &failure{msg: strings.Join(msgs, "; "), diagnose: failed}, completed
		}
		if len(pending) == 0 {
			return nil, completed
		}
		now := time.Now()
		if !next.After(now) {
			var msgs []string
			var late []*task
			for _, t := range pending {
				if !t.deadline.After(now) {
					late = append(late, t)
					msgs = append(msgs, fmt.Sprintf("%s did not complete within %s: %s", t.ref(), t.timeout, withMessage(t.health, t.message)))
				}
			}
			for _, t := range late {
				t.state = stateFailed
			}
			return &failure{msg: "timed out: " + strings.Join(msgs, "; "), diagnose: late}, now
		}
		all = false
		timer := time.NewTimer(next.Sub(now))
		select {
		case <-s.tr.notify:
			woken = true
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			var msgs []string
			for _, t := range pending {
				msgs = append(msgs, fmt.Sprintf("%s: %s", t.ref(), withMessage(t.health, t.message)))
			}
			msg := "interrupted while waiting for " + strings.Join(msgs, "; ")
			if !s.interrupted() {
				msg = fmt.Sprintf("the sync timed out after %s; still waiting for %s", s.opts.Timeout, strings.Join(msgs, "; "))
			}
			return &failure{msg: msg, diagnose: pending}, time.Now()
		}
		timer.Stop()
	}
}

func withMessage(status, msg string) string {
	if status == "" {
		status = "not complete"
	}
	if msg == "" {
		return status
	}
	return status + ": " + msg
}

// evaluate updates a running task from the watch cache: a deletion is
// complete once the object is gone; an applied object once it is healthy
// (or at once when the task is not gated).
func (s *syncRun) evaluate(st *step, t *task) {
	if t.state != stateRunning {
		return
	}
	if t.action != actApply {
		c := s.tr.cached(t.mapping, t.obj.GetNamespace(), t.obj.GetName())
		if c == nil || c.GetUID() != t.obj.GetUID() {
			t.state = stateDone
			s.em.emit(progress.Event{Type: progress.Deleted, Step: st.index, Object: t.ref(), Namespace: t.obj.GetNamespace()})
			return
		}
		s.setHealth(st, t, "Terminating", "waiting for the object to be deleted")
		return
	}
	if !t.gated {
		t.state = stateDone
		return
	}
	if s.tr.isGone(uidOf(t.written)) {
		// Someone else deleted it: it can never become healthy.
		s.setHealth(st, t, "Missing", "it was deleted while wavec waited for it")
		t.state = stateFailed
		return
	}
	cur := s.tr.current(t.mapping, t.written)
	// Health is a function of the object alone: an object the watch has
	// not changed since it was last checked keeps its health. Checking
	// every pending task on every wake-up costs steps of thousands of
	// objects more than the rest of the sync.
	if cur.GetUID() == t.checkedUID && cur.GetResourceVersion() == t.checkedVersion {
		return
	}
	t.checkedUID, t.checkedVersion = cur.GetUID(), cur.GetResourceVersion()
	r, ok := health.Check(cur)
	if !ok {
		t.state = stateDone
		return
	}
	s.setHealth(st, t, r.Status.String(), r.Message)
	switch r.Status {
	case health.Healthy:
		t.state = stateDone
	case health.Suspended:
		if !t.hook {
			t.state = stateDone
		}
	case health.Degraded:
		t.state = stateFailed
	}
	if t.hook && t.state != stateRunning {
		s.hooksMu.Lock()
		if stop := s.stopLogs[t]; stop != nil {
			stop()
		}
		s.hooksMu.Unlock()
	}
}

// setHealth records a task's health and reports changes.
func (s *syncRun) setHealth(st *step, t *task, status, msg string) {
	if status == t.health && msg == t.message {
		return
	}
	t.health, t.message = status, msg
	s.em.emit(progress.Event{Type: progress.Health, Step: st.index, Object: t.ref(), Namespace: t.obj.GetNamespace(), Hook: t.hook, Health: status, Message: msg})
}

// diagnose reports, under a failed step, what explains each failed task.
func (s *syncRun) diagnose(ctx context.Context, st *step, tasks []*task) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	for _, t := range tasks {
		if t.mapping == nil || t.written == nil {
			continue
		}
		cur := t.written
		if s.tr != nil {
			cur = s.tr.current(t.mapping, t.written)
		}
		live, err := s.k.get(dctx, t.mapping, cur.GetNamespace(), cur.GetName())
		if err == nil && live.GetUID() == cur.GetUID() {
			cur = live
		}
		lines := []string{"health: " + withMessage(t.health, t.message)}
		lines = append(lines, s.k.diagnose(dctx, cur)...)
		s.em.emit(progress.Event{Type: progress.Diagnosis, Step: st.index, Object: t.ref(), Namespace: t.obj.GetNamespace(), Hook: t.hook, Lines: lines})
	}
}

// awaitServiceAccount handles a Pod rejected because its ServiceAccount
// does not exist yet, which happens for a moment after a namespace is
// created: it waits (by watch, until the task's deadline) for the
// ServiceAccount and reports whether the apply is worth another try.
func (s *syncRun) awaitServiceAccount(ctx context.Context, t *task, err error) bool {
	ref := missingServiceAccount(err)
	if t.obj.GetKind() != "Pod" || ref == "" {
		return false
	}
	_, sa, _ := strings.Cut(ref, "/")
	m, merr := s.k.mapping(schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"})
	if merr != nil {
		return false
	}
	wctx, cancel := context.WithDeadline(ctx, t.deadline)
	defer cancel()
	return s.k.watchUntil(wctx, m, t.obj.GetNamespace(), sa, func(u *unstructured.Unstructured) (bool, error) { return u != nil, nil }) == nil
}

// writeOpts returns the options of the task's write requests.
func (s *syncRun) writeOpts(t *task, dryRun bool) cluster.WriteOptions {
	return cluster.WriteOptions{Force: s.opts.ForceConflicts, DryRun: dryRun, NoValidate: t.noValidate}
}
