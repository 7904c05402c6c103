package apply

import (
	"context"
	"errors"
	"fmt"
	"github.com/wavec/wavec/argocd"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/cluster/fakecluster"
	"github.com/wavec/wavec/runtime/progress"
)

// The tests in this file run the engine against fakecluster, so they need
// no API server: every path of the state machine, and failures a real
// cluster cannot easily be made to produce.

// outcomeAnnotation tells the fake controllers what becomes of a Job or a
// Deployment: "fail" (Degraded) or "hang" (never healthy); anything else
// becomes healthy as soon as it is written.
const outcomeAnnotation = "test.wavec.io/outcome"

var (
	jobGK        = schema.GroupKind{Group: "batch", Kind: "Job"}
	deploymentGK = schema.GroupKind{Group: "apps", Kind: "Deployment"}
	configMapGK  = schema.GroupKind{Kind: "ConfigMap"}
)

// fakeEnv is an engine on a fake cluster.
type fakeEnv struct {
	t   testing.TB
	fc  *fakecluster.Cluster
	e   *Engine
	rec *recorder
}

func newFake(t testing.TB) *fakeEnv {
	fc := fakecluster.New()
	fc.OnWrite(func(u *unstructured.Unstructured) { control(fc, u) })
	v := &fakeEnv{t: t, fc: fc, e: NewWithAPI(fc), rec: &recorder{}}
	t.Cleanup(func() {
		if t.Failed() {
			v.rec.dump(t)
		}
	})
	return v
}

