package plan

import (
	"cmp"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/argocd"
)

// entry returns what Argo CD's order knows of the task.
func (t *Task) entry() argocd.Entry {
	return argocd.Entry{
		Phase:     t.Phase,
		Wave:      t.Wave,
		Group:     t.group,
		Kind:      t.kind,
		Name:      t.sortName,
		Namespace: t.namespace,
		Defines:   t.defines,
	}
}

// compareTasks orders tasks by phase, wave, kind and name (argocd.Compare).
// Argo CD's sort leaves ties to chance (same kind and name in two
// namespaces or groups); they are broken here by namespace, then
// apiVersion, then input order, so plans are deterministic.
func compareTasks(a, b *Task) int {
	ea, eb := a.entry(), b.entry()
	return cmp.Or(
		argocd.Compare(&ea, &eb),
		cmp.Compare(a.declaredNS, b.declaredNS),
		cmp.Compare(a.apiVersion, b.apiVersion),
		cmp.Compare(a.index, b.index),
	)
}

// sortTasks sorts tasks by compareTasks, a total order.
func sortTasks(tasks []*Task) {
	slices.SortFunc(tasks, compareTasks)
}

// hoist moves Namespaces and CustomResourceDefinitions in front of their
// first user as Argo CD does (argocd.Hoist), noting each move on the task
// and warning about it when the object came from a file.
func hoist(tasks []*Task) []Warning {
	var warns []Warning
	moves := argocd.Hoist(tasks, (*Task).entry, func(t *Task, s argocd.Step) { t.Phase, t.Wave = s.Phase, s.Wave })
	for _, m := range moves {
		t, user := m.Task, m.User
		why := fmt.Sprintf("it defines %s", user.Ref())
		if m.Namespace {
			why = fmt.Sprintf("namespace %s is used by %s", t.Name(), user.Ref())
		}
		t.Note = fmt.Sprintf("moved from %s: %s", m.From, why)
		if t.Object.Source.File != "" {
			warns = append(warns, Warning{
				Source: t.Object.Source,
				Object: t.Ref(),
				Message: fmt.Sprintf("%s is declared in %s but %s needs it in %s; Argo CD moves it there",
					t.Ref(), m.From, user.Ref(), argocd.Step{Phase: user.Phase, Wave: user.Wave}),
			})
		}
	}
	return warns
}

func isNamespace(o *unstructured.Unstructured) bool {
	return o.GetKind() == "Namespace" && o.GroupVersionKind().Group == ""
}

func isCRD(o *unstructured.Unstructured) bool {
	return o.GetKind() == "CustomResourceDefinition" && o.GroupVersionKind().Group == "apiextensions.k8s.io"
}

// crdDefines returns "group/Kind" of the resources a CRD defines, or "".
func crdDefines(o *unstructured.Unstructured) string {
	if !isCRD(o) {
		return ""
	}
	group, ok1, _ := unstructured.NestedString(o.Object, "spec", "group")
	kind, ok2, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
	if !ok1 || !ok2 {
		return ""
	}
	return group + "/" + kind
}
