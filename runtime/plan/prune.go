package plan

import (
	"github.com/wavec/wavec/argocd"
	"slices"

	"github.com/wavec/wavec/runtime/manifest"
)

// ForSyncWithPrunes returns the plan of syncing objs that also prunes live: the
// objects a previous sync applied that are no longer among objs, as read
// from the cluster. Prunes are Delete steps placed as Argo CD places prune
// tasks (gitops-engine sync_context.go):
//
//   - a prune task runs in the Sync phase, in the wave of the live object;
//   - the distinct waves of the prune tasks are then reversed (the lowest
//     swaps with the highest, and so on), so objects go in the reverse of
//     the order they were created in;
//   - PruneLast=true moves a prune task to one wave after the last wave of
//     the Sync phase (at least wave 1), after everything else;
//   - Prune=false and Prune=confirm keep the object; it is listed in Kept.
//
// A Delete step comes just before the Apply step of the same phase and
// wave, since a step prunes before it applies. Prune tasks are gated: the
// sync waits until the objects are gone.
func ForSyncWithPrunes(objs, live []manifest.Object, opts Options) *Plan {
	p := ForSync(objs, opts)
	if len(live) == 0 {
		return p
	}
	items, warns := read(live, opts)
	p.Warnings = append(p.Warnings, warns...)
	var prunes []*Task
	for _, it := range items {
		if it.ann.Hook || it.ann.Skip {
			continue // hooks are never pruned
		}
		t := newTask(it.obj, it.ann, argocd.Sync, it.index, opts)
		t.HealthCheck = false
		t.Gated = true
		switch it.ann.Options.Prune {
		case argocd.RemoveNever:
			t.Note = "not pruned: sync option Prune=false"
			p.Kept = append(p.Kept, t)
			continue
		case argocd.RemoveConfirm:
			t.Note = "not pruned: sync option Prune=confirm needs a confirmation"
			p.Kept = append(p.Kept, t)
			continue
		}
		prunes = append(prunes, t)
	}
	if len(prunes) == 0 {
		return p
	}

	// Reverse the prune waves symmetrically.
	var waves []int
	for _, t := range prunes {
		if !slices.Contains(waves, t.Wave) {
			waves = append(waves, t.Wave)
		}
	}
	slices.Sort(waves)
	swap := map[int]int{}
	for i, w := range waves {
		swap[w] = waves[len(waves)-1-i]
	}
	for _, t := range prunes {
		t.Wave = swap[t.Wave]
	}
	// PruneLast: one wave after the last wave of the Sync phase.
	last := 0
	for _, t := range append(p.Tasks(), prunes...) {
		if t.Phase == argocd.Sync && t.Wave > last {
			last = t.Wave
		}
	}
	for _, t := range prunes {
		if t.Annotations.Options.PruneLast {
			t.Wave = last + 1
			t.Note = "PruneLast=true: pruned after every other wave"
		}
	}
	sortTasks(prunes)

	// Merge the Delete steps into the sequence of steps.
	var steps []*Step
	pending := group(prunes, Delete)
	for _, s := range p.Steps {
		for len(pending) > 0 && !stepAfter(pending[0], s) {
			steps = append(steps, pending[0])
			pending = pending[1:]
		}
		steps = append(steps, s)
	}
	// Prunes of waves after every Sync step still come before SyncFail.
	var tail []*Step
	for len(steps) > 0 && steps[len(steps)-1].Phase == argocd.SyncFail {
		tail = append([]*Step{steps[len(steps)-1]}, tail...)
		steps = steps[:len(steps)-1]
	}
	steps = append(steps, pending...)
	p.Steps = append(steps, tail...)
	gate(p)
	for _, t := range prunes {
		t.Gated = true
	}
	return p
}

// stepAfter reports whether prune step d sorts after step s: a later phase
// or wave. A prune step of the same phase and wave comes first.
func stepAfter(d, s *Step) bool {
	if d.Phase != s.Phase {
		return d.Phase > s.Phase
	}
	return d.Wave > s.Wave
}
