// Package ir is the checked form of a .wave pipeline: every name resolved,
// every value typed and converted, every resource placed in a phase and a
// wave. The checker (compiler/check) builds it from the AST without changing
// the AST; the emitter (compiler/emit) turns it into Kubernetes objects.
//
// Every node keeps the source span it came from, so later stages can still
// point at code. An IR produced together with errors may be incomplete; only
// an IR from a check without errors is fit to emit.
package ir

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/lang/source"
)

// DefaultTimeout is how long `wavec run` waits for a step or hook when the
// pipeline does not say.
const DefaultTimeout = 5 * time.Minute

// Pipeline is one checked pipeline.
type Pipeline struct {
	// Name labels every object (app.kubernetes.io/part-of).
	Name string
	// Namespace is where every namespaced object goes.
	Namespace string
	// Span is the header that named the pipeline.
	Span source.Span
	// Restricted says whether containers get the Pod Security "restricted"
	// settings unless a workload opts out.
	Restricted bool
	// Timeout is the default per-step and per-hook timeout of `wavec run`.
	Timeout time.Duration
	// Labels are added to every object.
	Labels map[string]string
	// Params are the parameters with their final values, in name order.
	Params []*Param
	// Resources are every declaration, sorted by kind and name.
	Resources []*Resource
}

// Lookup returns the resource of kind k named name, or nil.
func (p *Pipeline) Lookup(k Kind, name string) *Resource {
	for _, r := range p.Resources {
		if r.Kind == k && r.Name == name {
			return r
		}
	}
	return nil
}

// ParamType is the type of a parameter, taken from its default.
type ParamType int

// The parameter types.
const (
	// StringParam holds text.
	StringParam ParamType = iota + 1
	// NumberParam holds an integer or decimal number.
	NumberParam
	// BoolParam holds true or false.
	BoolParam
	// UnitParam holds a number with units: a duration or a quantity.
	UnitParam
)

// String returns how the type is named in diagnostics.
func (t ParamType) String() string {
	switch t {
	case StringParam:
		return "string"
	case NumberParam:
		return "number"
	case BoolParam:
		return "bool"
	case UnitParam:
		return "duration or quantity"
	}
	return "unknown"
}

// Param is a parameter and its final value.
type Param struct {
	// Name is the parameter's name.
	Name string
	// Type is the type of its default.
	Type ParamType
	// Value is the value as text: the default, or what --set gave.
	Value string
	// Set reports whether --set overrode the default.
	Set bool
	// Span is the declaration.
	Span source.Span
}

// Resource is one declaration: a built-in kind or an `object`.
type Resource struct {
	// Kind is the declaration's kind.
	Kind Kind
	// Name is metadata.name for built-in kinds, and the declaration's name
	// for objects (whose documents carry their own names).
	Name string
	// Span is the whole declaration.
	Span source.Span
	// NameSpan is the declared name.
	NameSpan source.Span
	// External marks an object that exists already: it is never applied,
	// and reading it is never an ordering problem.
	External bool

	// Labels and Annotations are the declaration's extra metadata.
	Labels      map[string]string
	Annotations map[string]string
	// NoPrune keeps the object when it leaves the pipeline (Prune=false).
	NoPrune bool
	// PruneLast prunes it after everything else is healthy.
	PruneLast bool
	// GenerateName, for a hook of a built-in kind, is its
	// metadata.generateName: the object has no metadata.name, and Argo CD
	// names it at each sync.
	GenerateName string
	// SyncOptions are further Argo CD sync options for the object, such as
	// "ServerSideApply=true" or "Delete=false", in the order of
	// SyncOptionFields.
	SyncOptions []string

	// Placement says when the resource is applied.
	Placement Placement
	// After lists the `after` edges leaving this resource.
	After []*Edge
	// Reads lists the objects that must exist for this resource's Pods to
	// start: env_from, env references, mounts and the service account.
	Reads []*Read
	// Overlays are the fields of general blocks, merged into the object
	// in order (overlay.go).
	Overlays []*Overlay

	// Exactly one of the following is set, according to Kind.
	ConfigMap      *ConfigMapSpec
	Secret         *SecretSpec
	ServiceAccount *ServiceAccountSpec
	Workload       *WorkloadSpec
	Service        *ServiceSpec
	Ingress        *IngressSpec
	PVC            *PVCSpec
	HPA            *HPASpec
	PDB            *PDBSpec
	NetworkPolicy  *NetworkPolicySpec
	Role           *RoleSpec
	Binding        *BindingSpec
	Object         *ObjectSpec
}

