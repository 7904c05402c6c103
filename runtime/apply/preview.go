package apply

import (
	"context"
	"errors"
	"fmt"
	"github.com/wavec/wavec/runtime/cluster"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
	"github.com/wavec/wavec/runtime/progress"
)

// ItemAction is what a sync would do with one object of a Preview.
type ItemAction int

const (
	// ItemApply applies a resource.
	ItemApply ItemAction = iota
	// ItemHook runs a hook: it is created (again) on every sync.
	ItemHook
	// ItemPrune deletes an object that left the pipeline (--prune).
	ItemPrune
)

// Item is one object a sync would touch.
type Item struct {
	// Object is the object exactly as the sync would send it (namespace
	// set, PipelineLabel added); for ItemPrune, the live object. A hook
	// that has only a generateName keeps it here: the sync names it when
	// it starts (HookName).
	Object *unstructured.Unstructured
	// Action is what the sync would do with it.
	Action ItemAction
	// Phase and Wave place the item in the plan.
	Phase string
	Wave  int

	t *task
}

// Preview is what a sync of a set of objects would do, worked out exactly
// as Sync works it out (the same preparation of the objects, the same
// plan, the same prune decision from the inventory and labels, the same
// write options), without changing anything on the cluster.
type Preview struct {
	// Plan is the plan the sync would execute.
	Plan *plan.Plan
	// Revision is the sync's revision (see Revision).
	Revision string
	// Items lists every object the sync would touch, in plan order,
	// SyncFail hooks last.
	Items []*Item
	// Warnings are what the sync would warn about before its first step
	// (objects kept although they left the pipeline, plan warnings).
	Warnings []string
	// CreatesNamespace says the pipeline's namespace does not exist yet
	// and the sync creates it before its first step (CreateNamespace).
	CreatesNamespace bool

	s *syncRun
}

// NotValidatedError says the server cannot validate an object before the
// sync has created something it depends on: its namespace, its kind's
// CustomResourceDefinition or its ServiceAccount.
type NotValidatedError struct {
	// Reason names what the sync creates first.
	Reason string
}

func (e *NotValidatedError) Error() string { return "not validated yet: " + e.Reason }

// ErrRecreate says the sync would delete the object and create it again
// (sync option Force=true on an object the server cannot update).
var ErrRecreate = errors.New("the object cannot be updated in place; the sync deletes it and creates it again (sync option Force=true)")

// Preview works out what Sync would do with objs and opts; it reads the
// cluster (discovery, the inventory, the objects that may be pruned) and
// writes nothing. opts.Reporter is not used.
func (e *Engine) Preview(ctx context.Context, objs []manifest.Object, opts Options) (*Preview, error) {
	var (
		mu       sync.Mutex
		warnings []string
	)
	opts.Reporter = progress.Func(func(ev progress.Event) {
		if ev.Type == progress.Warning {
			mu.Lock()
			warnings = append(warnings, ev.Message)
			mu.Unlock()
		}
	})
	if err := opts.check(); err != nil {
		return nil, err
	}
	s := &syncRun{k: e.k, opts: opts, em: &emitter{r: opts.Reporter}, attempt: 1, op: "sync", started: time.Now()}
	prepared, err := s.prepare(ctx, objs)
	if err != nil {
		return nil, err
	}
	p, err := s.planSync(prepared, nil)
	if err != nil {
		return nil, err
	}
	prunes, err := s.pruneCandidates(ctx, s.applied())
	if err != nil {
		return nil, err
	}
	if len(prunes) > 0 {
		if p, err = s.planSync(prepared, prunes); err != nil {
			return nil, err
		}
		s.keepUnpruned(prunes)
	}
	s.plan = p
	s.resolve()
	for _, w := range p.Warnings {
		warnings = append(warnings, w.Source.Label(w.Object)+": "+w.Message)
	}
	pv := &Preview{Plan: p, Revision: s.revision, s: s}
	live, _, err := s.k.fetch(ctx, Ref{Kind: "Namespace", Name: opts.Namespace})
	if err != nil {
		return nil, err
	}
	for _, t := range s.allTasks() {
		it := &Item{Object: t.obj, Phase: t.phase, Wave: t.wave, t: t}
		switch {
		case t.action != actApply:
			it.Action = ItemPrune
		case t.hook:
			it.Action = ItemHook
		}
		pv.Items = append(pv.Items, it)
	}
	if live == nil {
		pv.CreatesNamespace = opts.CreateNamespace
		if !opts.CreateNamespace && !pv.createsNamespace(opts.Namespace) {
			return nil, fmt.Errorf("namespace %s does not exist (create it, or drop --create-namespace=false)", opts.Namespace)
		}
	}
	mu.Lock()
	pv.Warnings = append(warnings, pv.Warnings...)
	mu.Unlock()
	return pv, nil
}

