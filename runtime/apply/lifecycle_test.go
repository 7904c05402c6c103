package apply

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/progress"
)

func configMaps(names ...string) string {
	var b strings.Builder
	for i, n := range names {
		wave := "0"
		if strings.HasPrefix(n, "w") {
			wave = n[1:2]
		}
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + n + ", annotations: {argocd.argoproj.io/sync-wave: \"" + wave + "\"}}\ndata: {i: \"" + string(rune('0'+i)) + "\"}\n")
	}
	return b.String()
}

// TestPrune: an object that left the pipeline is pruned with --prune, and
// only it: objects of the pipeline stay, and so do objects wavec does not
// own (never applied, or taken over by another pipeline).
func TestPrune(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	r := v.sync(withTimeout(t, time.Minute), load(t, configMaps("w1-a", "w2-b", "w3-c", "w1-d")), v.opts("prune"))
	if r.Status != progress.Succeeded {
		t.Fatalf("first sync %s: %s", r.Status, r.Message)
	}
	// A ConfigMap wavec never applied, and one another pipeline took over.
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "foreign"}}
	if _, err := v.cs.CoreV1().ConfigMaps(v.ns).Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := v.cs.CoreV1().ConfigMaps(v.ns).Get(ctx, "w3-c", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Labels[PipelineLabel] = "someone-else"
	if _, err := v.cs.CoreV1().ConfigMaps(v.ns).Update(ctx, c, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	// Without --prune nothing is deleted, and the leavers stay tracked.
	r = v.sync(withTimeout(t, time.Minute), load(t, configMaps("w1-a")), v.opts("prune"))
	if r.Status != progress.Succeeded {
		t.Fatalf("sync without prune %s: %s", r.Status, r.Message)
	}
	if !v.exists("configmaps", "w2-b") || !v.exists("configmaps", "w1-d") {
		t.Fatal("a sync without --prune deleted objects")
	}

	o := v.opts("prune")
	o.Prune = true
	r = v.sync(withTimeout(t, time.Minute), load(t, configMaps("w1-a")), o)
	if r.Status != progress.Succeeded {
		t.Fatalf("sync with prune %s: %s", r.Status, r.Message)
	}
	for name, want := range map[string]bool{"w1-a": true, "w2-b": false, "w1-d": false, "w3-c": true, "foreign": true} {
		if got := v.exists("configmaps", name); got != want {
			t.Errorf("ConfigMap %s exists = %v, want %v", name, got, want)
		}
	}
	if len(v.rec.find(progress.Deleting, "ConfigMap/w3-c")) > 0 || len(v.rec.find(progress.Deleting, "ConfigMap/foreign")) > 0 {
		t.Error("wavec tried to delete an object it does not own")
	}
	// Prune waves run in reverse: b (wave 2) is pruned before d (wave 1).
	var pruned []string
	for _, e := range v.rec.find(progress.Deleting, "") {
		pruned = append(pruned, e.Object)
	}
	if strings.Join(pruned, ",") != "ConfigMap/w2-b,ConfigMap/w1-d" {
		t.Errorf("pruned in order %v", pruned)
	}
	inv, err := v.e.k.readInventory(ctx, v.ns, "prune")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, r := range inv.refs {
		refs = append(refs, r.Short())
	}
	if strings.Join(refs, ",") != "ConfigMap/w1-a" {
		t.Errorf("inventory after prune: %v", refs)
	}
}

const slowHook = `
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations: {test.wavec.io/duration: DURATION}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/none:1}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
---
` + syncFailNotify

// TestInterrupt: cancelling the sync while a hook runs deletes the hook,
// does not run SyncFail, and a later sync completes.
func TestInterrupt(t *testing.T) {
	v := newEnv(t)
	ctx, cancel := context.WithCancel(withTimeout(t, time.Minute))
	v.rec.on = func(e progress.Event) {
		if e.Type == progress.Health && e.Object == "Job/migrate" && strings.Contains(e.Message, "1 active") {
			cancel()
		}
	}
	r := v.sync(ctx, load(t, strings.Replace(slowHook, "DURATION", "60s", 1)), v.opts("interrupt"))
	v.rec.on = nil
	if r.Status != progress.Interrupted {
		t.Fatalf("sync %s (%s), want interrupted", r.Status, r.Message)
	}
	if v.exists("jobs", "migrate") {
		t.Error("the running hook was not deleted")
	}
	if v.exists("jobs", "notify") || len(v.rec.find(progress.Applied, "Job/notify")) > 0 {
		t.Error("SyncFail ran on an interrupted sync")
	}
	if v.exists("configmaps", "settings") {
		t.Error("the sync went on after the interruption")
	}
	r = v.sync(withTimeout(t, time.Minute), load(t, strings.Replace(slowHook, "DURATION", "0s", 1)), v.opts("interrupt"))
	if r.Status != progress.Succeeded {
		t.Fatalf("the sync after an interrupted one: %s: %s", r.Status, r.Message)
	}
	if !v.exists("configmaps", "settings") {
		t.Error("the later sync did not apply the ConfigMap")
	}
}

const deletable = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, annotations: {argocd.argoproj.io/sync-wave: "-1"}}
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
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {argocd.argoproj.io/hook: PreSync}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/none:1}]
---
apiVersion: v1
kind: Pod
metadata:
  name: drain
  annotations: {argocd.argoproj.io/hook: PreDelete, argocd.argoproj.io/hook-delete-policy: HookSucceeded}
spec:
  restartPolicy: Never
  containers: [{name: main, image: registry.example/none:1}]
---
apiVersion: v1
kind: Pod
metadata:
  name: goodbye
  annotations: {argocd.argoproj.io/hook: PostDelete}
