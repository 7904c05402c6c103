// Package objdiff compares what a sync would apply with what the cluster
// holds: `wavec diff`. For every resource of a sync it takes the object the
// server would store after the sync's own request (a server-side dry run of
// the same apply, from runtime/apply's Preview), compares it with the live
// object, and renders a unified diff per object in kubectl diff's form.
//
// Fields the server maintains (managedFields, status, resourceVersion,
// generation, uid, creationTimestamp) are left out of both sides. Secret
// values never appear: each value is replaced by "***", and a changed
// value by "*** (before)" and "*** (after)", so the diff shows which keys
// were added, removed or changed and nothing else.
//
// Hooks are listed as "would run" with their phase and wave and are not
// compared: they run on every sync whatever changed, and Argo CD does not
// diff them either.
package objdiff

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/wavec/wavec/runtime/apply"
)

// Change is what a sync would do to one object.
type Change string

// The changes an Object may show.
const (
	// Added: the object does not exist and the sync would create it.
	Added Change = "added"
	// Changed: the sync would change the live object.
	Changed Change = "changed"
	// Unchanged: the live object already is what the sync would make it.
	Unchanged Change = "unchanged"
	// Removed: prune would delete the object (only with --prune).
	Removed Change = "removed"
	// Run: a hook, which runs on every sync; not a change.
	Run Change = "would run"
)

// SecretKeys lists the keys of a Secret's data that a sync would add,
// remove or change; never their values.
type SecretKeys struct {
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	Changed []string `json:"changed,omitempty"`
}

