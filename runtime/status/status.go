// Package status reports the live state of a pipeline's objects, whoever
// synced them (wavec run, Argo CD, kubectl apply of the built YAML):
// `wavec status`.
//
// Every resource gets its health by the rules `wavec run` waits on
// (runtime/health: Argo CD's checks; a kind without a check is healthy
// once it exists), and, when the sources are given, whether it matches
// them (runtime/objdiff). Every hook gets its last run: the hook's object,
// or for a hook with only a generateName the newest object named the way
// Argo CD and wavec name them (<generateName><revision>-<phase>-<time>) or
// the way the API server does (<generateName><5 characters>), with its
// outcome and duration. Failed or unfinished hooks and unhealthy
// workloads get the diagnosis `wavec run` prints under a failed step.
//
// Check reads the cluster once; Watch follows it with watches (no
// polling) until everything is healthy or something failed.
package status

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/runtime/apply"
	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/health"
	"github.com/wavec/wavec/runtime/objdiff"
	"github.com/wavec/wavec/runtime/progress"
)

// Object is the state of one resource of the pipeline.
type Object struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Health is the object's health as `wavec run` judges it: Healthy,
	// Progressing, Degraded, Suspended, Missing or Unknown.
	Health  string `json:"health"`
	Message string `json:"message,omitempty"`
	// Sync is Synced or OutOfSync when the sources were given.
	Sync string `json:"sync,omitempty"`
	// OK says the object counts as healthy (Healthy, or Suspended on
	// purpose).
	OK bool `json:"ok"`
	// Diagnosis explains an unhealthy object, as `wavec run` does.
	Diagnosis []string `json:"diagnosis,omitempty"`
}

// Ref returns "Kind/name".
func (o *Object) Ref() string { return o.Kind + "/" + o.Name }

// Outcomes of a hook's run.
const (
	Succeeded = "Succeeded"
	Failed    = "Failed"
	Running   = "Running"
)

// Run is one run of a hook: its object on the cluster.
type Run struct {
	// Name is the object's name.
	Name string `json:"name"`
	// Outcome is Succeeded, Failed or Running.
	Outcome string `json:"outcome"`
	// Health and Message are the object's health, as `wavec run` judges
	// it while it waits for the hook.
	Health  string `json:"health"`
	Message string `json:"message,omitempty"`
	// Started and Finished bound the run (Finished is nil while it runs).
	Started  *time.Time `json:"started,omitempty"`
	Finished *time.Time `json:"finished,omitempty"`
	// Duration is Finished - Started, or how long it has been running.
	Duration progress.Millis `json:"durationMs"`
}

// Hook is the last run of one hook of the pipeline.
type Hook struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	// Name is the hook's name, or its generateName followed by "*".
	Name  string `json:"name"`
	Phase string `json:"phase"`
	Wave  int    `json:"wave"`
	// Last is the newest run found; nil when no object of the hook
	// exists (it has not run, or its delete policy removed it).
	Last *Run `json:"lastRun,omitempty"`
	// OK says the last run did not fail and is not running.
	OK        bool     `json:"ok"`
	Diagnosis []string `json:"diagnosis,omitempty"`
}

// Ref returns "Kind/name".
func (h *Hook) Ref() string { return h.Kind + "/" + h.Name }

// Report is the state of a pipeline.
type Report struct {
	Pipeline  string `json:"pipeline"`
	Namespace string `json:"namespace"`
	// Healthy says every object is healthy and no hook failed or runs.
	Healthy bool     `json:"healthy"`
	Objects []Object `json:"objects"`
	Hooks   []Hook   `json:"hooks"`
	// Warnings say what could not be found out.
	Warnings []string `json:"warnings,omitempty"`
}

// Options say which pipeline to report and how to reach the cluster.
type Options struct {
	Pipeline  string
	Namespace string
	Clients   *cluster.Clients
	Engine    *apply.Engine
	// Preview is what a sync of the sources would do; nil finds the
	// pipeline's objects by its inventory and labels.
	Preview *apply.Preview
}

