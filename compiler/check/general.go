package check

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/compiler/kubeschema"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// General blocks set any field of a workload the way the Kubernetes API
// spells it: `spec { ... }` for the workload's spec, `pod { ... }` for the
// Pod template (labels and annotations for its metadata, anything else for
// its spec), and the container's own fields (`imagePullPolicy`,
// `lifecycle { ... }`, `resources { ... }`) directly in the workload's
// body. Every field is checked against the k8s.io/api type (compiler/
// kubeschema) and becomes an ir.Overlay that the emitter merges into the
// object. Setting a field both through a short field and a general block is
// an error, and so is setting what wavec itself owns (the selector, the
// Pod template's containers).

// generalState is what a workload's general blocks leave for the checks
// after its body: every value set, with where it is written.
type generalState struct {
	leaves []generalLeaf
}

// generalLeaf is one value a general block sets: its path below the block
// ("pod.securityContext.fsGroup") and where it is written.
type generalLeaf struct {
	path string
	at   source.Span
}

// specType is the type of a workload kind's spec: the spec of the
// preferred version of its Kubernetes kind, or nil. A pod has none of its
// own: its spec is what `pod { ... }` sets.
func specType(k ir.Kind) *kubeschema.Type {
	if k == ir.Pod {
		return nil
	}
	kind := kubeschema.Builtin().Preferred(k.KubeKind())
	if kind == nil {
		return nil
	}
	t, _, ok := kind.Type().Lookup("spec")
	if !ok || t.Kind != kubeschema.Object {
		return nil
	}
	return t
}

func podSpecType() *kubeschema.Type   { return kubeschema.Builtin().TypeOf(corev1.PodSpec{}) }
func containerType() *kubeschema.Type { return kubeschema.Builtin().TypeOf(corev1.Container{}) }

// podPath is where a workload's Pod template is in its object; a pod's is
// the object itself.
func podPath(k ir.Kind) []ir.PathStep {
	switch k {
	case ir.Pod:
		return nil
	case ir.CronJob:
		return []ir.PathStep{{Field: "spec"}, {Field: "jobTemplate"}, {Field: "spec"}, {Field: "template"}}
	}
	return []ir.PathStep{{Field: "spec"}, {Field: "template"}}
}

func withSteps(base []ir.PathStep, more ...ir.PathStep) []ir.PathStep {
	out := append([]ir.PathStep(nil), base...)
	return append(out, more...)
}

// generalField handles an entry of a workload's body that is a general
// block or a container field spelled as the API spells it. It returns
// false for the short fields, which the caller checks; it reports a field
// that is neither, with a hint over both.
func (c *checker) generalField(d *decl, e *syntax.Entry) bool {
	if e.Key.String != nil || !d.res.Kind.IsWorkload() {
		return false
	}
	key := e.Key.Name()
	v := entryValue(e)
	switch key {
	case "spec":
		c.specBlock(d, v)
		return true
	case "pod":
		c.podBlock(d, v)
		return true
	case "metadata":
		c.metadataBlock(d, v) // metadata.go
		return true
	}
	isList := v.Right == nil && v.Left.List != nil
	if isShortField(d.res.Kind, key) && !(isList && (key == "env" || key == "ports")) {
		return false // a short field; `env` and `ports` as lists are the API's
	}
	ct := containerType()
	f := ct.Field(key)
	if f == nil {
		short := fieldsOf(d.res.Kind)
		cands := append(append([]string{"spec", "pod", "metadata"}, short...), ct.FieldNames()...)
		dg := c.errorf(span(e.Key), CodeUnknownField, "unknown %s field %q", d.res.Kind, key)
		if s := diag.Suggest(key, cands); s != "" {
			dg.Hint("did you mean %q?", s)
		} else {
			dg.Hint("a workload takes the short fields (%s), `spec { ... }`, `pod { ... }` and the container's fields as the Kubernetes API spells them", strings.Join(short, ", "))
		}
		return true
	}
	if key == "name" {
		c.errorf(span(e.Key), CodeNotHere, "the container's name is the workload's").
			Hint("the container of %s is named %q; write `container_name = %q` to name it otherwise", d.res.Ref(), d.res.Name, "NAME")
		return true
	}
	c.generalLeaves(d, "container."+key, v, f.Type)
	val, ok := c.generalValue(d, v, f.Type, key, refKindsOf("Container", key))
	if !ok {
		return true
	}
	c.addOverlay(d, withSteps(podPath(d.res.Kind), ir.PathStep{Field: "spec"}, ir.PathStep{Field: "containers", Item: d.res.Name}),
		map[string]any{key: val})
	if c.mainOverlays == nil {
		c.mainOverlays = map[*decl][]*ir.Overlay{}
	}
	c.mainOverlays[d] = append(c.mainOverlays[d], d.res.Overlays[len(d.res.Overlays)-1])
	return true
}

// nameMainOverlays points the main container's general fields at its
// final name: `container_name` may rename it after they are read.
func (c *checker) nameMainOverlays(d *decl) {
	w := d.res.Workload
	if w == nil {
		return
	}
	for _, o := range c.mainOverlays[d] {
		o.Path[len(o.Path)-1].Item = w.Container.Name
	}
}

