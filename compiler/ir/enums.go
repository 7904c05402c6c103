package ir

import "github.com/wavec/wavec/lang/syntax"

// Kind is the kind of a declaration.
type Kind int

// The kinds, in the order Argo CD applies them within a wave (objects, whose
// documents have their own kinds, last).
const (
	// ServiceAccount is a core/v1 ServiceAccount.
	ServiceAccount Kind = iota + 1
	// Secret is a core/v1 Secret.
	Secret
	// ConfigMap is a core/v1 ConfigMap.
	ConfigMap
	// PVC is a core/v1 PersistentVolumeClaim.
	PVC
	// Service is a core/v1 Service.
	Service
	// Deployment is an apps/v1 Deployment.
	Deployment
	// StatefulSet is an apps/v1 StatefulSet.
	StatefulSet
	// Job is a batch/v1 Job.
	Job
	// CronJob is a batch/v1 CronJob.
	CronJob
	// Ingress is a networking.k8s.io/v1 Ingress.
	Ingress
	// DaemonSet is an apps/v1 DaemonSet.
	DaemonSet
	// ReplicaSet is an apps/v1 ReplicaSet.
	ReplicaSet
	// HPA is an autoscaling/v2 HorizontalPodAutoscaler.
	HPA
	// PDB is a policy/v1 PodDisruptionBudget.
	PDB
	// NetworkPolicy is a networking.k8s.io/v1 NetworkPolicy.
	NetworkPolicy
	// Role is an rbac.authorization.k8s.io/v1 Role.
	Role
	// ClusterRole is an rbac.authorization.k8s.io/v1 ClusterRole.
	ClusterRole
	// RoleBinding is an rbac.authorization.k8s.io/v1 RoleBinding.
	RoleBinding
	// ClusterRoleBinding is an rbac.authorization.k8s.io/v1
	// ClusterRoleBinding.
	ClusterRoleBinding
	// Pod is a core/v1 Pod, usually a hook.
	Pod
	// Object is one or more objects given as YAML.
	Object
)

var kindNames = map[Kind]string{
	ConfigMap: "ConfigMap", Secret: "Secret", ServiceAccount: "ServiceAccount",
	Deployment: "Deployment", StatefulSet: "StatefulSet", Service: "Service",
	Ingress: "Ingress", PVC: "PersistentVolumeClaim", Job: "Job", CronJob: "CronJob",
	DaemonSet: "DaemonSet", ReplicaSet: "ReplicaSet", HPA: "HorizontalPodAutoscaler", PDB: "PodDisruptionBudget", NetworkPolicy: "NetworkPolicy",
	Role: "Role", ClusterRole: "ClusterRole", RoleBinding: "RoleBinding", ClusterRoleBinding: "ClusterRoleBinding",
	Pod: "Pod",
}

// Kinds lists every kind in the order of syntax.RefKindKeywords.
var Kinds = []Kind{ConfigMap, Secret, ServiceAccount, Deployment, StatefulSet, DaemonSet, ReplicaSet, Service, Ingress, PVC, Job, CronJob, Pod,
	HPA, PDB, NetworkPolicy, Role, ClusterRole, RoleBinding, ClusterRoleBinding, Object}

// kindWords are the kinds' keywords, as the grammar defines them.
var kindWords = func() map[Kind]string {
	if len(Kinds) != len(syntax.RefKindKeywords) {
		panic("ir: Kinds and syntax.RefKindKeywords differ in length")
	}
	m := make(map[Kind]string, len(Kinds))
	for i, k := range Kinds {
		m[k] = syntax.RefKindKeywords[i]
	}
	return m
}()

// String returns the kind's keyword, such as "configmap".
func (k Kind) String() string {
	if s, ok := kindWords[k]; ok {
		return s
	}
	return "unknown"
}

// KubeKind returns the Kubernetes kind, such as "ConfigMap"; empty for
// Object.
func (k Kind) KubeKind() string { return kindNames[k] }

// IsWorkload reports whether the kind runs a container.
func (k Kind) IsWorkload() bool {
	return k == Deployment || k == StatefulSet || k == DaemonSet || k == ReplicaSet || k == Job || k == CronJob || k == Pod
}

// ParseKind returns the kind whose keyword is s.
func ParseKind(s string) (Kind, bool) {
	for k, w := range kindWords {
		if w == s {
			return k, true
		}
	}
	return 0, false
}
