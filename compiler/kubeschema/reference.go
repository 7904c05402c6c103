package kubeschema

import (
	"bytes"
	"fmt"
	"strings"
)

// Section is a part of a field reference: a heading, what it says, and the
// type whose fields it lists.
type Section struct {
	// Heading is the section's title, e.g. "pod { ... }".
	Heading string
	// Text is a paragraph under the heading.
	Text string
	// Type is the object type described.
	Type *Type
}

// Reference writes a field reference in Markdown: each section's type with
// its fields (name, type, whether required, documentation), then every
// object type those fields lead to, each once, linked from where it is
// used.
func Reference(title, intro string, sections []Section) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", title, strings.TrimSpace(intro))
	anchors := map[*Type]string{}
	used := map[string]bool{}
	var queue []*Type
	anchor := func(t *Type) string {
		if a, ok := anchors[t]; ok {
			return a
		}
		base := strings.ToLower(t.Name)
		a := base
		for i := 2; used[a]; i++ {
			a = fmt.Sprintf("%s-%d", base, i)
		}
		used[a] = true
		anchors[t] = a
		queue = append(queue, t)
		return a
	}
	for _, s := range sections {
		used[headingAnchor(s.Heading)] = true
	}
	for _, s := range sections {
		fmt.Fprintf(&b, "## %s\n\n", s.Heading)
		if s.Text != "" {
			fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(s.Text))
		}
		fieldTable(&b, s.Type, anchor)
	}
	if len(queue) > 0 {
		b.WriteString("## Types\n\nThe objects that the fields above hold, each listed once.\n\n")
	}
	for i := 0; i < len(queue); i++ {
		t := queue[i]
		fmt.Fprintf(&b, "### %s\n\n", t.Name)
		fmt.Fprintf(&b, "<a id=\"%s\"></a>", anchors[t])
		if t.Doc != "" {
			fmt.Fprintf(&b, "%s", cell(oneParagraph(t.Doc)))
		}
		b.WriteString("\n\n")
		fieldTable(&b, t, anchor)
	}
	return b.Bytes()
}

// headingAnchor is the anchor GitHub gives a heading.
func headingAnchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func fieldTable(b *bytes.Buffer, t *Type, anchor func(*Type) string) {
	if len(t.Fields) == 0 {
		b.WriteString("No fields.\n\n")
		return
	}
	b.WriteString("| field | type | description |\n|---|---|---|\n")
	for _, f := range t.Fields {
		desc := oneParagraph(f.Doc)
		if f.Required {
			desc = "**Required.** " + desc
		}
		if vs := enumOf(f.Type); len(vs) > 0 {
			desc += " One of: `" + strings.Join(vs, "`, `") + "`."
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", f.Name, typeLink(f.Type, anchor), cell(desc))
	}
	b.WriteString("\n")
}

func enumOf(t *Type) []string {
	for t.Kind == List || t.Kind == Map {
		t = t.Elem
	}
	return t.Enum
}

// typeLink writes a field's type, linking object types to their section.
func typeLink(t *Type, anchor func(*Type) string) string {
	switch t.Kind {
	case Object:
		return fmt.Sprintf("[%s](#%s)", t.Name, anchor(t))
	case List:
		return "list of " + typeLink(t.Elem, anchor)
	case Map:
		return "map of " + typeLink(t.Elem, anchor)
	case Integer:
		if t.Bits == 32 {
			return "integer (int32)"
		}
		return "integer (int64)"
	}
	return t.Kind.String()
}

// oneParagraph returns the first paragraph of a documentation text.
func oneParagraph(doc string) string {
	doc = strings.TrimSpace(doc)
	if i := strings.Index(doc, "\n\n"); i >= 0 {
		doc = doc[:i]
	}
	return strings.Join(strings.Fields(doc), " ")
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, ">", "&gt;")
}

// KindsReference writes the list of every built-in kind in Markdown: its
// apiVersions, the preferred one first.
func (s *Schema) KindsReference() []byte {
	var b bytes.Buffer
	b.WriteString("# Built-in kinds\n\n")
	b.WriteString("Every kind of the built-in API groups that wavec knows, from k8s.io/api, with the versions it knows them in, the preferred one first (the most stable version Kubernetes still serves). `object` YAML of these kinds is checked against their type; an apiVersion whose group is listed here but which does not have the kind is an error.\n\n")
	b.WriteString("| kind | apiVersions |\n|---|---|\n")
	for _, name := range s.KindNames(nil) {
		var vs []string
		for _, k := range s.ByName(name) {
			if r, removed := k.Removed(); removed {
				vs = append(vs, "`"+k.APIVersion()+"` (removed in "+r+")")
				continue
			}
			vs = append(vs, "`"+k.APIVersion()+"`")
		}
		fmt.Fprintf(&b, "| %s | %s |\n", name, strings.Join(vs, ", "))
	}
	return b.Bytes()
}