// isShortField reports whether key is a short field of kind k, as
// fieldsOf lists them, without building the list.
func isShortField(k ir.Kind, key string) bool {
	return contains(commonFields, key) || (k.IsWorkload() && contains(workloadFields, key)) || contains(kindFields[k], key)
}

// specBlock checks `spec { ... }`.
func (c *checker) specBlock(d *decl, v *syntax.Value) {
	t := specType(d.res.Kind)
	if t == nil {
		dg := c.errorf(span(v), CodeNotHere, "%s has no spec block", d.res.Kind)
		if d.res.Kind == ir.Pod {
			dg.Hint("a pod's spec is written in `pod { ... }`, e.g. `pod { nodeSelector = { \"kubernetes.io/os\" = \"linux\" } }`")
		}
		return
	}
	c.generalLeaves(d, "spec", v, t)
	fields, ok := c.generalObject(d, withoutOwnedSpec(d.res.Kind, v), t, "spec", "spec")
	if !ok {
		return
	}
	c.addOverlay(d, []ir.PathStep{{Field: "spec"}}, fields)
}

// podBlock checks `pod { ... }`: labels and annotations of the Pod
// template, and any field of its spec.
func (c *checker) podBlock(d *decl, v *syntax.Value) {
	if v.Right != nil || v.Left.Map == nil {
		c.errorf(span(v), CodeType, "pod must be a block of fields, not %s", describe(v.Left)).
			Hint("write e.g. `pod { nodeSelector = { \"kubernetes.io/os\" = \"linux\" } }`")
		return
	}
	t := podSpecType()
	meta := map[string]any{}
	spec := map[string]any{}
	seen := map[string]*syntax.Entry{}
	for _, e := range v.Left.Map.Entries {
		if !c.once(seen, e, "pod field") {
			continue
		}
		key := e.Key.Name()
		ev := entryValue(e)
		if d.res.Kind == ir.Pod && key == "name" {
			c.errorf(span(e.Key), CodeNotHere, "a pod's name is not set in `pod { ... }`").
				Hint("the Pod is the object itself: its name is the declaration's, %q", d.res.Name)
			continue
		}
		if d.res.Kind == ir.Pod && (key == "labels" || key == "annotations") {
			// A pod's metadata is the declaration's own: two places for
			// it would set the same labels twice.
			c.errorf(span(e.Key), CodeNotHere, "a pod's %s are not set in `pod { ... }`", key).
				Hint("write `%s = { ... }` in the body of pod %q: the Pod is the object itself", key, d.res.Name)
			continue
		}
		switch key {
		case "name":
			// The Pod template's own name, which its Pods do not take:
			// kept as the input gives it (Helm's documented hook has one).
			if s, ok := c.str(ev, "pod name"); ok {
				if msgs := validation.IsDNS1123Subdomain(s); len(msgs) > 0 {
					c.errorf(span(ev), CodeBadName, "pod name %q is not valid: %s", s, plain(msgs)).
						Hint("write a lower-case DNS name, e.g. %q", d.res.Name)
				} else {
					meta["name"] = s
				}
			}
			continue
		case "labels":
			if l := c.labels(ev); len(l) > 0 {
				meta["labels"] = stringMap(l)
			}
			c.generalLeaves(d, "pod.labels", ev, nil)
			continue
		case "annotations":
			if a := c.annotations(ev); len(a) > 0 {
				meta["annotations"] = stringMap(a)
			}
			c.generalLeaves(d, "pod.annotations", ev, nil)
			continue
		}
		f := t.Field(key)
		if f == nil || e.Key.String != nil {
			dg := c.errorf(span(e.Key), CodeUnknownField, "unknown pod field %q", key)
			if s := diag.Suggest(key, append([]string{"labels", "annotations"}, t.FieldNames()...)); s != "" {
				dg.Hint("did you mean %q?", s)
			} else {
				dg.Hint("pod takes labels, annotations and the fields of the Pod's spec, spelled as the Kubernetes API spells them")
			}
			continue
		}
		c.generalLeaves(d, "pod."+key, ev, f.Type)
		if val, ok := c.generalValue(d, ev, f.Type, "pod."+key, refKindsOf("PodSpec", key)); ok {
			spec[key] = val
		}
	}
	if len(meta) > 0 {
		c.addOverlay(d, withSteps(podPath(d.res.Kind), ir.PathStep{Field: "metadata"}), meta)
	}
	if len(spec) > 0 {
		c.addOverlay(d, withSteps(podPath(d.res.Kind), ir.PathStep{Field: "spec"}), spec)
	}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (c *checker) addOverlay(d *decl, path []ir.PathStep, fields map[string]any) {
	d.res.Overlays = append(d.res.Overlays, &ir.Overlay{Path: path, Fields: fields})
}

// generalLeaves records the values a general field sets, below path: every
// key of a block, and lists and scalars as a whole.
func (c *checker) generalLeaves(d *decl, path string, v *syntax.Value, t *kubeschema.Type) {
	if c.general == nil {
		c.general = map[*decl]*generalState{}
	}
	st := c.general[d]
	if st == nil {
		st = &generalState{}
		c.general[d] = st
	}
	var walk func(path string, v *syntax.Value)
	walk = func(path string, v *syntax.Value) {
		if v.Right == nil && v.Left.Map != nil && len(v.Left.Map.Entries) > 0 {
			for _, e := range v.Left.Map.Entries {
				walk(path+"."+e.Key.Name(), entryValue(e))
			}
			return
		}
		st.leaves = append(st.leaves, generalLeaf{path: path, at: span(v)})
	}
	walk(path, v)
}

// refKinds are the kinds a reference may name where the API expects the
// name of an object, by API type and field; elsewhere a reference to any
// built-in kind gives its name.
var refKinds = map[string][]ir.Kind{
	"ConfigMapVolumeSource.name":                  {ir.ConfigMap},
	"ConfigMapKeySelector.name":                   {ir.ConfigMap},
	"ConfigMapEnvSource.name":                     {ir.ConfigMap},
	"ConfigMapProjection.name":                    {ir.ConfigMap},
	"SecretVolumeSource.secretName":               {ir.Secret},
	"SecretKeySelector.name":                      {ir.Secret},
	"SecretEnvSource.name":                        {ir.Secret},
	"SecretProjection.name":                       {ir.Secret},
	"PersistentVolumeClaimVolumeSource.claimName": {ir.PVC},
	"PodSpec.serviceAccountName":                  {ir.ServiceAccount},
	"PodSpec.serviceAccount":                      {ir.ServiceAccount},
	"PodSpec.imagePullSecrets":                    {ir.Secret},
	"StatefulSetSpec.serviceName":                 {ir.Service},
}

func refKindsOf(typeName, field string) []ir.Kind { return refKinds[typeName+"."+field] }

// generalObject checks a block against an object type and returns its
// fields.
func (c *checker) generalObject(d *decl, v *syntax.Value, t *kubeschema.Type, path, what string) (map[string]any, bool) {
	if v.Right != nil || v.Left.Map == nil {
		c.errorf(span(v), CodeType, "%s must be a block of fields, not %s", path, describe(v.Left)).
			Hint("write `%s { FIELD = VALUE }` with the fields as the Kubernetes API spells them", lastElem(what))
		return nil, false
	}
	out := map[string]any{}
	seen := map[string]*syntax.Entry{}
	ok := true
	for _, e := range v.Left.Map.Entries {
		if !c.once(seen, e, "field") {
			ok = false
			continue
		}
		key := e.Key.Name()
		f := t.Field(key)
		if f == nil {
			dg := c.errorf(span(e.Key), CodeUnknownField, "%s: unknown field %q", path, key)
			if s := t.Suggest(key); s != "" {
				dg.Hint("did you mean %q?", s)
			} else {
				dg.Hint("the fields of %s are %s", path, strings.Join(t.FieldNames(), ", "))
			}
			ok = false
			continue
		}
		val, good := c.generalValue(d, entryValue(e), f.Type, path+"."+key, refKindsOf(t.Name, key))
		if !good {
			ok = false
			continue
		}
		out[key] = val
	}
	if !ok {
		return out, false
	}
	for _, f := range t.Fields {
		if _, set := out[f.Name]; !set && f.Required && !generalDefaulted(path, f.Name) && !(f.Name == "port" && c.shortProbePort(d, path)) {
			c.errorf(span(v), CodeMissingField, "%s has no %s", path, f.Name).
				Hint("add `%s = ...` (%s)", f.Name, f.Type.Describe())
			ok = false
		}
	}
	return out, ok
}

// generalDefaulted reports required fields of a block that wavec fills in
// itself.
func generalDefaulted(path, field string) bool {
	switch path + "." + field {
	case "spec.selector", "spec.template", "spec.jobTemplate", "spec.schedule", "spec.jobTemplate.spec.template":
		return true
	}
	return false
}

func lastElem(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		return path[i+1:]
	}
	return path
}

