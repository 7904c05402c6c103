package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/kubeyaml"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// maxObjectFile is the largest YAML file an object may read.
const maxObjectFile = 16 << 20

// object reads and checks the YAML of an `object` declaration.
func (c *checker) object(d *decl) {
	o, r := d.obj, d.res
	r.Object = &ir.ObjectSpec{}
	var data []byte
	var at docPlace
	switch {
	case o.From != nil:
		rel := c.interpolate(o.From, d.file, true)
		var ok bool
		data, ok = c.readObjectFile(d, rel, span(o.From))
		if !ok {
			return
		}
		r.Object.File = filepath.Join(dirOf(d.file), rel)
		at = func(line int) (source.Span, source.Span) {
			return span(o.From), source.Span{Start: source.Pos{Filename: r.Object.File, Line: line + 1, Column: 1}}
		}
	case o.Inline != nil:
		data = []byte(c.interpolate(o.Inline, d.file, true))
		at = inlinePlace(o.Inline, d.file.Source)
	default:
		c.errorf(r.NameSpan, CodeMissingField, "object %q has no YAML", r.Name).
			Hint("read it from a file, `object %s from \"%s.yaml\"`, or write it inline, `object %s = \"\"\" ... \"\"\"`", r.Name, r.Name, r.Name)
		return
	}
	r.Object.Docs, d.docAt = c.parseDocs(data, at, r.Name)
}