// control plays the Job and Deployment controllers.
func control(fc *fakecluster.Cluster, u *unstructured.Unstructured) {
	outcome := u.GetAnnotations()[outcomeAnnotation]
	if outcome == "hang" {
		return
	}
	gk := u.GroupVersionKind().GroupKind()
	switch gk {
	case jobGK:
		cond := map[string]any{"type": "Complete", "status": "True"}
		if outcome == "fail" {
			cond = map[string]any{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}
		}
		fc.Modify(gk, u.GetNamespace(), u.GetName(), func(o *unstructured.Unstructured) {
			_ = unstructured.SetNestedSlice(o.Object, []any{cond}, "status", "conditions")
		})
	case deploymentGK:
		fc.Modify(gk, u.GetNamespace(), u.GetName(), func(o *unstructured.Unstructured) {
			replicas, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas")
			if !found {
				replicas = 1
			}
			st := map[string]any{"observedGeneration": o.GetGeneration(), "replicas": replicas, "updatedReplicas": replicas,
				"readyReplicas": replicas, "availableReplicas": replicas}
			if outcome == "fail" {
				st["conditions"] = []any{map[string]any{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet has timed out progressing"}}
			}
			o.Object["status"] = st
		})
	}
}

func (v *fakeEnv) opts(name string) Options {
	return Options{Pipeline: name, Namespace: "ns", CreateNamespace: true, StepTimeout: time.Minute, Reporter: v.rec,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
}

func (v *fakeEnv) sync(ctx context.Context, yaml string, o Options) Result {
	v.t.Helper()
	v.rec.reset()
	return v.e.Sync(ctx, load(v.t, yaml), o)
}

// applied returns the names of the objects written (not dry run) by apply
// or create requests, in order.
func (v *fakeEnv) applied() []string {
	var out []string
	for _, r := range v.fc.Requests() {
		if (r.Verb == fakecluster.Apply || r.Verb == fakecluster.Create) && !r.DryRun && r.Err == nil && r.Kind != "Namespace" {
			out = append(out, r.Kind+"/"+r.Name)
		}
	}
	return out
}

// stepStatus returns the status of step index in the result's summary.
func stepStatus(r Result, index int) progress.Status {
	if r.Summary == nil {
		return ""
	}
	for _, s := range r.Summary.Steps {
		if s.Index == index {
			return s.Status
		}
	}
	return ""
}

func job(name string, ann string) string {
	return "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\n  annotations: {" + ann + "}\n" +
		"spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: main, image: busybox}]\n"
}

func deployment(name string, ann string) string {
	return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n  annotations: {" + ann + "}\n" +
		"spec:\n  replicas: 2\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n" +
		"    spec: {containers: [{name: main, image: busybox}]}\n"
}

const (
	preSync  = `argocd.argoproj.io/hook: PreSync`
	syncFail = `argocd.argoproj.io/hook: SyncFail`
)

func TestFakeSyncSucceeds(t *testing.T) {
	v := newFake(t)
	yaml := configMaps("w1-a", "w2-b") +
		job("migrate", preSync+`, argocd.argoproj.io/hook-delete-policy: HookSucceeded`) +
		deployment("web", `argocd.argoproj.io/sync-wave: "2"`) +
		job("notify", syncFail)
	r := v.sync(context.Background(), yaml, v.opts("ok"))
	if r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	want := []string{"Job/migrate", "ConfigMap/w1-a", "ConfigMap/w2-b", "Deployment/web"}
	var got []string
	for _, a := range v.applied() {
		if a != "ConfigMap/"+InventoryName("ok") {
			got = append(got, a)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("applied %v, want %v", got, want)
	}
	if v.fc.Object(jobGK, "ns", "migrate") != nil {
		t.Error("the HookSucceeded hook was not deleted")
	}
	if v.fc.Object(jobGK, "ns", "notify") != nil {
		t.Error("the SyncFail hook ran on success")
	}
	if h := v.rec.find(progress.Health, "Deployment/web"); len(h) == 0 || h[len(h)-1].Health != "Healthy" {
		t.Errorf("the Deployment was not waited for until healthy: %v", h)
	}
	inv := v.fc.Object(configMapGK, "ns", InventoryName("ok"))
	if inv == nil {
		t.Fatal("no inventory")
	}
	if text, _, _ := unstructured.NestedString(inv.Object, "data", "objects"); !strings.Contains(text, "apps/Deployment/ns/web") || strings.Contains(text, "migrate") {
		t.Errorf("inventory:\n%s", text)
	}
}

func TestFakeHookFailureRunsSyncFail(t *testing.T) {
	v := newFake(t)
	yaml := job("migrate", preSync+`, `+outcomeAnnotation+`: fail, argocd.argoproj.io/hook-delete-policy: HookFailed`) +
		configMaps("w1-a") +
		job("notify", syncFail)
	r := v.sync(context.Background(), yaml, v.opts("hookfail"))
	if r.Status != progress.Failed || !strings.Contains(r.Message, "Job/migrate is Degraded: BackoffLimitExceeded") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(configMapGK, "ns", "w1-a") != nil {
		t.Error("a resource after the failed hook was applied")
	}
	if v.fc.Object(jobGK, "ns", "notify") == nil {
		t.Error("the SyncFail hook did not run")
	}
	if v.fc.Object(jobGK, "ns", "migrate") != nil {
		t.Error("the HookFailed hook was not deleted")
	}
	// As in Argo CD, the failed HookFailed hook is deleted before the
	// SyncFail hooks start.
	deleting, notify := -1, -1
	for i, e := range v.rec.all() {
		switch {
		case e.Type == progress.Deleting && e.Object == "Job/migrate" && deleting < 0:
			deleting = i
		case e.Type == progress.Applied && e.Object == "Job/notify" && notify < 0:
			notify = i
		}
	}
	if deleting < 0 || notify < 0 || deleting > notify {
		t.Errorf("Job/migrate deleted at event %d, SyncFail hook Job/notify applied at event %d: want the delete first", deleting, notify)
	}
	if got := stepStatus(r, 2); got != progress.Skipped {
		t.Errorf("step 2 is %s, want skipped", got)
	}
	if d := v.rec.find(progress.Diagnosis, "Job/migrate"); len(d) != 1 || !strings.Contains(strings.Join(d[0].Lines, "\n"), "condition Failed=True (BackoffLimitExceeded)") {
		t.Errorf("diagnosis: %v", d)
	}
}

func TestFakeRetry(t *testing.T) {
	v := newFake(t)
	v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Apply, Kind: "ConfigMap", Name: "w1-b", SkipDryRun: true, Times: 1, Err: apierrors.NewInternalError(errors.New("etcd is unavailable"))})
	var slept []time.Duration
	o := v.opts("retry")
	o.Retry = 2
	o.Sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	r := v.sync(context.Background(), configMaps("w1-a", "w1-b", "w2-c"), o)
	if r.Status != progress.Succeeded || r.Summary.Attempts != 2 {
		t.Fatalf("sync %s after %d attempts: %s", r.Status, r.Summary.Attempts, r.Message)
	}
	if len(slept) != 1 || slept[0] != Backoff(0) {
		t.Errorf("slept %v before retrying, want [%s]", slept, Backoff(0))
	}
	if ev := v.rec.find(progress.Retry, ""); len(ev) != 1 || !strings.Contains(ev[0].Message, "etcd is unavailable") {
		t.Errorf("retry events: %v", ev)
	}
}

func TestFakeRetryGivesUp(t *testing.T) {
	v := newFake(t)
	v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Apply, Kind: "ConfigMap", Name: "a", SkipDryRun: true, Times: -1, Err: apierrors.NewInternalError(errors.New("broken"))})
	o := v.opts("giveup")
	o.Retry = 2
	r := v.sync(context.Background(), configMaps("a"), o)
	if r.Status != progress.Failed || r.Summary.Attempts != 3 || !strings.Contains(r.Message, "ConfigMap/a: ") {
		t.Fatalf("sync %s after %d attempts: %s", r.Status, r.Summary.Attempts, r.Message)
	}
}