// target is an object the report covers.
type target struct {
	gvk          schema.GroupVersionKind
	ns, name     string
	generateName string
	hook         bool
	phase        string
	wave         int
	m            *meta.RESTMapping
}

func (t *target) ref() string {
	if t.name == "" {
		return t.gvk.Kind + "/" + t.generateName + "*"
	}
	return t.gvk.Kind + "/" + t.name
}

// reader reads live objects: from the API server, or from watch caches.
type reader interface {
	// get returns the object, or nil when it does not exist.
	get(ctx context.Context, m *meta.RESTMapping, ns, name string) (*unstructured.Unstructured, error)
	// list returns the objects of m's resource in ns.
	list(ctx context.Context, m *meta.RESTMapping, ns string) ([]*unstructured.Unstructured, error)
}

// Check reads the pipeline's objects once and reports their state, with
// the diagnosis of what is unhealthy and, when sources are given, whether
// each resource matches them.
func Check(ctx context.Context, o Options) (*Report, error) {
	targets, warnings, err := findTargets(ctx, o)
	if err != nil {
		return nil, err
	}
	r := &apiReader{c: o.Clients}
	rep, lives, err := evaluate(ctx, r, o, targets)
	if err != nil {
		return nil, err
	}
	rep.Warnings = append(warnings, rep.Warnings...)
	finish(ctx, o, rep, lives)
	return rep, nil
}

// finish adds the diagnoses and the comparison with the sources.
func finish(ctx context.Context, o Options, rep *Report, lives map[string]*unstructured.Unstructured) {
	for i := range rep.Objects {
		x := &rep.Objects[i]
		if live := lives["o/"+x.Kind+"/"+x.Namespace+"/"+x.Name]; !x.OK && live != nil {
			x.Diagnosis = o.Engine.Diagnose(ctx, live, x.Health, x.Message)
		}
	}
	for i := range rep.Hooks {
		h := &rep.Hooks[i]
		if h.Last == nil || h.OK {
			continue
		}
		if live := lives["h/"+h.Kind+"/"+h.Namespace+"/"+h.Last.Name]; live != nil {
			h.Diagnosis = o.Engine.Diagnose(ctx, live, h.Last.Health, h.Last.Message)
		}
	}
	if o.Preview == nil {
		return
	}
	d, err := objdiff.CompareSources(ctx, o.Preview, o.Pipeline, o.Namespace)
	if err != nil {
		rep.Warnings = append(rep.Warnings, "cannot compare with the sources: "+err.Error())
		return
	}
	changes := map[string]objdiff.Change{}
	for _, x := range d.Objects {
		changes[x.Kind+"/"+x.Namespace+"/"+x.Name] = x.Change
	}
	for i := range rep.Objects {
		x := &rep.Objects[i]
		switch changes[x.Kind+"/"+x.Namespace+"/"+x.Name] {
		case objdiff.Unchanged:
			x.Sync = "Synced"
		case "":
		default:
			x.Sync = "OutOfSync"
		}
	}
}

