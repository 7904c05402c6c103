package check

import (
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/compiler/kubeschema"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// The documents of `object` declarations are checked against the schema of
// their kind: built-in kinds against their k8s.io/api type (compiler/
// kubeschema), custom resources against the openAPIV3Schema of a CRD that
// the pipeline declares. Each problem is reported at the line and column of
// the YAML, inside the .wave file for inline YAML.

// objectDoc is a document of an object declaration, kept for the schema
// checks, which need every CRD of the pipeline.
type objectDoc struct {
	name string // the declaration's name
	n    int    // the document's number, from 1
	doc  yamlDoc
	at   docPlace
	u    *unstructured.Unstructured
	root *yaml.Node // parsed on demand, for positions
}

// keepObjectDoc records a document that parsed as an object.
func (c *checker) keepObjectDoc(name string, n int, doc yamlDoc, at docPlace, u *unstructured.Unstructured) {
	c.objectDocs = append(c.objectDocs, &objectDoc{name: name, n: n, doc: doc, at: at, u: u})
}

// badMetadata reports what is wrong with a document's metadata, at its
// place, and reports whether it found anything.
func (c *checker) badMetadata(name string, n int, doc yamlDoc, at docPlace, m map[string]any) bool {
	var ps []problem
	checkValue(m["metadata"], kubeschema.Builtin().TypeOf(metav1.ObjectMeta{}), []pathElem{field("metadata")}, &ps)
	if len(ps) == 0 {
		return false
	}
	od := &objectDoc{name: name, n: n, doc: doc, at: at, u: &unstructured.Unstructured{Object: m}}
	for _, p := range ps {
		c.objectProblem(od, p)
	}
	return true
}

// problem is one thing wrong with a document, at a path inside it.
type problem struct {
	path   []pathElem
	key    bool // point at the key of the last element rather than its value
	code   diag.Code
	msg    string
	hint   string
	within string // for an unknown field: the path of the object it is in
}

// crdVersion is the schema of one version of a CRD of the pipeline.
type crdVersion struct {
	schema map[string]any
}

// checkObjectSchemas checks every kept document against its kind's schema.
func (c *checker) checkObjectSchemas() {
	if len(c.objectDocs) == 0 {
		return
	}
	crds := map[schema.GroupKind]map[string]crdVersion{}
	crdNames := map[schema.GroupKind]string{}
	for _, od := range c.objectDocs {
		if !isCRD(od.u) {
			continue
		}
		group, _, _ := unstructured.NestedString(od.u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(od.u.Object, "spec", "names", "kind")
		versions, _, _ := unstructured.NestedSlice(od.u.Object, "spec", "versions")
		gk := schema.GroupKind{Group: group, Kind: kind}
		if crds[gk] == nil {
			crds[gk] = map[string]crdVersion{}
			crdNames[gk] = od.u.GetName()
		}
		for _, v := range versions {
			vm, ok := v.(map[string]any)
			if !ok {
				continue
			}
			name, _ := vm["name"].(string)
			s, _, _ := unstructured.NestedMap(vm, "schema", "openAPIV3Schema")
			crds[gk][name] = crdVersion{schema: s}
		}
	}
	sch := kubeschema.Builtin()
	for _, od := range c.objectDocs {
		gv, err := schema.ParseGroupVersion(od.u.GetAPIVersion())
		if err != nil {
			c.objectProblem(od, problem{path: []pathElem{field("apiVersion")}, code: CodeYAML, msg: fmt.Sprintf("apiVersion %q is not valid", od.u.GetAPIVersion()),
				hint: `write GROUP/VERSION, e.g. "apps/v1", or "v1" for the core group`})
			continue
		}
		gvk := gv.WithKind(od.u.GetKind())
		switch {
		case sch.HasGroup(gv.Group):
			k := sch.Lookup(gvk)
			if k == nil {
				c.unknownBuiltinKind(od, sch, gvk)
				continue
			}
			if release, removed := k.Removed(); removed {
				p := problem{path: []pathElem{field("apiVersion")}, code: CodeYAML,
					msg: fmt.Sprintf("Kubernetes %s stopped serving %s %s", release, gv.String(), gvk.Kind)}
				if pk := sch.Preferred(gvk.Kind); pk != nil {
					p.hint = fmt.Sprintf("write apiVersion: %s", pk.APIVersion())
				}
				c.objectProblem(od, p)
				continue
			}
			var ps []problem
			checkValue(od.u.Object, k.Type(), make([]pathElem, 0, 32), &ps)
			c.objectProblems(od, ps)
		case crds[gvk.GroupKind()] != nil:
			versions := crds[gvk.GroupKind()]
			v, ok := versions[gv.Version]
			if !ok {
				names := slices.Sorted(maps.Keys(versions))
				c.objectProblem(od, problem{path: []pathElem{field("apiVersion")}, code: CodeYAML,
					msg:  fmt.Sprintf("CustomResourceDefinition %q has no version %q of %s", crdNames[gvk.GroupKind()], gv.Version, gvk.Kind),
					hint: fmt.Sprintf("its versions are %s", quoteList(names))})
				continue
			}
			if v.schema == nil {
				continue
			}
			var ps []problem
			checkOpenAPI(od.u.Object, v.schema, make([]pathElem, 0, 32), true, &ps)
			c.objectProblems(od, ps)
		case gv.Group != "" && !strings.Contains(gv.Group, "."):
			// Every custom group has a dot; a group without one is a
			// misspelt built-in group.
			p := problem{path: []pathElem{field("apiVersion")}, code: CodeYAML, msg: fmt.Sprintf("there is no API group %q", gv.Group)}
			if s := diag.Suggest(gv.Group, sch.Groups()); s != "" {
				p.hint = fmt.Sprintf("did you mean %q?", s)
			}
			if ks := sch.ByName(gvk.Kind); len(ks) > 0 {
				p.hint = fmt.Sprintf("%s is %s", gvk.Kind, ks[0].APIVersion())
			}
			c.objectProblem(od, p)
		}
	}
}

// unknownBuiltinKind reports a kind or version that a built-in group does
// not have.
func (c *checker) unknownBuiltinKind(od *objectDoc, sch *kubeschema.Schema, gvk schema.GroupVersionKind) {
	gv := gvk.GroupVersion()
	if ks := sch.ByName(gvk.Kind); len(ks) > 0 {
		var where []string
		for _, k := range ks {
			if _, removed := k.Removed(); !removed {
				where = append(where, k.APIVersion())
			}
		}
		c.objectProblem(od, problem{path: []pathElem{field("apiVersion")}, code: CodeYAML,
			msg:  fmt.Sprintf("%s has no kind %s", gv.String(), gvk.Kind),
			hint: fmt.Sprintf("write apiVersion: %s (Kubernetes serves %s as %s)", sch.Preferred(gvk.Kind).APIVersion(), gvk.Kind, strings.Join(where, ", "))})
		return
	}
	p := problem{path: []pathElem{field("kind")}, code: CodeYAML, msg: fmt.Sprintf("unknown kind %q", gvk.Kind)}
	if !sch.HasGroupVersion(gv) {
		p.msg = fmt.Sprintf("unknown kind %q, and %s is not an API version Kubernetes serves", gvk.Kind, gv.String())
	}
	names := sch.KindNames(&gv)
	if s := diag.Suggest(gvk.Kind, names); s != "" {
		p.hint = fmt.Sprintf("did you mean %q?", s)
	} else if s := diag.Suggest(gvk.Kind, sch.KindNames(nil)); s != "" {
		p.hint = fmt.Sprintf("did you mean %q (%s)?", s, sch.ByName(s)[0].APIVersion())
	} else if len(names) > 0 {
		p.hint = fmt.Sprintf("the kinds of %s are %s", gv.String(), strings.Join(names, ", "))
	}
	c.objectProblem(od, p)
}

func (c *checker) objectProblems(od *objectDoc, ps []problem) {
	for _, p := range ps {
		c.objectProblem(od, p)
	}
}

// objectProblem reports p at its place in the YAML.
func (c *checker) objectProblem(od *objectDoc, p problem) {
	subject, note := c.yamlPlace(od, p.path, p.key)
	where := pathString(p.path)
	if where == "apiVersion" || where == "kind" {
		where = ""
	}
	if where != "" {
		where += ": "
	}
	d := c.errorf(subject, p.code, "object %q, document %d: %s %q: %s%s", od.name, od.n, od.u.GetKind(), od.u.GetName(), where, p.msg)
	if note.IsValid() {
		d.Note(note, "%s is here", orWord(pathString(p.path), "the problem"))
	}
	if p.hint != "" {
		d.Hint("%s", p.hint)
	}
}

// article puts "a" or "an" before a type's description.
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// pathString writes a path as users write it: spec.containers[0].image.
func pathString(path []pathElem) string {
	var b strings.Builder
	for _, e := range path {
		if e.index >= 0 {
			fmt.Fprintf(&b, "[%d]", e.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	return b.String()
}

// yamlPlace returns where the node at path is: the subject of a
// diagnostic, and for YAML in a file of its own a note at the file's line
// and column.
func (c *checker) yamlPlace(od *objectDoc, path []pathElem, key bool) (source.Span, source.Span) {
	if od.root == nil {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(od.doc.text), &n); err == nil {
			od.root = &n
		} else {
			od.root = &yaml.Node{}
		}
	}
	line, col, length := locate(od.root, path, key)
	subject, note := od.at(od.doc.line + line - 1)
	if line == 0 {
		return subject, note
	}
	if note.IsValid() {
		note.Start.Column = col
		note.End = note.Start
		note.End.Column = col + length
		return subject, note
	}
	// Inline YAML: the subject is the line from its first character, which
	// is the YAML line's first non-blank one.
	lines := strings.Split(od.doc.text, "\n")
	if line > len(lines) || subject.Start.Line != subject.End.Line {
		return subject, note
	}
	text := lines[line-1]
	lead := len(text) - len(strings.TrimLeft(text, " \t"))
	shift := col - 1 - lead
	width := subject.End.Column - subject.Start.Column
	if shift < 0 || shift+length > width {
		return subject, note
	}
	subject.Start.Column += shift
	subject.Start.Offset += shift
	subject.End = subject.Start
	subject.End.Column += length
	subject.End.Offset += length
	return subject, note
}

// locate finds the node at path in a parsed document: its line, column
// and length. Where the path leaves the document, it returns the deepest
// node found; line 0 when the document did not parse.
func locate(root *yaml.Node, path []pathElem, key bool) (line, col, length int) {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == 0 {
		return 0, 0, 0
	}
	line, col, length = n.Line, n.Column, 1
	for i, e := range path {
		last := i == len(path)-1
		switch {
		case e.index < 0:
			x := e.key
			if n.Kind != yaml.MappingNode {
				return
			}
			found := false
			for j := 0; j+1 < len(n.Content); j += 2 {
				k := n.Content[j]
				if k.Value != x {
					continue
				}
				found = true
				v := n.Content[j+1]
				if last && (key || v.Kind != yaml.ScalarNode) {
					return k.Line, k.Column, max(1, len(k.Value))
				}
				line, col, length = k.Line, k.Column, max(1, len(k.Value))
				n = v
				break
			}
			if !found {
				return
			}
		default:
			x := e.index
			if n.Kind != yaml.SequenceNode || x >= len(n.Content) {
				return
			}
			n = n.Content[x]
			if n.Kind != yaml.ScalarNode {
				line, col, length = n.Line, n.Column, 1
			}
		}
	}
	if n.Kind == yaml.ScalarNode {
		length = len(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			length += 2
		}
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(n.Value, "\n") {
			length = 1
		}
		return n.Line, n.Column, max(1, length)
	}
	return line, col, length
}

// addProblem adds p with a copy of its path, which may be a shared stack.
func addProblem(ps *[]problem, p problem) {
	p.path = append([]pathElem(nil), p.path...)
	*ps = append(*ps, p)
}

// pathElem is a field name, or a list index when index >= 0.
type pathElem struct {
	key   string
	index int
}

func field(k string) pathElem { return pathElem{key: k, index: -1} }
func item(i int) pathElem     { return pathElem{index: i} }

func appendPath(path []pathElem, e pathElem) []pathElem {
	out := make([]pathElem, len(path), len(path)+1)
	copy(out, path)
	return append(out, e)
}

// describeValue names the type of a decoded YAML value for diagnostics.
func describeValue(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "a whole number"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return "null"
}

func wrongType(path []pathElem, want string, v any, hint string) problem {
	return problem{path: path, code: CodeType, msg: fmt.Sprintf("must be %s, not %s", want, describeValue(v)), hint: hint}
}

// checkValue checks a decoded YAML value against a built-in type.
//
// path is a stack that callers share; a problem keeps a copy.
func checkValue(v any, t *kubeschema.Type, path []pathElem, ps *[]problem) {
	if v == nil {
		return // null is the zero value of every field
	}
	add := func(p problem) { addProblem(ps, p) }
	switch t.Kind {
	case kubeschema.Object:
		m, ok := v.(map[string]any)
		if !ok {
			add(wrongType(path, "a mapping of fields", v, ""))
			return
		}
		for k, fv := range m {
			f := t.Field(k)
			if f == nil {
				p := problem{path: append(path, field(k)), key: true, code: CodeUnknownField, msg: fmt.Sprintf("unknown field %q", k)}
				if s := t.Suggest(k); s != "" {
					p.hint = fmt.Sprintf("did you mean %q?", s)
				} else {
					p.hint = fmt.Sprintf("the fields here are %s", strings.Join(t.FieldNames(), ", "))
				}
				add(p)
				continue
			}
			checkValue(fv, f.Type, append(path, field(k)), ps)
		}
		for _, f := range t.Fields {
			if _, ok := m[f.Name]; !ok && f.Required {
				add(problem{path: path, key: true, code: CodeMissingField,
					msg: fmt.Sprintf("missing required field %q", f.Name), hint: fmt.Sprintf("add %s, %s", f.Name, article(f.Type.Describe()))})
			}
		}
	case kubeschema.Map:
		m, ok := v.(map[string]any)
		if !ok {
			add(wrongType(path, "a mapping", v, ""))
			return
		}
		for k, ev := range m {
			checkValue(ev, t.Elem, append(path, field(k)), ps)
		}
	case kubeschema.List:
		l, ok := v.([]any)
		if !ok {
			add(wrongType(path, "a list", v, "write the items as a YAML list, each on a line starting with -"))
			return
		}
		for i, it := range l {
			checkValue(it, t.Elem, append(path, item(i)), ps)
		}
	case kubeschema.String:
		s, ok := v.(string)
		if !ok {
			hint := ""
			switch v.(type) {
			case int64, float64, bool:
				hint = fmt.Sprintf("quote it: \"%v\"", v)
			}
			add(wrongType(path, "a string", v, hint))
			return
		}
		if t.Enum != nil && !contains(t.Enum, s) {
			p := problem{path: path, code: CodeEnum, msg: fmt.Sprintf("%q is not one of %s", s, strings.Join(t.Enum, ", "))}
			if sg := diag.Suggest(s, t.Enum); sg != "" {
				p.hint = fmt.Sprintf("did you mean %q?", sg)
			}
			add(p)
		}
	case kubeschema.Integer:
		n, ok := v.(int64)
		if !ok {
			add(wrongType(path, "a whole number", v, ""))
			return
		}
		if t.Bits == 32 && (n < math.MinInt32 || n > math.MaxInt32) {
			add(problem{path: path, code: CodeRange, msg: fmt.Sprintf("%d is out of range", n), hint: "the value must fit in 32 bits"})
		}
	case kubeschema.Number:
		switch v.(type) {
		case int64, float64:
		default:
			add(wrongType(path, "a number", v, ""))
		}
	case kubeschema.Bool:
		if _, ok := v.(bool); !ok {
			add(wrongType(path, "true or false", v, ""))
		}
	case kubeschema.Quantity:
		switch x := v.(type) {
		case int64, float64:
		case string:
			if _, err := resource.ParseQuantity(x); err != nil {
				add(problem{path: path, code: CodeQuantity, msg: fmt.Sprintf("%q is not a quantity", x),
					hint: "use Kubernetes units: 500m or 2 for CPU, 256Mi or 1Gi for memory and storage"})
			}
		default:
			add(wrongType(path, "a quantity", v, `write e.g. "500m" or "1Gi"`))
		}
	case kubeschema.IntOrString:
		switch v.(type) {
		case int64, string:
		default:
			add(wrongType(path, "a whole number or a string", v, ""))
		}
	case kubeschema.Time:
		s, ok := v.(string)
		if !ok {
			add(wrongType(path, "a time", v, `write e.g. "2026-01-02T15:04:05Z"`))
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			add(problem{path: path, code: CodeType, msg: fmt.Sprintf("%q is not a time", s), hint: `write RFC 3339, e.g. "2026-01-02T15:04:05Z"`})
		}
	case kubeschema.Duration:
		s, ok := v.(string)
		if !ok {
			add(wrongType(path, "a duration", v, `write e.g. "1h30m"`))
		} else if _, err := time.ParseDuration(s); err != nil {
			add(problem{path: path, code: CodeDuration, msg: fmt.Sprintf("%q is not a duration", s), hint: `write e.g. "30s", "5m" or "1h30m"`})
		}
	case kubeschema.Bytes:
		s, ok := v.(string)
		if !ok {
			add(wrongType(path, "base64 text", v, ""))
		} else if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			add(problem{path: path, code: CodeType, msg: "is not valid base64", hint: "encode binary data with base64, e.g. `base64 -w0 FILE`"})
		}
	}
}

// checkOpenAPI checks a decoded YAML value against a CRD's structural
// schema: types, unknown fields, required fields and enums.
func checkOpenAPI(v any, s map[string]any, path []pathElem, root bool, ps *[]problem) {
	if v == nil || s == nil {
		return
	}
	if b, _ := s["x-kubernetes-int-or-string"].(bool); b {
		switch v.(type) {
		case int64, string:
		default:
			*ps = append(*ps, wrongType(path, "a whole number or a string", v, ""))
		}
		return
	}
	typ, _ := s["type"].(string)
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		found := false
		var names []string
		for _, e := range enum {
			names = append(names, fmt.Sprint(e))
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			p := problem{path: path, code: CodeEnum, msg: fmt.Sprintf("%v is not one of %s", quoteScalar(v), strings.Join(names, ", "))}
			if sg := diag.Suggest(fmt.Sprint(v), names); sg != "" {
				p.hint = fmt.Sprintf("did you mean %q?", sg)
			}
			*ps = append(*ps, p)
			return
		}
	}
	switch typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			*ps = append(*ps, wrongType(path, "a mapping", v, ""))
			return
		}
		props, _ := s["properties"].(map[string]any)
		preserve, _ := s["x-kubernetes-preserve-unknown-fields"].(bool)
		embedded, _ := s["x-kubernetes-embedded-resource"].(bool)
		addl, hasAddl := s["additionalProperties"]
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if (root || embedded) && (k == "apiVersion" || k == "kind" || k == "metadata") {
				if ps2, ok := props[k].(map[string]any); ok && k != "metadata" {
					checkOpenAPI(m[k], ps2, appendPath(path, field(k)), false, ps)
				}
				continue
			}
			if p, ok := props[k].(map[string]any); ok {
				checkOpenAPI(m[k], p, appendPath(path, field(k)), false, ps)
				continue
			}
			if hasAddl {
				if as, ok := addl.(map[string]any); ok {
					checkOpenAPI(m[k], as, appendPath(path, field(k)), false, ps)
					continue
				}
				if b, ok := addl.(bool); ok && b {
					continue
				}
			}
			if preserve {
				continue
			}
			p := problem{path: appendPath(path, field(k)), key: true, code: CodeUnknownField, msg: fmt.Sprintf("unknown field %q", k)}
			names := slices.Sorted(maps.Keys(props))
			if sg := diag.Suggest(k, names); sg != "" {
				p.hint = fmt.Sprintf("did you mean %q?", sg)
			} else if len(names) > 0 {
				p.hint = fmt.Sprintf("the fields here are %s", strings.Join(names, ", "))
			}
			*ps = append(*ps, p)
		}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				name, _ := r.(string)
				if _, ok := m[name]; !ok && name != "" {
					*ps = append(*ps, problem{path: path, key: true, code: CodeMissingField, msg: fmt.Sprintf("missing required field %q", name),
						hint: fmt.Sprintf("the CustomResourceDefinition requires %s", name)})
				}
			}
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			*ps = append(*ps, wrongType(path, "a list", v, ""))
			return
		}
		items, _ := s["items"].(map[string]any)
		for i, it := range l {
			checkOpenAPI(it, items, appendPath(path, item(i)), false, ps)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			hint := ""
			switch v.(type) {
			case int64, float64, bool:
				hint = fmt.Sprintf("quote it: \"%v\"", v)
			}
			*ps = append(*ps, wrongType(path, "a string", v, hint))
			return
		}
		if pat, ok := s["pattern"].(string); ok {
			if re, err := regexp.Compile(pat); err == nil && !re.MatchString(str) {
				*ps = append(*ps, problem{path: path, code: CodeType, msg: fmt.Sprintf("%q does not match the pattern %s", str, pat)})
			}
		}
	case "integer":
		if _, ok := v.(int64); !ok {
			*ps = append(*ps, wrongType(path, "a whole number", v, ""))
		}
	case "number":
		switch v.(type) {
		case int64, float64:
		default:
			*ps = append(*ps, wrongType(path, "a number", v, ""))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			*ps = append(*ps, wrongType(path, "true or false", v, ""))
		}
	}
}

func quoteScalar(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
