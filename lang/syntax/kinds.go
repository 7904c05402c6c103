package syntax

import (
	"reflect"
	"regexp"
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

var quotedWord = regexp.MustCompile(`'([a-z]+)'`)

// grammarWords returns the quoted words of the grammar tag of field in t.
func grammarWords(t reflect.Type, field string) []string {
	f, ok := t.FieldByName(field)
	if !ok {
		panic("syntax: no field " + t.Name() + "." + field)
	}
	var out []string
	for _, m := range quotedWord.FindAllStringSubmatch(f.Tag.Get("parser"), -1) {
		out = append(out, m[1])
	}
	return out
}
