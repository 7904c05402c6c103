package engine

import (
	"context"
	"fmt"
	"sync"

	apierr "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/kubectl/pkg/util/openapi"

	"github.com/argoproj/gitops-engine/pkg/health"
	gsync "github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/kube/kubetest"
)

// Started is a task the engine started in one step, without its wave,
// which the engine's results do not carry.
type Started struct {
	Phase     string
	Group     string
	Kind      string
	Namespace string // "" for a cluster-scoped kind
	Name      string
}

// Result is the outcome of a whole sync driven as Argo CD's controller
// drives it.
type Result struct {
	// Steps are the tasks each reconcile started, in order; reconciles
	// that started nothing (waiting for health) are left out.
	Steps [][]Started
	// Phase is the operation's final phase: Succeeded or Failed.
	Phase   string
	Message string
}

// Run syncs objs to completion as Argo CD's application controller does:
// each reconcile creates a new sync context from the live state (the
// objects applied so far) and the results of the reconciles before, and
// calls Sync once. Every object is Healthy as soon as it is applied,
// except those failed reports true for, which are Degraded.
func Run(objs []*unstructured.Unstructured, opts Options, failed func(*unstructured.Unstructured) bool) (*Result, error) {
	objs = normalize(objs, opts.Namespace)
	srv := newDiscovery(objs)
	defer srv.Close()
	cfg := &rest.Config{Host: srv.URL}

	ops := &applied{
		all:       map[kube.ResourceKey]*unstructured.Unstructured{},
		untracked: map[kube.ResourceKey]bool{},
	}
	if opts.CreateNamespace {
		// The namespace CreateNamespace=true creates is not part of the
		// application, so Argo CD does not see it among its live objects.
		key := kube.NewResourceKey("", "Namespace", "", opts.Namespace)
		ops.untracked[key] = true
		for _, o := range objs {
			if kube.GetResourceKey(o) == key {
				delete(ops.untracked, key)
			}
		}
	}
	kubectl := &recordingKubectl{
		MockKubectlCmd: (&kubetest.MockKubectlCmd{}).WithGetResourceFunc(
			func(_ context.Context, _ *rest.Config, gvk schema.GroupVersionKind, name, ns string) (*unstructured.Unstructured, error) {
				if o := ops.get(kube.NewResourceKey(gvk.Group, gvk.Kind, ns, name)); o != nil {
					return o, nil
				}
				return nil, apierr.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, name)
			}),
		ops: ops,
	}
	res := &Result{}
	var (
		phase   common.OperationPhase
		message string
		results []common.ResourceSyncResult
		seen    = map[string]bool{}
	)
	for range 100 {
		result := gsync.Reconcile(objs, ops.snapshot(), opts.Namespace, scopes{})
		sc, cleanup, err := gsync.NewSyncContext(opts.Revision, result, cfg, cfg, kubectl, opts.Namespace, nil,
			gsync.WithLogr(discard()),
			gsync.WithInitialState(phase, message, results, metav1.NewTime(opts.StartedAt)),
			gsync.WithNamespaceCreation(opts.CreateNamespace, func(*unstructured.Unstructured) bool { return false }),
			gsync.WithHealthOverride(verdict(failed)),
		)
		if err != nil {
			return nil, err
		}
		sc.Sync()
		cleanup()
		phase, message, results = sc.GetState()
		var step []Started
		for _, r := range results {
			key := r.ResourceKey
			k := fmt.Sprintf("%s:%s", key.String(), r.SyncPhase)
			if seen[k] {
				continue
			}
			seen[k] = true
			s := Started{Phase: string(r.SyncPhase), Group: r.ResourceKey.Group, Kind: r.ResourceKey.Kind, Namespace: r.ResourceKey.Namespace, Name: r.ResourceKey.Name}
			if clusterScoped[schema.GroupKind{Group: s.Group, Kind: s.Kind}] {
				s.Namespace = ""
			}
			step = append(step, s)
		}
		if len(step) > 0 {
			res.Steps = append(res.Steps, step)
		}
		if phase.Completed() {
			res.Phase, res.Message = string(phase), message
			return res, nil
		}
	}
	return nil, fmt.Errorf("the sync did not end after 100 reconciles: %s: %s", phase, message)
}

// verdict reports objects Healthy, or Degraded where failed says so.
type verdict func(*unstructured.Unstructured) bool

func (v verdict) GetResourceHealth(obj *unstructured.Unstructured) (*health.HealthStatus, error) {
	if v != nil && v(obj) {
		return &health.HealthStatus{Status: health.HealthStatusDegraded, Message: "failed on purpose"}, nil
	}
	return &health.HealthStatus{Status: health.HealthStatusHealthy}, nil
}

// recordingKubectl is the engine's fake kubectl whose resource operations
// keep what is applied as the live state.
type recordingKubectl struct {
	*kubetest.MockKubectlCmd
	ops *applied
}

func (k *recordingKubectl) ManageResources(*rest.Config, openapi.Resources) (kube.ResourceOperations, func(), error) {
	return k.ops, func() {}, nil
}

// applied keeps the objects applied (not dry-run) by resource key.
type applied struct {
	mu        sync.Mutex
	all       map[kube.ResourceKey]*unstructured.Unstructured
	untracked map[kube.ResourceKey]bool // applied, but not the application's
}

// get returns the applied object with key, or nil.
func (a *applied) get(key kube.ResourceKey) *unstructured.Unstructured {
	a.mu.Lock()
	defer a.mu.Unlock()
	if o := a.all[key]; o != nil {
		return o.DeepCopy()
	}
	return nil
}

func (a *applied) keep(obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy) {
	if dry != cmdutil.DryRunNone {
		return
	}
	o := obj.DeepCopy()
	if clusterScoped[o.GroupVersionKind().GroupKind()] {
		o.SetNamespace("")
	}
	key := kube.GetResourceKey(o)
	o.SetUID(types.UID("uid-" + key.String()))
	a.mu.Lock()
	defer a.mu.Unlock()
	a.all[key] = o
}

func (a *applied) snapshot() map[kube.ResourceKey]*unstructured.Unstructured {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := make(map[kube.ResourceKey]*unstructured.Unstructured, len(a.all))
	for k, v := range a.all {
		if !a.untracked[k] {
			m[k] = v.DeepCopy()
		}
	}
	return m
}

func (a *applied) ApplyResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy, _, _, _ bool) (string, error) {
	a.keep(obj, dry)
	return "applied", nil
}

func (a *applied) ReplaceResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy, _ bool) (string, error) {
	a.keep(obj, dry)
	return "replaced", nil
}

func (a *applied) CreateResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy, _ bool) (string, error) {
	a.keep(obj, dry)
	return "created", nil
}

func (a *applied) UpdateResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy) (*unstructured.Unstructured, error) {
	a.keep(obj, dry)
	return obj, nil
}
