// Package kubeyaml reads the documents of a YAML (or JSON) stream into the
// values kubectl and Argo CD make of them, keeping where each value was
// written, and refusing hostile input.
//
// Values are exactly those of sigs.k8s.io/yaml followed by apimachinery's
// JSON decoder, the path kubectl and Argo CD take: YAML 1.1 scalars
// (unquoted yes/no/on/off are booleans, 0777 is octal), whole numbers as
// int64 and others as float64. Positions come from a go-yaml v3 node tree
// of the same text, which also bounds what the text may cost: a document
// larger than MaxDocumentBytes, nesting deeper than MaxDepth, alias
// expansion beyond a fixed budget (billion laughs), self-containing aliases
// and invalid UTF-8 are errors with a line, never a panic or an exhausted
// memory.
//
// Both `wavec plan -f`/`run -f` (runtime/manifest) and the compiler's
// `object` declarations read YAML through this package.
package kubeyaml

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// Limits applied to every document before and while it is decoded.
const (
	// MaxDocumentBytes is the largest document accepted, in bytes: the
	// Kubernetes API server rejects request bodies above 3 MiB, so a larger
	// object could never be applied. The size is checked on the raw text
	// before any parsing.
	MaxDocumentBytes = 3 << 20

	// MaxDepth is the deepest nesting of mappings and sequences accepted in
	// a document (the top-level mapping is depth 1). Real manifests,
	// including large CustomResourceDefinitions, stay well below it.
	MaxDepth = 128

	// maxAliasValues bounds how many values alias expansion may add to a
	// document beyond the number of nodes written in it.
	maxAliasValues = 10000
)

// Document is one document of a stream that holds something besides
// white space and comments.
type Document struct {
	// Index is the 1-based number of the document in the stream, counting
	// only documents that are not blank.
	Index int
	// Line is the 1-based line of the stream where the document's value
	// starts (its first key), or where its text starts when it has no
	// value.
	Line int
	// Value is the decoded value: map[string]any, []any, string, int64,
	// float64, bool, or nil for a document that holds only null.
	Value any

	node *yaml.Node // the top node, for positions
	base int        // the stream line of the document text's first line
}

// TextLine returns the 1-based stream line where the document's text
// starts (which may be a comment or blank line before its value).
func (d *Document) TextLine() int { return d.base }

// Scalar returns the text of the document when its value is a scalar.
func (d *Document) Scalar() string {
	if d.node != nil && d.node.Kind == yaml.ScalarNode {
		return d.node.Value
	}
	return ""
}

// Node is where a value of a document is written; the zero Node is the
// whole document.
type Node struct {
	doc *Document
	n   *yaml.Node
}

// Root returns the node of the document's value.
func (d *Document) Root() Node { return Node{d, d.node} }

// Line returns the 1-based stream line where the value is written, or the
// document's line when it is not known.
func (n Node) Line() int {
	if n.n == nil || n.doc == nil {
		if n.doc != nil {
			return n.doc.Line
		}
		return 0
	}
	return n.doc.base + n.n.Line - 1
}

// Column returns the 1-based column of the value, or 0 when not known.
func (n Node) Column() int {
	if n.n == nil {
		return 0
	}
	return n.n.Column
}

// Key returns the node of key's value in a mapping node, or a node
// without a position (whose Line is the document's) when there is none.
func (n Node) Key(key string) Node {
	m := deref(n.n)
	if m == nil || m.Kind != yaml.MappingNode {
		return Node{doc: n.doc}
	}
	var found *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := deref(m.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			found = m.Content[i+1]
		}
	}
	if found == nil {
		return Node{doc: n.doc}
	}
	return Node{n.doc, deref(found)}
}

// Item returns the node of the i-th item of a sequence node, or a node
// without a position.
func (n Node) Item(i int) Node {
	s := deref(n.n)
	if s == nil || s.Kind != yaml.SequenceNode || i >= len(s.Content) {
		return Node{doc: n.doc}
	}
	return Node{n.doc, deref(s.Content[i])}
}

// Known reports whether the node has a position of its own.
func (n Node) Known() bool { return n.n != nil }

// Error is a problem with one document (or, with Doc 0, the stream).
type Error struct {
	// Doc is the 1-based document number, or 0 for a read error.
	Doc int
	// Line and Column locate the problem in the stream (1-based); Column is
	// 0 when only the line is known, and Line is 0 when neither is.
	Line, Column int
	// Message describes the problem without a trailing period, e.g.
	// "invalid YAML: did not find expected node content".
	Message string
}

