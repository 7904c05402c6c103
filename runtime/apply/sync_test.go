package apply

import (
	"context"
	"github.com/wavec/wavec/argocd"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/progress"
)

// resources maps kinds to the resources the audit log names.
var resources = map[string]string{
	"ConfigMap": "configmaps", "Job": "jobs", "Deployment": "deployments", "Service": "services",
	"Pod": "pods", "Secret": "secrets", "ReplicaSet": "replicasets", "ServiceAccount": "serviceaccounts",
	"Role": "roles", "RoleBinding": "rolebindings",
}

// TestReferenceExample syncs examples/agent end to end and checks that the
// API server saw the objects written in the plan's order.
func TestReferenceExample(t *testing.T) {
	v := newEnv(t)
	res, diags := compiler.Compile([]string{filepath.Join("..", "..", "examples", "agent")}, nil)
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags.Err())
	}
	var objs []manifest.Object
	for _, o := range res.Objects() {
		o.SetNamespace(v.ns) // a fresh namespace instead of "agents"
		objs = append(objs, manifest.Object{Unstructured: o})
	}
	o := v.opts(res.Name())
	o.StepTimeout = res.DefaultTimeout()
	start := time.Now()
	r := v.sync(withTimeout(t, 2*time.Minute), objs, o)
	took := time.Since(start)
	if r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	t.Logf("examples/agent synced in %s", took)
	for _, s := range r.Summary.Steps {
		t.Logf("step %d %s wave %d: %s %s (overhead %v)", s.Index, s.Phase, s.Wave, s.Status, s.Duration, s.Overhead)
	}

	// The order on the server: the first real write of each object, mapped
	// to its step, never goes back to an earlier step.
	stepOf := map[string]int{}
	for i, st := range r.Plan.Steps {
		if st.Phase == argocd.SyncFail {
			continue
		}
		for _, task := range st.Tasks {
			stepOf[resources[task.Kind()]+"/"+task.Name()] = i + 1
		}
	}
	seen := map[string]bool{}
	var order []string
	last := 0
	for _, w := range writes(t, v.ns) {
		key := w.resource + "/" + w.name
		if w.dryRun || w.verb != "patch" || w.code >= 300 || seen[key] || stepOf[key] == 0 {
			continue
		}
		seen[key] = true
		order = append(order, key)
		if stepOf[key] < last {
			t.Errorf("%s (step %d) was written after an object of step %d; server order: %v", key, stepOf[key], last, order)
		}
		last = stepOf[key]
	}
	if len(seen) != len(stepOf) {
		t.Errorf("the server saw writes of %v; the plan has %v", order, stepOf)
	}

	// Hooks: migrate is deleted on success, smoke stays (BeforeHookCreation),
	// notify (SyncFail) never ran.
	if v.exists("jobs", "migrate") {
		t.Error("the HookSucceeded hook migrate still exists")
	}
	if !v.exists("jobs", "smoke") {
		t.Error("the PostSync hook smoke does not exist")
	}
	if v.exists("jobs", "notify") {
		t.Error("the SyncFail hook notify ran on success")
	}
}

// syncFailNotify is the SyncFail hook of the test releases: a Job that
// completes at once, to be joined to a release after a "---".
const syncFailNotify = `
apiVersion: batch/v1
kind: Job
metadata:
  name: notify
  annotations:
    argocd.argoproj.io/hook: SyncFail
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/none:1}]
`

const hookFailure = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: HookFailed
spec:
  backoffLimit: 0
  template:
    metadata:
      labels: {test.wavec.io/outcome: fail}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/none:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: registry.example/none:1}]
---
` + syncFailNotify + `---
apiVersion: batch/v1
kind: Job
metadata:
  name: cleanup
  annotations:
    argocd.argoproj.io/hook: SyncFail
    argocd.argoproj.io/hook-delete-policy: HookFailed
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/none:1}]
`

// TestHookFailure: a failing PreSync hook fails the sync before the
// Deployment, runs the SyncFail hooks, deletes the HookFailed hooks, and
// explains the failure.
func TestHookFailure(t *testing.T) {
	v := newEnv(t)
	r := v.sync(withTimeout(t, time.Minute), load(t, hookFailure), v.opts("hookfail"))
	if r.Status != progress.Failed {
		t.Fatalf("sync %s, want failed", r.Status)
	}
	if !strings.Contains(r.Message, "Job/migrate is Degraded") {
		t.Errorf("message = %q", r.Message)
	}
	if v.exists("deployments", "web") {
		t.Error("the Deployment after the failed hook was applied")
	}
	if len(v.rec.find(progress.Applied, "Job/notify")) != 1 || len(v.rec.find(progress.Applied, "Job/cleanup")) != 1 {
		t.Error("the SyncFail hooks were not created")
	}
	if h := v.rec.find(progress.Health, "Job/notify"); len(h) == 0 || h[len(h)-1].Health != "Healthy" {
		t.Error("the SyncFail hook notify was not waited for until it completed")
	}
	if !v.exists("jobs", "notify") {
		t.Error("the SyncFail hook notify (BeforeHookCreation) was deleted")
	}
	for _, name := range []string{"migrate", "cleanup"} {
		if v.exists("jobs", name) {
			t.Errorf("the HookFailed hook %s still exists", name)
		}
	}
	d := v.rec.find(progress.Diagnosis, "Job/migrate")
	if len(d) != 1 {
		t.Fatalf("%d diagnoses of Job/migrate", len(d))
	}
	text := strings.Join(d[0].Lines, "\n")
	for _, want := range []string{"condition Failed=True", "exit code 1", "BackoffLimitExceeded"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, text)
		}
	}
	// The diagnosis comes right after the failed step.
	evs := v.rec.all()
	for i, e := range evs {
		if e.Type == progress.Diagnosis && (i == 0 || evs[i-1].Type != progress.StepDone || evs[i-1].Status != progress.Failed) {
			t.Errorf("diagnosis follows %s, not the failed step", evs[i-1].Type)
		}
	}
}

const neverReady = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, test.wavec.io/ready: "false"}}
    spec:
      containers: [{name: main, image: registry.example/none:1}]
---
` + syncFailNotify