// generalValue converts a value to the JSON value of API type t. path names
// it in diagnostics ("pod.tolerations[0].effect"); allowed are the kinds a
// reference may name here.
func (c *checker) generalValue(d *decl, v *syntax.Value, t *kubeschema.Type, path string, allowed []ir.Kind) (any, bool) {
	if v.Right != nil {
		c.errorf(span(v), CodeType, "%s cannot be a mapping with ->", path).
			Hint("-> is only for service ports and env references")
		return nil, false
	}
	p := v.Left
	if p.Ref != nil {
		return c.generalRef(d, p.Ref, t, path, allowed)
	}
	switch t.Kind {
	case kubeschema.Object:
		return c.generalObject(d, v, t, path, path)
	case kubeschema.Map:
		if p.Map == nil {
			c.errorf(span(v), CodeType, "%s must be a map, not %s", path, describe(p)).
				Hint("write e.g. `%s = { \"key\" = ... }`", lastElem(path))
			return nil, false
		}
		out := map[string]any{}
		ok := true
		seen := map[string]*syntax.Entry{}
		for _, e := range p.Map.Entries {
			if !c.once(seen, e, "key") {
				ok = false
				continue
			}
			val, good := c.generalValue(d, entryValue(e), t.Elem, path+"."+e.Key.Name(), allowed)
			ok = ok && good
			out[e.Key.Name()] = val
		}
		return out, ok
	case kubeschema.List:
		if p.List == nil {
			c.errorf(span(v), CodeType, "%s must be a list, not %s", path, describe(p)).
				Hint("write e.g. `%s = [ ... ]`", lastElem(path))
			return nil, false
		}
		out := []any{}
		ok := true
		for i, it := range p.List.Items {
			val, good := c.generalValue(d, it, t.Elem, fmt.Sprintf("%s[%d]", path, i), allowed)
			ok = ok && good
			out = append(out, val)
		}
		return out, ok
	case kubeschema.Any:
		return c.anyValue(d, v, path)
	}
	// Scalars. A bare word that is not a parameter is the word itself
	// where the API takes a fixed set of words or a port's name.
	if w, ok := bareWord(p); ok {
		if _, isParam := c.params[w]; !isParam {
			switch {
			case t.Kind == kubeschema.String && t.Enum != nil:
				return c.generalEnum(w, t, span(v), path)
			case t.Kind == kubeschema.IntOrString:
				return w, true
			}
		}
	}
	s, ok := c.scalarOfPrimary(p, path)
	if !ok {
		return nil, false
	}
	switch t.Kind {
	case kubeschema.String, kubeschema.Time:
		if s.typ != ir.StringParam {
			c.typeError(s, path, "a string", strconv.Quote(s.text))
			return nil, false
		}
		if t.Kind == kubeschema.Time {
			if _, err := time.Parse(time.RFC3339, s.text); err != nil {
				c.errorf(s.span, CodeType, "%s %q is not a time", path, s.text).Hint(`write RFC 3339, e.g. "2026-01-02T15:04:05Z"`)
				return nil, false
			}
		}
		if t.Enum != nil {
			return c.generalEnum(s.text, t, s.span, path)
		}
		return s.text, true
	case kubeschema.Integer:
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if t.Bits == 32 {
			lo, hi = math.MinInt32, math.MaxInt32
		}
		n, ok := c.integerOf(s, path, lo, hi)
		return n, ok
	case kubeschema.Number:
		if s.typ != ir.NumberParam {
			c.typeError(s, path, "a number", "1")
			return nil, false
		}
		if n, err := strconv.ParseInt(s.text, 10, 64); err == nil {
			return n, true
		}
		f, _ := strconv.ParseFloat(s.text, 64)
		return f, true
	case kubeschema.Bool:
		if s.typ != ir.BoolParam {
			c.typeError(s, path, "true or false", "true")
			return nil, false
		}
		return s.text == "true", true
	case kubeschema.Quantity:
		if s.typ == ir.BoolParam {
			c.typeError(s, path, "a quantity", "500m")
			return nil, false
		}
		q, err := resource.ParseQuantity(s.text)
		if err != nil {
			c.errorf(s.span, CodeQuantity, "%s %s is not a quantity", path, s.text).
				Hint("use Kubernetes units: 500m or 2 for CPU, 256Mi or 1Gi for memory and storage")
			return nil, false
		}
		return q.String(), true
	case kubeschema.IntOrString:
		switch s.typ {
		case ir.StringParam:
			return s.text, true
		case ir.NumberParam:
			n, ok := c.integerOf(s, path, math.MinInt32, math.MaxInt32)
			return n, ok
		}
		c.typeError(s, path, "a whole number or a string", `"25%"`)
		return nil, false
	case kubeschema.Duration:
		dur, ok := c.durationOf(s, path, false)
		return dur.String(), ok
	case kubeschema.Bytes:
		if s.typ != ir.StringParam {
			c.typeError(s, path, "base64 text", `"aGVsbG8="`)
			return nil, false
		}
		if _, err := base64.StdEncoding.DecodeString(s.text); err != nil {
			c.errorf(s.span, CodeType, "%s is not valid base64", path)
			return nil, false
		}
		return s.text, true
	}
	c.errorf(span(v), CodeType, "%s cannot be set here", path)
	return nil, false
}

