package syntax

import (
	"regexp"
	"slices"
	"testing"
)

// TestKindGrammar checks that the Kind production accepts exactly the kind
// keywords, and RefKind those, `object` and (for a value's reference)
// `volume`, so that the kind list is said once; and that a kind keyword is
// still a name where a name may stand.
func TestKindGrammar(t *testing.T) {
	if len(KindKeywords) != 20 || KindKeywords[0] != "configmap" {
		t.Errorf("KindKeywords = %q", KindKeywords)
	}
	for _, w := range append(slices.Clone(KindKeywords), "object", "volume", "configmaps", "jobs", "kind", "x") {
		f, diags := Parse("k.wave", []byte(w+" a\n"))
		isKind := slices.Contains(KindKeywords, w)
		switch {
		case isKind && (len(diags) > 0 || f.Decls[0].Resource == nil || f.Decls[0].Resource.Kind.Value != w):
			t.Errorf("%q does not declare a resource of that kind: %v", w, diags.Err())
		case !isKind && w != "object" && len(diags) == 0:
			t.Errorf("%q declares a resource", w)
		}
		f, diags = Parse("k.wave", []byte("configmap c {\n  k = "+w+" a\n}\n"))
		isRef := isKind || w == "object" || w == "volume"
		if len(diags) > 0 {
			if isRef {
				t.Errorf("%q a is not a reference: %v", w, diags.Err())
			}
			continue
		}
		ref := f.Decls[0].Resource.Body.Entries[0].Value.Left.Ref
		if isRef != (ref != nil) || isRef && ref.Kind.Value != w {
			t.Errorf("%q a: reference %v, want %v", w, ref, isRef)
		}
	}
	// Kind keywords as names, keys, labels, ports and values.
	src := "service job {\n  pod = deployment;\n  container secret { port = 80 }\n  ready = tcp on service\n}\nwave 1 < service job, pod >\n"
	f, diags := Parse("k.wave", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags.Err())
	}
	r := f.Decls[0].Resource
	b := r.Body.Entries
	if r.Kind.Value != "service" || r.Name.Value != "job" || b[0].Key.Name() != "pod" || *b[0].Value.Left.Ident != "deployment" ||
		b[1].Label.Name() != "secret" || *b[2].Value.Left.Probe.Port.Ident != "service" || f.Decls[1].Wave.Members[1].Name.Value != "pod" {
		t.Errorf("kind keywords as names parse as\n%s", Dump(f, false))
	}
}

// quotedWords finds what the regular expression '([a-z]+)' finds.
func TestQuotedWords(t *testing.T) {
	re := regexp.MustCompile(`'([a-z]+)'`)
	for _, tag := range []string{
		"", "'", "''", "'a'", "@('configmap' | 'deployment')", "'a''b'", "'ab'c'", "'A' 'b'", "'a b' 'c'",
		"x'y'z", "'abc", "abc'", "'a'|'b'|'c'", "'é' 'e'", "'''a'''",
	} {
		var want []string
		for _, m := range re.FindAllStringSubmatch(tag, -1) {
			want = append(want, m[1])
		}
		if got := quotedWords(tag); !slices.Equal(got, want) {
			t.Errorf("quotedWords(%q) = %q, want %q", tag, got, want)
		}
	}
}
