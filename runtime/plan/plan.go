// Package plan computes the order in which Argo CD syncs a set of
// Kubernetes objects, from their annotations alone: which tasks run, in
// which (phase, wave) steps, in which order, and which ones Argo CD waits
// for before it moves on. It is pure: no cluster, no live state.
//
// The rules are those of docs/semantics.md ("Annotations", "Order" and
// "Execution"), which follow Argo CD's sync engine (gitops-engine
// pkg/sync). ForSync builds the plan of a sync; ForDelete the plan of deleting
// the whole application. The renderers write a plan as a table, as JSON or
// as a Mermaid flowchart.
package plan

import (
	"fmt"
	"strings"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/runtime/health"
	"github.com/wavec/wavec/runtime/manifest"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Options are the parts of an Argo CD Application that change a plan.
type Options struct {
	// Namespace is the destination namespace: objects without a namespace
	// are placed in it when Argo CD orders Namespaces before their first
	// user. It is not shown as the objects' namespace.
	Namespace string
	// CreateNamespace adds the PreSync task that creates Namespace, as the
	// sync option CreateNamespace=true does on a first sync, unless the
	// objects include that Namespace.
	CreateNamespace bool
	// Revision is the revision being synced. When set, hooks with a
	// generateName sort by the name Argo CD gives them
	// (<generateName><revision[:7]>-<phase>-<time>); otherwise by their
	// generateName.
	Revision string
}

// Task is one object applied (or deleted) in one phase.
type Task struct {
	// Object is the object, with where it was read from. A task that Argo
	// CD adds itself (the CreateNamespace task) has an empty Source.
	Object manifest.Object
	// Phase is the phase the task runs in. A hook with several phases has
	// one task per phase.
	Phase argocd.Phase
	// Wave is the wave the task runs in. It differs from Annotations.Wave
	// when Argo CD moved a Namespace or CustomResourceDefinition before its
	// first user (see Note).
	Wave int
	// Annotations is what the object's annotations say.
	Annotations argocd.Annotations
	// HealthCheck reports whether Argo CD has a health check for the
	// object's kind (see health.HasCheck).
	HealthCheck bool
	// Gated reports whether the sync waits for this task before it moves
	// on (or ends): until it is Healthy (success) or Degraded (failure)
	// for an apply, until the object is gone for a delete.
	Gated bool
	// Note explains anything unusual about the task, such as a move.
	Note string

	// Ordering keys, computed once: the object's fields are map lookups.
	kind       string // kind
	group      string // API group
	sortName   string // name used for ordering
	declaredNS string // metadata.namespace
	apiVersion string // apiVersion
	namespace  string // namespace used for ordering Namespaces
	defines    string // "group/Kind" a CustomResourceDefinition defines
	index      int    // position in the input, to keep ties stable
}

// APIVersion returns the object's apiVersion.
func (t *Task) APIVersion() string { return t.Object.GetAPIVersion() }

// Kind returns the object's kind.
func (t *Task) Kind() string { return t.Object.GetKind() }

// Namespace returns the object's namespace as written: empty when it has
// none, and for a cluster-scoped kind, whose written namespace Argo CD's
// controller drops (argocd.ClusterScoped).
func (t *Task) Namespace() string {
	if argocd.ClusterScoped(t.Object.GroupVersionKind().GroupKind()) {
		return ""
	}
	return t.Object.GetNamespace()
}

// Name returns the object's name; it is empty for a hook whose name Argo
// CD generates from GenerateName.
func (t *Task) Name() string { return t.Object.GetName() }

// GenerateName returns the object's generateName.
func (t *Task) GenerateName() string { return t.Object.GetGenerateName() }

// Hook reports whether the task is a hook.
func (t *Task) Hook() bool { return t.Annotations.Hook }

// Ref returns "Kind/name" (or "Kind/generateName*").
func (t *Task) Ref() string { return t.Object.Ref() }

// Step is the tasks of one (phase, wave), in the order they are applied.
// Consecutive tasks of the same kind are applied in parallel.
type Step struct {
	// Phase and Wave identify the step.
	Phase argocd.Phase
	Wave  int
	// Action is Apply, or Delete for the deletion steps of a delete plan.
	Action Action
	// Tasks are the step's tasks in order.
	Tasks []*Task
}

// Name returns "PreSync wave -1", or "Delete wave 2" for a deletion step.
func (s *Step) Name() string {
	if s.Action == Delete {
		return fmt.Sprintf("Delete wave %d", s.Wave)
	}
	if s.Phase == argocd.PreDelete || s.Phase == argocd.PostDelete {
		return s.Phase.String()
	}
	return fmt.Sprintf("%s wave %d", s.Phase, s.Wave)
}

// Gated reports whether the step has a task the sync waits for.
func (s *Step) Gated() bool {
	for _, t := range s.Tasks {
		if t.Gated {
			return true
		}
	}
	return false
}

// Warning is something in the input that Argo CD silently ignores or
// treats in a way its author may not expect.
type Warning struct {
	// Source is where the object came from.
	Source manifest.Source
	// Object is the object's "Kind/name".
	Object string
	// Message is a sentence without a trailing period.
	Message string
}

// String returns "FILE:LINE: document N (Kind/name): warning: MESSAGE".
func (w Warning) String() string {
	return w.Source.Label(w.Object) + ": warning: " + w.Message
}

// CodeWarning is the code of every warning of a plan (docs/diagnostics.md).
const CodeWarning diag.Code = "W0902"

// Diagnostics returns the plan's warnings as warning diagnostics
// (CodeWarning), each at the annotation or object it is about, with the
// files they point into for snippets (see manifest.Diagnostics).
func (p *Plan) Diagnostics() (diag.List, *source.Set) {
	ps := make([]manifest.Problem, len(p.Warnings))
	for i, w := range p.Warnings {
		ps[i] = manifest.Problem{Severity: diag.Warning, Code: CodeWarning, Source: w.Source, Object: w.Object, Message: w.Message}
	}
	return manifest.Diagnostics(ps)
}

// Plan is an ordered sync or delete.
type Plan struct {
	// Namespace is the destination namespace the plan assumed for objects
	// that name none (Options.Namespace), shown by WriteJSON; empty when
	// none was given.
	Namespace string
	// Deletion reports a plan made by ForDelete.
	Deletion bool
	// Steps are the steps in execution order. SyncFail steps come last;
	// they only run when the sync fails, and then all at once.
	Steps []*Step
	// Kept lists, for a delete plan, the objects deleting the application
	// leaves in place (CustomResourceDefinitions, Delete=false, Helm's
	// resource-policy keep).
	Kept []*Task
	// Warnings are in input order.
	Warnings []Warning
	// MultiStep reports whether the sync has more than one step, counting
	// SyncFail steps, which is when Argo CD waits for resources' health.
	MultiStep bool
	// DeleteOnlyHooks counts, in a sync plan, the hooks that run only when
	// the application is deleted (PreDelete, PostDelete): the sync leaves
	// them alone, ForDelete plans them.
	DeleteOnlyHooks int
}

// Tasks returns the tasks of every step in order.
func (p *Plan) Tasks() []*Task {
	var ts []*Task
	for _, s := range p.Steps {
		ts = append(ts, s.Tasks...)
	}
	return ts
}

// item is an input object with its interpretation.
type item struct {
	obj   manifest.Object
	ann   argocd.Annotations
	index int
}

// read interprets every object's annotations, collecting warnings, and
// drops objects defined more than once (Argo CD keeps the last one).
func read(objs []manifest.Object, opts Options) ([]item, []Warning) {
	var (
		items []item
		warns []Warning
	)
	ids := make([]string, len(objs))
	last := make(map[string]int, len(objs)) // identity -> index of its last definition
	for i, o := range objs {
		if o.GetName() != "" {
			ids[i] = identity(o.Unstructured, opts)
			last[ids[i]] = i
		}
	}
	for i, o := range objs {
		if ids[i] != "" {
			if j := last[ids[i]]; j != i {
				warns = append(warns, Warning{
					Source:  o.Source,
					Object:  o.Ref(),
					Message: fmt.Sprintf("%s is defined again at %s; Argo CD keeps only the last definition and ignores this one", o.Ref(), objs[j].Source.String()),
				})
				continue
			}
		}
		if ns := o.GetNamespace(); ns != "" && argocd.ClusterScoped(o.GroupVersionKind().GroupKind()) {
			warns = append(warns, Warning{
				Source:  o.FieldSource("metadata", "namespace"),
				Object:  o.Ref(),
				Message: fmt.Sprintf("%s is cluster-scoped; Argo CD drops the namespace %q written on it", o.GetKind(), ns),
			})
		}
		a, ws := argocd.Decode(o.GetAnnotations())
		for _, w := range ws {
			warns = append(warns, Warning{Source: o.AnnotationSource(w.Annotation), Object: o.Ref(), Message: w.Message})
		}
		items = append(items, item{obj: o, ann: a, index: i})
	}
	return items, warns
}

// identity is the key under which Argo CD deduplicates objects: group,
// kind, namespace and name.
func identity(o *unstructured.Unstructured, opts Options) string {
	return o.GroupVersionKind().Group + "/" + o.GetKind() + "/" + effectiveNamespace(o, opts) + "/" + o.GetName()
}

// effectiveNamespace is the object's namespace, or the destination
// namespace when it has none; Argo CD sets that on every object without
// one (even cluster-scoped ones) before ordering. A namespace written on a
// cluster-scoped object is dropped first, as Argo CD's controller does.
func effectiveNamespace(o *unstructured.Unstructured, opts Options) string {
	if ns := o.GetNamespace(); ns != "" && !argocd.ClusterScoped(o.GroupVersionKind().GroupKind()) {
		return ns
	}
	return opts.Namespace
}

func newTask(o manifest.Object, a argocd.Annotations, phase argocd.Phase, index int, opts Options) *Task {
	t := &Task{
		Object:      o,
		Phase:       phase,
		Wave:        a.Wave,
		Annotations: a,
		HealthCheck: health.HasCheck(o.GroupVersionKind().GroupKind()),
		kind:        o.GetKind(),
		group:       o.GroupVersionKind().Group,
		defines:     crdDefines(o.Unstructured),
		declaredNS:  o.GetNamespace(),
		apiVersion:  o.GetAPIVersion(),
		namespace:   effectiveNamespace(o.Unstructured, opts),
		index:       index,
	}
	t.sortName = o.GetName()
	// Argo CD names hooks from their generateName; any other object
	// without a name sorts by the empty name.
	if t.sortName == "" && a.Hook {
		t.sortName = o.GetGenerateName()
		if opts.Revision != "" && t.sortName != "" {
			rev := opts.Revision
			if len(rev) >= 8 {
				rev = rev[:7]
			}
			t.sortName += strings.ToLower(rev + "-" + phase.String() + "-")
		}
	}
	return t
}

// ForSync returns the plan of syncing objs. It never fails: whatever Argo CD
// would ignore or reinterpret is planned as Argo CD would and reported in
// Warnings.
func ForSync(objs []manifest.Object, opts Options) *Plan {
	items, warns := read(objs, opts)
	var tasks []*Task
	for _, it := range items {
		for _, ph := range it.ann.Phases {
			tasks = append(tasks, newTask(it.obj, it.ann, ph, it.index, opts))
		}
	}
	if t := namespaceTask(items, opts); t != nil {
		tasks = append(tasks, t)
	}
	sortTasks(tasks)
	warns = append(warns, hoist(tasks)...)
	p := &Plan{Namespace: opts.Namespace, Steps: group(tasks, Apply), Warnings: warns}
	for _, it := range items {
		if len(it.ann.Phases) == 0 && len(it.ann.DeletePhases) > 0 {
			p.DeleteOnlyHooks++
		}
	}
	gate(p)
	return p
}

// namespaceTask returns the task CreateNamespace=true adds, or nil.
func namespaceTask(items []item, opts Options) *Task {
	if !opts.CreateNamespace || opts.Namespace == "" {
		return nil
	}
	for _, it := range items {
		if isNamespace(it.obj.Unstructured) && it.obj.GetName() == opts.Namespace && !it.ann.Hook {
			return nil
		}
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Namespace",
		"metadata":   map[string]any{"name": opts.Namespace},
	}}
	t := newTask(manifest.Object{Unstructured: u}, argocd.Annotations{Phases: []argocd.Phase{argocd.PreSync}}, argocd.PreSync, -1, opts)
	t.Note = "added by the sync option CreateNamespace=true"
	return t
}