// readObjectFile reads rel from the directory of the .wave file, refusing
// paths that leave it.
func (c *checker) readObjectFile(d *decl, rel string, at source.Span) ([]byte, bool) {
	dir := dirOf(d.file)
	if rel == "" || filepath.IsAbs(rel) || !filepath.IsLocal(filepath.FromSlash(rel)) {
		c.errorf(at, CodeObjectFile, "object file %q is outside the pipeline's directory", rel).
			Note(source.Span{}, "files are read relative to %s and must stay inside it", dir).
			Hint("copy the file into the pipeline's directory and name it relative to the .wave file, e.g. \"crds/widgets.yaml\"")
		return nil, false
	}
	open := c.opts.OpenDir
	if open == nil {
		open = os.OpenRoot
	}
	root, err := open(dir)
	if err != nil {
		c.errorf(at, CodeObjectFile, "cannot open directory %s: %v", dir, unwrap(err))
		return nil, false
	}
	defer root.Close()
	// O_NONBLOCK: opening a named pipe would otherwise wait for a writer,
	// forever; the file is then refused for not being a regular file.
	f, err := root.OpenFile(filepath.FromSlash(rel), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err == nil {
		defer f.Close()
		if fi, serr := f.Stat(); serr == nil && !fi.Mode().IsRegular() {
			c.errorf(at, CodeObjectFile, "object file %q is not a regular file", rel).
				Hint("name a YAML file")
			return nil, false
		}
		var data []byte
		data, err = io.ReadAll(io.LimitReader(f, maxObjectFile+1))
		if err == nil && len(data) > maxObjectFile {
			c.errorf(at, CodeObjectFile, "object file %q is larger than %d MiB", rel, maxObjectFile>>20)
			return nil, false
		}
		if err == nil {
			return data, true
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.errorf(at, CodeObjectFile, "object file %q does not exist", rel).
			Note(source.Span{}, "files are read relative to %s", dir)
	case strings.Contains(err.Error(), "escapes"):
		c.errorf(at, CodeObjectFile, "object file %q leads outside the pipeline's directory through a symbolic link", rel).
			Hint("copy the file into the pipeline's directory instead of linking to it")
	default:
		c.errorf(at, CodeObjectFile, "cannot read object file %q: %v", rel, unwrap(err))
	}
	return nil, false
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// docPlace maps a line of an object's YAML (0-based) to the span a
// diagnostic about it points at, and to a note's span (invalid when the
// subject is precise already).
type docPlace func(line int) (subject, note source.Span)

// inlinePlace maps the lines of an inline YAML string to their place in the
// .wave file.
func inlinePlace(s *syntax.String, sf *source.File) docPlace {
	return func(line int) (source.Span, source.Span) {
		raw := s.Raw
		k := line
		if s.IsTriple() {
			first, _, _ := strings.Cut(raw[3:], "\n")
			if strings.TrimSpace(first) == "" {
				k++ // the value starts on the line after the opening quotes
			}
		}
		off := 0
		for i := 0; i < k; i++ {
			j := strings.IndexByte(raw[off:], '\n')
			if j < 0 {
				return span(s), source.Span{}
			}
			off += j + 1
		}
		// The opening quotes precede the value's first line, and the
		// closing ones follow its last: neither is part of the YAML.
		quote := 1
		if s.IsTriple() {
			quote = 3
		}
		if k == 0 {
			off = min(quote, len(raw))
		}
		end := off + strings.IndexByte(raw[off:]+"\n", '\n')
		if end == len(raw) {
			end = max(off, end-quote)
		}
		for off < end && (raw[off] == ' ' || raw[off] == '\t') {
			off++
		}
		if off >= end {
			return span(s), source.Span{}
		}
		return sf.Span(s.Pos.Offset+off, s.Pos.Offset+end), source.Span{}
	}
}

// parseDocs reads YAML into objects (kubeyaml, so values are what kubectl
// and Argo CD read) and checks each has apiVersion, kind and metadata.name.
func (c *checker) parseDocs(data []byte, at docPlace, name string) ([]*unstructured.Unstructured, []source.Span) {
	var out []*unstructured.Unstructured
	var spans []source.Span
	failed := false
	report := func(n, line int, what, format string, args ...any) {
		failed = true
		subject, note := at(line)
		d := c.errorf(subject, CodeYAML, "object %q, document %d: %s", name, n, fmt.Sprintf(format, args...))
		if note.IsValid() {
			d.Note(note, "%s", what)
		}
		d.Hint("each document must be a Kubernetes object with apiVersion, kind and metadata.name")
	}
	text := string(data)
	var lineStarts []int // byte offsets of the lines of text, for the schema checks' positions
	kubeyaml.Read(bytes.NewReader(data), func(doc *kubeyaml.Document, e *kubeyaml.Error) {
		if e != nil {
			report(e.Doc, max(e.Line-1, 0), "the problem is here", "%s", e.Message)
			return
		}
		if lineStarts == nil {
			lineStarts = append(lineStarts, 0)
			for i := 0; i < len(text); i++ {
				if text[i] == '\n' {
					lineStarts = append(lineStarts, i+1)
				}
			}
		}
		// The document's text runs from its first line to the end of the
		// stream; the schema checks parse only its first document.
		first := min(doc.TextLine(), len(lineStarts)) - 1
		yd := yamlDoc{text: text[lineStarts[first]:], line: first}
		if u, ok := c.checkDoc(doc, yd, at, name, report); ok {
			c.keepObjectDoc(name, doc.Index, yd, at, u) // checked against its schema later (objectschema.go)
			out = append(out, u)
			subject, _ := at(doc.Line - 1)
			spans = append(spans, subject)
		}
	})
	if c.failedDocs {
		failed, c.failedDocs = true, false
	}
	if len(out) == 0 && !failed {
		subject, _ := at(0)
		c.errorf(subject, CodeYAML, "object %q has no documents", name).
			Hint("write at least one Kubernetes object")
	}
	return out, spans
}

// checkDoc checks one document of an object's YAML and returns it as an
// object, reporting what is wrong with it through report.
func (c *checker) checkDoc(doc *kubeyaml.Document, yd yamlDoc, at docPlace, name string, report func(n, line int, what, format string, args ...any)) (*unstructured.Unstructured, bool) {
	n := doc.Index
	bad := func(format string, args ...any) (*unstructured.Unstructured, bool) {
		report(n, doc.Line-1, "the document starts here", format, args...)
		return nil, false
	}
	m, ok := doc.Value.(map[string]any)
	if !ok {
		return bad("not a mapping")
	}
	if md, ok := m["metadata"]; ok {
		b, _ := json.Marshal(md)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var om metav1.ObjectMeta
		if err := dec.Decode(&om); err != nil {
			if c.badMetadata(name, n, yd, at, m) { // objectschema.go
				c.failedDocs = true
				return nil, false
			}
			return bad("metadata is not valid: %v", err)
		}
	}
	u := &unstructured.Unstructured{Object: m}
	if strings.HasSuffix(u.GetKind(), "List") && m["items"] != nil {
		return bad("lists are not supported; write the items as separate documents")
	}
	switch {
	case u.GetAPIVersion() == "":
		return bad("no apiVersion")
	case u.GetKind() == "":
		return bad("no kind")
	case u.GetName() == "" && u.GetGenerateName() == "":
		return bad("%s has no metadata.name", u.GetKind())
	case u.GetName() == "":
		// A hook named at sync time (checked to be a hook by
		// generatedNames): the generated name must be a valid name.
		if msgs := validation.IsDNS1123Subdomain(u.GetGenerateName() + "x"); len(msgs) > 0 {
			return bad("%s generateName %q is not valid: %s", u.GetKind(), u.GetGenerateName(), plain(msgs))
		}
	default:
		if msgs := validation.IsDNS1123Subdomain(u.GetName()); len(msgs) > 0 && u.GetKind() != "CustomResourceDefinition" {
			return bad("%s name %q is not valid: %s", u.GetKind(), u.GetName(), plain(msgs))
		}
	}
	delete(m, "status")
	ann := u.GetAnnotations()
	var dropped []string
	for _, a := range argocd.OrderingAnnotations {
		if _, ok := ann[a]; ok {
			dropped = append(dropped, a)
			delete(ann, a)
		}
	}
	if len(dropped) > 0 {
		subject, note := at(doc.Line - 1)
		d := c.warnf(subject, CodeYAMLOrdering, "object %q, document %d: %s %q has %s, which wavec replaces", name, n, u.GetKind(), u.GetName(), strings.Join(dropped, ", ")).
			Hint("say the order in the pipeline, e.g. `presync wave -1 < object %s >`, and remove the annotations from the YAML", name)
		if note.IsValid() {
			d.Note(note, "the document starts here")
		}
		if len(ann) == 0 {
			unstructured.RemoveNestedField(m, "metadata", "annotations")
		} else {
			u.SetAnnotations(ann)
		}
	}
	return u, true
}

// identity is what makes two objects the same object in a cluster.
type identity struct {
	group, kind, namespace, name string
}

// typedIdentity returns the object a typed declaration creates; false for
// declarations that create none of their own (external ones, and objects
// written as YAML, whose documents say what they create).
func (c *checker) typedIdentity(r *ir.Resource) (identity, bool) {
	if r.Object != nil || r.External || r.Kind == ir.Object {
		return identity{}, false
	}
	ns := c.p.Namespace
	if r.Kind.ClusterScoped() {
		ns = ""
	}
	return identity{kindGroup(r.Kind), r.Kind.KubeKind(), ns, r.Name}, true
}

// objectNamespaces gives namespaced objects the pipeline's namespace and
// reports two declarations of the same object.
func (c *checker) objectNamespaces() {
	// Kinds a CRD of the pipeline defines with scope Cluster join the
	// built-in cluster-scoped kinds; any other kind is namespaced.
	crdCluster := map[schema.GroupKind]bool{}
	for _, d := range c.order_ {
		if d.res.Object == nil {
			continue
		}
		for _, u := range d.res.Object.Docs {
			if isCRD(u) {
				scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
				group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
				kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
				if scope == "Cluster" {
					crdCluster[schema.GroupKind{Group: group, Kind: kind}] = true
				}
			}
		}
	}
	seen := make(map[identity]*decl, len(c.order_))
	for _, d := range c.order_ {
		r := d.res
		if r.Object == nil {
			if id, ok := c.typedIdentity(r); ok {
				seen[id] = d
			}
			continue
		}
		for i, u := range r.Object.Docs {
			at := d.docAt[i]
			gk := u.GroupVersionKind().GroupKind()
			cluster := argocd.ClusterScoped(gk) || crdCluster[gk]
			if !cluster && u.GetNamespace() == "" {
				u.SetNamespace(c.p.Namespace)
			}
			if cluster && u.GetNamespace() != "" {
				c.errorf(at, CodeYAML, "object %q: %s %q is cluster-scoped but has namespace %q", r.Name, u.GetKind(), u.GetName(), u.GetNamespace()).
					Hint("remove metadata.namespace from it")
			}
			gv, _ := schema.ParseGroupVersion(u.GetAPIVersion())
			id := identity{gv.Group, u.GetKind(), u.GetNamespace(), u.GetName()}
			if u.GetName() == "" {
				// Argo CD names each generateName hook anew at every sync.
				continue
			}
			if prev, ok := seen[id]; ok {
				c.errorf(at, CodeDuplicate, "object %q declares %s %q, which %s declares too", r.Name, u.GetKind(), u.GetName(), prev.res.Ref()).
					Note(prev.res.NameSpan, "%s is declared here", prev.res.Ref()).
					Hint("declare each object once")
				continue
			}
			seen[id] = d
		}
	}
}

func kindGroup(k ir.Kind) string { return k.Group() }

func isCRD(u *unstructured.Unstructured) bool {
	return u.GetKind() == "CustomResourceDefinition" && strings.HasPrefix(u.GetAPIVersion(), "apiextensions.k8s.io/")
}

// yamlDoc is the text of one YAML document: text starts at the document's
// first line, line 0-based in the stream (the schema checks parse it again
// for the positions of fields).
type yamlDoc struct {
	text string
	line int
}

// generatedNames reports an object document that has only a
// metadata.generateName but is not a hook: Argo CD names hooks from their
// generateName at each sync, and cannot apply any other object without a
// name.
func (c *checker) generatedNames() {
	for _, d := range c.order_ {
		r := d.res
		for _, rd := range r.Reads {
			if rd.Target.GenerateName != "" {
				c.errorf(rd.Span, CodeNotHere, "%s reads %s, whose name is generated at each sync", r.Describe(), rd.Target.Describe()).
					Note(rd.Target.NameSpan, "%s is declared here", rd.Target.Ref()).
					Hint("give %s a name: remove its generate_name", rd.Target.Ref())
			}
		}
		if r.Object == nil && r.GenerateName != "" && !r.Placement.IsHook() {
			c.errorf(r.NameSpan, CodeNotHere, "%s has a generate_name, and only hooks may: Argo CD names a hook at each sync and applies nothing else without a name", r.Describe()).
				Hint("place it in a hook statement, e.g. `presync < %s >`, or remove generate_name", r.Ref())
		}
		if r.Object == nil || r.Placement.IsHook() {
			continue
		}
		for i, u := range r.Object.Docs {
			if u.GetName() == "" && u.GetGenerateName() != "" {
				c.errorf(d.docAt[i], CodeYAML, "object %q, document %d: %s has a generateName but no name, and only hooks may: Argo CD names a hook at each sync and applies nothing else without a name", r.Name, i+1, u.GetKind()).
					Hint("place it in a hook statement, e.g. `presync < object %s >`, or give it a metadata.name", r.Name)
			}
		}
	}
}
