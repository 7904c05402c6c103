package apply

import (
	"github.com/wavec/wavec/argocd"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
)

// planSync orders a sync with runtime/plan (Argo CD's order) and turns the
// plan into the engine's steps. SyncFail steps become one list of tasks,
// since they run all at once. A Delete (prune) step and the Apply step of
// the same phase and wave become one step that prunes first.
func (s *syncRun) planSync(objs []manifest.Object, prunes []*unstructured.Unstructured) (*plan.Plan, error) {
	var live []manifest.Object
	for _, u := range prunes {
		live = append(live, manifest.Object{Unstructured: u, Source: manifest.Source{File: "(live) " + RefOf(u).String()}})
	}
	p := plan.ForSyncWithPrunes(objs, live, plan.Options{Namespace: s.opts.Namespace, Revision: s.revision})
	if !s.opts.NoWaitLast {
		// wavec waits for every task with a health check, the last step's
		// too; the plan shown (dry run) says so.
		for _, st := range p.Steps {
			if st.Action == plan.Apply {
				for _, t := range st.Tasks {
					t.Gated = t.HealthCheck
				}
			}
		}
	}
	steps, syncFail, err := convertPlan(p, s.opts.StepTimeout, s.opts.NoWaitLast)
	if err != nil {
		return nil, err
	}
	s.steps, s.syncFail = steps, syncFail
	return p, nil
}

// convertPlan turns plan steps into engine steps.
func convertPlan(p *plan.Plan, def time.Duration, argoGating bool) ([]*step, []*task, error) {
	var (
		steps    []*step
		syncFail []*task
	)
	for _, ps := range p.Steps {
		var tasks []*task
		for _, pt := range ps.Tasks {
			t, err := convertTask(pt, ps.Action, p.Deletion, def, argoGating)
			if err != nil {
				return nil, nil, err
			}
			tasks = append(tasks, t)
		}
		if ps.Phase == argocd.SyncFail {
			syncFail = append(syncFail, tasks...)
			continue
		}
		phase := ps.Phase.String()
		if p.Deletion && ps.Action == plan.Delete {
			phase = "Delete"
		}
		if n := len(steps); n > 0 && !p.Deletion && steps[n-1].phase == phase && steps[n-1].wave == ps.Wave {
			// The prune step of a wave and its apply step are one step.
			steps[n-1].tasks = append(steps[n-1].tasks, tasks...)
			continue
		}
		steps = append(steps, &step{index: len(steps) + 1, phase: phase, wave: ps.Wave, tasks: tasks})
	}
	return steps, syncFail, nil
}

func convertTask(pt *plan.Task, act plan.Action, deletion bool, def time.Duration, argoGating bool) (*task, error) {
	a := pt.Annotations
	t := &task{
		obj:     pt.Object.Unstructured,
		hook:    a.Hook && act == plan.Apply,
		phase:   pt.Phase.String(),
		wave:    pt.Wave,
		replace: a.Options.Replace == argocd.On,
		force:   a.Options.Force,
		// Validate=false: unknown fields are dropped, not rejected.
		noValidate: a.Options.NoValidate,
		// wavec waits for every task whose kind has a health check;
		// with --no-wait-last the plan's (Argo CD's) gating applies.
		gated: pt.HealthCheck,
	}
	if argoGating {
		t.gated = pt.Gated
	}
	if act == plan.Delete {
		t.action, t.gated = actPrune, true
		if deletion {
			t.action = actDelete
		}
	}
	for _, p := range a.DeletePolicies {
		switch p {
		case argocd.BeforeHookCreation:
			t.beforeCreation = true
		case argocd.HookSucceeded:
			t.onSuccess = true
		case argocd.HookFailed:
			t.onFailure = true
		}
	}
	to, err := parseTimeout(t.obj, def)
	if err != nil {
		return nil, err
	}
	t.timeout = to
	return t, nil
}
