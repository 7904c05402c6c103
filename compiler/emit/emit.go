// Package emit turns a checked pipeline (compiler/ir) into Kubernetes
// objects with Argo CD's annotations, and those into YAML.
//
// Built-in kinds are built as typed k8s.io/api objects and converted to
// unstructured form; objects from YAML are taken as the checker read them.
// Output is normalised and deterministic:
//
//   - documents are sorted in Argo CD's sync order (argocd.Compare): phase
//     (PreSync, Sync, PostSync, SyncFail, then PreDelete, PostDelete, Skip),
//     wave, kind in Argo CD's kind order, name; then kind, namespace and
//     apiVersion;
//   - map keys are sorted, and the YAML is byte for byte that of
//     sigs.k8s.io/yaml's go-yaml v2 (kubeyaml.Marshal);
//   - null values, empty maps (except emptyDir: {}) and status are dropped
//     from built-in kinds, so there is no creationTimestamp: null, status: {}
//     or resources: {}.
package emit

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/kubeyaml"
)

// Labels wavec writes; the annotations are argocd's.
const (
	// NameLabel is the object's own name.
	NameLabel = "app.kubernetes.io/name"
	// PartOfLabel is the pipeline's name.
	PartOfLabel = "app.kubernetes.io/part-of"
	// ManagedByLabel is always "wavec".
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedBy is the value of ManagedByLabel.
	ManagedBy = "wavec"
)

// Document is one emitted object.
type Document struct {
	// Resource is the declaration the object comes from.
	Resource *ir.Resource
	// Object is the object as applied. Callers must not modify it. It is
	// nil when the documents were emitted with Options.YAMLOnly.
	Object *unstructured.Unstructured
	// YAML is the object serialised, without a document separator.
	YAML []byte
	// key is what the sync order compares beyond phase and wave.
	key docKey
}

// docKey identifies a document's object in the sync order: its name is
// the generateName of an object that has no name.
type docKey struct {
	kind, name, namespace, apiVersion string
}

// Options adjust Emit.
type Options struct {
	// YAMLOnly drops each object once it is serialised: Document.Object
	// is nil, Document.YAML is all there is.
	YAMLOnly bool
}

// Phase returns the first phase the object is applied in.
func (d *Document) Phase() argocd.Phase { return d.Resource.Placement.FirstPhase() }

// Wave returns the object's sync wave.
func (d *Document) Wave() int32 { return d.Resource.Placement.Wave }

// Emit builds the objects of a pipeline that checked without errors, in
// sync order. It fails only on a value that cannot be serialised, which
// would be a bug in wavec.
func Emit(p *ir.Pipeline) ([]*Document, error) {
	return EmitWith(p, Options{})
}

