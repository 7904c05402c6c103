package ir

import (
	"strings"
	"testing"
)

// TestKindWords checks that each kind got the keyword that names it: the
// grammar's list and Kinds pair up by position.
func TestKindWords(t *testing.T) {
	for _, k := range Kinds {
		want := strings.ToLower(k.KubeKind())
		switch k {
		case PVC:
			want = "pvc"
		case HPA:
			want = "hpa"
		case PDB:
			want = "pdb"
		case Object:
			want = "object"
		}
		if k.String() != want {
			t.Errorf("kind %s has keyword %q, want %q", k.KubeKind(), k.String(), want)
		}
		if back, ok := ParseKind(k.String()); !ok || back != k {
			t.Errorf("ParseKind(%q) = %v", k.String(), back)
		}
	}
}
