package check

import (
	"sort"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/syntax"
)

// metadataBlock checks a workload's `metadata { ... }`: the object's own
// labels, which its Pods do not get (a workload's `labels` label its Pods
// too), and its finalizers. The name, namespace and annotations are the
// declaration's.
func (c *checker) metadataBlock(d *decl, v *syntax.Value) {
	if v.Right != nil || v.Left.Map == nil {
		c.errorf(span(v), CodeType, "metadata must be a block of fields, not %s", describe(v.Left)).
			Hint("write e.g. `metadata { labels = { test = \"true\" } }`")
		return
	}
	fields := map[string]any{}
	seen := map[string]*syntax.Entry{}
	for _, e := range v.Left.Map.Entries {
		if !c.once(seen, e, "metadata field") {
			continue
		}
		key := e.Key.Name()
		ev := entryValue(e)
		switch {
		case key == "labels" && e.Key.String == nil && d.res.Kind != ir.Pod:
			l := c.labels(ev)
			if len(l) > 0 {
				fields["labels"] = stringMap(l)
				if c.metaLabels == nil {
					c.metaLabels = map[*decl]metaLabels{}
				}
				c.metaLabels[d] = metaLabels{labels: l, at: ev}
			}
		case key == "finalizers" && e.Key.String == nil:
			list, ok := c.strList(ev, "finalizers")
			if !ok {
				continue
			}
			var items []any
			for i, f := range list {
				if msgs := validation.IsQualifiedName(f); len(msgs) > 0 {
					c.errorf(span(ev.Left.List.Items[i]), CodeMetadata, "finalizer %q is not valid: %s", f, plain(msgs)).
						Hint(`write a qualified name, e.g. "example.com/cleanup"`)
					continue
				}
				items = append(items, f)
			}
			if len(items) > 0 {
				fields["finalizers"] = items
			}
		default:
			dg := c.errorf(span(e.Key), CodeUnknownField, "unknown metadata field %q", key)
			if d.res.Kind == ir.Pod && key == "labels" {
				dg.Hint("a pod's labels are its `labels`: the Pod is the object itself")
			} else {
				dg.Hint("metadata takes labels (the %s's own, not its Pods') and finalizers; the name, namespace and annotations are the declaration's", d.res.Kind)
			}
		}
	}
	if len(fields) > 0 {
		c.addOverlay(d, []ir.PathStep{{Field: "metadata"}}, fields)
	}
}

// metaLabels are the labels of a workload's `metadata { labels }`.
type metaLabels struct {
	labels map[string]string
	at     *syntax.Value
}

// finishMetadata reports a label of `metadata { labels }` that the
// workload's or the pipeline's `labels` also set: one would silently win.
func (c *checker) finishMetadata(d *decl) {
	m, ok := c.metaLabels[d]
	if !ok {
		return
	}
	keys := make([]string, 0, len(m.labels))
	for k := range m.labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		where := ""
		if _, ok := d.res.Labels[k]; ok {
			where = "its labels"
		} else if _, ok := c.p.Labels[k]; ok {
			where = "the pipeline's labels"
		} else {
			continue
		}
		c.errorf(span(m.at), CodeConflict, "%s sets label %s in metadata { labels } and in %s", d.res.Describe(), k, where).
			Hint("give the label in one place: `labels` labels the %s and its Pods, `metadata { labels }` the %s alone", d.res.Kind, d.res.Kind)
	}
}