func TestFakeStepTimeout(t *testing.T) {
	v := newFake(t)
	o := v.opts("steptimeout")
	o.StepTimeout = 20 * time.Millisecond
	r := v.sync(context.Background(), deployment("web", outcomeAnnotation+": hang")+job("notify", syncFail)+configMaps("w1-a"), o)
	if r.Status != progress.Failed || !strings.Contains(r.Message, "timed out: Deployment/web did not complete within 20ms") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(jobGK, "ns", "notify") == nil {
		t.Error("a step timeout did not run the SyncFail hook")
	}
	if v.fc.Object(configMapGK, "ns", "w1-a") != nil {
		t.Error("the step after the timed-out one ran")
	}
}

func TestFakeSyncTimeout(t *testing.T) {
	v := newFake(t)
	o := v.opts("synctimeout")
	// Long enough for the work before the first step on a busy machine.
	o.Timeout = time.Second
	r := v.sync(context.Background(), deployment("web", outcomeAnnotation+": hang")+job("notify", syncFail), o)
	if r.Status != progress.Failed || !strings.Contains(r.Message, "the sync timed out after 1s; still waiting for Deployment/web") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(jobGK, "ns", "notify") == nil {
		t.Error("the sync's timeout did not run the SyncFail hook")
	}
}

// TestFakeWaveDelayCutByTimeout: when --timeout expires during the wave
// delay, the sync fails there and the next step never starts.
func TestFakeWaveDelayCutByTimeout(t *testing.T) {
	v := newFake(t)
	o := v.opts("delay")
	// Long enough for the first step on a busy machine.
	o.Timeout = time.Second
	o.WaveDelay = time.Hour
	r := v.sync(context.Background(), configMaps("w1-a", "w2-b")+job("notify", syncFail), o)
	if r.Status != progress.Failed || !strings.Contains(r.Message, "the sync timed out after 1s, during the wave delay after Sync wave 1") {
		t.Errorf("sync %s: %s", r.Status, r.Message)
	}
	if got := stepStatus(r, 2); got != progress.Skipped {
		t.Errorf("step 2 is %q, want skipped", got)
	}
	for _, req := range v.fc.Requests() {
		if req.Name == "w2-b" && !req.DryRun {
			t.Errorf("the step after the delay sent %+v", req)
		}
	}
	if v.fc.Object(jobGK, "ns", "notify") == nil {
		t.Error("the SyncFail hook did not run")
	}
}