// TestStepTimeout: a Deployment that never becomes ready times its step
// out; the message says what was not healthy and why, and SyncFail runs.
func TestStepTimeout(t *testing.T) {
	v := newEnv(t)
	objs := load(t, neverReady)
	// The Deployment is first applied without waiting, and the test waits
	// until its controller has rolled it out to Pods that run but are not
	// ready: within the 2 s step timeout alone, a busy machine's
	// controllers may not yet have counted the updated replicas, and the
	// message would say so instead of why the Deployment is not ready.
	first := v.opts("timeout")
	first.NoWaitLast = true
	if r := v.sync(withTimeout(t, time.Minute), objs, first); r.Status != progress.Succeeded {
		t.Fatalf("applying the Deployment: %s: %s", r.Status, r.Message)
	}
	v.waitRolledOut("web", 2)

	o := v.opts("timeout")
	o.StepTimeout = 2 * time.Second
	// The step's own timeout ends the sync, not the minute the context
	// gives: the message says which.
	r := v.sync(withTimeout(t, time.Minute), objs, o)
	if r.Status != progress.Failed {
		t.Fatalf("sync %s, want failed", r.Status)
	}
	for _, want := range []string{"timed out", "Deployment/web did not complete within 2s", "Progressing", "updated replicas are available"} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("message %q lacks %q", r.Message, want)
		}
	}
	if len(v.rec.find(progress.Applied, "Job/notify")) != 1 {
		t.Error("SyncFail did not run after a timeout")
	}
	d := v.rec.find(progress.Diagnosis, "Deployment/web")
	if len(d) != 1 || !strings.Contains(strings.Join(d[0].Lines, "\n"), "not ready") {
		t.Errorf("diagnosis: %v", d)
	}
}

const rerun = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, annotations: {argocd.argoproj.io/sync-wave: "-1"}}
data: {a: b}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/none:1}]
---
apiVersion: batch/v1
kind: Job
metadata:
  generateName: smoke-
  annotations:
    argocd.argoproj.io/hook: PostSync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/none:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {argocd.argoproj.io/sync-wave: "1"}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: registry.example/none:1}]
---
apiVersion: v1
kind: Service
metadata: {name: web, annotations: {argocd.argoproj.io/sync-wave: "2"}}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`

// TestRerunIsNoop: a second sync of the same pipeline changes no resource
// and re-creates the BeforeHookCreation hook.
func TestRerunIsNoop(t *testing.T) {
	v := newEnv(t)
	objs := load(t, rerun)
	r := v.sync(withTimeout(t, time.Minute), objs, v.opts("rerun"))
	if r.Status != progress.Succeeded {
		t.Fatalf("first sync %s: %s", r.Status, r.Message)
	}
	ctx := context.Background()
	cm1, _ := v.cs.CoreV1().ConfigMaps(v.ns).Get(ctx, "settings", metavOpts)
	svc1, _ := v.cs.CoreV1().Services(v.ns).Get(ctx, "web", metavOpts)
	dep1, _ := v.cs.AppsV1().Deployments(v.ns).Get(ctx, "web", metavOpts)
	job1, _ := v.cs.BatchV1().Jobs(v.ns).Get(ctx, "migrate", metavOpts)

	r = v.sync(withTimeout(t, time.Minute), objs, v.opts("rerun"))
	if r.Status != progress.Succeeded {
		t.Fatalf("second sync %s: %s", r.Status, r.Message)
	}
	cm2, _ := v.cs.CoreV1().ConfigMaps(v.ns).Get(ctx, "settings", metavOpts)
	svc2, _ := v.cs.CoreV1().Services(v.ns).Get(ctx, "web", metavOpts)
	dep2, _ := v.cs.AppsV1().Deployments(v.ns).Get(ctx, "web", metavOpts)
	job2, _ := v.cs.BatchV1().Jobs(v.ns).Get(ctx, "migrate", metavOpts)
	if cm1.ResourceVersion != cm2.ResourceVersion || svc1.ResourceVersion != svc2.ResourceVersion {
		t.Error("the second sync changed the ConfigMap or the Service")
	}
	if dep1.Generation != dep2.Generation {
		t.Error("the second sync changed the Deployment's spec")
	}
	for _, ref := range []string{"ConfigMap/settings", "Deployment/web", "Service/web"} {
		if a := v.rec.find(progress.Applied, ref); len(a) != 1 || a[0].Action != "unchanged" {
			t.Errorf("%s: %v, want unchanged", ref, a)
		}
	}
	if job1.UID == job2.UID {
		t.Error("the BeforeHookCreation hook migrate was not re-created")
	}
	if len(v.rec.find(progress.Deleting, "Job/migrate")) != 1 {
		t.Error("the old migrate hook was not deleted before its creation")
	}
	// The generateName hook got a name of Argo CD's shape and was deleted.
	var smoke string
	for _, h := range r.Hooks {
		if strings.HasPrefix(h, "Job/smoke-") {
			smoke = strings.TrimPrefix(h, "Job/")
		}
	}
	if !strings.HasPrefix(smoke, "smoke-") || !strings.Contains(smoke, "-postsync-") {
		t.Errorf("generated hook name %q", smoke)
	}
	if smoke != "" && v.exists("jobs", smoke) {
		t.Error("the HookSucceeded hook was not deleted")
	}
}
