// Package engine drives Argo CD's sync engine (gitops-engine pkg/sync) on a
// set of manifests: without a cluster, to report the order of tasks it
// computes for a sync (Order, Run), and against a real API server as Argo
// CD's controller drives it (Cluster).
//
// The manifests go through the steps Argo CD's application controller takes
// before it hands them to the engine (namespaces set or cleared by scope,
// duplicates dropped with the last definition kept, hooks split off by
// sync.Reconcile); then a sync context is created with fake resource
// operations and a fake discovery endpoint, and synced once. Its first Sync
// dry-runs every task in order and logs that order; the log is where the
// order is read from, since the engine exports no sorting.
//
// Run goes further and drives a whole sync as the controller does, one
// sync context per reconcile, and reports the tasks each reconcile started.
package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	apierr "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/argoproj/gitops-engine/pkg/health"
	gsync "github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/kube/kubetest"
)

// Options are the parts of an Argo CD Application that change a sync.
type Options struct {
	// Namespace is the destination namespace.
	Namespace string
	// CreateNamespace is the sync option CreateNamespace=true, on a
	// cluster where the namespace does not exist yet.
	CreateNamespace bool
	// Revision is the revision synced; hooks with a generateName are named
	// from it.
	Revision string
	// StartedAt is the start of the sync operation; hooks with a
	// generateName are named from it too.
	StartedAt time.Time
}

// Task is one task of a sync as the engine computed it.
type Task struct {
	Phase     string // PreSync, Sync, PostSync or SyncFail
	Wave      int    // the wave it runs in (after any move)
	Hook      bool
	Group     string
	Kind      string
	Namespace string // "" for a cluster-scoped kind, else as the engine set it
	Name      string // the generated name for a generateName hook
}

func (t Task) String() string {
	kind := t.Kind
	if t.Group != "" {
		kind = t.Group + "/" + t.Kind
	}
	h := ""
	if t.Hook {
		h = " hook"
	}
	return fmt.Sprintf("%s/%d %s %s/%s%s", t.Phase, t.Wave, kind, t.Namespace, t.Name, h)
}

// clusterScoped lists the built-in kinds that have no namespace, by group;
// the controller clears the namespace of such objects. Kinds not listed
// are treated as namespaced, as the controller treats kinds of unknown
// scope.
var clusterScoped = map[schema.GroupKind]bool{
	{Kind: "Namespace"}:        true,
	{Kind: "Node"}:             true,
	{Kind: "PersistentVolume"}: true,
	{Kind: "ComponentStatus"}:  true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:               true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                       true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                 true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                    true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                      true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                             true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                              true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                           true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                             true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                    true,
	{Group: "policy", Kind: "PodSecurityPolicy"}:                                    true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}: true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:               true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                     true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:     true,
}

// ClusterScoped reports whether the harness treats gk as cluster-scoped.
func ClusterScoped(gk schema.GroupKind) bool { return clusterScoped[gk] }

type scopes struct{}

func (scopes) IsNamespaced(gk schema.GroupKind) (bool, error) { return !clusterScoped[gk], nil }

// normalize does what Argo CD's controller does to the manifests before a
// sync (controller/state.go, NormalizeTargetObjects): namespaced objects
// without a namespace get the destination namespace, cluster-scoped ones
// lose theirs, and of objects with the same group, kind, namespace and
// name only the last is kept (hooks named by generateName are never
// duplicates). The result keeps the input order.
func normalize(objs []*unstructured.Unstructured, namespace string) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	last := map[kube.ResourceKey]int{}
	keys := make([]kube.ResourceKey, len(objs))
	for i, o := range objs {
		o = o.DeepCopy()
		gk := o.GroupVersionKind().GroupKind()
		if clusterScoped[gk] {
			o.SetNamespace("")
		} else if o.GetNamespace() == "" {
			o.SetNamespace(namespace)
		}
		key := kube.GetResourceKey(o)
		if key.Name == "" && o.GetGenerateName() != "" {
			key.Name = fmt.Sprintf("%s%d", o.GetGenerateName(), i)
		}
		keys[i] = key
		last[key] = i
		out = append(out, o)
	}
	kept := out[:0]
	for i, o := range out {
		if last[keys[i]] == i {
			kept = append(kept, o)
		}
	}
	return kept
}