func TestFakePrune(t *testing.T) {
	v := newFake(t)
	ctx := context.Background()
	if r := v.sync(ctx, configMaps("w1-a", "w2-b"), v.opts("prune")); r.Status != progress.Succeeded {
		t.Fatalf("first sync %s: %s", r.Status, r.Message)
	}
	if r := v.sync(ctx, configMaps("w1-a"), v.opts("prune")); r.Status != progress.Succeeded {
		t.Fatalf("sync without prune %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(configMapGK, "ns", "w2-b") == nil {
		t.Fatal("pruned without --prune")
	}
	o := v.opts("prune")
	o.Prune = true
	if r := v.sync(ctx, configMaps("w1-a"), o); r.Status != progress.Succeeded {
		t.Fatalf("sync with prune %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(configMapGK, "ns", "w2-b") != nil {
		t.Error("w2-b was not pruned")
	}
	if v.fc.Object(configMapGK, "ns", "w1-a") == nil {
		t.Error("w1-a was deleted")
	}
	if len(v.rec.find(progress.Deleted, "ConfigMap/w2-b")) != 1 {
		t.Error("no Deleted event for the pruned object")
	}
}

// TestFakeInterrupt: a sync stopped while a hook runs deletes the hook,
// runs no SyncFail hook and applies nothing more. So does one stopped
// while the hook's apply is on its way, which the server carries out all
// the same (its response lost): no hook is left running.
func TestFakeInterrupt(t *testing.T) {
	for _, lost := range []bool{false, true} {
		t.Run(fmt.Sprintf("lost=%v", lost), func(t *testing.T) {
			v := newFake(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if lost {
				v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Apply, Kind: "Job", Name: "migrate", SkipDryRun: true, Times: -1, Lost: true, Err: context.Canceled})
				v.fc.OnWrite(func(u *unstructured.Unstructured) {
					if u.GetKind() == "Job" && u.GetName() == "migrate" {
						cancel()
					}
				})
			} else {
				v.rec.on = func(e progress.Event) {
					if e.Type == progress.Applied && e.Object == "Job/migrate" {
						cancel()
					}
				}
			}
			yaml := job("migrate", preSync+", "+outcomeAnnotation+": hang") + configMaps("a") + job("notify", syncFail)
			r := v.e.Sync(ctx, load(t, yaml), v.opts("interrupt"))
			if r.Status != progress.Interrupted {
				t.Fatalf("sync %s: %s", r.Status, r.Message)
			}
			if v.fc.Object(jobGK, "ns", "migrate") != nil {
				t.Error("the running hook was not deleted")
			}
			if v.fc.Object(jobGK, "ns", "notify") != nil || v.fc.Object(configMapGK, "ns", "a") != nil {
				t.Error("work went on after the interruption")
			}
			if got := stepStatus(r, 1); got != progress.Interrupted {
				t.Errorf("step 1 is %s", got)
			}
		})
	}
}

// TestFakeApplyErrorMidWave: an apply refused in the middle of a wave fails
// the step with the server's message, and later waves do not run.
func TestFakeApplyErrorMidWave(t *testing.T) {
	v := newFake(t)
	v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Apply, Kind: "ConfigMap", Name: "w1-b", SkipDryRun: true, Times: -1,
		Err: apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "w1-b", errors.New("exceeded quota"))})
	r := v.sync(context.Background(), configMaps("w1-a", "w1-b", "w1-c", "w2-d")+job("notify", syncFail), v.opts("midwave"))
	if r.Status != progress.Failed || !strings.Contains(r.Message, "ConfigMap/w1-b: ") || !strings.Contains(r.Message, "exceeded quota") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(configMapGK, "ns", "w2-d") != nil {
		t.Error("the next wave ran")
	}
	if v.fc.Object(jobGK, "ns", "notify") == nil {
		t.Error("the SyncFail hook did not run")
	}
}

// TestFakeDryRunRejected: a server-side dry run that fails applies nothing
// and runs no SyncFail hook.
func TestFakeDryRunRejected(t *testing.T) {
	v := newFake(t)
	v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Apply, Kind: "ConfigMap", Name: "b", Times: -1, Err: apierrors.NewBadRequest("data.x: Invalid value")})
	r := v.sync(context.Background(), configMaps("a", "b")+job("notify", syncFail), v.opts("dryrun"))
	if r.Status != progress.Failed || !strings.HasPrefix(r.Message, "server-side dry run failed, nothing was applied: ConfigMap/b: data.x: Invalid value") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if got := v.applied(); len(got) != 0 {
		t.Errorf("applied %v after a failed dry run", got)
	}
}

// TestFakeWatchClosed: watches the server closes are opened again, and a
// change made meanwhile is not missed.
func TestFakeWatchClosed(t *testing.T) {
	v := newFake(t)
	var once sync.Once
	v.rec.on = func(e progress.Event) {
		if e.Type == progress.Applied && e.Object == "Deployment/web" {
			once.Do(func() {
				go func() {
					// Close the engine's watch only once it has one, or
					// there is nothing to replace.
					for deploymentWatches(v.fc) == 0 {
						time.Sleep(time.Millisecond)
					}
					v.fc.CloseWatches()
					v.fc.Modify(deploymentGK, "ns", "web", func(o *unstructured.Unstructured) {
						o.Object["status"] = map[string]any{"observedGeneration": o.GetGeneration(), "replicas": int64(2),
							"updatedReplicas": int64(2), "readyReplicas": int64(2), "availableReplicas": int64(2)}
					})
				}()
			})
		}
	}
	r := v.sync(withTimeout(t, time.Minute), deployment("web", outcomeAnnotation+": hang"), v.opts("watch"))
	if r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if watches := deploymentWatches(v.fc); watches < 2 {
		t.Errorf("%d watches of Deployments; the closed one was not replaced", watches)
	}
}