// Ref returns the resource as it is written in source, e.g. `configmap x`.
func (r *Resource) Ref() string { return r.Kind.String() + " " + r.Name }

// Describe returns the resource as diagnostics name it, e.g.
// `configmap "x"`, or `presync hook "migrate"` for hooks.
func (r *Resource) Describe() string {
	if r.Placement.IsHook() {
		return r.Placement.PhaseList() + " hook " + strconv.Quote(r.Name)
	}
	return r.Kind.String() + " " + strconv.Quote(r.Name)
}

// Placement says in which phases and wave a resource is applied.
type Placement struct {
	// Phases are the hook phases; nil for a plain resource, which is applied
	// in the Sync phase.
	Phases []argocd.Phase
	// Wave is the sync wave, explicit or worked out from `after`.
	Wave int32
	// Explicit reports whether a wave statement or `PHASE wave N` gave the
	// wave.
	Explicit bool
	// Span is the member of the wave or hook statement that placed the
	// resource; invalid when no statement names it.
	Span source.Span
	// Delete are the hook's delete policies as written; empty means
	// BeforeHookCreation.
	Delete []argocd.DeletePolicy
	// Timeout is the hook's `timeout` option, or zero.
	Timeout time.Duration
	// Retries is the hook's `retries` option, or nil.
	Retries *int32
}

// IsHook reports whether the resource is an Argo CD hook.
func (p *Placement) IsHook() bool { return len(p.Phases) > 0 }

// EffectivePhases returns the hook phases, or Sync for a plain resource.
func (p *Placement) EffectivePhases() []argocd.Phase {
	if len(p.Phases) == 0 {
		return []argocd.Phase{argocd.Sync}
	}
	return p.Phases
}

// FirstPhase returns the earliest phase the resource is applied in.
func (p *Placement) FirstPhase() argocd.Phase {
	return slices.Min(p.EffectivePhases())
}

// PhaseList returns the phases as written in source, e.g. "presync" or
// "presync, postsync".
func (p *Placement) PhaseList() string {
	words := make([]string, 0, len(p.Phases))
	for _, ph := range p.EffectivePhases() {
		words = append(words, ph.Keyword())
	}
	return strings.Join(words, ", ")
}

// HasDelete reports whether policy d applies, counting the default
// BeforeHookCreation when none is given.
func (p *Placement) HasDelete(d argocd.DeletePolicy) bool {
	if len(p.Delete) == 0 {
		return d == argocd.BeforeHookCreation
	}
	return slices.Contains(p.Delete, d)
}

// Annotations returns the placement as Argo CD reads it from annotations
// (argocd.Encode writes it).
func (p *Placement) Annotations() argocd.Annotations {
	a := argocd.Annotations{Wave: int(p.Wave)}
	for _, ph := range p.EffectivePhases() {
		switch ph.Operation() {
		case argocd.Syncing:
			a.Phases = append(a.Phases, ph)
		case argocd.Deleting:
			a.DeletePhases = append(a.DeletePhases, ph)
		default:
			a.Skip = true
		}
	}
	slices.Sort(a.Phases)
	slices.Sort(a.DeletePhases)
	if p.IsHook() && !a.Skip {
		a.Hook = true
		a.DeletePolicies = slices.Clone(p.Delete)
		if len(a.DeletePolicies) == 0 {
			a.DeletePolicies = []argocd.DeletePolicy{argocd.BeforeHookCreation}
		}
		slices.Sort(a.DeletePolicies)
	}
	return a
}

// Edge is one `after` target.
type Edge struct {
	// Target is what the resource waits for.
	Target *Resource
	// Span is the target as written.
	Span source.Span
}

// Read is a reference to an object a resource needs at run time.
type Read struct {
	// Target is the object read.
	Target *Resource
	// Span is the reference as written.
	Span source.Span
	// Via names the field that reads it: "env_from", "env", "mount",
	// "service_account" or "pull_secrets".
	Via string
}

// ConfigMapSpec is the body of a configmap.
type ConfigMapSpec struct {
	// Data holds the entries.
	Data map[string]string
}