spec:
  restartPolicy: Never
  containers: [{name: main, image: registry.example/none:1}]
`

// TestDelete: wavec delete runs the PreDelete hooks, deletes the owned
// objects from the highest wave down and waits until they are gone, runs
// the PostDelete hooks and removes the inventory.
func TestDelete(t *testing.T) {
	v := newEnv(t)
	objs := load(t, deletable)
	if r := v.sync(withTimeout(t, time.Minute), objs, v.opts("del")); r.Status != progress.Succeeded {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
	if v.exists("pods", "drain") || v.exists("pods", "goodbye") {
		t.Fatal("a sync ran delete hooks")
	}
	if !v.exists("jobs", "migrate") {
		t.Fatal("the BeforeHookCreation hook migrate did not stay after the sync")
	}
	v.rec.reset()
	r := v.e.Delete(withTimeout(t, time.Minute), objs, v.opts("del"))
	if r.Status != progress.Succeeded {
		v.rec.dump(t)
		t.Fatalf("delete %s: %s", r.Status, r.Message)
	}
	if v.exists("configmaps", "settings") || v.exists("deployments", "web") {
		t.Error("owned objects remain")
	}
	if v.exists("pods", "drain") {
		t.Error("the HookSucceeded PreDelete hook remains")
	}
	if !v.exists("pods", "goodbye") {
		t.Error("the PostDelete hook did not run")
	}
	if v.exists("jobs", "migrate") {
		t.Error("the hook an earlier sync left behind was not deleted")
	}
	if _, err := v.cs.CoreV1().ConfigMaps(v.ns).Get(context.Background(), InventoryName("del"), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the inventory remains: %v", err)
	}
	var order []string
	for _, e := range v.rec.all() {
		switch {
		case e.Type == progress.Applied:
			order = append(order, "apply "+e.Object)
		case e.Type == progress.Deleted && !e.Hook:
			order = append(order, "gone "+e.Object)
		case e.Type == progress.Deleted && e.Object == "Job/migrate":
			order = append(order, "leftover Job/migrate")
		}
	}
	want := "apply Pod/drain,gone Deployment/web,gone ConfigMap/settings,apply Pod/goodbye,leftover Job/migrate"
	if strings.Join(order, ",") != want {
		t.Errorf("order %v, want %s", order, want)
	}
}

// TestPeerExamples runs the upstream examples that are plain YAML and
// need no images of their own (the test cluster runs any image), each in
// a namespace of its own, then deletes them.
func TestPeerExamples(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "peer-examples")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no peer examples at %s", root)
	}
	for _, ex := range []string{
		"argocd-example-apps/sync-waves/manifests.yaml",
		"argocd-example-apps/helm-hooks/manifests.yaml",
		"argo-cd-e2e/hook",
		"argo-cd-e2e/hook-and-deployment",
		"argo-cd-e2e/sync-waves",
		"argo-cd-e2e/syncwaves-prune-order",
		"argo-cd-e2e/multi-namespace-hook",
		"argo-cd-e2e/cluster-role-hook",
		"argo-cd-e2e/pre-delete-hook",
		"argo-cd-e2e/post-delete-hook",
		"argo-cd-docs/postsync-slack-notification.yaml",
		"argo-cd-docs/syncfail-slack-notification.yaml",
	} {
		t.Run(strings.ReplaceAll(ex, "/", "_"), func(t *testing.T) {
			path := filepath.Join(root, ex)
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s is absent", path)
			}
			objs, err := manifest.Load([]string{path}, nil)
			if err != nil {
				t.Fatal(err)
			}
			v := newEnv(t)
			name := strings.TrimSuffix(filepath.Base(ex), filepath.Ext(ex))
			t.Cleanup(func() { v.cleanupPeer(objs) })
			r := v.sync(withTimeout(t, time.Minute), objs, v.opts(name))
			if r.Status != progress.Succeeded {
				t.Fatalf("sync %s: %s", r.Status, r.Message)
			}
			t.Logf("%s: %d steps in %s", ex, len(r.Summary.Steps), r.Summary.Duration)
			// The example's Pod drops its finalizer in a preStop hook, which
			// the test cluster does not run.
			v.releaseFinalizers(objs)
			v.rec.reset()
			if r := v.e.Delete(withTimeout(t, time.Minute), objs, v.opts(name)); r.Status != progress.Succeeded {
				v.rec.dump(t)
				t.Fatalf("delete %s: %s", r.Status, r.Message)
			}
		})
	}
}

// cleanupPeer removes what the peer examples leave outside the test's
// namespace or block its deletion with.
func (v *env) cleanupPeer(objs []manifest.Object) {
	ctx := context.Background()
	for _, o := range objs {
		switch {
		case o.GetKind() == "ClusterRoleBinding":
			_ = v.cs.RbacV1().ClusterRoleBindings().Delete(ctx, o.GetName(), metav1.DeleteOptions{})
		case o.GetKind() == "Namespace":
			_ = v.cs.CoreV1().Namespaces().Delete(ctx, o.GetName(), metav1.DeleteOptions{})
		}
	}
	v.releaseFinalizers(objs)
}

// releaseFinalizers removes the finalizers of the examples' Pods.
func (v *env) releaseFinalizers(objs []manifest.Object) {
	for _, o := range objs {
		if o.GetKind() == "Pod" && len(o.GetFinalizers()) > 0 {
			patch := []byte(`{"metadata":{"finalizers":null}}`)
			_, _ = v.cs.CoreV1().Pods(v.ns).Patch(context.Background(), o.GetName(), "application/merge-patch+json", patch, metav1.PatchOptions{})
		}
	}
}
