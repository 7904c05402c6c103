package syntax

import (
	"reflect"
	"slices"
	"testing"
)

// TestRefKindGrammar checks that the RefKind production accepts exactly the
// kind keywords and `object`, so that the kind list is said once.
func TestRefKindGrammar(t *testing.T) {
	if got := grammarWords(reflect.TypeFor[RefKind](), "Value"); !slices.Equal(got, RefKindKeywords) {
		t.Errorf("RefKind lists %q, want %q", got, RefKindKeywords)
	}
	if len(KindKeywords) != 18 || KindKeywords[0] != "configmap" {
		t.Errorf("KindKeywords = %q", KindKeywords)
	}
}
