package plan

import (
	"cmp"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// kindOrder is the order of kinds within a wave (semantics.md "Order",
// the list Argo CD takes from Helm). The group is ignored; kinds not listed
// sort after all of these, and among themselves by name only.
var kindOrder = []string{
	"Namespace",
	"NetworkPolicy",
	"ResourceQuota",
	"LimitRange",
	"PodSecurityPolicy",
	"PodDisruptionBudget",
	"ServiceAccount",
	"Secret",
	"SecretList",
	"ConfigMap",
	"StorageClass",
	"PersistentVolume",
	"PersistentVolumeClaim",
	"CustomResourceDefinition",
	"ClusterRole",
	"ClusterRoleList",
	"ClusterRoleBinding",
	"ClusterRoleBindingList",
	"Role",
	"RoleList",
	"RoleBinding",
	"RoleBindingList",
	"Service",
	"DaemonSet",
	"Pod",
	"ReplicationController",
	"ReplicaSet",
	"Deployment",
	"HorizontalPodAutoscaler",
	"StatefulSet",
	"Job",
	"CronJob",
	"IngressClass",
	"Ingress",
	"APIService",
}

var kindRanks = func() map[string]int {
	m := make(map[string]int, len(kindOrder))
	for i, k := range kindOrder {
		m[k] = i
	}
	return m
}()

// kindRank returns the kind's position in kindOrder, or len(kindOrder) for
// every kind not listed.
func kindRank(kind string) int {
	if r, ok := kindRanks[kind]; ok {
		return r
	}
	return len(kindOrder)
}

// compareTasks orders tasks by phase, wave, kind and name (semantics.md
// "Order"). Argo CD's sort leaves ties to chance (same kind and name in two
// namespaces or groups); they are broken here by namespace, then
// apiVersion, then input order, so plans are deterministic.
func compareTasks(a, b *Task) int {
	return cmp.Or(
		cmp.Compare(a.Phase, b.Phase),
		cmp.Compare(a.Wave, b.Wave),
		cmp.Compare(a.kindRank, b.kindRank),
		cmp.Compare(a.sortName, b.sortName),
		cmp.Compare(a.declaredNS, b.declaredNS),
		cmp.Compare(a.apiVersion, b.apiVersion),
		cmp.Compare(a.index, b.index),
	)
}

// sortTasks sorts tasks by compareTasks, a total order.
func sortTasks(tasks []*Task) {
	slices.SortFunc(tasks, compareTasks)
}

func isNamespace(o *unstructured.Unstructured) bool {
	return o.GetKind() == "Namespace" && o.GroupVersionKind().Group == ""
}

func isCRD(o *unstructured.Unstructured) bool {
	return o.GetKind() == "CustomResourceDefinition" && o.GroupVersionKind().Group == "apiextensions.k8s.io"
}

// crdKey returns "group/Kind" of the resources a CRD defines.
func crdKey(o *unstructured.Unstructured) (string, bool) {
	if !isCRD(o) {
		return "", false
	}
	group, ok1, _ := unstructured.NestedString(o.Object, "spec", "group")
	kind, ok2, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
	if !ok1 || !ok2 {
		return "", false
	}
	return group + "/" + kind, true
}

// adjustNamespaces moves each Namespace that sorts after the first task in
// that namespace to just before that task, in its phase and wave.
func adjustNamespaces(tasks []*Task) []Warning {
	return adjust(tasks,
		func(t *Task) (string, bool) {
			if t.kind != "Namespace" || t.group != "" {
				return "", false
			}
			return t.Name(), true
		},
		func(t *Task) (string, bool) {
			return t.namespace, t.namespace != ""
		},
		func(dep, user *Task) string {
			return fmt.Sprintf("namespace %s is used by %s", dep.Name(), user.Ref())
		})
}

// adjustCRDs moves each CustomResourceDefinition that sorts after the first
// custom resource of its group and kind to just before it, in its phase and
// wave.
func adjustCRDs(tasks []*Task) []Warning {
	return adjust(tasks,
		func(t *Task) (string, bool) {
			if t.kind != "CustomResourceDefinition" {
				return "", false
			}
			return crdKey(t.Object.Unstructured)
		},
		func(t *Task) (string, bool) {
			return t.group + "/" + t.kind, true
		},
		func(dep, user *Task) string {
			return fmt.Sprintf("it defines %s", user.Ref())
		})
}

// adjust is the bubble-up both adjustments share. Walking the ordered
// tasks, it remembers where each dependency key is first referenced; a
// dependency found later moves to that position and takes the phase and
// wave of the task there. A dependency that already comes first stays.
func adjust(tasks []*Task, dep, ref func(*Task) (string, bool), why func(dep, user *Task) string) []Warning {
	var warns []Warning
	first := map[string]int{}
	for i, t := range tasks {
		if key, ok := dep(t); ok {
			at, ok := first[key]
			if !ok {
				continue
			}
			user := tasks[at]
			from := stepName(t.Phase, t.Wave)
			t.Phase, t.Wave = user.Phase, user.Wave
			copy(tasks[at+1:i+1], tasks[at:i])
			tasks[at] = t
			for k, v := range first {
				if v >= at {
					first[k] = v + 1
				}
			}
			t.Note = fmt.Sprintf("moved from %s: %s", from, why(t, user))
			if t.Object.Source.File != "" {
				warns = append(warns, Warning{
					Source: t.Object.Source,
					Object: t.Ref(),
					Message: fmt.Sprintf("%s is declared in %s but %s needs it in %s; Argo CD moves it there",
						t.Ref(), from, user.Ref(), stepName(user.Phase, user.Wave)),
				})
			}
			continue
		}
		if key, ok := ref(t); ok {
			if _, seen := first[key]; !seen {
				first[key] = i
			}
		}
	}
	return warns
}

func stepName(p Phase, wave int) string {
	return fmt.Sprintf("%s wave %d", p, wave)
}