// SecretSpec is the body of a secret.
type SecretSpec struct {
	// Type is the Secret type; empty means Opaque.
	Type string
	// Data holds the stringData entries.
	Data map[string]string
}

// ServiceAccountSpec is the body of a serviceaccount.
type ServiceAccountSpec struct {
	// Automount is automountServiceAccountToken, or nil when not given.
	Automount *bool
}

// Port is a named container or service port.
type Port struct {
	// Name is the port's name ("http" for `port = N`).
	Name string
	// Port is the port number.
	Port int32
	// Target is a Service port's target: a number or a container port's
	// name. Zero value means the same as Port.
	Target PortRef
	// Span is where the port is written.
	Span source.Span
}

// PortRef is a port given by number or by name.
type PortRef struct {
	// Number is set when the port is given by number.
	Number int32
	// Name is set when it is given by name.
	Name string
}

// IsZero reports whether no port is given.
func (p PortRef) IsZero() bool { return p.Number == 0 && p.Name == "" }

// ProbeType is the kind of a health probe.
type ProbeType int

// The probe types.
const (
	// HTTPProbe is an HTTP GET.
	HTTPProbe ProbeType = iota + 1
	// TCPProbe opens a TCP connection.
	TCPProbe
	// GRPCProbe calls the gRPC health service.
	GRPCProbe
	// ExecProbe runs a command in the container.
	ExecProbe
)

// Probe is a readiness, liveness or startup probe.
type Probe struct {
	// Type says how the probe checks.
	Type ProbeType
	// Path is the HTTP path.
	Path string
	// Command is the exec probe's command.
	Command []string
	// Port is the port probed.
	Port PortRef
	// Timing holds the probe's timings; zero values leave Kubernetes'
	// defaults.
	Timing ProbeTiming
}

// EnvVar is one environment variable.
type EnvVar struct {
	// Name is the variable's name.
	Name string
	// Value is its literal value when From is nil.
	Value string
	// From, when set, is the ConfigMap or Secret holding the value.
	From *Resource
	// Key is the key read from From.
	Key string
}

// Mount is a volume mounted into a container.
type Mount struct {
	// Path is the mount path.
	Path string
	// From is the ConfigMap, Secret or PVC mounted; nil when Volume is set.
	From *Resource
	// Key, when set, mounts only this key of a ConfigMap or Secret, as the
	// file at Path.
	Key string
	// Volume is the name of the workload's own volume mounted.
	Volume string
}

// Storage is a StatefulSet volume claim template.
type Storage struct {
	// Path is the mount path.
	Path string
	// Size is the requested storage.
	Size resource.Quantity
}

// ConcurrencyPolicy is a CronJob's concurrencyPolicy.
type ConcurrencyPolicy string

// The concurrency policies.
const (
	// ConcurrencyAllow runs jobs concurrently.
	ConcurrencyAllow ConcurrencyPolicy = "Allow"
	// ConcurrencyForbid skips a run while the previous one is active.
	ConcurrencyForbid ConcurrencyPolicy = "Forbid"
	// ConcurrencyReplace replaces the running job.
	ConcurrencyReplace ConcurrencyPolicy = "Replace"
)

// WorkloadSpec is the body of a deployment, statefulset, daemonset, job or
// cronjob: its main container (named like the workload), further containers,
// volumes, plus the fields of its kind.
type WorkloadSpec struct {
	// Container is the main container, from the workload's own fields.
	Container
	// Containers are the further containers (`container NAME { ... }`), in
	// source order.
	Containers []*Container
	// Init are the init containers (`init NAME { ... }`) and restartable
	// sidecar init containers (`sidecar NAME { ... }`), in source order:
	// Kubernetes starts them in this order.
	Init []*Container
	// Volumes are the workload's own volumes (`volume NAME = ...`), in
	// name order.
	Volumes []*Volume
	// PullSecrets are the Pod's imagePullSecrets.
	PullSecrets []*Resource
	// ServiceAccount is the Pod's service account, or nil.
	ServiceAccount *Resource
	// Restricted says whether the containers get the restricted settings.
	Restricted bool
	// GracePeriod is terminationGracePeriodSeconds, or nil.
	GracePeriod *int64
	// Autoscaled marks a deployment, statefulset or replicaset that an hpa of the
	// pipeline scales: its replicas are left to the autoscaler.
	Autoscaled bool

	// Selector, for a deployment, statefulset or daemonset, is the labels
	// that select its Pods when they are its own (`selector = { ... }`);
	// nil when wavec's labels select them.
	Selector map[string]string

	// Replicas applies to deployments, statefulsets and replicasets.
	Replicas int32
	// GoverningService is a statefulset's `service`.
	GoverningService *Resource
	// Storage are a statefulset's volume claim templates, in path order.
	Storage []Storage
	// StorageClass is the storageClassName of the volume claim templates,
	// or empty for the cluster's default.
	StorageClass string

	// Retries is a job's backoffLimit (also a cronjob's jobs').
	Retries int32
	// Timeout is a job's activeDeadlineSeconds, or zero.
	Timeout time.Duration
	// Schedule, Concurrency and Suspend apply to cronjobs.
	Schedule    string
	Concurrency ConcurrencyPolicy
	Suspend     bool
	// TimeZone is a cronjob's timeZone, or empty for the controller's.
	TimeZone string
	// KeepSucceeded and KeepFailed are a cronjob's history limits, or nil.
	KeepSucceeded, KeepFailed *int32
}