// generalEnum checks a word against the values an API enum allows.
func (c *checker) generalEnum(w string, t *kubeschema.Type, at source.Span, path string) (any, bool) {
	if contains(t.Enum, w) {
		return w, true
	}
	d := c.errorf(at, CodeEnum, "%s %q is not one of %s", path, w, strings.Join(t.Enum, ", "))
	if s := diag.Suggest(w, t.Enum); s != "" {
		d.Hint("did you mean %q?", s)
	}
	return nil, false
}

// generalRef resolves a reference where the API expects the name of an
// object, as a string or as an object with a name (`imagePullSecrets =
// [secret pull]`). References to ConfigMaps, Secrets, PVCs and service
// accounts are reads, which the ordering checks follow.
func (c *checker) generalRef(d *decl, r *syntax.Ref, t *kubeschema.Type, path string, allowed []ir.Kind) (any, bool) {
	named := t.Kind == kubeschema.Object && t.Field("name") != nil && t.Field("name").Type.Kind == kubeschema.String
	if t.Kind != kubeschema.String && !named {
		c.errorf(span(r), CodeType, "%s must be %s, not a reference", path, article(t.Describe())).
			Hint("a reference stands for an object's name; it fits where the API takes a name")
		return nil, false
	}
	if r.Kind.Value == "object" {
		c.errorf(span(r), CodeWrongKind, "%s takes the name of a built-in kind's object, not an object declaration", path).
			Hint("write the name as a string")
		return nil, false
	}
	t2 := c.refOf(r, path, allowed...)
	if t2 == nil {
		return nil, false
	}
	switch t2.res.Kind {
	case ir.ConfigMap, ir.Secret, ir.PVC, ir.ServiceAccount:
		d.res.Reads = append(d.res.Reads, &ir.Read{Target: t2.res, Span: span(r), Via: path})
	}
	if named {
		return map[string]any{"name": t2.res.Name}, true
	}
	return t2.res.Name, true
}

