package emit

import (
	"sort"

	"github.com/wavec/wavec/compiler/ir"
)

// kindOrder is Argo CD's order of kinds within a wave (gitops-engine's
// kind order); kinds not listed come after all of these.
var kindOrder = map[string]int{}

func init() {
	for i, k := range []string{
		"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
		"ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
		"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
		"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
		"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
		"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
	} {
		kindOrder[k] = i
	}
}

func kindRank(kind string) int {
	if r, ok := kindOrder[kind]; ok {
		return r
	}
	return len(kindOrder)
}

// phaseRank orders documents by their first phase: PreSync, Sync (plain
// resources and Sync hooks), PostSync, SyncFail, then PreDelete, PostDelete
// and Skip.
func phaseRank(p ir.Phase) int { return int(p) }

// sortDocuments puts documents in Argo CD's sync order: phase, wave, kind
// (by kindOrder, then by name for unlisted kinds), name, and then namespace
// and apiVersion so that the order is total.
func sortDocuments(docs []*Document) {
	sort.SliceStable(docs, func(i, j int) bool {
		a, b := docs[i], docs[j]
		if pa, pb := phaseRank(a.Phase()), phaseRank(b.Phase()); pa != pb {
			return pa < pb
		}
		if a.Wave() != b.Wave() {
			return a.Wave() < b.Wave()
		}
		ka, kb := a.Object.GetKind(), b.Object.GetKind()
		if ra, rb := kindRank(ka), kindRank(kb); ra != rb {
			return ra < rb
		}
		if ka != kb {
			return ka < kb
		}
		if na, nb := a.Object.GetName(), b.Object.GetName(); na != nb {
			return na < nb
		}
		if na, nb := a.Object.GetNamespace(), b.Object.GetNamespace(); na != nb {
			return na < nb
		}
		return a.Object.GetAPIVersion() < b.Object.GetAPIVersion()
	})
}