// Error returns "line L: document N: MESSAGE".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Doc > 0 {
		fmt.Fprintf(&b, "document %d: ", e.Doc)
	}
	b.WriteString(e.Message)
	return b.String()
}

// batchSize is how many documents Read decodes in parallel at a time; it
// bounds the raw text held besides the decoded values.
const batchSize = 128

// Read splits a stream into documents and decodes them, in parallel
// batches since documents are independent. It calls yield for each
// non-blank document, in stream order, with the document or the problem
// that kept it from being decoded (and a nil document). A document holding
// only null is yielded with a nil Value. A read error of r is yielded last,
// as an Error with Doc 0.
func Read(r io.Reader, yield func(*Document, *Error)) {
	type job struct {
		c   chunk
		doc int
		d   *Document
		err *Error
	}
	var (
		doc   int
		batch []*job
	)
	flush := func() {
		workers := min(runtime.GOMAXPROCS(0), len(batch))
		var (
			next atomic.Int64
			wg   sync.WaitGroup
		)
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(batch) {
						return
					}
					if j := batch[i]; j.err == nil {
						j.d, j.err = decode(j.c, j.doc)
					}
				}
			})
		}
		wg.Wait()
		for _, j := range batch {
			yield(j.d, j.err)
		}
		batch = batch[:0]
	}
	s := newSplitter(r)
	for {
		c, ok := s.next()
		if !ok {
			break
		}
		if c.tooLarge {
			doc++
			batch = append(batch, &job{err: &Error{Doc: doc, Line: c.line,
				Message: fmt.Sprintf("document is %s, larger than the %s the Kubernetes API server accepts", byteSize(c.size), byteSize(MaxDocumentBytes))}})
			continue
		}
		if blank(c.data) {
			continue
		}
		doc++
		batch = append(batch, &job{c: c, doc: doc})
		if len(batch) == batchSize {
			flush()
		}
	}
	flush()
	if err := s.readErr(); err != nil {
		yield(nil, &Error{Message: "read failed: " + err.Error()})
	}
}

// ReadBytes reads the documents of data as Read does and returns them in
// order, with every problem found.
func ReadBytes(data []byte) ([]*Document, []*Error) {
	var (
		docs []*Document
		errs []*Error
	)
	Read(bytes.NewReader(data), func(d *Document, e *Error) {
		if e != nil {
			errs = append(errs, e)
		} else {
			docs = append(docs, d)
		}
	})
	return docs, errs
}

func byteSize(n int) string {
	const mib = 1 << 20
	if n%mib == 0 {
		return fmt.Sprintf("%d MiB", n/mib)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/mib)
}

var yamlLineError = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`yaml: line (\d+): (.*)$`) })

// decode parses one non-blank document.
func decode(c chunk, doc int) (*Document, *Error) {
	fail := func(line, col int, format string, a ...any) (*Document, *Error) {
		e := &Error{Doc: doc, Line: c.line, Message: fmt.Sprintf(format, a...)}
		if line > 0 {
			e.Line, e.Column = c.line+line-1, col
		}
		return nil, e
	}
	if msg, at := checkUTF8(c.data); msg != "" {
		line := 1 + bytes.Count(c.data[:at], []byte("\n"))
		return fail(line, 0, "%s", msg)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(c.data, &root); err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLineError().FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		if strings.Contains(msg, "exceeded max depth") {
			msg = fmt.Sprintf("nesting is deeper than %d levels", MaxDepth)
		}
		return fail(line, 0, "invalid YAML: %s%s", msg, templateHint(c.data))
	}
	d := &Document{Index: doc, Line: c.line, base: c.line}
	if root.Kind == 0 || len(root.Content) == 0 {
		return d, nil
	}
	d.node = root.Content[0]
	d.Line = c.line + d.node.Line - 1
	l := &limiter{budget: maxAliasValues + countNodes(&root, 0)}
	if n, msg := l.walk(&root, 1); msg != "" {
		return fail(n.Line, n.Column, "%s%s", msg, templateHint(c.data))
	}
	js, err := sigsyaml.YAMLToJSON(c.data)
	if err == nil {
		err = utiljson.Unmarshal(js, &d.Value)
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		line := 0
		if m := yamlLineError().FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		return fail(line, 0, "invalid YAML: %s%s", strings.TrimPrefix(msg, "yaml: "), templateHint(c.data))
	}
	return d, nil
}