// group cuts ordered tasks into steps of equal (phase, wave).
func group(tasks []*Task, action Action) []*Step {
	var steps []*Step
	for _, t := range tasks {
		if n := len(steps); n > 0 && steps[n-1].Phase == t.Phase && steps[n-1].Wave == t.Wave {
			steps[n-1].Tasks = append(steps[n-1].Tasks, t)
			continue
		}
		steps = append(steps, &Step{Phase: t.Phase, Wave: t.Wave, Action: action, Tasks: []*Task{t}})
	}
	return steps
}

// gate marks the tasks the sync waits for, per docs/semantics.md, "Execution":
// hooks always (until Healthy or Degraded); resources only when the sync
// has more than one step, and in the final step only when that step holds
// a hook. A task whose kind has no health check completes at once.
func gate(p *Plan) {
	if len(p.Steps) == 0 {
		return
	}
	first, last := p.Steps[0], p.Steps[len(p.Steps)-1]
	p.MultiStep = first.Phase != last.Phase || first.Wave != last.Wave
	final := -1 // the last step that is not SyncFail
	for i, s := range p.Steps {
		if s.Phase != argocd.SyncFail {
			final = i
		}
	}
	finalHasHook := false
	if final >= 0 {
		for _, t := range p.Steps[final].Tasks {
			finalHasHook = finalHasHook || t.Hook()
		}
	}
	for i, s := range p.Steps {
		waitResources := p.MultiStep && (i != final || finalHasHook)
		for _, t := range s.Tasks {
			t.Gated = t.HealthCheck && (t.Hook() || waitResources)
		}
	}
}