// anyValue converts a value where the API takes any JSON.
func (c *checker) anyValue(d *decl, v *syntax.Value, path string) (any, bool) {
	p := v.Left
	switch {
	case p.Map != nil:
		out := map[string]any{}
		ok := true
		for _, e := range p.Map.Entries {
			val, good := c.anyValue(d, entryValue(e), path+"."+e.Key.Name())
			ok = ok && good
			out[e.Key.Name()] = val
		}
		return out, ok
	case p.List != nil:
		out := []any{}
		ok := true
		for i, it := range p.List.Items {
			val, good := c.anyValue(d, it, fmt.Sprintf("%s[%d]", path, i))
			ok = ok && good
			out = append(out, val)
		}
		return out, ok
	}
	s, ok := c.scalarOf(v, path)
	if !ok {
		return nil, false
	}
	switch s.typ {
	case ir.NumberParam:
		if n, err := strconv.ParseInt(s.text, 10, 64); err == nil {
			return n, true
		}
		f, _ := strconv.ParseFloat(s.text, 64)
		return f, true
	case ir.BoolParam:
		return s.text == "true", true
	}
	return s.text, true
}

// owned is a value that a short field, or wavec itself, sets: a general
// block may not set it too.
type owned struct {
	path    string // below the blocks, e.g. "container.resources.requests.cpu"
	by      string // the short field, or "" for wavec itself
	hint    string
	applies func(k ir.Kind, w *ir.WorkloadSpec, seen map[string]*syntax.Entry) bool
}

func given(field string) func(ir.Kind, *ir.WorkloadSpec, map[string]*syntax.Entry) bool {
	return func(_ ir.Kind, _ *ir.WorkloadSpec, seen map[string]*syntax.Entry) bool { return seen[field] != nil }
}

func always(ir.Kind, *ir.WorkloadSpec, map[string]*syntax.Entry) bool { return true }

func restrictedOn(_ ir.Kind, w *ir.WorkloadSpec, _ map[string]*syntax.Entry) bool {
	return w.Restricted
}

func forKinds(ks ...ir.Kind) func(ir.Kind, *ir.WorkloadSpec, map[string]*syntax.Entry) bool {
	return func(k ir.Kind, _ *ir.WorkloadSpec, _ map[string]*syntax.Entry) bool { return kindIn(k, ks) }
}

func givenFor(field string, ks ...ir.Kind) func(ir.Kind, *ir.WorkloadSpec, map[string]*syntax.Entry) bool {
	return func(k ir.Kind, _ *ir.WorkloadSpec, seen map[string]*syntax.Entry) bool {
		return seen[field] != nil && kindIn(k, ks)
	}
}

// timed reports whether the probe short field given (ready, live or
// startup) has a timing block that sets field (delay, period, ...), even
// to a value the output leaves out, such as `delay = 0s`.
func timed(probe, field string) func(ir.Kind, *ir.WorkloadSpec, map[string]*syntax.Entry) bool {
	return func(_ ir.Kind, _ *ir.WorkloadSpec, seen map[string]*syntax.Entry) bool {
		e := seen[probe]
		if e == nil {
			return false
		}
		v := entryValue(e)
		if v.Right != nil || v.Left.Probe == nil || v.Left.Probe.Timing == nil {
			return false
		}
		for _, t := range v.Left.Probe.Timing.Entries {
			if t.Key.Name() == field {
				return true
			}
		}
		return false
	}
}

// probeOf reports whether the probe short field given (ready, live or
// startup) is a probe of type typ (http, tcp, grpc or exec). Such a probe
// sets its handler's path and port; the handler's other fields
// (`httpGet { httpHeaders = [...] }`, `grpc { service = "..." }`) are the
// general block's to add.
func probeOf(probe, typ string) func(ir.Kind, *ir.WorkloadSpec, map[string]*syntax.Entry) bool {
	return func(_ ir.Kind, _ *ir.WorkloadSpec, seen map[string]*syntax.Entry) bool {
		t, ok := probeType(seen[probe])
		return ok && t == typ
	}
}

// probeNotOf reports whether the probe short field given is set, and not
// of type typ: a second handler in the general block would give the probe
// two, which the API refuses.
func probeNotOf(probe, typ string) func(ir.Kind, *ir.WorkloadSpec, map[string]*syntax.Entry) bool {
	return func(_ ir.Kind, _ *ir.WorkloadSpec, seen map[string]*syntax.Entry) bool {
		t, ok := probeType(seen[probe])
		return seen[probe] != nil && (!ok || t != typ)
	}
}

// probeType returns the type of the probe a short field gives.
func probeType(e *syntax.Entry) (string, bool) {
	if e == nil {
		return "", false
	}
	v := entryValue(e)
	if v.Right != nil || v.Left.Probe == nil {
		return "", false
	}
	return v.Left.Probe.Type, true
}

