package kubeyaml

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadPositionsAndValues(t *testing.T) {
	in := "# comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    x: yes\ndata:\n  mode: 0777\n---\n\n---\nnull\n---\n- 1\n- [2, 3]\n"
	docs, errs := ReadBytes([]byte(in))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3", len(docs))
	}
	d := docs[0]
	if d.Index != 1 || d.Line != 3 {
		t.Errorf("document 1 at index %d line %d, want 1 and 3", d.Index, d.Line)
	}
	want := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": true}},
		"data":     map[string]any{"mode": int64(0o777)},
	}
	if !reflect.DeepEqual(d.Value, want) {
		t.Errorf("value %#v, want %#v", d.Value, want)
	}
	if n := d.Root().Key("metadata").Key("labels").Key("x"); n.Line() != 8 || n.Column() != 8 {
		t.Errorf("metadata.labels.x at %d:%d, want 8:8", n.Line(), n.Column())
	}
	if n := d.Root().Key("missing"); n.Known() || n.Line() != 3 {
		t.Errorf("a missing key is at %d (known %v), want the document's line", n.Line(), n.Known())
	}
	if docs[1].Index != 2 || docs[1].Value != nil {
		t.Errorf("null document: %+v", docs[1])
	}
	if n := docs[2].Root().Item(1); n.Line() != 17 {
		t.Errorf("item 2 at line %d, want 17", n.Line())
	}
}

func TestReadErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a: 1\n---\nb: [\n", "line 3: document 2: invalid YAML: did not find expected node content"},
		{"a: 1\n---\nx:\n  ? {k: v}\n  : 1\n", "line 4: document 2: mapping key must be a scalar, not a mapping"},
		{"a: {b: .nan}\n", "line 1: document 1: unsupported value NaN: JSON has no NaN or infinity"},
		{"a: &a [*a]\n", "line 1: document 1: alias *a refers to a value that contains it"},
		{"a: " + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + "\n", "line 1: document 1: nesting is deeper than 128 levels"},
		{"a: caf\xe9\n", "line 1: document 1: invalid UTF-8 (byte 0xe9 at column 7); manifests must be UTF-8"},
	} {
		_, errs := ReadBytes([]byte(tt.in))
		var got []string
		for _, e := range errs {
			got = append(got, e.Error())
		}
		if strings.Join(got, "\n") != tt.want {
			t.Errorf("%q: errors %q, want %q", tt.in, got, tt.want)
		}
	}
}
