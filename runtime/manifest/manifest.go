// Package manifest reads Kubernetes objects from YAML and JSON for
// `wavec plan -f` and `wavec run -f`, and from the YAML the compiler emits.
//
// Input is files, directories (walked recursively for *.yaml, *.yml and
// *.json, in lexical order) and standard input. A stream may hold many
// documents separated by `---`; `kind: List` and other *List kinds are
// unpacked into their items; empty documents are skipped. Every object keeps
// a Source (file, document index, line) so later stages can point at it.
//
// Documents are read by kubeyaml, so values are exactly those kubectl and
// Argo CD get from the same text (sigs.k8s.io/yaml: YAML 1.1 scalars, so
// unquoted yes/no/on/off are booleans and 0777 is octal), and hostile input
// is bounded there: malformed YAML, a document larger than
// MaxDocumentBytes, nesting deeper than MaxDepth, excessive alias expansion
// (billion laughs) and invalid UTF-8 are reported as an Error naming file,
// document and line, as are a document that is not a mapping and one
// without apiVersion or kind. Bad input never panics.
package manifest

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/kubeyaml"
)

// The limits of kubeyaml apply to every document.
const (
	// MaxDocumentBytes is the largest document accepted, in bytes.
	MaxDocumentBytes = kubeyaml.MaxDocumentBytes
	// MaxDepth is the deepest nesting of mappings and sequences accepted.
	MaxDepth = kubeyaml.MaxDepth
)

// StdinName is the file name used in sources of objects read from standard
// input.
const StdinName = "<stdin>"

// Source says where an object was read from.
type Source struct {
	// File is the path as given (or found while walking a directory), or
	// StdinName, or the name passed to LoadReader.
	File string
	// Doc is the 1-based index of the document within File, counting only
	// documents that are not empty. It is 0 when the problem concerns the
	// whole file.
	Doc int
	// Line is the 1-based line in File where the object starts (its first
	// key), or 0 when unknown.
	Line int
	// Column is the 1-based column of the problem on Line, or 0 when
	// unknown.
	Column int
	// Item is the 1-based index of the object within a List document, or 0
	// when the object is the document itself.
	Item int
}

// Position returns "FILE:LINE", or just "FILE" when the line is unknown.
func (s Source) Position() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return s.File
}

// String returns "FILE:LINE: document N", with ", item M" for objects
// unpacked from a List; the parts that are unknown are left out.
func (s Source) String() string {
	var b strings.Builder
	b.WriteString(s.Position())
	if s.Doc > 0 {
		fmt.Fprintf(&b, ": document %d", s.Doc)
		if s.Item > 0 {
			fmt.Fprintf(&b, ", item %d", s.Item)
		}
	}
	return b.String()
}

// Label returns the prefix used for diagnostics about an object:
// "FILE:LINE: document N (Kind/name)". The object part is left out when
// object is empty.
func (s Source) Label(object string) string {
	if object == "" {
		return s.String()
	}
	return fmt.Sprintf("%s (%s)", s.String(), object)
}

// Object is a Kubernetes object read from a manifest together with where it
// came from. The embedded Unstructured is the object as the API server would
// receive it; Source is not part of it.
type Object struct {
	*unstructured.Unstructured
	// Source is where the object was read from.
	Source Source

	node kubeyaml.Node // where the object is written, when it was read
}

// AnnotationSource returns where the value of the annotation key is
// written, or the object's Source when that is not known.
func (o Object) AnnotationSource(key string) Source {
	return o.FieldSource("metadata", "annotations", key)
}

// FieldSource returns where the value at the path of keys is written, or
// the object's Source when that is not known.
func (o Object) FieldSource(path ...string) Source {
	s := o.Source
	n := o.node
	for _, k := range path {
		n = n.Key(k)
	}
	if n.Known() {
		s.Line, s.Column = n.Line(), n.Column()
	}
	return s
}

// Ref returns "Kind/name" for the object, using "Kind/generateName*" for
// an object whose name the server generates and "Kind" when neither is set.
func (o Object) Ref() string {
	return ObjectRef(o.Unstructured)
}

// ObjectRef returns "Kind/name" for obj, "Kind/generateName*" for an object
// whose name the server generates, and "Kind" when neither is set.
func ObjectRef(obj *unstructured.Unstructured) string {
	kind := obj.GetKind()
	switch {
	case obj.GetName() != "":
		return kind + "/" + obj.GetName()
	case obj.GetGenerateName() != "":
		return kind + "/" + obj.GetGenerateName() + "*"
	}
	return kind
}

// Error is a problem with one document or file of the input.
type Error struct {
	// Source locates the problem; Doc is 0 for problems with a whole file.
	Source Source
	// Object is "Kind/name" when the document was decoded far enough to
	// know it, and empty otherwise.
	Object string
	// Message describes the problem in a full sentence without a trailing
	// period, e.g. "document has no kind".
	Message string
	// Kustomize is the directory when the problem is a kustomization that
	// only kustomize can render; the command reading it says how to pass
	// the rendered YAML to it (ErrorList.Diagnostics).
	Kustomize string
}

// Error returns "FILE:LINE: document N (Kind/name): MESSAGE".
func (e *Error) Error() string {
	return e.Source.Label(e.Object) + ": " + e.Message
}

// ErrorList is a list of input problems in the order they were found
// (files in the order given, documents in file order).
type ErrorList []*Error

// Error returns the first error and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