// templateHint explains a YAML error in a document that holds template
// actions.
func templateHint(data []byte) string {
	if bytes.Contains(data, []byte("{{")) {
		return " (this looks like a Helm or Go template; render it first, e.g. with `helm template`)"
	}
	return ""
}

// limiter walks a node tree before it is decoded, enforcing the limits and
// finding, with their positions, the problems sigs.k8s.io/yaml reports
// without one.
type limiter struct {
	// budget is how many more values alias expansion may produce.
	budget int
	// inAlias counts the aliases being expanded around the current node.
	inAlias int
	// expanding marks anchored nodes whose alias is being expanded, to
	// reject an alias that refers to a node containing it.
	expanding map[*yaml.Node]bool
}

// countNodes counts the nodes written in the document (aliases count once,
// their targets are not followed), stopping deeper than MaxDepth.
func countNodes(n *yaml.Node, depth int) int {
	if depth > MaxDepth+1 {
		return 0
	}
	c := 1
	for _, k := range n.Content {
		c += countNodes(k, depth+1)
	}
	return c
}

// walk checks n, found at the given depth (the document's top-level node is
// at depth 1), and returns the node at fault and a message, or "".
func (l *limiter) walk(n *yaml.Node, depth int) (*yaml.Node, string) {
	if l.inAlias > 0 {
		l.budget--
		if l.budget < 0 {
			return n, fmt.Sprintf("document expands aliases into too many values (more than %d); aliases that multiply like this are a known attack (\"billion laughs\")", maxAliasValues)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if at, msg := l.walk(c, depth); msg != "" {
				return at, msg
			}
		}
	case yaml.AliasNode:
		target := n.Alias
		if target == nil {
			return n, fmt.Sprintf("unknown anchor %q", n.Value)
		}
		if l.expanding[target] {
			return n, fmt.Sprintf("alias *%s refers to a value that contains it", n.Value)
		}
		if l.expanding == nil {
			l.expanding = make(map[*yaml.Node]bool)
		}
		l.expanding[target] = true
		l.inAlias++
		at, msg := l.walk(target, depth)
		l.inAlias--
		delete(l.expanding, target)
		return at, msg
	case yaml.ScalarNode:
		if n.Tag == "!!float" {
			switch v := strings.ToLower(strings.TrimLeft(n.Value, "+-")); v {
			case ".nan", ".inf":
				return n, fmt.Sprintf("unsupported value %s: JSON has no NaN or infinity", map[string]string{".nan": "NaN", ".inf": "infinity"}[v])
			}
		}
	case yaml.MappingNode, yaml.SequenceNode:
		if depth > MaxDepth {
			return n, fmt.Sprintf("nesting is deeper than %d levels", MaxDepth)
		}
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				if at, msg := checkKey(c); msg != "" {
					return at, msg
				}
			}
			if at, msg := l.walk(c, depth+1); msg != "" {
				return at, msg
			}
		}
	}
	return nil, ""
}

// checkKey reports a mapping key JSON cannot name.
func checkKey(k *yaml.Node) (*yaml.Node, string) {
	t := deref(k)
	if t == nil {
		return k, ""
	}
	switch {
	case t.Kind == yaml.MappingNode:
		return k, "mapping key must be a scalar, not a mapping"
	case t.Kind == yaml.SequenceNode:
		return k, "mapping key must be a scalar, not a sequence"
	case t.Kind == yaml.ScalarNode && t.Tag == "!!null":
		return k, "mapping key must not be null"
	}
	return nil, ""
}

// deref follows an alias node to its target.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 10; i++ {
		n = n.Alias
	}
	return n
}

// checkUTF8 returns a message and the offset of the first bad byte when
// data is not valid UTF-8.
func checkUTF8(data []byte) (string, int) {
	if utf8.Valid(data) {
		return "", 0
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return "file is UTF-16; convert it to UTF-8", 0
	}
	i := invalidUTF8At(data)
	col := i - bytes.LastIndexByte(data[:i], '\n')
	return fmt.Sprintf("invalid UTF-8 (byte 0x%02x at column %d); manifests must be UTF-8", data[i], col), i
}

// invalidUTF8At returns the offset of the first byte that is not valid
// UTF-8, or len(data).
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}
