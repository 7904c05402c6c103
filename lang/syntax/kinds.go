package syntax

import (
	"reflect"
	"slices"
)

// KindKeywords are the keywords of the built-in kinds (`configmap`,
// `deployment`, ...). This list is their one definition: the lexer reads
// these words as Kind tokens, which the Kind production matches.
var KindKeywords = []string{
	"configmap", "secret", "serviceaccount", "deployment", "statefulset", "daemonset", "replicaset", "service", "ingress", "pvc",
	"job", "cronjob", "pod", "hpa", "pdb", "networkpolicy", "role", "clusterrole", "rolebinding", "clusterrolebinding",
}

// kindWords holds KindKeywords, for the lexer.
var kindWords = func() map[string]bool {
	m := make(map[string]bool, len(KindKeywords))
	for _, k := range KindKeywords {
		m[k] = true
	}
	return m
}()

// phaseWords are the hook phase keywords, as the PhaseWord production lists
// them.
var phaseWords = grammarWords(reflect.TypeFor[PhaseWord](), "Value")

// ObjectKeyword declares, and refers to, objects given as YAML.
const ObjectKeyword = "object"

// RefKindKeywords are the words a reference may start with: the kind
// keywords and `object`.
var RefKindKeywords = append(slices.Clone(KindKeywords), ObjectKeyword)

// IsRefKind reports whether s is one of RefKindKeywords.
func IsRefKind(s string) bool { return slices.Contains(RefKindKeywords, s) }

// grammarWords returns the quoted words of the grammar tag of field in t.
func grammarWords(t reflect.Type, field string) []string {
	f, ok := t.FieldByName(field)
	if !ok {
		panic("syntax: no field " + t.Name() + "." + field)
	}
	return quotedWords(f.Tag.Get("parser"))
}

// quotedWords returns the words of lower-case letters between single
// quotes in tag, in order.
func quotedWords(tag string) []string {
	var out []string
	for i := 0; i < len(tag); i++ {
		if tag[i] != '\'' {
			continue
		}
		j := i + 1
		for j < len(tag) && 'a' <= tag[j] && tag[j] <= 'z' {
			j++
		}
		if j > i+1 && j < len(tag) && tag[j] == '\'' {
			out = append(out, tag[i+1:j])
			i = j
		}
	}
	return out
}