// deploymentWatches counts the watches of Deployments the engine started.
func deploymentWatches(fc *fakecluster.Cluster) int {
	watches := 0
	for _, req := range fc.Requests() {
		if req.Verb == fakecluster.Watch && req.Kind == "Deployment" {
			watches++
		}
	}
	return watches
}

// TestFakeDeletedBySomeoneElse: an object deleted behind the engine's back
// while it waits fails its task at once.
func TestFakeDeletedBySomeoneElse(t *testing.T) {
	v := newFake(t)
	v.rec.on = func(e progress.Event) {
		if e.Type == progress.Applied && e.Object == "Deployment/web" {
			go v.fc.Remove(deploymentGK, "ns", "web")
		}
	}
	r := v.sync(withTimeout(t, time.Minute), deployment("web", outcomeAnnotation+": hang")+configMaps("w1-a"), v.opts("gone"))
	if r.Status != progress.Failed || !strings.Contains(r.Message, "Deployment/web is Missing: it was deleted while wavec waited for it") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(configMapGK, "ns", "w1-a") != nil {
		t.Error("the next step ran")
	}
}

// TestFakeDeploymentDegraded: a Deployment whose rollout fails fails its
// step without waiting for the step timeout.
func TestFakeDeploymentDegraded(t *testing.T) {
	v := newFake(t)
	r := v.sync(withTimeout(t, time.Minute), deployment("web", outcomeAnnotation+": fail"), v.opts("degraded"))
	if r.Status != progress.Failed || !strings.Contains(r.Message, "Deployment/web is Degraded: Deployment: progress deadline exceeded") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
}

func TestFakeDelete(t *testing.T) {
	v := newFake(t)
	ctx := context.Background()
	yaml := configMaps("w1-a", "w2-b") + deployment("web", "") +
		job("before", `argocd.argoproj.io/hook: PreDelete`)
	if r := v.sync(ctx, yaml, v.opts("del")); r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	v.rec.reset()
	r := v.e.Delete(ctx, load(t, yaml), v.opts("del"))
	if r.Status != progress.Succeeded {
		t.Fatalf("delete %s: %s", r.Status, r.Message)
	}
	for _, name := range []string{"w1-a", "w2-b", InventoryName("del")} {
		if v.fc.Object(configMapGK, "ns", name) != nil {
			t.Errorf("ConfigMap/%s is left", name)
		}
	}
	if v.fc.Object(deploymentGK, "ns", "web") != nil {
		t.Error("Deployment/web is left")
	}
	if len(v.rec.find(progress.Applied, "Job/before")) != 1 {
		t.Error("the PreDelete hook did not run")
	}
}

// TestFakeDeleteFailingPreDelete: a failing PreDelete hook stops the
// deletion before anything is deleted.
func TestFakeDeleteFailingPreDelete(t *testing.T) {
	v := newFake(t)
	ctx := context.Background()
	yaml := configMaps("a") + job("before", `argocd.argoproj.io/hook: PreDelete, `+outcomeAnnotation+`: fail`)
	if r := v.sync(ctx, yaml, v.opts("delfail")); r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	r := v.e.Delete(ctx, load(t, yaml), v.opts("delfail"))
	if r.Status != progress.Failed || !strings.Contains(r.Message, "Job/before is Degraded") {
		t.Fatalf("delete %s: %s", r.Status, r.Message)
	}
	if v.fc.Object(configMapGK, "ns", "a") == nil || v.fc.Object(configMapGK, "ns", InventoryName("delfail")) == nil {
		t.Error("objects were deleted after the PreDelete hook failed")
	}
}

