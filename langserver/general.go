package langserver

import (
	"fmt"
	"slices"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/compiler/kubeschema"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// A workload's general blocks (`spec { ... }`, `pod { ... }`) and the
// container's API fields written in its body are described by the
// Kubernetes API types the checker checks them against
// (check.GeneralType), so hover and completion there show the API's own
// fields and documentation.

// podMetaFields are the fields a `pod { ... }` block takes besides those
// of the Pod's spec.
var podMetaFields = map[string]string{
	"name":        "The Pod template's own name (its Pods are named by their controller), a string.",
	"labels":      "Labels of the Pod template, a map of strings.",
	"annotations": "Annotations of the Pod template, a map of strings.",
}

// workloadMetaFields are the fields a workload's `metadata { ... }` takes
// (check's metadataBlock).
var workloadMetaFields = map[string]field{
	"labels":     {doc: "Labels of the workload object alone, a map of strings: its Pods do not get them (a workload's `labels` label its Pods too).", sets: "metadata.labels", value: `{ tier = "web" }`},
	"finalizers": {doc: "Finalizers of the workload object, a list of strings.", sets: "metadata.finalizers", value: `["example.com/cleanup"]`},
}

// generalBlocks describes `spec` and `pod` in a workload's body.
var generalBlocks = map[string]string{
	"spec": "Any field of the workload's spec, as the Kubernetes API spells it.",
	"pod":  "The Pod template: `labels`, `annotations` and any field of the Pod's spec, as the Kubernetes API spells it.",
}

// metadataBlockDoc describes a workload's `metadata { ... }`, which takes
// labels and finalizers only (no API type of its own).
const metadataBlockDoc = "The workload object's own metadata: `labels` that its Pods do not get (a workload's `labels` label its Pods too), and `finalizers`."

// generalField returns the type of field name of a workload of kind k
// written in its body, where it is not a short field: `spec`, `pod` or a
// field of the container. block is "spec" or "pod" for those blocks, and
// "metadata" (with no type) for `metadata { ... }`.
func generalField(k ir.Kind, name string) (t *kubeschema.Type, block string, doc string, ok bool) {
	if name == "metadata" {
		return nil, name, metadataBlockDoc, true
	}
	if _, ok := generalBlocks[name]; ok {
		t = check.GeneralType(k, name)
		return t, name, generalBlocks[name], t != nil
	}
	ct := check.GeneralType(k, "")
	f := ct.Field(name)
	if f == nil || name == "name" {
		return nil, "", "", false
	}
	return f.Type, "", f.Doc, true
}

// describeAPIField is the hover text of an API field.
func describeAPIField(name, path string, t *kubeschema.Type, doc string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (`%s`)", name, path)
	if t != nil {
		fmt.Fprintf(&b, ": %s", t.Describe())
		if t.Name != "" {
			fmt.Fprintf(&b, " (%s)", t.Name)
		}
		if len(t.Enum) > 0 {
			fmt.Fprintf(&b, ", one of %s", strings.Join(t.Enum, ", "))
		}
	}
	if doc != "" {
		fmt.Fprintf(&b, "\n\n%s", doc)
	}
	return b.String()
}

// generalHover describes the API field at off in a workload's body b: a
// general block's key, a container API field, or a field inside them.
func generalHover(k ir.Kind, b *syntax.Block, path string, off int) (string, source.Span) {
	if !k.IsWorkload() {
		return "", source.Span{}
	}
	for _, e := range b.Entries {
		if e == nil || e.Key == nil || e.Key.String != nil || e.Label != nil {
			continue
		}
		name := e.Key.Name()
		v := entryValue(e)
		isList := v != nil && v.Right == nil && v.Left != nil && v.Left.List != nil
		if check.IsShortField(k, name) && !(isList && (name == "env" || name == "ports")) {
			continue
		}
		t, block, doc, ok := generalField(k, name)
		if !ok {
			continue
		}
		prefix := name
		if block == "" {
			prefix = "container." + name
		}
		if ks := span(e.Key.Pos, e.Key.EndPos); inSpan(ks, path, off) {
			return describeAPIField(name, prefix, t, doc), ks
		}
		if v != nil && inSpan(span(v.Pos, v.EndPos), path, off) {
			return schemaHover(v, t, prefix, block == "pod", path, off)
		}
	}
	return "", source.Span{}
}

// schemaHover describes the field at off inside value v of type t, whose
// path is prefix. pod says v is a `pod { ... }` block.
func schemaHover(v *syntax.Value, t *kubeschema.Type, prefix string, pod bool, path string, off int) (string, source.Span) {
	if v == nil || v.Left == nil || t == nil {
		return "", source.Span{}
	}
	switch {
	case v.Left.Map != nil && t.Kind == kubeschema.Map:
		for _, e := range v.Left.Map.Entries {
			if ev := entryValue(e); ev != nil && e.Key != nil && inSpan(span(ev.Pos, ev.EndPos), path, off) {
				return schemaHover(ev, t.Elem, prefix+"."+e.Key.Name(), false, path, off)
			}
		}
	case v.Left.Map != nil && t.Kind == kubeschema.Object:
		for _, e := range v.Left.Map.Entries {
			if e == nil || e.Key == nil {
				continue
			}
			name := e.Key.Name()
			f := t.Field(name)
			ks := span(e.Key.Pos, e.Key.EndPos)
			if f == nil {
				if doc, ok := podMetaFields[name]; ok && pod && inSpan(ks, path, off) {
					return describeAPIField(name, prefix+"."+name, nil, doc), ks
				}
				continue
			}
			if inSpan(ks, path, off) {
				return describeAPIField(name, prefix+"."+name, f.Type, f.Doc), ks
			}
			if ev := entryValue(e); ev != nil && inSpan(span(ev.Pos, ev.EndPos), path, off) {
				return schemaHover(ev, f.Type, prefix+"."+name, false, path, off)
			}
		}
	case v.Left.List != nil && t.Kind == kubeschema.List:
		for i, it := range v.Left.List.Items {
			if it != nil && inSpan(span(it.Pos, it.EndPos), path, off) {
				return schemaHover(it, t.Elem, fmt.Sprintf("%s[%d]", prefix, i), false, path, off)
			}
		}
	}
	return "", source.Span{}
}

// entryValue returns the value of an entry, a block entry as a map value.
func entryValue(e *syntax.Entry) *syntax.Value {
	switch {
	case e == nil:
		return nil
	case e.Value != nil:
		return e.Value
	case e.Block != nil:
		return &syntax.Value{Pos: e.Block.Pos, EndPos: e.Block.EndPos, Left: &syntax.Primary{Pos: e.Block.Pos, EndPos: e.Block.EndPos, Map: e.Block}}
	}
	return nil
}

// generalFrame is the innermost frame when it lies in a general block or
// a container API field of a workload's body.
type generalFrame struct {
	kind ir.Kind
	// t is the frame's API type, path its dotted path below the blocks
	// ("pod.securityContext", "container.lifecycle"), and pod whether it
	// is the `pod { ... }` block itself.
	t    *kubeschema.Type
	path string
	pod  bool
}

// generalTypeOfFrames returns the general frame that frames end in.
func generalTypeOfFrames(frames []*frame) (g generalFrame, ok bool) {
	var keys []string // innermost first
	var kind ir.Kind
walk:
	for i := len(frames) - 1; i >= 1; i-- {
		f := frames[i]
		switch f.open {
		case '[':
			k := ownerKey(f.before)
			if k == "" || k == `"` {
				return generalFrame{}, false
			}
			keys = append(keys, k)
			continue
		case '{':
		default:
			return generalFrame{}, false
		}
		o := ownerOf(f.before)
		switch {
		case o.kind != 0:
			kind = o.kind
			break walk
		case o.key != "" && o.key != `"`:
			keys = append(keys, o.key)
			continue
		case i > 1 && frames[i-1].open == '[':
			continue // an item of a list
		default:
			return generalFrame{}, false
		}
	}
	if kind == 0 || !kind.IsWorkload() || len(keys) == 0 {
		return generalFrame{}, false
	}
	slices.Reverse(keys)
	if check.IsShortField(kind, keys[0]) {
		return generalFrame{}, false
	}
	t, block, _, ok := generalField(kind, keys[0])
	if !ok || t == nil {
		return generalFrame{}, false
	}
	g = generalFrame{kind: kind, pod: block == "pod" && len(keys) == 1, path: strings.Join(keys, ".")}
	if block == "" {
		g.path = "container." + g.path
	}
	if len(keys) > 1 {
		if block == "pod" && podMetaFields[keys[1]] != "" {
			return generalFrame{}, false // maps of strings
		}
		var found bool
		t, _, found = t.Lookup(strings.Join(keys[1:], "."))
		if !found {
			return generalFrame{}, false
		}
	}
	for t.Kind == kubeschema.List || t.Kind == kubeschema.Map {
		t = t.Elem
	}
	g.t = t
	return g, true
}

// generalFields offers the fields of g's API type that wavec does not set
// itself, or a field's enum values after `KEY =`; key is the entry's key
// when the cursor is in its value.
func (c *completer) generalFields(g generalFrame, key string, present map[string]bool) {
	t := g.t
	if key != "" {
		f := t.Field(key)
		if f == nil {
			return
		}
		et := f.Type
		for et.Kind == kubeschema.List {
			et = et.Elem
		}
		for _, e := range et.Enum {
			c.add(e, protocol.CompletionItemKindEnumMember, "", "")
		}
		if et.Kind == kubeschema.Bool {
			c.add("true", protocol.CompletionItemKindEnumMember, "", "")
			c.add("false", protocol.CompletionItemKindEnumMember, "", "")
		}
		c.params()
		return
	}
	if t.Kind != kubeschema.Object {
		return
	}
	if g.pod && g.kind != ir.Pod { // a pod's metadata is its own labels and annotations
		for _, name := range sortedKeys(podMetaFields) {
			if !present[name] {
				c.add(name, protocol.CompletionItemKindField, "pod template metadata", podMetaFields[name])
			}
		}
	}
	for _, f := range t.Fields {
		if !present[f.Name] && !check.OwnedByWavec(g.kind, g.path+"."+f.Name) {
			c.add(f.Name, protocol.CompletionItemKindField, f.Type.Describe(), f.Doc)
		}
	}
}

// workloadGeneralFields offers, in a workload's body, `spec`, `pod` and
// the container's API fields that are not short fields.
func (c *completer) workloadGeneralFields(k ir.Kind, present map[string]bool) {
	if !k.IsWorkload() {
		return
	}
	for _, name := range sortedKeys(generalBlocks) {
		if !present[name] && check.GeneralType(k, name) != nil {
			c.add(name, protocol.CompletionItemKindModule, k.String()+" general block", generalBlocks[name])
		}
	}
	if !present["metadata"] {
		c.add("metadata", protocol.CompletionItemKindModule, k.String()+" general block", metadataBlockDoc)
	}
	for _, f := range check.GeneralType(k, "").Fields {
		if present[f.Name] || f.Name == "name" || check.IsShortField(k, f.Name) {
			continue
		}
		c.add(f.Name, protocol.CompletionItemKindField, "container field: "+f.Type.Describe(), f.Doc)
	}
}