const otherHandlerHint = "a probe has one handler, and the short field gives it; add the handler's other fields (httpHeaders, a gRPC service) under the same handler, or set the probe one way"

// shortProbePort reports whether a general block's probe handler at path
// ("readinessProbe.httpGet", or "init setup: livenessProbe.grpc" in a
// named container) gets its port from the container's probe short field
// of the same type, so that the block need not repeat it.
func (c *checker) shortProbePort(d *decl, path string) bool {
	if d.node == nil || d.node.Body == nil {
		return false
	}
	entries := d.node.Body.Entries
	if block, rest, ok := strings.Cut(path, ": "); ok {
		kind, name, _ := strings.Cut(block, " ")
		entries = nil
		for _, e := range d.node.Body.Entries {
			if e.Label != nil && e.Label.Ident != nil && *e.Label.Ident == name && e.Key.Name() == kind && e.Block != nil {
				entries = e.Block.Entries
			}
		}
		path = rest
	}
	field, handler, ok := strings.Cut(path, ".")
	if !ok {
		return false
	}
	short := map[string]string{"readinessProbe": "ready", "livenessProbe": "live", "startupProbe": "startup"}[field]
	typ := map[string]string{"httpGet": "http", "tcpSocket": "tcp", "grpc": "grpc"}[handler]
	if short == "" || typ == "" {
		return false
	}
	for _, e := range entries {
		if e.Label == nil && e.Key.String == nil && e.Key.Name() == short {
			t, ok := probeType(e)
			return ok && t == typ
		}
	}
	return false
}

// timingHint is the hint for a probe timing set both in a probe's timing
// block and in the API's probe.
func timingHint(probe, field string) string {
	return fmt.Sprintf("set it one way: `%s` in %s's timing block is short for it", field, probe)
}

const restrictedHint = "the restricted profile sets it; remove it, or opt out with `restricted = false`"

// ownedValues lists what general blocks may not set.
var ownedValues = slices.Concat([]owned{
	{path: "spec.selector", hint: "wavec selects the Pods by app.kubernetes.io/name and part-of, which never change; `selector = { app = \"web\" }` selects them by labels of the workload's own", applies: always},
	{path: "spec.template", hint: "write the Pod template's fields in `pod { ... }` and the container's in the workload's body", applies: always},
	{path: "spec.jobTemplate.spec.template", hint: "write the Pod template's fields in `pod { ... }` and the container's in the workload's body", applies: always},
	{path: "spec.replicas", by: "replicas", applies: given("replicas")},
	{path: "spec.serviceName", by: "service", applies: given("service")},
	{path: "spec.serviceName", hint: "a statefulset's governing service is its `service` field, or else the service of its own name; write `service = service NAME`", applies: forKinds(ir.StatefulSet)},
	{path: "spec.volumeClaimTemplates", by: "storage", applies: given("storage")},
	{path: "spec.backoffLimit", by: "retries", applies: givenFor("retries", ir.Job)},
	{path: "spec.activeDeadlineSeconds", by: "timeout", applies: givenFor("timeout", ir.Job)},
	{path: "spec.jobTemplate.spec.backoffLimit", by: "retries", applies: givenFor("retries", ir.CronJob)},
	{path: "spec.jobTemplate.spec.activeDeadlineSeconds", by: "timeout", applies: givenFor("timeout", ir.CronJob)},
	{path: "spec.schedule", by: "schedule", applies: given("schedule")},
	{path: "spec.concurrencyPolicy", by: "concurrency", applies: given("concurrency")},
	{path: "spec.suspend", by: "suspend", applies: given("suspend")},
	{path: "pod.containers", hint: "set the container's fields in the workload's body, as the Kubernetes API spells them", applies: always},
	{path: "pod.restartPolicy", hint: "Pods of jobs never restart in place; retries make new Pods", applies: forKinds(ir.Job, ir.CronJob)},
	{path: "pod.serviceAccountName", by: "service_account", applies: given("service_account")},
	{path: "pod.serviceAccount", by: "service_account", applies: given("service_account")},
	{path: "pod.volumes", by: "mount", applies: given("mount")},
	{path: "pod.imagePullSecrets", by: "pull_secrets", applies: given("pull_secrets")},
	{path: "pod.terminationGracePeriodSeconds", by: "grace_period", applies: given("grace_period")},
	{path: "pod.securityContext.runAsNonRoot", hint: restrictedHint, applies: restrictedOn},
	{path: "pod.securityContext.seccompProfile", hint: restrictedHint, applies: restrictedOn},
}, probeOwnership(), []owned{
	{path: "container.envFrom", by: "env_from", applies: given("env_from")},
	{path: "container.ports", by: "port", applies: given("port")},
	{path: "container.resources.requests.cpu", by: "cpu", applies: given("cpu")},
	{path: "container.resources.requests.memory", by: "memory", applies: given("memory")},
	{path: "container.resources.limits.memory", by: "memory_limit", applies: given("memory_limit")},
	{path: "container.resources.limits.memory", by: "memory", applies: given("memory")},
	{path: "container.resources.limits.cpu", by: "cpu_limit", applies: given("cpu_limit")},
	{path: "container.volumeMounts", by: "mount", applies: given("mount")},
	{path: "container.volumeMounts", by: "storage", applies: given("storage")},
	{path: "container.securityContext.runAsUser", by: "user", applies: given("user")},
	{path: "container.securityContext.allowPrivilegeEscalation", hint: restrictedHint, applies: restrictedOn},
	{path: "container.securityContext.capabilities", hint: restrictedHint, applies: restrictedOn},
	{path: "container.securityContext.runAsNonRoot", hint: restrictedHint, applies: restrictedOn},
	{path: "container.securityContext.seccompProfile", hint: restrictedHint, applies: restrictedOn},
})

