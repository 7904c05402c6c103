// Package apply executes a plan against a cluster: `wavec run` and `wavec
// delete`. It applies with server-side apply, advances from step to step as
// watches show each step complete, runs hooks with their delete policies,
// runs SyncFail hooks on failure, prunes what left the pipeline, and
// reports every event to a progress.Reporter.
//
// The order of the work comes from runtime/plan (Argo CD's order) and the
// health of objects from runtime/health; this package only executes. It
// sends every request through a cluster.API, so that its paths can be
// tested on the in-memory cluster of package fakecluster.
//
// Where it differs from Argo CD's sync engine, on purpose (docs/semantics.md,
// "Where wavec differs"):
//
//   - every step is waited for, the last one too, unless NoWaitLast;
//   - no fixed delay between steps (WaveDelay, default 0);
//   - every task has a timeout, and a timeout is a failure that runs the
//     SyncFail hooks;
//   - a step fails as soon as one of its tasks fails, without waiting for
//     the others to complete (Argo CD waits for them, with no timeout);
//   - objects are applied server-side, and the dry run before the first
//     step is a server-side dry run; objects that cannot be validated yet
//     (in a namespace, or of a kind, or using a ServiceAccount that the
//     sync itself creates) are named as not validated;
//   - the pipeline's namespace is created before the dry run unless
//     CreateNamespace is false; it is not part of the pipeline, so it is
//     neither pruned nor deleted.
package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
	"github.com/wavec/wavec/runtime/progress"
)

// Options configure a sync or a deletion.
type Options struct {
	// Pipeline names the pipeline: the value of PipelineLabel on its
	// objects and the name of its inventory.
	Pipeline string
	// Namespace is the pipeline's namespace: namespaced objects without
	// one go there, and so does the inventory.
	Namespace string
	// CreateNamespace creates Namespace first when it does not exist.
	CreateNamespace bool
	// ForceConflicts takes ownership of fields other managers own.
	ForceConflicts bool
	// DryRun validates every task with a server-side dry run and stops.
	DryRun bool
	// Prune deletes objects that a previous sync applied and that left
	// the pipeline.
	Prune bool
	// WaveDelay is slept after every step but the last (Argo CD sleeps
	// 2 s; wavec's default is 0).
	WaveDelay time.Duration
	// NoWaitLast does not wait for the health of the last step's
	// resources (hooks are still waited for), as Argo CD does.
	NoWaitLast bool
	// Timeout bounds each attempt of the sync; 0 means no bound.
	Timeout time.Duration
	// StepTimeout bounds the wait for each task that has no timeout of
	// its own (argocd.AnnotationTimeout).
	StepTimeout time.Duration
	// Retry is how many times a failed sync is tried again, with Argo CD's
	// backoff (Backoff).
	Retry int
	// Reporter receives the progress events; nil discards them.
	Reporter progress.Reporter
	// PlanWarnings, when set, receives the plan's warnings (problems in
	// the input's annotations) once, before the first step, so that a
	// command can print them as diagnostics with their positions; they
	// are then not sent to Reporter as Warning events. When nil, each
	// attempt reports them as Warning events.
	PlanWarnings func(*plan.Plan)
	// Sleep waits between retries; nil means a timer (tests shorten it).
	Sleep func(context.Context, time.Duration) error
}

// Result is the outcome of a sync or a deletion.
type Result struct {
	// Status is Succeeded, Failed or Interrupted.
	Status progress.Status
	// Message says why a sync failed.
	Message string
	// Summary is what the last SyncDone event carried.
	Summary *progress.Summary
	// Plan is the plan the last attempt executed (nil when the sync failed
	// before planning).
	Plan *plan.Plan
	// Hooks lists the names of the hooks the last attempt created, by
	// "Kind/name", for tests and tools.
	Hooks []string
}

// Engine syncs and deletes pipelines on one cluster.
type Engine struct {
	k *kube
}

// New returns an engine that works through clients.
func New(c *cluster.Clients) (*Engine, error) {
	api, err := c.API()
	if err != nil {
		return nil, err
	}
	return NewWithAPI(api), nil
}

// NewWithAPI returns an engine that works through api, such as an
// in-memory cluster of package fakecluster.
func NewWithAPI(api cluster.API) *Engine {
	return &Engine{k: &kube{c: api}}
}

// emitter stamps and serialises events for the reporter.
type emitter struct {
	mu sync.Mutex
	r  progress.Reporter
}

func (e *emitter) emit(ev progress.Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.r.Report(ev)
}

func (o *Options) check() error {
	if o.Pipeline == "" {
		return errors.New("the pipeline has no name (give one with --name)")
	}
	if errs := validation.IsValidLabelValue(o.Pipeline); len(errs) > 0 {
		return fmt.Errorf("pipeline name %q cannot be a label value: %s", o.Pipeline, strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Subdomain(InventoryName(o.Pipeline)); len(errs) > 0 {
		return fmt.Errorf("pipeline name %q cannot name an inventory ConfigMap: %s", o.Pipeline, strings.Join(errs, "; "))
	}
	if o.Namespace == "" {
		return errors.New("no namespace for the pipeline")
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 5 * time.Minute
	}
	if o.Reporter == nil {
		o.Reporter = progress.Discard
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sync applies objs as pipeline opts.Pipeline with Argo CD's semantics and
// returns when the sync succeeded, failed, or was interrupted through ctx.
// objs are not modified.
func (e *Engine) Sync(ctx context.Context, objs []manifest.Object, opts Options) Result {
	if err := opts.check(); err != nil {
		return Result{Status: progress.Failed, Message: err.Error()}
	}
	em := &emitter{r: opts.Reporter}
	var res Result
	for attempt := 1; ; attempt++ {
		s := &syncRun{k: e.k, opts: opts, em: em, attempt: attempt, op: "sync"}
		res = s.run(ctx, objs)
		if res.Status != progress.Failed || attempt > opts.Retry || s.noRetry {
			return res
		}
		d := Backoff(attempt - 1)
		em.emit(progress.Event{Type: progress.Retry, Attempt: attempt + 1, Duration: progress.Millis(d), Message: res.Message})
		if err := opts.Sleep(ctx, d); err != nil {
			res.Status, res.Message = progress.Interrupted, "interrupted while waiting to retry"
			em.emit(progress.Event{Type: progress.SyncDone, Operation: "sync", Status: res.Status, Message: res.Message})
			return res
		}
	}
}