// DryRun sends what Sync would send for a resource (a server-side apply
// as FieldManager, or a replace for sync option Replace=true) with
// dryRun=All, and returns the object the server would store. It returns a
// *NotValidatedError when the server cannot validate the object before the
// sync creates what it depends on. For an object the sync would delete
// and create again (sync option Force=true) it returns ErrRecreate with
// the object a create would store.
func (p *Preview) DryRun(ctx context.Context, it *Item) (*unstructured.Unstructured, error) {
	s, t := p.s, it.t
	if it.Action != ItemApply {
		return nil, fmt.Errorf("%s is not applied by the sync", t.ref())
	}
	if t.mapping == nil {
		if p.createsKind(t.obj.GroupVersionKind().GroupKind()) {
			return nil, &NotValidatedError{Reason: "its CustomResourceDefinition is created by this sync"}
		}
		m, err := s.k.mapping(t.obj.GroupVersionKind())
		if err != nil {
			return nil, errors.New(explain(err))
		}
		t.mapping = m
	}
	var (
		res       cluster.WriteResult
		err       error
		recreated bool
	)
	switch {
	case t.replace && t.force:
		res, recreated, err = p.recreate(ctx, t)
	case t.replace:
		res, err = s.k.replace(ctx, t.mapping, t.obj, s.writeOpts(t, true))
	default:
		res, err = s.k.apply(ctx, t.mapping, t.obj, s.writeOpts(t, true))
		if err != nil && t.force && (apierrors.IsInvalid(err) || apierrors.IsConflict(err)) {
			res, recreated, err = p.recreate(ctx, t)
		}
	}
	if err == nil && recreated {
		return res.Object, ErrRecreate
	}
	if err == nil {
		return res.Object, nil
	}
	ns := t.obj.GetNamespace()
	if isNamespaceNotFound(err) && p.createsNamespace(ns) {
		return nil, &NotValidatedError{Reason: "namespace " + ns + " is created by this sync"}
	}
	if sa := missingServiceAccount(err); sa != "" {
		sns, name, _ := strings.Cut(sa, "/")
		if p.createsServiceAccount(sa) || name == "default" && p.createsNamespace(sns) {
			return nil, &NotValidatedError{Reason: "ServiceAccount " + sa + " is created by this sync"}
		}
	}
	return nil, errors.New(explain(err))
}

// recreate dry-runs the create that follows the deletion of a Force=true
// object, under a generated name when the old object still holds its own;
// recreated says whether an old object exists.
func (p *Preview) recreate(ctx context.Context, t *task) (cluster.WriteResult, bool, error) {
	name := t.obj.GetName()
	res, err := p.s.k.create(ctx, t.mapping, t.obj, p.s.writeOpts(t, true))
	if !apierrors.IsAlreadyExists(err) {
		return res, false, err
	}
	o := t.obj.DeepCopy()
	o.SetName("")
	o.SetGenerateName(name[:min(len(name), 50)])
	res, err = p.s.k.create(ctx, t.mapping, o, p.s.writeOpts(t, true))
	if err == nil {
		// The server may have copied the generated name elsewhere (a
		// Job's job-name labels): the real create would use the name.
		res.Object.Object = renamed(res.Object.Object, res.Object.GetName(), name).(map[string]any)
		res.Object.SetGenerateName("")
	}
	return res, true, err
}

// renamed returns v with every string equal to from replaced by to.
func renamed(v any, from, to string) any {
	switch x := v.(type) {
	case string:
		if x == from {
			return to
		}
	case map[string]any:
		for k, e := range x {
			x[k] = renamed(e, from, to)
		}
	case []any:
		for i, e := range x {
			x[i] = renamed(e, from, to)
		}
	}
	return v
}

// Live returns the live object of an item, or nil when it does not exist
// (or its kind is not served yet). For a hook with only a generateName it
// returns nil: each sync creates a new one.
func (p *Preview) Live(ctx context.Context, it *Item) (*unstructured.Unstructured, error) {
	if it.Object.GetName() == "" {
		return nil, nil
	}
	u, _, err := p.s.k.fetch(ctx, RefOf(it.Object))
	return u, err
}

func (p *Preview) createsNamespace(ns string) bool {
	if ns == p.s.opts.Namespace && p.s.opts.CreateNamespace {
		return true
	}
	for _, it := range p.Items {
		if it.Action == ItemApply && it.Object.GetKind() == "Namespace" && it.Object.GetName() == ns {
			return true
		}
	}
	return false
}

func (p *Preview) createsServiceAccount(ref string) bool {
	for _, it := range p.Items {
		if it.Action == ItemApply && it.Object.GetKind() == "ServiceAccount" && it.Object.GetNamespace()+"/"+it.Object.GetName() == ref {
			return true
		}
	}
	return false
}

func (p *Preview) createsKind(gk schema.GroupKind) bool {
	for _, it := range p.Items {
		if it.Action == ItemApply && it.Object.GroupVersionKind().GroupKind() == crdGVK.GroupKind() {
			if _, ok := crdScopes(it.t.objs(), func(u *unstructured.Unstructured) *unstructured.Unstructured { return u })[gk]; ok {
				return true
			}
		}
	}
	return false
}

// Diagnose returns the lines Sync reports under a failed step about obj,
// whose health is status (with message msg): its health, conditions, Pods
// with their phase, container states and exit codes, recent Events, and
// the last log lines where the cluster serves logs. It never includes
// object data.
func (e *Engine) Diagnose(ctx context.Context, obj *unstructured.Unstructured, status, msg string) []string {
	lines := []string{"health: " + withMessage(status, msg)}
	return append(lines, e.k.diagnose(ctx, obj)...)
}

// Inventory returns what the inventory of pipeline in namespace lists, and
// whether there is one.
func (e *Engine) Inventory(ctx context.Context, namespace, pipeline string) ([]Ref, bool, error) {
	inv, err := e.k.readInventory(ctx, namespace, pipeline)
	if err != nil {
		return nil, false, err
	}
	return inv.refs, inv.exists, nil
}
