package ir

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
	// Object is one or more objects given as YAML.
	Object
)

var kindWords = map[Kind]string{
	ConfigMap: "configmap", Secret: "secret", ServiceAccount: "serviceaccount",
	Deployment: "deployment", StatefulSet: "statefulset", Service: "service",
	Ingress: "ingress", PVC: "pvc", Job: "job", CronJob: "cronjob", Object: "object",
	DaemonSet: "daemonset", HPA: "hpa", PDB: "pdb", NetworkPolicy: "networkpolicy", Role: "role",
	ClusterRole: "clusterrole", RoleBinding: "rolebinding", ClusterRoleBinding: "clusterrolebinding",
}

var kindNames = map[Kind]string{
	ConfigMap: "ConfigMap", Secret: "Secret", ServiceAccount: "ServiceAccount",
	Deployment: "Deployment", StatefulSet: "StatefulSet", Service: "Service",
	Ingress: "Ingress", PVC: "PersistentVolumeClaim", Job: "Job", CronJob: "CronJob",
	DaemonSet: "DaemonSet", HPA: "HorizontalPodAutoscaler", PDB: "PodDisruptionBudget", NetworkPolicy: "NetworkPolicy",
	Role: "Role", ClusterRole: "ClusterRole", RoleBinding: "RoleBinding", ClusterRoleBinding: "ClusterRoleBinding",
}

// Kinds lists every kind in declaration-keyword order.
var Kinds = []Kind{ConfigMap, Secret, ServiceAccount, Deployment, StatefulSet, DaemonSet, Service, Ingress, PVC, Job, CronJob,
	HPA, PDB, NetworkPolicy, Role, ClusterRole, RoleBinding, ClusterRoleBinding, Object}

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
	return k == Deployment || k == StatefulSet || k == DaemonSet || k == Job || k == CronJob
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

// Phase is an Argo CD hook phase.
type Phase int

// The phases, in the order a sync runs them; PreDelete and PostDelete belong
// to deleting the application, and Skip objects are never applied.
const (
	// PreSync hooks run before the Sync phase.
	PreSync Phase = iota + 1
	// Sync is the phase of plain resources and Sync hooks.
	Sync
	// PostSync hooks run once every Sync resource is healthy.
	PostSync
	// SyncFail hooks run when the sync fails.
	SyncFail
	// PreDelete hooks run before the application's resources are deleted.
	PreDelete
	// PostDelete hooks run after they are deleted.
	PostDelete
	// Skip objects are never applied.
	Skip
)

var phaseWords = []string{"", "presync", "sync", "postsync", "syncfail", "predelete", "postdelete", "skip"}
var phaseNames = []string{"", "PreSync", "Sync", "PostSync", "SyncFail", "PreDelete", "PostDelete", "Skip"}

// String returns the phase's keyword, such as "presync".
func (p Phase) String() string {
	if p < PreSync || p > Skip {
		return "unknown"
	}
	return phaseWords[p]
}

// Annotation returns the phase as argocd.argoproj.io/hook spells it, such as
// "PreSync".
func (p Phase) Annotation() string {
	if p < PreSync || p > Skip {
		return ""
	}
	return phaseNames[p]
}

// ParsePhase returns the phase whose keyword is s.
func ParsePhase(s string) (Phase, bool) {
	for i, w := range phaseWords {
		if i > 0 && w == s {
			return Phase(i), true
		}
	}
	return 0, false
}

// Operation tells which operation runs a phase: 1 for a sync (PreSync to
// SyncFail), 2 for deleting the application, 0 for Skip.
func (p Phase) Operation() int {
	switch {
	case p >= PreSync && p <= SyncFail:
		return 1
	case p == PreDelete || p == PostDelete:
		return 2
	}
	return 0
}

// DeletePolicy is an Argo CD hook delete policy.
type DeletePolicy int

// The delete policies.
const (
	// BeforeHookCreation deletes the previous hook before creating it again.
	BeforeHookCreation DeletePolicy = iota + 1
	// HookSucceeded deletes the hook when the sync succeeds.
	HookSucceeded
	// HookFailed deletes the hook when the sync fails.
	HookFailed
)

var policyWords = []string{"", "before-create", "on-success", "on-failure"}
var policyNames = []string{"", "BeforeHookCreation", "HookSucceeded", "HookFailed"}

// PolicyWords lists the delete policies' keywords.
var PolicyWords = policyWords[1:]

// String returns the policy's keyword, such as "on-success".
func (d DeletePolicy) String() string {
	if d < BeforeHookCreation || d > HookFailed {
		return "unknown"
	}
	return policyWords[d]
}

// Annotation returns the policy as argocd.argoproj.io/hook-delete-policy
// spells it, such as "HookSucceeded".
func (d DeletePolicy) Annotation() string {
	if d < BeforeHookCreation || d > HookFailed {
		return ""
	}
	return policyNames[d]
}

// ParseDeletePolicy returns the policy whose keyword is s.
func ParseDeletePolicy(s string) (DeletePolicy, bool) {
	for i, w := range policyWords {
		if i > 0 && w == s {
			return DeletePolicy(i), true
		}
	}
	return 0, false
}