// probeOwnership lists what each short probe field (ready, live, startup)
// owns of its probe: the handler of its kind with its path and port, any
// other handler (a second handler is an error), and the timings its block
// sets.
func probeOwnership() []owned {
	probes := []struct{ field, api string }{{"ready", "readinessProbe"}, {"live", "livenessProbe"}, {"startup", "startupProbe"}}
	var out []owned
	for _, p := range probes {
		base := "container." + p.api
		out = append(out,
			owned{path: base + ".httpGet.path", by: p.field, applies: probeOf(p.field, "http")},
			owned{path: base + ".httpGet.port", by: p.field, applies: probeOf(p.field, "http")},
			owned{path: base + ".tcpSocket.port", by: p.field, applies: probeOf(p.field, "tcp")},
			owned{path: base + ".grpc.port", by: p.field, applies: probeOf(p.field, "grpc")},
			owned{path: base + ".httpGet", by: p.field, hint: otherHandlerHint, applies: probeNotOf(p.field, "http")},
			owned{path: base + ".tcpSocket", by: p.field, hint: otherHandlerHint, applies: probeNotOf(p.field, "tcp")},
			owned{path: base + ".grpc", by: p.field, hint: otherHandlerHint, applies: probeNotOf(p.field, "grpc")},
			owned{path: base + ".exec", by: p.field, applies: given(p.field)},
		)
	}
	timings := []struct{ api, short string }{
		{"initialDelaySeconds", "delay"}, {"periodSeconds", "period"}, {"timeoutSeconds", "timeout"},
		{"failureThreshold", "failures"}, {"successThreshold", "successes"},
	}
	for _, p := range probes {
		for _, t := range timings {
			out = append(out, owned{path: "container." + p.api + "." + t.api, by: p.field, hint: timingHint(p.field, t.short), applies: timed(p.field, t.short)})
		}
	}
	return out
}

// generalSets reports whether a general block of the workload sets path
// or a value below it.
func (c *checker) generalSets(d *decl, path string) bool {
	st := c.general[d]
	if st == nil {
		return false
	}
	for _, l := range st.leaves {
		if overlaps(l.path, path) {
			return true
		}
	}
	return false
}

// withoutOwnedSpec returns a `spec { ... }` block without the fields that
// wavec always sets for kind k (the selector, the Pod template, a
// statefulset's serviceName). finishGeneral reports each of them once
// (E0412); checking their values too would report a second error for the
// same mistake, such as a misspelt service in `serviceName = service dbb`.
func withoutOwnedSpec(k ir.Kind, v *syntax.Value) *syntax.Value {
	if v.Right != nil || v.Left.Map == nil {
		return v
	}
	owned := func(key string) bool {
		for _, o := range ownedValues {
			if o.by == "" && o.path == "spec."+key && o.applies(k, nil, nil) {
				return true
			}
		}
		return false
	}
	var keep []*syntax.Entry
	for _, e := range v.Left.Map.Entries {
		if e.Key.String == nil && owned(e.Key.Name()) {
			continue
		}
		keep = append(keep, e)
	}
	if len(keep) == len(v.Left.Map.Entries) {
		return v
	}
	block := *v.Left.Map
	block.Entries = keep
	left := *v.Left
	left.Map = &block
	out := *v
	out.Left = &left
	return &out
}

// overlaps reports whether one of two dotted paths is the other or lies
// below it.
func overlaps(a, b string) bool {
	return a == b || below(a, b) || below(b, a)
}

// below reports whether dotted path a lies below b.
func below(a, b string) bool {
	return len(a) > len(b) && a[len(b)] == '.' && a[:len(b)] == b
}

// finishGeneral reports values that a general block sets and a short field
// (or wavec) sets too.
func (c *checker) finishGeneral(d *decl, seen map[string]*syntax.Entry) {
	st := c.general[d]
	w := d.res.Workload
	if st == nil || w == nil {
		return
	}
	// A copy, so that seen itself does not escape into the checks below
	// and stays on the stack of every body without general blocks.
	given := make(map[string]*syntax.Entry, len(seen))
	for k, e := range seen {
		given[k] = e
	}
	sort.SliceStable(st.leaves, func(i, j int) bool { return st.leaves[i].at.Start.Offset < st.leaves[j].at.Start.Offset })
	reported := map[source.Span]bool{}
	for _, l := range st.leaves {
		for _, o := range ownedValues {
			if reported[l.at] || !overlaps(l.path, o.path) || !o.applies(d.res.Kind, w, given) {
				continue
			}
			reported[l.at] = true
			if o.by == "" {
				c.errorf(l.at, CodeConflict, "%s is set by wavec", o.path).Hint("%s", o.hint)
				continue
			}
			dg := c.errorf(l.at, CodeConflict, "%s is set both here and by %s", o.path, o.by).
				Note(span(given[o.by].Key), "%s is given here", o.by)
			if o.hint != "" {
				dg.Hint("%s", o.hint)
			} else {
				dg.Hint("set it one way: %s is short for it", o.by)
			}
		}
	}
}