// Object is the difference for one object.
type Object struct {
	// Group, Version and Kind are the object's kind.
	Group   string `json:"group,omitempty"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	// Namespace is empty for cluster-scoped objects.
	Namespace string `json:"namespace,omitempty"`
	// Name is the object's name; for a hook with only a generateName, that
	// prefix followed by "*".
	Name string `json:"name"`
	// Change is what the sync would do.
	Change Change `json:"change"`
	// Hook, Phase and Wave place the object in the sync.
	Hook  bool   `json:"hook,omitempty"`
	Phase string `json:"phase"`
	Wave  int    `json:"wave"`
	// Diff is the unified diff (live before, merged after), with Secret
	// values masked; empty when nothing changes and for hooks.
	Diff string `json:"diff,omitempty"`
	// SecretKeys says, for a Secret, which keys change.
	SecretKeys *SecretKeys `json:"secretKeys,omitempty"`
	// Note explains a diff the server could not compute exactly (an
	// object not validated yet, an object recreated).
	Note string `json:"note,omitempty"`
}

// Ref returns "Kind/name".
func (o *Object) Ref() string { return o.Kind + "/" + o.Name }

// Report is the difference of a whole sync.
type Report struct {
	Pipeline  string   `json:"pipeline"`
	Namespace string   `json:"namespace"`
	Objects   []Object `json:"objects"`
	// Warnings are what the sync would warn about.
	Warnings []string `json:"warnings,omitempty"`
	// Changes counts the objects a sync would add, change or remove.
	Changes int `json:"changes"`
}

// Compare works out, object by object, what applying pv would change. It
// fails when the server rejects an object (the sync would fail its dry
// run too) or when an object is deleted or replaced while it is compared.
func Compare(ctx context.Context, pv *apply.Preview, pipeline, namespace string) (*Report, error) {
	return compare(ctx, pv, pipeline, namespace, options{})
}

// CompareSources is Compare for the question "does the live object match
// the sources?" rather than "what would a sync change?": the label
// apply.PipelineLabel, which the sync adds and the sources do not hold,
// is not a difference when the live object lacks it (objects synced by
// Argo CD or kubectl).
func CompareSources(ctx context.Context, pv *apply.Preview, pipeline, namespace string) (*Report, error) {
	return compare(ctx, pv, pipeline, namespace, options{sourcesOnly: true})
}

// options vary a comparison.
type options struct {
	// sourcesOnly leaves out what the sync adds to the sources.
	sourcesOnly bool
	// between is called between reading an object and dry-running its
	// apply (tests delete objects there).
	between func(*apply.Item)
}

func compare(ctx context.Context, pv *apply.Preview, pipeline, namespace string, opts options) (*Report, error) {
	r := &Report{Pipeline: pipeline, Namespace: namespace, Warnings: pv.Warnings}
	if pv.CreatesNamespace {
		ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": namespace}}}
		o := describe(ns, "Sync", 0)
		o.Change = Added
		o.Diff = render(o, nil, ns)
		o.Note = "the pipeline's namespace; wavec run creates it before the first step (--create-namespace)"
		r.Objects = append(r.Objects, o)
		r.Changes++
	}
	var errs []error
	for _, it := range pv.Items {
		o := describe(it.Object, it.Phase, it.Wave)
		switch it.Action {
		case apply.ItemHook:
			o.Hook, o.Change = true, Run
			if it.Object.GetName() == "" {
				o.Name = it.Object.GetGenerateName() + "*"
			}
		case apply.ItemPrune:
			o.Change = Removed
			o.Diff = render(o, it.Object, nil)
			o.SecretKeys = secretKeys(it.Object, nil)
		case apply.ItemApply:
			if err := compareOne(ctx, pv, it, &o, opts); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", o.Ref(), err))
				continue
			}
		}
		if o.Change != Unchanged && o.Change != Run {
			r.Changes++
		}
		r.Objects = append(r.Objects, o)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// compareOne fills in o for a resource the sync applies.
func compareOne(ctx context.Context, pv *apply.Preview, it *apply.Item, o *Object, opts options) error {
	live, err := pv.Live(ctx, it)
	if err != nil {
		return err
	}
	if opts.between != nil {
		opts.between(it)
	}
	merged, err := pv.DryRun(ctx, it)
	var nv *apply.NotValidatedError
	switch {
	case errors.As(err, &nv):
		// Shown as sent: the server cannot fill in defaults yet.
		merged, o.Note = it.Object, nv.Error()
	case errors.Is(err, apply.ErrRecreate):
		// The server's answer to the create that follows the deletion.
		o.Note = err.Error()
	case err != nil:
		return err
	case live != nil && merged.GetUID() != live.GetUID():
		return errors.New("deleted or replaced by someone else while wavec compared it; run wavec diff again")
	}
	before, after := normalise(live), normalise(merged)
	o.SecretKeys = secretKeys(live, merged)
	if opts.sourcesOnly && live != nil && live.GetLabels()[apply.PipelineLabel] == "" {
		unstructured.RemoveNestedField(after.Object, "metadata", "labels", apply.PipelineLabel)
		if l, _, _ := unstructured.NestedMap(after.Object, "metadata", "labels"); len(l) == 0 {
			unstructured.RemoveNestedField(after.Object, "metadata", "labels")
		}
	}
	switch {
	case live == nil:
		o.Change = Added
	case equal(before, after) && !errors.Is(err, apply.ErrRecreate):
		o.Change = Unchanged
		return nil
	default:
		o.Change = Changed
	}
	o.Diff = render(*o, before, after)
	return nil
}

func describe(u *unstructured.Unstructured, phase string, wave int) Object {
	gvk := u.GroupVersionKind()
	return Object{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName(), Phase: phase, Wave: wave}
}

// normalise returns a copy of u without what the server maintains.
func normalise(u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil {
		return nil
	}
	c := u.DeepCopy()
	delete(c.Object, "status")
	for _, f := range []string{"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"} {
		unstructured.RemoveNestedField(c.Object, "metadata", f)
	}
	if isSecret(c) {
		// kubectl's client-side apply keeps the whole object, values
		// included, in this annotation.
		unstructured.RemoveNestedField(c.Object, "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration")
		if a, _, _ := unstructured.NestedMap(c.Object, "metadata", "annotations"); len(a) == 0 {
			unstructured.RemoveNestedField(c.Object, "metadata", "annotations")
		}
	}
	return c
}

func isSecret(u *unstructured.Unstructured) bool {
	return u != nil && u.GroupVersionKind().Group == "" && u.GetKind() == "Secret"
}

func equal(a, b *unstructured.Unstructured) bool {
	ya, _ := yaml.Marshal(a.Object)
	yb, _ := yaml.Marshal(b.Object)
	return string(ya) == string(yb)
}

// secretFields are the fields of a Secret that hold values.
var secretFields = []string{"data", "stringData"}

// secretValues returns a Secret's values by key (data and stringData
// together, as the server merges them).
func secretValues(u *unstructured.Unstructured) map[string]string {
	if !isSecret(u) {
		return nil
	}
	out := map[string]string{}
	for _, f := range secretFields {
		m, _, _ := unstructured.NestedMap(u.Object, f)
		for k, v := range m {
			out[k] = fmt.Sprint(v)
		}
	}
	return out
}

// secretKeys compares the keys of two Secrets (either may be nil).
func secretKeys(before, after *unstructured.Unstructured) *SecretKeys {
	if !isSecret(before) && !isSecret(after) {
		return nil
	}
	b, a := secretValues(before), secretValues(after)
	sk := &SecretKeys{}
	for _, k := range slices.Sorted(maps.Keys(a)) {
		bv, ok := b[k]
		switch {
		case !ok:
			sk.Added = append(sk.Added, k)
		case bv != a[k]:
			sk.Changed = append(sk.Changed, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			sk.Removed = append(sk.Removed, k)
		}
	}
	return sk
}

// maskSecrets replaces every value of the Secrets before and after (either
// may be nil) with "***", or "*** (before)" and "*** (after)" where the
// value changes, as kubectl diff does.
func maskSecrets(before, after *unstructured.Unstructured) {
	b, a := secretValues(before), secretValues(after)
	mask := func(u *unstructured.Unstructured, other map[string]string, own map[string]string, side string) {
		if !isSecret(u) {
			return
		}
		for _, f := range secretFields {
			m, found, _ := unstructured.NestedMap(u.Object, f)
			if !found {
				continue
			}
			for k := range m {
				v := "***"
				if ov, ok := other[k]; ok && ov != own[k] {
					v = "*** (" + side + ")"
				}
				m[k] = v
			}
			_ = unstructured.SetNestedMap(u.Object, m, f)
		}
	}
	mask(before, a, b, "before")
	mask(after, b, a, "after")
}

// render returns the unified diff of the two sides (nil for absent) with
// kubectl diff's header, leaving out what the server maintains and masking
// Secret values. It does not modify before and after.
func render(o Object, before, after *unstructured.Unstructured) string {
	before, after = normalise(before), normalise(after)
	maskSecrets(before, after)
	name := o.Kind + "." + o.Name
	if o.Namespace != "" {
		name = o.Kind + "." + o.Namespace + "." + o.Name
	}
	gv := o.Version
	if o.Group != "" {
		gv = o.Group + "." + o.Version
	}
	name = gv + "." + name
	old, new := "live/"+name, "merged/"+name
	d := diff.Diff(old, toYAML(before), new, toYAML(after))
	if len(d) == 0 {
		return ""
	}
	// go-internal's header is "diff OLD NEW"; kubectl's is "diff -u -N".
	text := string(d)
	if rest, ok := strings.CutPrefix(text, "diff "+old+" "+new+"\n"); ok {
		text = "diff -u -N " + old + " " + new + "\n" + rest
	}
	return text
}

func toYAML(u *unstructured.Unstructured) []byte {
	if u == nil {
		return nil
	}
	b, err := yaml.Marshal(u.Object)
	if err != nil {
		return []byte(fmt.Sprintf("# cannot render: %v\n", err))
	}
	return b
}