func TestFakeDryRunChangesNothing(t *testing.T) {
	v := newFake(t)
	o := v.opts("dry")
	o.DryRun = true
	r := v.sync(context.Background(), configMaps("a")+deployment("web", ""), o)
	if r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if got := v.applied(); len(got) != 0 {
		t.Errorf("a dry run applied %v", got)
	}
	// The namespace does not exist yet, so objects in it cannot be
	// validated.
	if val := v.rec.find(progress.Validated, ""); len(val) != 1 || !strings.HasPrefix(val[0].Message, "0 of 2 tasks passed a server-side dry run; not validated yet: ConfigMap/a (namespace ns is created by this sync)") {
		t.Errorf("validation: %v", val)
	}
	if v.fc.Object(schema.GroupKind{Kind: "Namespace"}, "", "ns") != nil {
		t.Error("a dry run created the namespace")
	}
}

// TestFakeThrottled: requests the server throttles (429) are sent again
// after a pause; the sync does not fail.
func TestFakeThrottled(t *testing.T) {
	v := newFake(t)
	v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Apply, Kind: "ConfigMap", Name: "a", Times: 3, Err: apierrors.NewTooManyRequests("the server is busy", 0)})
	v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Get, Kind: "ConfigMap", Times: 1, Err: apierrors.NewTooManyRequests("the server is busy", 0)})
	r := v.sync(withTimeout(t, time.Minute), configMaps("a"), v.opts("throttled"))
	if r.Status != progress.Succeeded || r.Summary.Attempts != 1 {
		t.Fatalf("sync %s after %d attempts: %s", r.Status, r.Summary.Attempts, r.Message)
	}
	var throttled, sent int
	for _, req := range v.fc.Requests() {
		if req.Verb == fakecluster.Apply && req.Name == "a" {
			if apierrors.IsTooManyRequests(req.Err) {
				throttled++
			} else if req.Err == nil && !req.DryRun {
				sent++
			}
		}
	}
	if throttled != 3 || sent != 1 {
		t.Errorf("%d throttled and %d applied requests of ConfigMap/a, want 3 and 1", throttled, sent)
	}
	if v.fc.Object(configMapGK, "ns", "a") == nil {
		t.Error("ConfigMap/a was not applied")
	}
}

// BenchmarkFakeOrchestrationOverhead is BenchmarkOrchestrationOverhead on
// fakecluster: the engine's own cost between steps, without an API server
// or a network. Run it with
//
//	go test -run '^$' -bench FakeOrchestrationOverhead ./runtime/apply
func BenchmarkFakeOrchestrationOverhead(b *testing.B) {
	objs := load(b, waves(21))
	var overheads []time.Duration
	for b.Loop() {
		v := newFake(b)
		r := v.e.Sync(context.Background(), objs, v.opts("overhead"))
		if r.Status != progress.Succeeded {
			b.Fatalf("sync %s: %s", r.Status, r.Message)
		}
		for _, s := range r.Summary.Steps {
			if s.Overhead != nil {
				overheads = append(overheads, time.Duration(*s.Overhead))
			}
		}
	}
	if len(overheads) == 0 {
		b.Fatal("no step transitions measured")
	}
	slices.Sort(overheads)
	b.ReportMetric(float64(overheads[len(overheads)/2].Microseconds())/1000, "median-overhead-ms/step")
	b.ReportMetric(float64(overheads[len(overheads)*9/10].Microseconds())/1000, "p90-overhead-ms/step")
}

// TestFakeDiagnosisOfFailedHook: the diagnosis of a failed Job names its
// Pod's exit code, the Events about it and the last lines of its log,
// which the test cluster cannot serve.
func TestFakeDiagnosisOfFailedHook(t *testing.T) {
	v := newFake(t)
	v.fc.OnWrite(func(u *unstructured.Unstructured) {
		if u.GetKind() != "Job" || u.GetAnnotations()[outcomeAnnotation] != "fail" {
			return
		}
		ctx := context.Background()
		pm, _ := v.fc.Mapping(schema.GroupKind{Kind: "Pod"})
		pod := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": u.GetName() + "-x1", "namespace": u.GetNamespace(),
				"labels": map[string]any{"batch.kubernetes.io/controller-uid": string(u.GetUID())}},
			"status": map[string]any{"phase": "Failed", "containerStatuses": []any{map[string]any{"name": "main",
				"state": map[string]any{"terminated": map[string]any{"exitCode": int64(3), "reason": "Error"}}}}}}}
		created, err := v.fc.Create(ctx, pm, pod, cluster.WriteOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		v.fc.SetLog(u.GetNamespace(), pod.GetName(), "main", "connecting to db\nerror: schema is locked\n")
		em, _ := v.fc.Mapping(schema.GroupKind{Kind: "Event"})
		ev := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Event",
			"metadata":       map[string]any{"name": "e1", "namespace": u.GetNamespace()},
			"involvedObject": map[string]any{"kind": "Pod", "name": pod.GetName(), "uid": string(created.Object.GetUID())},
			"type":           "Warning", "reason": "BackOff", "message": "Back-off restarting failed container", "count": int64(1)}}
		if _, err := v.fc.Create(ctx, em, ev, cluster.WriteOptions{}); err != nil {
			t.Error(err)
		}
	})
	r := v.sync(withTimeout(t, time.Minute), job("migrate", preSync+", "+outcomeAnnotation+": fail"), v.opts("diagnosis"))
	if r.Status != progress.Failed {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	d := v.rec.find(progress.Diagnosis, "Job/migrate")
	if len(d) != 1 {
		t.Fatalf("%d diagnoses", len(d))
	}
	text := strings.Join(d[0].Lines, "\n")
	for _, want := range []string{
		"condition Failed=True (BackoffLimitExceeded)",
		"pod migrate-x1: Failed",
		"container main: terminated, exit code 3, reason Error",
		"event Warning Pod/migrate-x1 BackOff: Back-off restarting failed container",
		"last log lines of migrate-x1/main:\n  | connecting to db\n  | error: schema is locked",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, text)
		}
	}
}

