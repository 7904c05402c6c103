package check

import (
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// Generated volume names: a mounted object whose `KIND-NAME` is not a
// valid, unused name gets volume-N, a volume claim template whose path ends
// in no valid name storage-N (compiler/emit).
var (
	generatedVolume  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^volume-[0-9]+(-x)*$`) })
	generatedStorage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^storage-[0-9]+$`) })
)

// podVolumes are the names of the volumes a workload's Pods have.
type podVolumes struct {
	names     map[string]bool
	generated bool // a mounted object may have a volume-N name
	storageN  bool // a claim template may have a storage-N name
}

func (pv *podVolumes) has(name string) bool {
	return pv.names[name] || (pv.generated && generatedVolume().MatchString(name)) ||
		(pv.storageN && generatedStorage().MatchString(name))
}

func (pv *podVolumes) sorted() []string {
	out := make([]string, 0, len(pv.names))
	for n := range pv.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// volumeMountNames reports a volumeMounts entry of a general block (the
// workload's body, or a `container`, `init` or `sidecar` block) whose name
// is no volume of the Pod: not one of the workload's own volumes, of the
// volumes its typed mounts make, of `pod { volumes = [...] }`, nor a
// statefulset's volume claim template. The API server would reject the
// Pod template. A name that is not a plain string is left to the type
// checks.
func (c *checker) volumeMountNames(d *decl) {
	r := d.res
	if !r.Kind.IsWorkload() || r.External || r.Workload == nil || d.node == nil || d.node.Body == nil {
		return
	}
	type use struct {
		name      string
		at        source.Span
		container string
	}
	var uses []use
	mountsOf := func(container string, entries []*syntax.Entry) {
		for _, e := range entries {
			if e.Label != nil || e.Key.String != nil || e.Key.Name() != "volumeMounts" {
				continue
			}
			for _, item := range listItems(entryValue(e)) {
				if v := blockField(item, "name"); v != nil {
					if n, ok := c.quietStr(v); ok && v.Left.String != nil {
						uses = append(uses, use{n, span(v), container})
					}
				}
			}
		}
	}
	w := r.Workload
	pv := &podVolumes{names: map[string]bool{}}
	for _, v := range w.Volumes {
		pv.names[v.Name] = true
	}
	for _, ct := range w.AllContainers() {
		for _, m := range ct.Mounts {
			if m.From == nil {
				continue
			}
			n := m.From.Kind.String() + "-" + m.From.Name
			if len(validation.IsDNS1123Label(n)) > 0 || ownVolumeNamed(w, n) {
				pv.generated = true
				continue
			}
			pv.names[n] = true
		}
	}
	for _, st := range w.Storage {
		n := strings.ToLower(path.Base(st.Path))
		if len(validation.IsDNS1123Label(n)) > 0 || len(n) > 40 {
			pv.storageN = true
			continue
		}
		pv.names[n] = true
		pv.storageN = pv.storageN || len(w.Storage) > 1
	}
	entries := d.node.Body.Entries
	mountsOf(r.Name, entries)
	for _, e := range entries {
		key := e.Key.Name()
		switch {
		case e.Key.String != nil:
		case e.Label != nil && (key == "container" || key == "init" || key == "sidecar") && e.Block != nil:
			mountsOf(*e.Label.Ident, e.Block.Entries)
		case e.Label == nil && key == "pod":
			for _, item := range listItems(blockField(entryValue(e), "volumes")) {
				if v := blockField(item, "name"); v != nil {
					if n, ok := c.quietStr(v); ok {
						pv.names[n] = true
					}
				}
			}
		case e.Label == nil && key == "spec":
			for _, item := range listItems(blockField(entryValue(e), "volumeClaimTemplates")) {
				if v := blockField(blockField(item, "metadata"), "name"); v != nil {
					if n, ok := c.quietStr(v); ok {
						pv.names[n] = true
					}
				}
			}
		}
	}
	for _, u := range uses {
		if pv.has(u.name) {
			continue
		}
		who := r.Kind.String() + " " + quote(r.Name)
		if u.container != r.Name {
			who = "container " + quote(u.container) + " of " + who
		}
		dg := c.errorf(u.at, CodeUnknownVolume, "%s mounts volume %q, which the Pod does not have", who, u.name)
		if s := diag.Suggest(u.name, pv.sorted()); s != "" {
			dg.Hint("did you mean %q?", s)
		} else {
			dg.Hint("declare it in the workload (`volume %s = emptydir`) or in `pod { volumes = [...] }`", u.name)
		}
	}
}

// ownVolumeNamed reports whether the workload declares a volume named n.
func ownVolumeNamed(w *ir.WorkloadSpec, n string) bool {
	for _, v := range w.Volumes {
		if v.Name == n {
			return true
		}
	}
	return false
}

// listItems returns the items of a list value, or nothing.
func listItems(v *syntax.Value) []*syntax.Value {
	if v == nil || v.Right != nil || v.Left.List == nil {
		return nil
	}
	return v.Left.List.Items
}

// blockField returns the value of field key of a block value, or nil.
func blockField(v *syntax.Value, key string) *syntax.Value {
	if v == nil || v.Right != nil || v.Left.Map == nil {
		return nil
	}
	for _, e := range v.Left.Map.Entries {
		if e.Key.Name() == key && e.Label == nil {
			return entryValue(e)
		}
	}
	return nil
}