// generalPlacement reports a job's backoffLimit or activeDeadlineSeconds in
// `spec { ... }` that its hook's retries or timeout set too.
func (c *checker) generalPlacement() {
	for d, st := range c.general {
		r := d.res
		if r.Kind != ir.Job && r.Kind != ir.CronJob {
			continue
		}
		prefix := "spec."
		if r.Kind == ir.CronJob {
			prefix = "spec.jobTemplate.spec."
		}
		for _, l := range st.leaves {
			switch {
			case r.Placement.Retries != nil && overlaps(l.path, prefix+"backoffLimit"):
				c.errorf(l.at, CodeConflict, "backoffLimit is set both here and by the hook's retries").
					Hint("set it one way: the hook's `retries` is short for it")
			case r.Kind == ir.Job && r.Placement.Timeout != 0 && overlaps(l.path, prefix+"activeDeadlineSeconds"):
				c.errorf(l.at, CodeConflict, "activeDeadlineSeconds is set both here and by the hook's timeout").
					Hint("set it one way: the hook's `timeout` sets it for jobs")
			}
		}
	}
}

// subGeneralState is what the general fields of one `container`, `init`
// or `sidecar` block set, with the block's fields, for the checks after
// the workload's body.
type subGeneralState struct {
	seen   map[string]*syntax.Entry
	leaves []generalLeaf
}

// containerGeneralField handles a field of a `container`, `init` or
// `sidecar` block spelled as the Kubernetes API spells it
// (`securityContext { readOnlyRootFilesystem = true }`, `imagePullPolicy`,
// `readinessProbe { ... }`), like the main container's general fields in
// the workload's body. It returns false for the short container fields
// and for names the Container type lacks, which the caller reports. seen
// holds the block's fields.
func (c *checker) containerGeneralField(d *decl, block, name string, e *syntax.Entry, seen map[string]*syntax.Entry) bool {
	key := e.Key.Name()
	v := entryValue(e)
	isList := v.Right == nil && v.Left.List != nil
	if contains(containerFields, key) && !(isList && (key == "env" || key == "ports")) {
		return false
	}
	f := containerType().Field(key)
	if f == nil {
		return false
	}
	if key == "name" {
		c.errorf(span(e.Key), CodeNotHere, "the container's name is its label").
			Hint("the %s is named %q: `%s %s { ... }`", block, name, block, name)
		return true
	}
	if c.subGeneral == nil {
		c.subGeneral = map[*decl]map[string]*subGeneralState{}
	}
	if c.subGeneral[d] == nil {
		c.subGeneral[d] = map[string]*subGeneralState{}
	}
	st := c.subGeneral[d][name]
	if st == nil {
		st = &subGeneralState{seen: seen}
		c.subGeneral[d][name] = st
	}
	var walk func(path string, v *syntax.Value)
	walk = func(path string, v *syntax.Value) {
		if v.Right == nil && v.Left.Map != nil && len(v.Left.Map.Entries) > 0 {
			for _, e := range v.Left.Map.Entries {
				walk(path+"."+e.Key.Name(), entryValue(e))
			}
			return
		}
		st.leaves = append(st.leaves, generalLeaf{path: path, at: span(v)})
	}
	walk("container."+key, v)
	val, ok := c.generalValue(d, v, f.Type, block+" "+name+": "+key, refKindsOf("Container", key))
	if !ok {
		return true
	}
	field := "containers"
	if block != "container" {
		field = "initContainers"
	}
	c.addOverlay(d, withSteps(podPath(d.res.Kind), ir.PathStep{Field: "spec"}, ir.PathStep{Field: field, Item: name}),
		map[string]any{key: val})
	return true
}

// finishSubGeneral reports what a general field of a `container`, `init`
// or `sidecar` block sets that the block's short fields or wavec set too,
// as finishGeneral does for the main container.
func (c *checker) finishSubGeneral(d *decl) {
	w := d.res.Workload
	if w == nil {
		return
	}
	names := make([]string, 0, len(c.subGeneral[d]))
	for name := range c.subGeneral[d] {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		st := c.subGeneral[d][name]
		for _, l := range st.leaves {
			for _, o := range ownedValues {
				if !strings.HasPrefix(o.path, "container.") || !overlaps(l.path, o.path) || !o.applies(d.res.Kind, w, st.seen) {
					continue
				}
				if o.by == "" {
					c.errorf(l.at, CodeConflict, "%s is set by wavec", o.path).Hint("%s", o.hint)
				} else {
					dg := c.errorf(l.at, CodeConflict, "%s is set both here and by %s", o.path, o.by).
						Note(span(st.seen[o.by].Key), "%s is given here", o.by)
					if o.hint != "" {
						dg.Hint("%s", o.hint)
					} else {
						dg.Hint("set it one way: %s is short for it", o.by)
					}
				}
				break
			}
		}
	}
}