// TestFakeInterruptedWhileWaitingToRetry: a sync stopped during the pause
// before a retry ends interrupted, without another attempt.
func TestFakeInterruptedWhileWaitingToRetry(t *testing.T) {
	v := newFake(t)
	v.fc.Fail(fakecluster.Fault{Verb: fakecluster.Apply, Kind: "ConfigMap", SkipDryRun: true, Times: -1, Err: apierrors.NewInternalError(errors.New("broken"))})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := v.opts("retrystop")
	o.Retry = 3
	o.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	r := v.e.Sync(ctx, load(t, configMaps("a")), o)
	if r.Status != progress.Interrupted || r.Message != "interrupted while waiting to retry" {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if n := len(v.rec.find(progress.SyncStart, "")); n != 1 {
		t.Errorf("%d attempts started", n)
	}
}

// TestFakeBadInputIsNotRetried: input that cannot be planned fails at once,
// whatever --retry says.
func TestFakeBadInputIsNotRetried(t *testing.T) {
	v := newFake(t)
	o := v.opts("badinput")
	o.Retry = 3
	r := v.sync(context.Background(), job("migrate", argocd.AnnotationTimeout+`: soon`), o)
	if r.Status != progress.Failed || r.Summary.Attempts != 1 || !strings.Contains(r.Message, `annotation wavec.io/timeout: "soon" is not a positive duration`) {
		t.Fatalf("sync %s after %d attempts: %s", r.Status, r.Summary.Attempts, r.Message)
	}
	if got := v.applied(); len(got) != 0 {
		t.Errorf("applied %v", got)
	}
}

// BenchmarkFakeWideStep syncs one step of 1,000 Deployments on fakecluster
// that become available one by one once all are applied: the cost of
// waiting for a wide step, where every change wakes the engine. Run it with
//
//	go test -run '^$' -bench FakeWideStep -cpuprofile cpu.out ./runtime/apply
func BenchmarkFakeWideStep(b *testing.B) {
	const n = 1000
	var yaml strings.Builder
	for i := range n {
		yaml.WriteString(deployment(fmt.Sprintf("d%d", i), outcomeAnnotation+": hang"))
	}
	objs := load(b, yaml.String())
	for b.Loop() {
		v := newFake(b)
		var applied atomic.Int32
		v.rec.on = func(e progress.Event) {
			if e.Type != progress.Applied || !strings.HasPrefix(e.Object, "Deployment/") || int(applied.Add(1)) != n {
				return
			}
			go func() {
				for i := range n {
					v.fc.Modify(deploymentGK, "ns", fmt.Sprintf("d%d", i), func(o *unstructured.Unstructured) {
						o.Object["status"] = map[string]any{"observedGeneration": o.GetGeneration(), "replicas": int64(2),
							"updatedReplicas": int64(2), "readyReplicas": int64(2), "availableReplicas": int64(2)}
					})
				}
			}()
		}
		if r := v.e.Sync(context.Background(), objs, v.opts("wide")); r.Status != progress.Succeeded {
			b.Fatalf("sync %s: %s", r.Status, r.Message)
		}
	}
}