// findTargets lists the objects to report: the sources' resources and
// hooks, or the pipeline's inventory and labelled objects.
func findTargets(ctx context.Context, o Options) ([]*target, []string, error) {
	var (
		targets  []*target
		warnings []string
	)
	mapping := func(gvk schema.GroupVersionKind) *meta.RESTMapping {
		m, err := o.Clients.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil && meta.IsNoMatchError(err) {
			o.Clients.Mapper.Reset()
			m, err = o.Clients.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		}
		if err != nil {
			return nil
		}
		return m
	}
	if o.Preview != nil {
		warnings = append(warnings, o.Preview.Warnings...)
		for _, it := range o.Preview.Items {
			if it.Action == apply.ItemPrune {
				continue
			}
			u := it.Object
			t := &target{gvk: u.GroupVersionKind(), ns: u.GetNamespace(), name: u.GetName(), generateName: u.GetGenerateName(),
				hook: it.Action == apply.ItemHook, phase: it.Phase, wave: it.Wave}
			if t.name != "" {
				t.generateName = ""
			}
			t.m = mapping(t.gvk)
			targets = append(targets, t)
		}
		return targets, warnings, nil
	}
	refs, found, err := o.Engine.Inventory(ctx, o.Namespace, o.Pipeline)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, r := range refs {
		m, err := o.Clients.Mapper.RESTMapping(schema.GroupKind{Group: r.Group, Kind: r.Kind})
		gvk := schema.GroupVersionKind{Group: r.Group, Kind: r.Kind}
		if err == nil {
			gvk = m.GroupVersionKind
		} else {
			m = nil
		}
		seen["o/"+r.Kind+"/"+r.Name] = true
		targets = append(targets, &target{gvk: gvk, ns: r.Namespace, name: r.Name, phase: "Sync", m: m})
	}
	labelled, ws, err := labelledTargets(ctx, o, seen)
	if err != nil {
		return nil, nil, err
	}
	targets = append(targets, labelled...)
	warnings = append(warnings, ws...)
	if !found && len(targets) == 0 {
		return nil, nil, fmt.Errorf("no objects of pipeline %s in namespace %s: no inventory %s and no object labelled %s=%s or %s=%s",
			o.Pipeline, o.Namespace, apply.InventoryName(o.Pipeline), apply.PipelineLabel, o.Pipeline, partOfLabel, o.Pipeline)
	}
	return targets, warnings, nil
}

// partOfLabel is set by `wavec build` on every object to the pipeline's
// name; objects synced by Argo CD or kubectl carry it.
const partOfLabel = "app.kubernetes.io/part-of"

// searched are the kinds a .wave pipeline declares (every typed kind of
// the language): the pipeline's objects are looked for among them by label
// when no sources are given.
var searched = func() []schema.GroupKind {
	var gks []schema.GroupKind
	for _, k := range ir.Kinds {
		if k != ir.Object {
			gks = append(gks, schema.GroupKind{Group: k.Group(), Kind: k.KubeKind()})
		}
	}
	return gks
}()

// labelledTargets finds the objects labelled as the pipeline's that are
// not owned by a controller; hooks are recognised by their annotation. A
// kind the caller may not list is left out with a warning that says so.
func labelledTargets(ctx context.Context, o Options, seen map[string]bool) ([]*target, []string, error) {
	var (
		out      []*target
		warnings []string
	)
	for _, gk := range searched {
		m, err := o.Clients.Mapper.RESTMapping(gk)
		if err != nil {
			continue
		}
		for _, sel := range []string{apply.PipelineLabel + "=" + o.Pipeline, partOfLabel + "=" + o.Pipeline} {
			list, err := resource(o.Clients, m, o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
			if apierrors.IsForbidden(err) {
				warnings = append(warnings, fmt.Sprintf("%s of the pipeline are not shown: %s", m.Resource.Resource, explain(err)))
				break
			}
			if err != nil {
				return nil, nil, fmt.Errorf("listing %s: %s", m.Resource.Resource, explain(err))
			}
			for i := range list.Items {
				u := &list.Items[i]
				if metav1.GetControllerOf(u) != nil {
					continue
				}
				t := &target{gvk: m.GroupVersionKind, ns: u.GetNamespace(), name: u.GetName(), phase: "Sync", m: m}
				if phases := u.GetAnnotations()[hookAnnotation]; phases != "" && phases != "Skip" {
					t.hook = true
					t.phase, _, _ = strings.Cut(phases, ",")
					t.wave, _ = strconv.Atoi(strings.TrimSpace(u.GetAnnotations()[waveAnnotation]))
					if prefix := generatedPrefix(u); prefix != "" {
						t.name, t.generateName = "", prefix
					}
				} else {
					t.wave, _ = strconv.Atoi(strings.TrimSpace(u.GetAnnotations()[waveAnnotation]))
				}
				key := "o/" + t.gvk.Kind + "/" + t.name
				if t.hook {
					key = "h/" + t.ref()
				}
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, t)
			}
		}
	}
	return out, warnings, nil
}

// Argo CD's annotations that place an object in a sync.
const (
	hookAnnotation = "argocd.argoproj.io/hook"
	waveAnnotation = "argocd.argoproj.io/sync-wave"
)

