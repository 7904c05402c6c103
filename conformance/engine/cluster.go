package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"

	"github.com/argoproj/gitops-engine/pkg/cache"
	gsync "github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/tracing"
)

// InstanceLabel is the label Argo CD's controller tracks an application's
// objects by (its default tracking method): it sets it to the
// application's name on every object it applies, hooks included.
const InstanceLabel = "app.kubernetes.io/instance"

// Cluster drives Argo CD's sync engine against a real API server the way
// Argo CD's application controller does: the engine's cluster cache
// watches every kind of the cluster, each reconcile reads the
// application's live objects from it, and the sync context applies with
// the engine's real kubectl resource operations.
type Cluster struct {
	cfg     *rest.Config
	cache   cache.ClusterCache
	kubectl *kube.KubectlCmd
}

// NewCluster starts the engine's cluster cache on the cluster cfg reaches
// and waits until it has listed every kind. Close stops it.
func NewCluster(cfg *rest.Config) (*Cluster, error) {
	log := logr.Discard()
	// The API server warns about kinds it deprecated since Kubernetes
	// 0.23 (v1 Endpoints, ...) each time the cache lists them.
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	c := cache.NewClusterCache(cfg,
		cache.SetLogr(log),
		// As Argo CD's controller: the application an object belongs to is
		// the resource's info, and only the manifests of application
		// objects are kept.
		cache.SetPopulateResourceInfoHandler(func(un *unstructured.Unstructured, _ bool) (any, bool) {
			app := un.GetLabels()[InstanceLabel]
			return app, app != ""
		}),
	)
	if err := c.EnsureSynced(); err != nil {
		c.Invalidate()
		return nil, fmt.Errorf("the engine's cluster cache: %w", err)
	}
	return &Cluster{cfg: cfg, cache: c, kubectl: &kube.KubectlCmd{Log: log, Tracer: tracing.NopTracer{}}}, nil
}

// Close stops the cluster cache's watches.
func (c *Cluster) Close() { c.cache.Invalidate() }

// SyncResult is the outcome of a sync driven against a cluster.
type SyncResult struct {
	// Phase is the operation's final phase: Succeeded, Failed or Error.
	Phase   string
	Message string
	// Reconciles is the number of reconciles the sync took.
	Reconciles int
	// Failures describe the tasks that failed, as "Kind/name: message".
	Failures []string
}

// Sync syncs objs, the manifests of application app, to the cluster as
// Argo CD's controller does: the manifests are normalized as the
// controller normalizes them and labelled with app; then, until the
// operation completes, each reconcile reads the live objects of the
// application from the cluster cache, reconciles them with the manifests
// (gitops-engine sync.Reconcile), creates a new sync context with the
// operation's state so far and calls Sync once. Between reconciles it
// waits poll. opts.CreateNamespace is not supported here: the namespace
// must exist.
//
// Argo CD also sleeps ARGOCD_SYNC_WAVE_DELAY (2 s) after each wave; Sync
// does not, which changes when the next reconcile looks, not what it does
// (semantics.md, "No fixed delay between steps").
func (c *Cluster) Sync(ctx context.Context, app string, objs []*unstructured.Unstructured, opts Options, poll time.Duration) (*SyncResult, error) {
	if opts.CreateNamespace {
		return nil, fmt.Errorf("engine.Cluster.Sync: CreateNamespace is not supported; create the namespace first")
	}
	objs = normalize(objs, opts.Namespace)
	for _, o := range objs {
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[InstanceLabel] = app
		o.SetLabels(labels)
	}
	isManaged := func(r *cache.Resource) bool { return r.Info == app }
	var (
		phase   common.OperationPhase
		message string
		results []common.ResourceSyncResult
	)
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("the sync did not end after %d reconciles (%s: %s): %w", n-1, phase, message, err)
		}
		live, err := c.cache.GetManagedLiveObjs(objs, isManaged)
		if err != nil {
			return nil, fmt.Errorf("reconcile %d: live objects: %w", n, err)
		}
		result := gsync.Reconcile(objs, live, opts.Namespace, c.cache)
		sc, cleanup, err := gsync.NewSyncContext(opts.Revision, result, c.cfg, c.cfg, c.kubectl, opts.Namespace, c.cache.GetOpenAPISchema(),
			gsync.WithLogr(logr.Discard()),
			gsync.WithInitialState(phase, message, results, metav1.NewTime(opts.StartedAt)),
			gsync.WithOperationSettings(false, true, false, false),
			gsync.WithManifestValidation(true),
		)
		if err != nil {
			return nil, fmt.Errorf("reconcile %d: %w", n, err)
		}
		sc.Sync()
		cleanup()
		phase, message, results = sc.GetState()
		if phase.Completed() {
			res := &SyncResult{Phase: string(phase), Message: message, Reconciles: n}
			for _, r := range results {
				if r.Status == common.ResultCodeSyncFailed || r.HookPhase == common.OperationFailed || r.HookPhase == common.OperationError {
					res.Failures = append(res.Failures, fmt.Sprintf("%s/%s: %s", r.ResourceKey.Kind, r.ResourceKey.Name, r.Message))
				}
			}
			return res, nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}