// EmitWith is Emit with options.
func EmitWith(p *ir.Pipeline, opts Options) ([]*Document, error) {
	// Resources are built and serialised concurrently, a worker per CPU;
	// each result goes to its resource's slot and the documents are sorted
	// at the end, so the output does not depend on scheduling.
	// Workers take the next resource by counting, not from a channel fed
	// by this goroutine: no hand-over and wake-up for every resource.
	perResource := make([][]*Document, len(p.Resources))
	errs := make([]error, len(p.Resources))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(goruntime.GOMAXPROCS(0), len(p.Resources))) {
		wg.Go(func() {
			// Each worker serialises into one scratch buffer; documents
			// keep exact-size copies, not buffers with room to spare.
			scratch := make([]byte, 0, 16<<10)
			for i := int(next.Add(1) - 1); i < len(p.Resources); i = int(next.Add(1) - 1) {
				if !p.Resources[i].External {
					perResource[i], errs[i] = emitResource(p, p.Resources[i], opts, &scratch)
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for i, r := range p.Resources {
		if errs[i] != nil {
			return nil, fmt.Errorf("%s: %w", r.Ref(), errs[i])
		}
		n += len(perResource[i])
	}
	var docs []*Document // nil when there are none, as before
	if n > 0 {
		docs = make([]*Document, 0, n)
	}
	for _, ds := range perResource {
		docs = append(docs, ds...)
	}
	sortDocuments(docs)
	return docs, nil
}

// emitResource builds and serialises the objects of one resource, using
// *scratch to write the YAML.
func emitResource(p *ir.Pipeline, r *ir.Resource, opts Options, scratch *[]byte) ([]*Document, error) {
	objs, err := build(p, r)
	if err != nil {
		return nil, err
	}
	docs := make([]*Document, 0, len(objs))
	for _, u := range objs {
		decorate(p, r, u)
		b, err := kubeyaml.AppendMarshal((*scratch)[:0], u.Object)
		if err != nil {
			return nil, err
		}
		*scratch = b
		d := &Document{Resource: r, Object: u, YAML: bytes.Clone(b),
			key: docKey{kind: u.GetKind(), name: cmp.Or(u.GetName(), u.GetGenerateName()), namespace: u.GetNamespace(), apiVersion: u.GetAPIVersion()}}
		if opts.YAMLOnly {
			d.Object = nil
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// Join writes documents as one YAML stream, separated by `---` lines.
func Join(docs []*Document) []byte {
	n := 0
	for _, d := range docs {
		n += len(d.YAML) + len("---\n")
	}
	var b bytes.Buffer
	b.Grow(n)
	writeStream(&b, docs)
	return b.Bytes()
}

// Write writes documents to w as the YAML stream Join returns, through a
// buffer of its own, without holding the whole stream in memory.
func Write(w io.Writer, docs []*Document) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	writeStream(bw, docs)
	return bw.Flush()
}

// writeStream writes documents to w separated by `---` lines. Both
// writers Join and Write give it keep a write's error for the end.
func writeStream(w interface {
	io.Writer
	io.StringWriter
}, docs []*Document) {
	for i, d := range docs {
		if i > 0 {
			w.WriteString("---\n")
		}
		w.Write(d.YAML)
	}
}

// explicitTimeout returns the timeout the pipeline gives for r's step or
// hook, or zero: the hook's `timeout`, else a job's own `timeout` (a
// cronjob's `timeout` bounds its Jobs, not the step that applies it).
func explicitTimeout(r *ir.Resource) time.Duration {
	if r.Placement.Timeout != 0 {
		return r.Placement.Timeout
	}
	if r.Kind == ir.Job && r.Workload != nil {
		return r.Workload.Timeout
	}
	return 0
}

// jobDeadline returns the activeDeadlineSeconds of a job's or cronjob's
// Jobs as a duration, or zero.
func jobDeadline(r *ir.Resource) time.Duration {
	if r.Kind == ir.Job && r.Placement.Timeout != 0 {
		return r.Placement.Timeout
	}
	return r.Workload.Timeout
}

// build returns r's objects before labels and annotations are added.
func build(p *ir.Pipeline, r *ir.Resource) ([]*unstructured.Unstructured, error) {
	if r.Object != nil {
		out := make([]*unstructured.Unstructured, 0, len(r.Object.Docs))
		for _, u := range r.Object.Docs {
			out = append(out, u.DeepCopy())
		}
		return out, nil
	}
	// The typed object's map without status, normalised.
	m, err := toObject(typedObject(p, r), "status")
	if err != nil {
		return nil, err
	}
	if err := applyOverlays(m, r.Overlays); err != nil { // general blocks (overlay.go)
		return nil, err
	}
	return []*unstructured.Unstructured{{Object: m}}, nil
}

// Normalize drops null values and empty maps from an object in place,
// keeping `emptyDir: {}`, whose emptiness means something.
func Normalize(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			Normalize(x)
		case []any:
			for _, it := range x {
				if im, ok := it.(map[string]any); ok {
					Normalize(im)
				}
			}
		}
		if !keep(k, v) { // the rule the converter's normalised plans follow too
			delete(m, k)
		}
	}
}

// decorate adds wavec's labels and Argo CD's annotations to u. It works on
// the object's metadata map as Unstructured's GetLabels and SetLabels (and
// their annotation twins) would, without their copies through
// map[string]string: labels or annotations that are not a map of strings
// are replaced, metadata is made when missing, and metadata that is not a
// map is left alone.
func decorate(p *ir.Pipeline, r *ir.Resource, u *unstructured.Unstructured) {
	md, ok := u.Object["metadata"].(map[string]any)
	if _, present := u.Object["metadata"]; !present {
		md, ok = map[string]any{}, true
		u.Object["metadata"] = md
	}
	labels := stringMap(md, "labels")
	for k, v := range p.Labels {
		if _, ok := labels[k]; !ok || r.Object == nil {
			labels[k] = v
		}
	}
	for k, v := range r.Labels {
		labels[k] = v
	}
	// A value the declaration's labels give is kept.
	if _, ok := labels[NameLabel]; !ok || r.Object == nil && r.Labels[NameLabel] == "" {
		name := u.GetName()
		if r.Object == nil {
			name = r.Name
		} else if name == "" { // a hook named at sync time
			name = strings.TrimRight(u.GetGenerateName(), "-.")
		}
		labels[NameLabel] = nameLabel(name)
	}
	labels[PartOfLabel] = p.Name
	labels[ManagedByLabel] = ManagedBy
	if ok {
		md["labels"] = labels
	}

	ann := stringMap(md, "annotations")
	for k, v := range r.Annotations {
		ann[k] = v
	}
	for k, v := range Annotations(r) {
		ann[k] = v
	}
	existing, _ := ann[argocd.AnnotationSyncOptions].(string)
	if opts := syncOptions(existing, r); opts != "" {
		ann[argocd.AnnotationSyncOptions] = opts
	}
	if len(ann) > 0 && ok {
		md["annotations"] = ann
	}
}

// stringMap returns a copy of md[key] when it is a map whose values are
// all strings, else an empty map (md may be nil).
func stringMap(md map[string]any, key string) map[string]any {
	src, _ := md[key].(map[string]any)
	out := make(map[string]any, len(src)+4)
	for k, v := range src {
		if _, ok := v.(string); !ok {
			return map[string]any{}
		}
		out[k] = v
	}
	return out
}

// NameLabelValue returns the value wavec gives NameLabel on an object
// named name (unless its declaration's labels give one of their own).
func NameLabelValue(name string) string { return nameLabel(name) }

// nameLabel returns name as a label value: names longer than 63
// characters (ConfigMaps and CRDs may have up to 253) are cut, and the cut
// ends with a letter or digit.
func nameLabel(name string) string {
	if len(validation.IsValidLabelValue(name)) == 0 {
		return name
	}
	cut := name[:min(len(name), validation.LabelValueMaxLength)]
	return strings.TrimRight(cut, "-_.")
}

// Annotations returns the ordering annotations of r: sync wave, hook, delete
// policy (argocd.Encode) and timeout.
func Annotations(r *ir.Resource) map[string]string {
	out := argocd.Encode(r.Placement.Annotations())
	if t := explicitTimeout(r); t != 0 {
		out[argocd.AnnotationTimeout] = t.String()
	}
	return out
}

// syncOptions merges the object's own sync options with prune,
// prune_last and the other sync-option fields (r.SyncOptions).
func syncOptions(existing string, r *ir.Resource) string {
	var opts []string
	for _, o := range argocd.SplitList(existing) {
		if (r.NoPrune && strings.HasPrefix(o, "Prune=")) || (r.PruneLast && strings.HasPrefix(o, "PruneLast=")) {
			continue
		}
		opts = append(opts, o)
	}
	if r.NoPrune {
		opts = append(opts, "Prune=false")
	}
	if r.PruneLast {
		opts = append(opts, "PruneLast=true")
	}
	opts = append(opts, r.SyncOptions...)
	return strings.Join(opts, ",")
}