var (
	// hookSuffix is what Argo CD and wavec put after a hook's generateName:
	// 7 characters of the revision, the phase, and the sync's start time.
	hookSuffix = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[0-9a-z]{7}-(presync|sync|postsync|syncfail|predelete|postdelete)-[0-9]+$`)
	})
	// randomSuffix is what the API server puts after a generateName: 5
	// characters of k8s.io/apimachinery's utilrand alphabet (no vowels,
	// no 0, 1 or 3).
	randomSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[bcdfghjklmnpqrstvwxz2456789]{5}$`) })
	// namedHook splits a name made by Argo CD or wavec.
	namedHook = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(.+?)[0-9a-z]{7}-(presync|sync|postsync|syncfail|predelete|postdelete)-[0-9]+$`)
	})
)

// generatedPrefix returns the generateName a hook object was created from,
// or "" when it was created under a name of its own.
func generatedPrefix(u *unstructured.Unstructured) string {
	if g := u.GetGenerateName(); g != "" {
		return g
	}
	if m := namedHook().FindStringSubmatch(u.GetName()); m != nil {
		return m[1]
	}
	return ""
}

// instanceOf reports whether name is that of a hook created from prefix.
func instanceOf(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && (hookSuffix().MatchString(rest) || randomSuffix().MatchString(rest))
}

// evaluate judges every target from r. It returns the report (without
// diagnoses) and the live objects by key, for diagnoses.
func evaluate(ctx context.Context, r reader, o Options, targets []*target) (*Report, map[string]*unstructured.Unstructured, error) {
	rep := &Report{Pipeline: o.Pipeline, Namespace: o.Namespace, Healthy: true, Objects: []Object{}, Hooks: []Hook{}}
	lives := map[string]*unstructured.Unstructured{}
	for _, t := range targets {
		if t.hook {
			h := Hook{Group: t.gvk.Group, Version: t.gvk.Version, Kind: t.gvk.Kind, Namespace: t.ns, Name: t.name, Phase: t.phase, Wave: t.wave, OK: true}
			if t.name == "" {
				h.Name = t.generateName + "*"
			}
			live, err := lastRun(ctx, r, t)
			if err != nil {
				return nil, nil, err
			}
			if live != nil {
				h.Last = runOf(live)
				h.OK = h.Last.Outcome == Succeeded
				lives["h/"+h.Kind+"/"+h.Namespace+"/"+live.GetName()] = live
			}
			rep.Healthy = rep.Healthy && h.OK
			rep.Hooks = append(rep.Hooks, h)
			continue
		}
		x := Object{Group: t.gvk.Group, Version: t.gvk.Version, Kind: t.gvk.Kind, Namespace: t.ns, Name: t.name}
		var live *unstructured.Unstructured
		if t.m == nil {
			x.Health, x.Message = health.Missing.String(), "the cluster does not serve its kind"
		} else {
			var err error
			if live, err = r.get(ctx, t.m, t.ns, t.name); err != nil {
				return nil, nil, err
			}
			res, ok := health.Check(live)
			if !ok {
				res = health.Result{Status: health.Healthy, Message: "exists (its kind has no health check)"}
			}
			x.Health, x.Message = res.Status.String(), res.Message
			x.OK = res.Status == health.Healthy || res.Status == health.Suspended
		}
		if live != nil {
			lives["o/"+x.Kind+"/"+x.Namespace+"/"+x.Name] = live
		}
		rep.Healthy = rep.Healthy && x.OK
		rep.Objects = append(rep.Objects, x)
	}
	sortHooks(rep.Hooks)
	return rep, lives, nil
}

// lastRun returns the newest object of a hook, or nil.
func lastRun(ctx context.Context, r reader, t *target) (*unstructured.Unstructured, error) {
	if t.m == nil {
		return nil, nil
	}
	if t.name != "" {
		return r.get(ctx, t.m, t.ns, t.name)
	}
	all, err := r.list(ctx, t.m, t.ns)
	if err != nil {
		return nil, err
	}
	var last *unstructured.Unstructured
	for _, u := range all {
		if !instanceOf(u.GetName(), t.generateName) {
			continue
		}
		if last == nil || newer(u, last) {
			last = u
		}
	}
	return last, nil
}

func newer(a, b *unstructured.Unstructured) bool {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return tb.Before(&ta)
	}
	return a.GetName() > b.GetName()
}

// runOf describes a hook's object as a run.
func runOf(u *unstructured.Unstructured) *Run {
	run := &Run{Name: u.GetName()}
	res, ok := health.Check(u)
	switch {
	case !ok || res.Status == health.Healthy:
		run.Outcome = Succeeded
	case res.Status == health.Degraded:
		run.Outcome = Failed
	default:
		run.Outcome = Running
	}
	run.Health, run.Message = res.Status.String(), res.Message
	if !ok {
		run.Health = health.Healthy.String()
	}
	start, end := bounds(u, run.Outcome)
	if !start.IsZero() {
		run.Started = &start
		if !end.IsZero() {
			run.Finished = &end
			run.Duration = progress.Millis(end.Sub(start))
		} else if run.Outcome == Running {
			run.Duration = progress.Millis(time.Since(start).Round(time.Second))
		}
	}
	return run
}

// bounds returns when a hook's run started and ended (zero when unknown).
func bounds(u *unstructured.Unstructured, outcome string) (start, end time.Time) {
	parse := func(fields ...string) time.Time {
		s, _, _ := unstructured.NestedString(u.Object, fields...)
		t, _ := time.Parse(time.RFC3339, s)
		return t
	}
	start = u.GetCreationTimestamp().Time
	switch u.GetKind() {
	case "Job":
		if s := parse("status", "startTime"); !s.IsZero() {
			start = s
		}
		end = parse("status", "completionTime")
		if end.IsZero() && outcome == Failed {
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, c := range conds {
				cm, _ := c.(map[string]any)
				if cm["type"] == "Failed" && cm["status"] == "True" {
					s, _ := cm["lastTransitionTime"].(string)
					end, _ = time.Parse(time.RFC3339, s)
				}
			}
		}
	case "Pod":
		if s := parse("status", "startTime"); !s.IsZero() {
			start = s
		}
		if outcome != Running {
			statuses, _, _ := unstructured.NestedSlice(u.Object, "status", "containerStatuses")
			for _, cs := range statuses {
				s, _, _ := unstructured.NestedString(cs.(map[string]any), "state", "terminated", "finishedAt")
				if t, err := time.Parse(time.RFC3339, s); err == nil && t.After(end) {
					end = t
				}
			}
		}
	}
	if end.Before(start) {
		end = time.Time{}
	}
	return start, end
}

// apiReader reads from the API server.
type apiReader struct{ c *cluster.Clients }

func (a *apiReader) get(ctx context.Context, m *meta.RESTMapping, ns, name string) (*unstructured.Unstructured, error) {
	u, err := resource(a.c, m, ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %s", m.GroupVersionKind.Kind, name, explain(err))
	}
	return u, nil
}

func (a *apiReader) list(ctx context.Context, m *meta.RESTMapping, ns string) ([]*unstructured.Unstructured, error) {
	l, err := resource(a.c, m, ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %s", m.Resource.Resource, explain(err))
	}
	out := make([]*unstructured.Unstructured, len(l.Items))
	for i := range l.Items {
		out[i] = &l.Items[i]
	}
	return out, nil
}

// resource returns the dynamic client of m's resource in ns.
func resource(c *cluster.Clients, m *meta.RESTMapping, ns string) dynamic.ResourceInterface {
	r := c.Dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return r.Namespace(ns)
	}
	return r
}

// explain turns an API error into one line.
func explain(err error) string {
	if se, ok := err.(apierrors.APIStatus); ok && se.Status().Message != "" {
		return se.Status().Message
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// sortHooks orders hooks by phase and wave, as a sync runs them.
func sortHooks(hs []Hook) {
	order := map[string]int{"PreSync": 0, "Sync": 1, "PostSync": 2, "SyncFail": 3}
	slices.SortStableFunc(hs, func(a, b Hook) int {
		if d := order[a.Phase] - order[b.Phase]; d != 0 {
			return d
		}
		return a.Wave - b.Wave
	})
}
