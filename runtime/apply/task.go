package apply

import (
	"fmt"
	"github.com/wavec/wavec/argocd"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// action is what a task does to its object.
type action int

const (
	// actApply applies the object (creating it when missing).
	actApply action = iota
	// actPrune deletes an object that left the pipeline.
	actPrune
	// actDelete deletes an object of the pipeline (wavec delete).
	actDelete
)

// taskState is how far a task got.
type taskState int

const (
	statePending taskState = iota
	stateRunning
	stateDone
	stateFailed
)

// task is one unit of work of a step: apply an object (a resource or a
// hook) or delete one.
type task struct {
	// obj is the object to apply, or the live object to delete.
	obj    *unstructured.Unstructured
	action action
	// hook is set for hooks; phase is the phase this task runs the hook
	// in (a hook with several phases is one task per phase).
	hook  bool
	phase string
	// wave is the task's sync wave.
	wave int
	// Delete policies of a hook.
	beforeCreation, onSuccess, onFailure bool
	// Sync options.
	replace, force, noValidate bool
	// gated tells whether the step waits for the task's health (hooks are
	// always waited for; resources when their kind has a health check).
	gated bool
	// timeout bounds the wait for the task.
	timeout time.Duration

	// Filled in while the sync runs.
	mapping  *meta.RESTMapping
	written  *unstructured.Unstructured
	state    taskState
	health   string
	message  string
	deadline time.Time
	started  time.Time
	// checkedUID and checkedVersion identify the state of the object
	// whose health was last checked.
	checkedUID     types.UID
	checkedVersion string
	// key caches objectKey.
	key *objectKey
}

// objectKey returns the key under which the tracker records changes of
// the task's object; the task must have its mapping.
func (t *task) objectKey() objectKey {
	if t.key == nil {
		t.key = &objectKey{t.mapping.Resource, t.obj.GetNamespace(), t.obj.GetName()}
	}
	return *t.key
}

// ref returns "Kind/name" for messages.
func (t *task) ref() string { return t.obj.GetKind() + "/" + t.obj.GetName() }

// label returns the task as the plan shows it.
func (t *task) label() string {
	switch t.action {
	case actPrune:
		return "prune " + t.ref()
	case actDelete:
		return "delete " + t.ref()
	}
	return t.ref()
}

// step is one (phase, wave) of the plan.
type step struct {
	index int
	phase string
	wave  int
	tasks []*task
}

// String returns "Phase wave N".
func (s *step) String() string {
	return fmt.Sprintf("%s wave %d", s.phase, s.wave)
}

// groups splits the step's applies into runs of consecutive tasks of the
// same kind, which are applied in parallel; kinds go one after another.
func groups(tasks []*task) [][]*task {
	var out [][]*task
	for i, t := range tasks {
		if i > 0 && sameKind(tasks[i-1], t) {
			out[len(out)-1] = append(out[len(out)-1], t)
			continue
		}
		out = append(out, []*task{t})
	}
	return out
}

func sameKind(a, b *task) bool {
	return a.obj.GroupVersionKind().GroupKind() == b.obj.GroupVersionKind().GroupKind()
}

// parseTimeout reads argocd.AnnotationTimeout, or returns def.
func parseTimeout(obj *unstructured.Unstructured, def time.Duration) (time.Duration, error) {
	s := strings.TrimSpace(obj.GetAnnotations()[argocd.AnnotationTimeout])
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s/%s: annotation %s: %q is not a positive duration such as 90s or 5m", obj.GetKind(), obj.GetName(), argocd.AnnotationTimeout, s)
	}
	return d, nil
}

// objs returns the task's object as a one-element list.
func (t *task) objs() []*unstructured.Unstructured { return []*unstructured.Unstructured{t.obj} }
