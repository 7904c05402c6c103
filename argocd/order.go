package argocd

import (
	"cmp"
	"fmt"
	"slices"
)

// kindOrder is the order of kinds within a wave (docs/semantics.md, "Order",
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

// KindRank returns the kind's position in Argo CD's kind order, or the
// number of listed kinds for every kind not listed.
func KindRank(kind string) int {
	if r, ok := kindRanks[kind]; ok {
		return r
	}
	return len(kindOrder)
}

// Entry is what the order knows of one task: one object applied in one
// phase.
type Entry struct {
	// Phase and Wave are where the task runs.
	Phase Phase
	Wave  int
	// Group and Kind are the object's API group and kind.
	Group, Kind string
	// Name is the name the task sorts by: the object's name, or what Argo
	// CD derives from its generateName.
	Name string
	// Namespace is the namespace the object lands in: its own, or the
	// destination namespace when it has none (Argo CD sets that on every
	// object, cluster-scoped ones too, before it orders them).
	Namespace string
	// Defines is, for a CustomResourceDefinition, "group/Kind" of the
	// resources it defines; empty otherwise.
	Defines string
}

// Compare orders two tasks as Argo CD does: by phase, wave, kind (in the
// kind order) and name. Argo CD leaves ties to chance; callers break them.
func Compare(a, b *Entry) int {
	return cmp.Or(
		cmp.Compare(a.Phase, b.Phase),
		cmp.Compare(a.Wave, b.Wave),
		cmp.Compare(KindRank(a.Kind), KindRank(b.Kind)),
		cmp.Compare(a.Name, b.Name),
	)
}

// IsNamespace reports a core Namespace.
func (e *Entry) IsNamespace() bool { return e.Kind == "Namespace" && e.Group == "" }

// IsCRD reports a CustomResourceDefinition.
func (e *Entry) IsCRD() bool {
	return e.Kind == "CustomResourceDefinition" && e.Group == "apiextensions.k8s.io"
}

// Move is a Namespace or CustomResourceDefinition that Hoist moved in
// front of its first user.
type Move[T any] struct {
	// Task is the task moved; User is the first task that needs it.
	Task, User T
	// From is where the task was declared; it now has User's phase and
	// wave.
	From Step
	// Namespace reports a Namespace moved before the first task in it;
	// otherwise a CustomResourceDefinition moved before the first resource
	// it defines.
	Namespace bool
}

// Step is a phase and wave.
type Step struct {
	Phase Phase
	Wave  int
}

// String returns "PreSync wave -1".
func (s Step) String() string { return fmt.Sprintf("%s wave %d", s.Phase, s.Wave) }

// Hoist takes tasks sorted by Compare and does what Argo CD does after
// sorting: each Namespace that comes after the first task in that namespace
// moves to just before that task and takes its phase and wave; then each
// CustomResourceDefinition that comes after the first resource of its group
// and kind does the same. entry returns what the order knows of a task;
// place gives a moved task its new phase and wave. Hoist reorders tasks in
// place and returns the moves in the order it made them.
func Hoist[T any](tasks []T, entry func(T) Entry, place func(T, Step)) []Move[T] {
	moves := hoist(tasks, entry, place, true,
		func(e *Entry) (string, bool) { return e.Name, e.IsNamespace() },
		func(e *Entry) (string, bool) { return e.Namespace, e.Namespace != "" })
	return append(moves, hoist(tasks, entry, place, false,
		func(e *Entry) (string, bool) { return e.Defines, e.IsCRD() && e.Defines != "" },
		func(e *Entry) (string, bool) { return e.Group + "/" + e.Kind, true })...)
}

// hoist is the bubble-up both moves share. Walking the ordered tasks, it
// remembers where each dependency key is first referenced; a dependency
// found later moves to that position and takes the phase and wave of the
// task there. A dependency that already comes first stays.
func hoist[T any](tasks []T, entry func(T) Entry, place func(T, Step), namespace bool, dep, ref func(*Entry) (string, bool)) []Move[T] {
	var moves []Move[T]
	first := map[string]int{}
	for i, t := range tasks {
		e := entry(t)
		if key, ok := dep(&e); ok {
			at, ok := first[key]
			if !ok {
				continue
			}
			user := tasks[at]
			ue := entry(user)
			place(t, Step{ue.Phase, ue.Wave})
			copy(tasks[at+1:i+1], tasks[at:i])
			tasks[at] = t
			for k, v := range first {
				if v >= at {
					first[k] = v + 1
				}
			}
			moves = append(moves, Move[T]{Task: t, User: user, From: Step{e.Phase, e.Wave}, Namespace: namespace})
			continue
		}
		if key, ok := ref(&e); ok {
			if _, seen := first[key]; !seen {
				first[key] = i
			}
		}
	}
	return moves
}

// KindOrder returns Argo CD's kind order, first kind first.
func KindOrder() []string { return slices.Clone(kindOrder) }
