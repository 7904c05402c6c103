package status

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/runtime/apply"
	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/objdiff"
	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

// connect returns clients and an engine for cfg.
func connect(t *testing.T, cfg *rest.Config) (*cluster.Clients, *apply.Engine) {
	t.Helper()
	c, err := cluster.NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	e, err := apply.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return c, e
}

func objects(us []*unstructured.Unstructured) []manifest.Object {
	out := make([]manifest.Object, len(us))
	for i, u := range us {
		out[i] = manifest.Object{Unstructured: u, Source: manifest.Source{File: "test"}}
	}
	return out
}

func check(t *testing.T, c *cluster.Clients, e *apply.Engine, ns, pipeline string, objs []manifest.Object) *Report {
	t.Helper()
	o := Options{Pipeline: pipeline, Namespace: ns, Clients: c, Engine: e}
	if objs != nil {
		pv, err := e.Preview(context.Background(), objs, apply.Options{Pipeline: pipeline, Namespace: ns, CreateNamespace: true})
		if err != nil {
			t.Fatal(err)
		}
		o.Preview = pv
	}
	rep, err := Check(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

const built = `pipeline built in %s

configmap settings { LOG_LEVEL = "info" }

job migrate {
  image = "registry.example/migrate:1"
  run   = "migrate up"
  user  = 10001
}

job smoke {
  image = "registry.example/smoke:1"
  run   = "smoke"
  user  = 10001
}

deployment web {
  image    = "registry.example/web:1"
  replicas = 2
  env_from = [configmap settings]
  user     = 10001
}

presync migrate delete before-create
postsync smoke delete before-create
`

// TestStatusOfKubectlApply: the built YAML applied as Argo CD and kubectl
// would, hooks created from a generateName (one by the API server's
// naming, one by Argo CD's): status finds the last run of every hook,
// judges the resources healthy, and says they match the sources.
func TestStatusOfKubectlApply(t *testing.T) {
	cfg := testcluster.Config(t)
	ns := testcluster.Namespace(t)
	c, e := connect(t, cfg)
	ctx := context.Background()
	res, diags := compiler.CompileSource("built.wave", []byte(fmt.Sprintf(built, ns)), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	var sources []*unstructured.Unstructured
	var argoNamed string
	for _, u := range res.Objects() {
		m, err := c.Mapper.RESTMapping(u.GroupVersionKind().GroupKind(), u.GroupVersionKind().Version)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Dynamic.Resource(m.Resource).Namespace(ns)
		if u.GetAnnotations()["argocd.argoproj.io/hook"] == "" {
			data, _ := yaml.Marshal(u.Object)
			js, _ := yaml.YAMLToJSON(data)
			if _, err := r.Patch(ctx, u.GetName(), types.ApplyPatchType, js, metav1.PatchOptions{FieldManager: "kubectl", Force: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			sources = append(sources, u)
			continue
		}
		// A hook with a generateName, created (kubectl create) the way
		// the API server names it; migrate is created a second time the
		// way Argo CD names it, and that run is the last.
		name := u.GetName()
		h := u.DeepCopy()
		h.SetName("")
		h.SetGenerateName(name + "-")
		sources = append(sources, h.DeepCopy())
		if _, err := r.Create(ctx, h, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if name == "migrate" {
			time.Sleep(1100 * time.Millisecond) // creationTimestamp has a resolution of 1 s
			h.SetGenerateName("")
			argoNamed = apply.HookName(name+"-", "8f3c2a91d0e4b6a7", "PreSync", time.Now())
			h.SetName(argoNamed)
			if _, err := r.Create(ctx, h, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	objs := objects(sources)

	// Follow them until healthy, by watches.
	pv, err := e.Preview(ctx, objs, apply.Options{Pipeline: "built", Namespace: ns, CreateNamespace: true})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	rep, err := Watch(wctx, Options{Pipeline: "built", Namespace: ns, Clients: c, Engine: e, Preview: pv}, func(l string) { lines = append(lines, l) })
	if err != nil || !rep.Healthy {
		t.Fatalf("watch: %v; %+v\n%s", err, rep, strings.Join(lines, "\n"))
	}

	rep = check(t, c, e, ns, "built", objs)
	if !rep.Healthy {
		t.Fatalf("not healthy: %+v", rep)
	}
	byName := map[string]Hook{}
	for _, h := range rep.Hooks {
		byName[h.Name] = h
	}
	if h := byName["migrate-*"]; h.Last == nil || h.Last.Name != argoNamed || h.Last.Outcome != Succeeded || h.Phase != "PreSync" {
		t.Errorf("migrate: %+v (want the run %s)", h.Last, argoNamed)
	}
	if h := byName["smoke-*"]; h.Last == nil || !strings.HasPrefix(h.Last.Name, "smoke-") || len(h.Last.Name) != len("smoke-")+5 || h.Last.Outcome != Succeeded || h.Phase != "PostSync" {
		t.Errorf("smoke: %+v", h.Last)
	} else if h.Last.Started == nil || h.Last.Finished == nil {
		t.Errorf("smoke: no duration: %+v", h.Last)
	}
	for _, x := range rep.Objects {
		if x.Health != "Healthy" || x.Sync != "Synced" {
			t.Errorf("%s: %s, %s: %s", x.Ref(), x.Health, x.Sync, x.Message)
		}
	}
	if len(rep.Objects) != 2 || len(rep.Hooks) != 2 {
		t.Errorf("objects %d, hooks %d", len(rep.Objects), len(rep.Hooks))
	}

	// Without sources, by labels: the same objects and hooks.
	rep = check(t, c, e, ns, "built", nil)
	if !rep.Healthy || len(rep.Objects) != 2 || len(rep.Hooks) != 2 {
		t.Fatalf("by labels: %+v", rep)
	}
	for _, h := range rep.Hooks {
		if h.Name == "migrate-*" && (h.Last == nil || h.Last.Name != argoNamed) {
			t.Errorf("by labels, migrate: %+v", h.Last)
		}
	}
	var out bytes.Buffer
	if err := WriteText(&out, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Job/smoke-*") || !strings.Contains(out.String(), argoNamed) {
		t.Errorf("text:\n%s", out.String())
	}
}

func ptr[T any](v T) *T { return &v }

// settle waits until the API server's authorizer has caught up with a
// change of RBAC: until c may (or may not) read the Deployments of ns.
func settle(t *testing.T, c *cluster.Clients, ns string, allowed bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := kubernetes.NewForConfigOrDie(c.Config).AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		return (err == nil) == allowed, nil
	})
	if err != nil {
		t.Fatalf("RBAC did not settle (allowed %v): %v", allowed, err)
	}
}

const web = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {A: b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: registry.example/web:1}]
`

func load(t *testing.T, s string) []manifest.Object {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "objs.yaml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	objs, err := manifest.Load([]string{p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// readRBAC reads the Role and ServiceAccount name of a published RBAC file.
func readRBAC(t *testing.T, file string) (string, []byte) {
	t.Helper()
	root, err := testcluster.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "docs", file))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var m metav1.PartialObjectMetadata
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		if m.Kind == "ServiceAccount" {
			return m.Name, data
		}
	}
	t.Fatalf("docs/%s has no ServiceAccount", file)
	return "", nil
}

// as applies a published RBAC file to ns and returns a configuration that
// authenticates as its ServiceAccount.
func as(t *testing.T, admin *rest.Config, c *cluster.Clients, ns, file string) *rest.Config {
	t.Helper()
	ctx := context.Background()
	sa, data := readRBAC(t, file)
	for _, doc := range strings.Split(string(data), "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		gvk := u.GroupVersionKind()
		m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Dynamic.Resource(m.Resource).Namespace(ns).Create(ctx, u, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := kubernetes.NewForConfigOrDie(c.Config).CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa, &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &rest.Config{Host: admin.Host, BearerToken: tok.Status.Token, TLSClientConfig: rest.TLSClientConfig{CAData: admin.CAData, CAFile: admin.CAFile}}
}

// TestPublishedRBAC: with docs/rbac.yaml both diff and status work; with
// the read-only docs/rbac-status.yaml status works (without the sync
// column) and diff fails with a clear error; with no right to read
// Deployments, status fails with an error that names what it may not
// read.
func TestPublishedRBAC(t *testing.T) {
	admin := testcluster.Config(t)
	ns := testcluster.Namespace(t)
	c, e := connect(t, admin)
	ctx := context.Background()
	objs := load(t, web)
	res := e.Sync(ctx, objs, apply.Options{Pipeline: "rbac", Namespace: ns, CreateNamespace: true, StepTimeout: time.Minute})
	if res.Status != progress.Succeeded {
		t.Fatalf("sync: %s", res.Message)
	}

	full, fe := connect(t, as(t, admin, c, ns, "rbac.yaml"))
	settle(t, full, ns, true)
	pv, err := fe.Preview(ctx, objs, apply.Options{Pipeline: "rbac", Namespace: ns, CreateNamespace: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := objdiff.Compare(ctx, pv, "rbac", ns)
	if err != nil || d.Changes != 0 {
		t.Fatalf("diff with docs/rbac.yaml: %v, %+v", err, d)
	}
	if rep := check(t, full, fe, ns, "rbac", objs); !rep.Healthy || rep.Objects[1].Sync != "Synced" || len(rep.Warnings) > 0 {
		t.Fatalf("status with docs/rbac.yaml: %+v", rep)
	}

	ro, re := connect(t, as(t, admin, c, ns, "rbac-status.yaml"))
	settle(t, ro, ns, true)
	rep := check(t, ro, re, ns, "rbac", objs)
	if !rep.Healthy || rep.Objects[1].Sync != "" || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "forbidden") {
		t.Fatalf("status with docs/rbac-status.yaml: %+v", rep)
	}
	pv, err = re.Preview(ctx, objs, apply.Options{Pipeline: "rbac", Namespace: ns, CreateNamespace: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := objdiff.Compare(ctx, pv, "rbac", ns); err == nil || !strings.Contains(err.Error(), "forbidden") || !strings.Contains(err.Error(), "Deployment/web") {
		t.Fatalf("diff with docs/rbac-status.yaml: %v", err)
	}

	// Without sources (status --pipeline NAME): the objects are found by
	// label among every kind a pipeline declares. The read-only Role lets
	// every namespaced one be listed; the cluster-scoped ones it may not
	// list are named in warnings, and nothing else is.
	byLabel, err := Check(ctx, Options{Pipeline: "rbac", Namespace: ns, Clients: ro, Engine: re})
	if err != nil {
		t.Fatalf("status --pipeline with docs/rbac-status.yaml: %v", err)
	}
	var listed []string
	for _, w := range byLabel.Warnings {
		if !strings.Contains(w, "forbidden") {
			t.Errorf("status --pipeline: warning %q", w)
		}
		listed = append(listed, strings.Fields(w)[0])
	}
	if !slices.Equal(listed, []string{"clusterroles", "clusterrolebindings"}) || len(byLabel.Objects) < len(objs) {
		t.Fatalf("status --pipeline with docs/rbac-status.yaml: warnings %q, %d objects: %+v", byLabel.Warnings, len(byLabel.Objects), byLabel.Objects)
	}

	// No right to read Deployments at all.
	_, err = kubernetes.NewForConfigOrDie(c.Config).RbacV1().Roles(ns).Patch(ctx, "wavec-status", types.JSONPatchType,
		[]byte(`[{"op": "replace", "path": "/rules/1/resources", "value": ["statefulsets", "replicasets"]}]`), metav1.PatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	settle(t, ro, ns, false)
	_, err = Check(ctx, Options{Pipeline: "rbac", Namespace: ns, Clients: ro, Engine: re, Preview: pv})
	if err == nil || !strings.Contains(err.Error(), "reading Deployment web") || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("status without reading deployments: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = Watch(wctx, Options{Pipeline: "rbac", Namespace: ns, Clients: ro, Engine: re, Preview: pv}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "cannot watch") || !strings.Contains(err.Error(), "deployments") {
		t.Fatalf("status --watch without reading deployments: %v", err)
	}
}

// TestWatchStopped: when the caller stops a watch (Ctrl-C, --timeout), it
// returns the last report, with the diagnosis of what it waited for.
func TestWatchStopped(t *testing.T) {
	admin := testcluster.Config(t)
	ns := testcluster.Namespace(t)
	c, e := connect(t, admin)
	ctx := context.Background()
	objs := load(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck, `+testcluster.ReadyLabel+`: "false"}}
    spec:
      containers: [{name: stuck, image: `+testcluster.Image+`}]
`)
	res := e.Sync(ctx, objs, apply.Options{Pipeline: "stuck", Namespace: ns, CreateNamespace: true, NoWaitLast: true})
	if res.Status != progress.Succeeded {
		t.Fatalf("sync: %s", res.Message)
	}
	// The sync returns once the Deployment is applied; its Pod comes when
	// the controllers get to it, which on a busy machine can be after the
	// watch's first report. Wait for the Pod, so that the diagnosis has
	// one to show.
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := kubernetes.NewForConfigOrDie(c.Config).CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=stuck"})
		return err == nil && len(pods.Items) > 0, nil
	})
	if err != nil {
		t.Fatalf("no Pod of Deployment/stuck: %v", err)
	}
	pv, err := e.Preview(ctx, objs, apply.Options{Pipeline: "stuck", Namespace: ns, CreateNamespace: true})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	var lines []string
	rep, err := Watch(wctx, Options{Pipeline: "stuck", Namespace: ns, Clients: c, Engine: e, Preview: pv}, func(l string) {
		lines = append(lines, l)
		stop()
	})
	if err != context.Canceled || rep == nil || rep.Healthy || len(lines) != 1 || !strings.HasPrefix(lines[0], "Deployment/stuck Progressing") {
		t.Fatalf("err %v, report %+v, lines %q", err, rep, lines)
	}
	if d := strings.Join(rep.Objects[0].Diagnosis, "\n"); !strings.Contains(d, "health: Progressing") || !strings.Contains(d, "pod stuck-") {
		t.Errorf("diagnosis:\n%s", d)
	}
}
