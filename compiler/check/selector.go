package check

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/syntax"
)

// workloadSelector checks a deployment's, statefulset's or daemonset's
// `selector = { app = "web" }`: the labels that select its Pods instead of
// wavec's. Its Pods get them; services, pdbs and networkpolicies that name
// the workload select by them.
func (c *checker) workloadSelector(d *decl, v *syntax.Value) {
	if v.Right != nil || v.Left.Map == nil {
		c.errorf(span(v), CodeType, "a %s's selector must be a map of labels, not %s", d.res.Kind, describe(v.Left)).
			Hint("write e.g. `selector = { app = %q }`; services, pdbs and networkpolicies name the workload", d.res.Name)
		return
	}
	if len(v.Left.Map.Entries) == 0 {
		c.errorf(span(v), CodeMissingField, "selector of %s has no labels", d.res.Describe()).
			Hint("write e.g. `selector = { app = %q }`, or leave it out to select the Pods by wavec's labels", d.res.Name)
		return
	}
	l := c.labelsWith(v, true)
	if len(l) < len(v.Left.Map.Entries) {
		return // a label is reported
	}
	d.res.Workload.Selector = l
}

// finishSelector reports labels that give a key of the workload's own
// selector another value on its Pods: the workload's `labels`, the
// pipeline's and `pod { labels = ... }`. Its Pods would not be selected.
func (c *checker) finishSelector(d *decl) {
	r := d.res
	if r.Workload == nil || r.Workload.Selector == nil || d.node.Body == nil {
		return
	}
	e := bodyField(d, "selector")
	if e == nil {
		return
	}
	at := entryValue(e)
	sel := r.Workload.Selector
	keys := make([]string, 0, len(sel))
	for k := range sel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	podLabels := map[string]any{}
	for k, v := range overlayPodLabels(r) {
		podLabels[k] = v
	}
	for _, k := range keys {
		want := sel[k]
		var where, got string
		switch {
		case podLabels[k] != nil && fmt.Sprint(podLabels[k]) != want:
			where, got = "pod { labels }", fmt.Sprint(podLabels[k])
		case r.Labels[k] != "" && r.Labels[k] != want:
			where, got = "its labels", r.Labels[k]
		case c.p.Labels[k] != "" && c.p.Labels[k] != want:
			where, got = "the pipeline's labels", c.p.Labels[k]
		default:
			continue
		}
		c.errorf(span(at), CodeConflict, "%s selects its Pods by %s=%s, but %s give them %s=%s", r.Describe(), k, want, where, k, got).
			Hint("give the label one value: the selector's labels are its Pods' labels too")
	}
}

// overlayPodLabels returns the labels that `pod { labels = ... }` gives a
// workload's Pods.
func overlayPodLabels(r *ir.Resource) map[string]any {
	out := map[string]any{}
	for _, o := range r.Overlays {
		if reflect.DeepEqual(o.Path, withSteps(podPath(r.Kind), ir.PathStep{Field: "metadata"})) {
			if l, ok := o.Fields["labels"].(map[string]any); ok {
				for k, v := range l {
					out[k] = v
				}
			}
		}
	}
	return out
}

// sharedSelectors warns of a workload whose selector also selects the
// Pods of another workload of the pipeline: both controllers would count
// those Pods, and the services naming it would send them traffic. The
// selector is the workload's own, or wavec's when the workload's labels
// give app.kubernetes.io/name a value of their own (which two workloads
// may share).
func (c *checker) sharedSelectors() {
	for _, d := range c.order_ {
		r := d.res
		if r.External || r.Workload == nil || !selectorKinds[r.Kind] || skipped(r) {
			continue
		}
		var at *syntax.Value
		sel := r.Workload.Selector
		if e := bodyField(d, "selector"); e != nil && sel != nil {
			at = entryValue(e)
		} else if e := bodyField(d, "labels"); e != nil && r.Labels[nameLabel] != "" && sel == nil {
			at = entryValue(e)
			sel = map[string]string{nameLabel: r.Labels[nameLabel], "app.kubernetes.io/part-of": c.p.Name}
		} else {
			continue
		}
		for _, o := range c.order_ {
			t := o.res
			if t == r || t.External || t.Workload == nil || skipped(t) {
				continue
			}
			if !selects(sel, c.podLabels(t)) {
				continue
			}
			c.warnf(span(at), CodeSharedSelector, "the selector of %s selects the Pods of %s too", r.Describe(), t.Describe()).
				Note(t.NameSpan, "%s is declared here", t.Describe()).
				Hint("add a label to the selector that only the Pods of %s have", r.Ref())
		}
	}
}

// skipped reports whether Argo CD neither applies nor tracks r (a `skip`
// member): its Pods never run beside the others.
func skipped(r *ir.Resource) bool { return r.Placement.Annotations().Skip }

// selectorKinds are the workloads whose controllers select their Pods by
// labels.
var selectorKinds = map[ir.Kind]bool{ir.Deployment: true, ir.StatefulSet: true, ir.DaemonSet: true, ir.ReplicaSet: true}

// podLabels returns the labels of a workload's Pods as far as a selector
// can match them: the pipeline's, its own, its selector's, those of `pod {
// labels = ... }`, and wavec's name and part-of.
func (c *checker) podLabels(t *ir.Resource) map[string]string {
	labels := map[string]string{}
	for k, v := range c.p.Labels {
		labels[k] = v
	}
	for k, v := range t.Labels {
		labels[k] = v
	}
	for k, v := range t.Workload.Selector {
		labels[k] = v
	}
	for k, v := range overlayPodLabels(t) {
		labels[k] = fmt.Sprint(v)
	}
	name := t.Name
	if v, ok := t.Workload.Selector[nameLabel]; ok {
		name = v
	} else if v, ok := t.Labels[nameLabel]; ok {
		name = v
	}
	labels[nameLabel] = name
	labels["app.kubernetes.io/part-of"] = c.p.Name
	return labels
}

// selects reports whether every label of sel is among labels.
func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if w, ok := labels[k]; !ok || w != v {
			return false
		}
	}
	return true
}
