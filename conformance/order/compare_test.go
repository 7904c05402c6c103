package order

import (
	"fmt"
	"testing"

	"github.com/wavec/wavec/conformance/engine"
)

func task(s string) engine.Task {
	// "Phase wave group/Kind ns/name"
	var t engine.Task
	var gk, nn string
	if _, err := fmt.Sscanf(s, "%s %d %s %s", &t.Phase, &t.Wave, &gk, &nn); err != nil {
		panic(err)
	}
	t.Group, t.Kind = split(gk)
	t.Namespace, t.Name = split(nn)
	return t
}

func tasks(ss ...string) []engine.Task {
	var out []engine.Task
	for _, s := range ss {
		out = append(out, task(s))
	}
	return out
}

// TestDiff covers what the comparison accepts as equal: only the
// reorderings Argo CD leaves to chance.
func TestDiff(t *testing.T) {
	cases := []struct {
		name  string
		a, b  []engine.Task
		equal bool
	}{
		{"same", tasks("Sync 0 /ConfigMap ns/a", "Sync 0 apps/Deployment ns/a"),
			tasks("Sync 0 /ConfigMap ns/a", "Sync 0 apps/Deployment ns/a"), true},
		{"kind order", tasks("Sync 0 /ConfigMap ns/a", "Sync 0 apps/Deployment ns/a"),
			tasks("Sync 0 apps/Deployment ns/a", "Sync 0 /ConfigMap ns/a"), false},
		{"wave", tasks("Sync 0 /ConfigMap ns/a"), tasks("Sync 1 /ConfigMap ns/a"), false},
		{"phase", tasks("PreSync 0 /ConfigMap ns/a"), tasks("Sync 0 /ConfigMap ns/a"), false},
		{"missing task", tasks("Sync 0 /ConfigMap ns/a", "Sync 0 /ConfigMap ns/b"), tasks("Sync 0 /ConfigMap ns/a"), false},
		{"tie in two namespaces", tasks("Sync 0 /ConfigMap x/a", "Sync 0 /ConfigMap y/a"),
			tasks("Sync 0 /ConfigMap y/a", "Sync 0 /ConfigMap x/a"), true},
		{"not a tie: names differ", tasks("Sync 0 /ConfigMap x/a", "Sync 0 /ConfigMap x/b"),
			tasks("Sync 0 /ConfigMap x/b", "Sync 0 /ConfigMap x/a"), false},
		{"namespace moved before either of a tie",
			tasks("Sync 0 /ConfigMap x/a", "Sync 0 /Namespace /y", "Sync 0 /ConfigMap y/a"),
			tasks("Sync 0 /Namespace /y", "Sync 0 /ConfigMap y/a", "Sync 0 /ConfigMap x/a"), true},
		{"namespace moved elsewhere",
			tasks("Sync 0 /Namespace /y", "Sync 0 /ConfigMap y/a", "Sync 0 /Secret y/b"),
			tasks("Sync 0 /ConfigMap y/a", "Sync 0 /Namespace /y", "Sync 0 /Secret y/b"), false},
		{"namespace in another wave",
			tasks("Sync 0 /Namespace /y", "Sync 0 /ConfigMap y/a"),
			tasks("Sync 1 /Namespace /y", "Sync 0 /ConfigMap y/a"), false},
		{"equal namespaces in either order",
			tasks("PreSync 0 /Namespace /y", "PreSync 0 /Namespace /y2", "PreSync 0 /Namespace /y"),
			tasks("PreSync 0 /Namespace /y", "PreSync 0 /Namespace /y", "PreSync 0 /Namespace /y2"), false},
	}
	for _, c := range cases {
		d := Diff(c.a, c.b)
		if (d == "") != c.equal {
			t.Errorf("%s: Diff = %q, want equal=%v", c.name, d, c.equal)
		}
	}
}

func split(s string) (string, string) {
	for i := range len(s) {
		if s[i] == '/' {
			return s[:i], s[i+1:]
		}
	}
	return "", s
}
