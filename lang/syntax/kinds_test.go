package syntax

import (
	"reflect"
	"slices"
	"testing"
)

// TestRefKindGrammar checks that the RefKind production accepts exactly the
// kind keywords, `object` and (for a value's reference) `volume`, so that
// the kind list is said once.
func TestRefKindGrammar(t *testing.T) {
	if got, want := grammarWords(reflect.TypeFor[RefKind](), "Value"), append(slices.Clone(RefKindKeywords), "volume"); !slices.Equal(got, want) {
		t.Errorf("RefKind lists %q, want %q", got, want)
	}
	if len(KindKeywords) != 19 || KindKeywords[0] != "configmap" {
		t.Errorf("KindKeywords = %q", KindKeywords)
	}
}
