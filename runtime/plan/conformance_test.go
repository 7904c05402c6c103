package plan

import (
	"strings"
	"testing"
)

// TestClusterScopedNamespaceIgnored checks that a namespace written on a
// cluster-scoped object means nothing, as in Argo CD, whose controller
// clears it: the object is the same as one without it (the last
// definition is kept), and it uses the destination namespace, not the
// written one, when Namespaces move before their first user.
func TestClusterScopedNamespaceIgnored(t *testing.T) {
	p := ForSync(objs(t,
		"v1 Namespace other/dest",
		"v1 Namespace dest",
	), Options{Namespace: "dest"})
	if got, want := steps(p), "Sync wave 0: Namespace dest\n"; got != want {
		t.Errorf("steps:\n%swant:\n%s", got, want)
	}
	if w := warnings(p); !strings.Contains(w, "defined again") {
		t.Errorf("warnings %q, want one about the duplicate", w)
	}

	// The ClusterRole is not in namespace "other", so Namespace other
	// stays in wave 5; Namespace dest moves before the ClusterRole, which
	// is in the destination namespace as far as Argo CD's order goes.
	p = ForSync(objs(t,
		"rbac.authorization.k8s.io/v1 ClusterRole other/reader",
		"v1 Namespace other wave=5",
		"v1 Namespace dest wave=5",
	), Options{Namespace: "dest"})
	want := "Sync wave 0: Namespace dest, ClusterRole reader\nSync wave 5: Namespace other\n"
	if got := steps(p); got != want {
		t.Errorf("steps:\n%swant:\n%s", got, want)
	}
	if w := warnings(p); !strings.Contains(w, `ClusterRole is cluster-scoped; Argo CD drops the namespace "other" written on it`) {
		t.Errorf("warnings %q, want one about the dropped namespace", w)
	}
}

// TestGenerateNameOnlyNamesHooks checks that an object that is not a hook
// sorts by its empty name even when it has a generateName: Argo CD
// generates names for hooks only.
func TestGenerateNameOnlyNamesHooks(t *testing.T) {
	p := ForSync(objs(t,
		"v1 ConfigMap a",
		"v1 ConfigMap ~migrate-",
		"v1 ConfigMap ~job- hook=Sync",
	), Options{Namespace: "dest"})
	want := "Sync wave 0: ConfigMap migrate-*, ConfigMap a, ConfigMap job-*\n"
	if got := steps(p); got != want {
		t.Errorf("steps:\n%swant:\n%s", got, want)
	}
}