// ForDelete returns the plan of deleting the application that objs make up,
// as Argo CD performs it: every PreDelete hook (waited for until healthy),
// then the resources wave by wave from the highest wave down, each wave
// deleted at once and waited for until gone, then every PostDelete hook.
// CustomResourceDefinitions and objects marked Delete=false or Helm
// resource-policy keep are left in place (Kept). Sync-phase hooks are not
// part of it.
func ForDelete(objs []manifest.Object, opts Options) *Plan {
	items, warns := read(objs, opts)
	p := &Plan{Namespace: opts.Namespace, Deletion: true, Warnings: warns}
	var pre, post, resources []*Task
	for _, it := range items {
		for _, ph := range it.ann.DeletePhases {
			t := newTask(it.obj, it.ann, ph, it.index, opts)
			t.Wave = 0
			t.Gated = t.HealthCheck
			if ph == argocd.PreDelete {
				pre = append(pre, t)
			} else {
				post = append(post, t)
			}
		}
		if it.ann.Hook || it.ann.Skip {
			continue
		}
		t := newTask(it.obj, it.ann, argocd.Sync, it.index, opts)
		switch {
		case isCRD(it.obj.Unstructured):
			t.Note = "Argo CD never deletes CustomResourceDefinitions with an application"
			p.Kept = append(p.Kept, t)
		case it.ann.Options.Delete == argocd.RemoveNever:
			t.Note = "sync option Delete=false"
			p.Kept = append(p.Kept, t)
		case it.ann.KeepOnDelete:
			t.Note = "helm.sh/resource-policy: keep"
			p.Kept = append(p.Kept, t)
		default:
			if it.ann.Options.Delete == argocd.RemoveConfirm {
				t.Note = "waits for confirmation (Delete=confirm)"
			}
			t.Gated = true
			resources = append(resources, t)
		}
	}
	sortTasks(pre)
	sortTasks(post)
	sortTasks(p.Kept)
	// Deletion order: waves from the highest down; within a wave, the
	// reverse of the apply order (Argo CD deletes a wave all at once).
	sortTasks(resources)
	for i, j := 0, len(resources)-1; i < j; i, j = i+1, j-1 {
		resources[i], resources[j] = resources[j], resources[i]
	}
	if len(pre) > 0 {
		p.Steps = append(p.Steps, &Step{Phase: argocd.PreDelete, Action: Apply, Tasks: pre})
	}
	p.Steps = append(p.Steps, group(resources, Delete)...)
	if len(post) > 0 {
		p.Steps = append(p.Steps, &Step{Phase: argocd.PostDelete, Action: Apply, Tasks: post})
	}
	p.MultiStep = len(p.Steps) > 1
	return p
}