// ServiceType is a Service's type.
type ServiceType string

// The service types.
const (
	// ClusterIP is reachable inside the cluster.
	ClusterIP ServiceType = "ClusterIP"
	// NodePort is also reachable on every node's port.
	NodePort ServiceType = "NodePort"
	// LoadBalancer asks for an external load balancer.
	LoadBalancer ServiceType = "LoadBalancer"
)

// ServiceSpec is the body of a service.
type ServiceSpec struct {
	// Ports in source order.
	Ports []Port
	// Selector is the workload whose Pods the Service serves.
	Selector *Resource
	// Type is the Service type.
	Type ServiceType
	// Headless gives the Service no cluster IP (`type = None`).
	Headless bool
}

// IngressSpec is the body of an ingress.
type IngressSpec struct {
	// Rules are the hosts with their paths, in source order; the short
	// form (`host`, `path`, `service`, `port`) is one rule of one path.
	Rules []*IngressRule
	// Class is ingressClassName.
	Class string
	// PathType is every path's pathType: Prefix (when empty), Exact or
	// ImplementationSpecific.
	PathType string
	// TLS are the certificates, in source order.
	TLS []*IngressTLS
}

// AccessMode is a PVC access mode.
type AccessMode string

// The access modes.
const (
	// ReadWriteOnce mounts read-write on one node.
	ReadWriteOnce AccessMode = "ReadWriteOnce"
	// ReadOnlyMany mounts read-only on many nodes.
	ReadOnlyMany AccessMode = "ReadOnlyMany"
	// ReadWriteMany mounts read-write on many nodes.
	ReadWriteMany AccessMode = "ReadWriteMany"
	// ReadWriteOncePod mounts read-write in one Pod.
	ReadWriteOncePod AccessMode = "ReadWriteOncePod"
)

// PVCSpec is the body of a pvc.
type PVCSpec struct {
	// Size is the requested storage.
	Size resource.Quantity
	// Access is the access mode.
	Access AccessMode
	// StorageClass is storageClassName, or empty for the default.
	StorageClass string
}

// ObjectSpec is the body of an `object` declaration.
type ObjectSpec struct {
	// File is the YAML file's path as it was opened, or empty when inline.
	File string
	// Docs are the objects, with the pipeline namespace filled in where
	// they are namespaced.
	Docs []*unstructured.Unstructured
}

// SyncOptionField is a field every built-in kind takes that sets one of Argo
// CD's per-object sync options.
type SyncOptionField struct {
	// Field is the field's name in a .wave declaration.
	Field string
	// Option is the sync option's name, as in "ServerSideApply=true".
	Option string
	// Default is Argo CD's behaviour without the option; the option is
	// written only when the field says otherwise, unless Both is set.
	Default bool
	// Both writes the option for either value: `server_side_apply = false`
	// opts one object out of an Application's ServerSideApply=true.
	Both bool
}

// SyncOptionFields are the sync-option fields, in the order their options
// are written.
var SyncOptionFields = []SyncOptionField{
	{Field: "server_side_apply", Option: "ServerSideApply", Default: false, Both: true},
	{Field: "replace", Option: "Replace", Default: false, Both: true},
	{Field: "skip_dry_run", Option: "SkipDryRunOnMissingResource", Default: false},
	{Field: "delete", Option: "Delete", Default: true},
}