// Order syncs objs once with Argo CD's engine, applying nothing, and
// returns its tasks in the order it would run them.
func Order(objs []*unstructured.Unstructured, opts Options) ([]Task, error) {
	objs = normalize(objs, opts.Namespace)
	srv := newDiscovery(objs)
	defer srv.Close()

	rec := &recorder{}
	kubectl := (&kubetest.MockKubectlCmd{}).WithGetResourceFunc(
		func(_ context.Context, _ *rest.Config, gvk schema.GroupVersionKind, name, _ string) (*unstructured.Unstructured, error) {
			return nil, apierr.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, name)
		})
	result := gsync.Reconcile(objs, map[kube.ResourceKey]*unstructured.Unstructured{}, opts.Namespace, scopes{})
	cfg := &rest.Config{Host: srv.URL}
	sc, cleanup, err := gsync.NewSyncContext(opts.Revision, result, cfg, cfg, kubectl, opts.Namespace, nil,
		gsync.WithLogr(logr.New(&sink{rec: rec})),
		gsync.WithInitialState("", "", nil, metav1.NewTime(opts.StartedAt)),
		gsync.WithNamespaceCreation(opts.CreateNamespace, func(*unstructured.Unstructured) bool { return false }),
		gsync.WithHealthOverride(healthy{}),
	)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	sc.Sync()
	if rec.err != nil {
		return nil, rec.err
	}
	if rec.tasks == nil {
		phase, msg, _ := sc.GetState()
		return nil, fmt.Errorf("the engine computed no tasks: %s: %s", phase, msg)
	}
	return rec.tasks, nil
}

// newDiscovery serves the API discovery documents for every group and
// version used by objs, with each kind the objects have.
func newDiscovery(objs []*unstructured.Unstructured) *httptest.Server {
	kinds := map[string]map[string]bool{} // group/version -> kinds
	add := func(gv, kind string) {
		if kinds[gv] == nil {
			kinds[gv] = map[string]bool{}
		}
		kinds[gv][kind] = true
	}
	add("v1", "Namespace")
	for _, o := range objs {
		add(o.GroupVersionKind().GroupVersion().String(), o.GetKind())
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gv := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/"), "/apis/")
		list := metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv}
		for kind := range kinds[gv] {
			gk := schema.ParseGroupKind(kind + "." + schema.FromAPIVersionAndKind(gv, kind).Group)
			list.APIResources = append(list.APIResources, metav1.APIResource{
				Name:       strings.ToLower(kind) + "s",
				Kind:       kind,
				Namespaced: !clusterScoped[gk],
				Verbs:      metav1.Verbs{"get", "list", "watch", "create", "update", "patch", "delete"},
			})
		}
		if len(list.APIResources) == 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(list)
	}))
}

// discard is a logger that drops everything.
func discard() logr.Logger { return logr.Discard() }

// healthy reports every object Healthy, so nothing waits.
type healthy struct{}

func (healthy) GetResourceHealth(*unstructured.Unstructured) (*health.HealthStatus, error) {
	return &health.HealthStatus{Status: health.HealthStatusHealthy}, nil
}

// recorder keeps the tasks the engine logs before its dry-run.
type recorder struct {
	mu    sync.Mutex
	tasks []Task
	err   error
}

// taskRE matches the engine's rendering of one task:
// "<phase>/<wave> <hook|resource> <group>/<kind>:<namespace>/<name> ...".
var taskRE = regexp.MustCompile(`^(\w+)/(-?\d+) (hook|resource) ([^/]*)/([^:]*):([^/]*)/(\S*) `)

func (r *recorder) record(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return
	}
	var tasks []Task
	for i := range rv.Len() {
		s, ok := rv.Index(i).Interface().(fmt.Stringer)
		if !ok {
			r.err = fmt.Errorf("task %d of the engine is not a Stringer", i)
			return
		}
		m := taskRE.FindStringSubmatch(s.String())
		if m == nil {
			r.err = fmt.Errorf("cannot read the engine's task %q", s.String())
			return
		}
		wave, _ := strconv.Atoi(m[2])
		task := Task{Phase: m[1], Wave: wave, Hook: m[3] == "hook", Group: m[4], Kind: m[5], Namespace: m[6], Name: m[7]}
		if clusterScoped[schema.GroupKind{Group: task.Group, Kind: task.Kind}] {
			// The engine gives every object without a namespace the
			// destination namespace, cluster-scoped ones too (except the
			// namespace it creates itself); it means nothing for them.
			task.Namespace = ""
		}
		tasks = append(tasks, task)
	}
	if tasks == nil {
		tasks = []Task{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tasks == nil {
		r.tasks = tasks
	}
}

// sink is a logr sink that hands the task list of the engine's dry-run
// message to its recorder and drops everything else.
type sink struct {
	rec    *recorder
	values []any
}

func (s *sink) Init(logr.RuntimeInfo)  {}
func (s *sink) Enabled(level int) bool { return level == 0 }
func (s *sink) Info(_ int, msg string, kv ...any) {
	if msg != "Tasks (dry-run)" {
		return
	}
	all := append(append([]any{}, s.values...), kv...)
	for i := 0; i+1 < len(all); i += 2 {
		if all[i] == "tasks" {
			s.rec.record(all[i+1])
		}
	}
}
func (s *sink) Error(error, string, ...any) {}
func (s *sink) WithValues(kv ...any) logr.LogSink {
	return &sink{rec: s.rec, values: append(append([]any{}, s.values...), kv...)}
}
func (s *sink) WithName(string) logr.LogSink { return s }
