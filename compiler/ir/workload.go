package ir

import (
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/lang/source"
)

// Container is one container of a workload: its main container, a further
// container, an init container or a sidecar.
type Container struct {
	// Name is the container's name: the workload's for the main container,
	// the label of `container NAME`, `init NAME` or `sidecar NAME`.
	Name string
	// Span is where the container is declared: the workload's name for the
	// main container, the label otherwise.
	Span source.Span
	// Sidecar marks a restartable init container (restartPolicy Always),
	// which starts before the main containers and runs beside them.
	Sidecar bool
	// Image is the container image.
	Image string
	// Command and Args are the entrypoint and its arguments.
	Command, Args []string
	// Env are the variables in source order.
	Env []EnvVar
	// EnvFrom are ConfigMaps and Secrets whose every key is a variable.
	EnvFrom []*Resource
	// Ports are the container ports in source order.
	Ports []Port
	// CPU and Memory are resource requests, CPULimit and MemoryLimit
	// limits; nil when not given. Without MemoryLimit, Memory is the limit
	// too.
	CPU, Memory, CPULimit, MemoryLimit *resource.Quantity
	// Ready, Live and Startup are the probes.
	Ready, Live, Startup *Probe
	// Mounts are the volumes in path order.
	Mounts []Mount
	// User is runAsUser, or nil. Further containers without their own take
	// the main container's.
	User *int64
}

// MemoryLimits returns the container's memory limit: MemoryLimit, else
// Memory, else nil.
func (c *Container) MemoryLimits() *resource.Quantity {
	if c.MemoryLimit != nil {
		return c.MemoryLimit
	}
	return c.Memory
}

// AllContainers returns the main container, the further containers and
// then the init containers and sidecars.
func (w *WorkloadSpec) AllContainers() []*Container {
	out := []*Container{&w.Container}
	out = append(out, w.Containers...)
	return append(out, w.Init...)
}

// ProbeTiming are a probe's timings.
type ProbeTiming struct {
	// Delay is initialDelaySeconds, Period periodSeconds and Timeout
	// timeoutSeconds.
	Delay, Period, Timeout time.Duration
	// Failures is failureThreshold and Successes successThreshold.
	Failures, Successes int32
}

// Volume is a workload's own volume: an emptyDir, or a projected volume of
// ConfigMaps and Secrets.
type Volume struct {
	// Name is the volume's name.
	Name string
	// Span is where it is declared.
	Span source.Span
	// Projected are the ConfigMaps and Secrets of a projected volume; empty
	// for an emptyDir.
	Projected []*Resource
	// SizeLimit is an emptyDir's sizeLimit, or nil.
	SizeLimit *resource.Quantity
	// Memory backs an emptyDir by memory (medium Memory).
	Memory bool
}

// IngressRule is the paths of one host.
type IngressRule struct {
	// Host is the rule's host; empty matches every host.
	Host string
	// Paths are the prefixes in source order.
	Paths []*IngressPath
}

// IngressPath is one path prefix and its backend.
type IngressPath struct {
	// Path is the HTTP path prefix.
	Path string
	// Service is the backend.
	Service *Resource
	// Port is the backend port.
	Port PortRef
	// Span is where the path is written.
	Span source.Span
}

// IngressTLS is one certificate and the hosts it serves.
type IngressTLS struct {
	// Secret holds the certificate.
	Secret *Resource
	// Hosts are the hosts it serves.
	Hosts []string
}

// IntOrPercent is a count or a percentage such as "50%".
type IntOrPercent struct {
	// Number is set when a count is given.
	Number int32
	// Percent is set when a percentage is given, e.g. "50%".
	Percent string
}

// HPASpec is the body of an hpa: a HorizontalPodAutoscaler.
type HPASpec struct {
	// Target is the deployment, statefulset or replicaset scaled.
	Target *Resource
	// Min and Max bound the replicas.
	Min, Max int32
	// CPU and Memory are target average utilizations in percent of the
	// requests; nil when not given.
	CPU, Memory *int32
}

// PDBSpec is the body of a pdb: a PodDisruptionBudget.
type PDBSpec struct {
	// Selector is the workload whose Pods the budget protects.
	Selector *Resource
	// MinAvailable and MaxUnavailable: exactly one is set.
	MinAvailable, MaxUnavailable *IntOrPercent
}

// NetworkPolicySpec is the body of a networkpolicy.
type NetworkPolicySpec struct {
	// Selector is the workload whose Pods the policy applies to.
	Selector *Resource
	// Ingress reports whether the policy restricts incoming traffic; From
	// are the workloads allowed in (none: nothing may connect), on Ports
	// (none: every port).
	Ingress bool
	From    []*Resource
	Ports   []PortRef
	// Egress reports whether the policy restricts outgoing traffic; To are
	// the workloads the Pods may connect to, and DNS allows DNS lookups.
	Egress bool
	To     []*Resource
	DNS    bool
}

// PolicyRule is one rule of a role.
type PolicyRule struct {
	// Groups are the API groups ("" for the core group).
	Groups []string
	// Resources are the resources, e.g. "configmaps".
	Resources []string
	// Names restrict the rule to objects of these names.
	Names []string
	// Verbs are the verbs allowed, e.g. "get".
	Verbs []string
}

// RoleSpec is the body of a role or clusterrole.
type RoleSpec struct {
	// Rules are the rules in source order.
	Rules []PolicyRule
}

// BindingSpec is the body of a rolebinding or clusterrolebinding.
type BindingSpec struct {
	// Role is the role or clusterrole granted.
	Role *Resource
	// Subjects are the service accounts granted it.
	Subjects []*Resource
}

// ClusterScoped reports whether objects of the kind have no namespace, by
// the one list of cluster-scoped kinds in package argocd.
func (k Kind) ClusterScoped() bool {
	return k != Object && argocd.ClusterScoped(schema.GroupKind{Group: k.Group(), Kind: k.KubeKind()})
}

// Group returns the kind's API group, "" for the core group and for Object.
func (k Kind) Group() string {
	switch k {
	case Deployment, StatefulSet, DaemonSet, ReplicaSet:
		return "apps"
	case Job, CronJob:
		return "batch"
	case Ingress, NetworkPolicy:
		return "networking.k8s.io"
	case HPA:
		return "autoscaling"
	case PDB:
		return "policy"
	case Role, ClusterRole, RoleBinding, ClusterRoleBinding:
		return "rbac.authorization.k8s.io"
	}
	return ""
}
