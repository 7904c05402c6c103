package apply

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

// env is a test's connection to the test cluster and its namespace.
type env struct {
	t   testing.TB
	e   *Engine
	cs  kubernetes.Interface
	ns  string
	rec *recorder
}

func newEnv(t testing.TB) *env {
	t.Helper()
	cfg := testcluster.Config(t)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cluster.NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, e: e, cs: cs, ns: testcluster.Namespace(t), rec: &recorder{}}
}

func (v *env) opts(name string) Options {
	return Options{Pipeline: name, Namespace: v.ns, CreateNamespace: true, StepTimeout: time.Minute, Reporter: v.rec}
}

// sync runs a sync and logs its events when the test fails.
func (v *env) sync(ctx context.Context, objs []manifest.Object, o Options) Result {
	v.t.Helper()
	v.rec.reset()
	res := v.e.Sync(ctx, objs, o)
	v.t.Cleanup(func() {
		if v.t.Failed() {
			v.rec.dump(v.t)
		}
	})
	return res
}

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []progress.Event
	// on, when set, sees every event as it happens.
	on func(progress.Event)
}

func (r *recorder) Report(e progress.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	on := r.on
	r.mu.Unlock()
	if on != nil {
		on(e)
	}
}

func (r *recorder) Close() {}

func (r *recorder) reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}

func (r *recorder) all() []progress.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]progress.Event(nil), r.events...)
}

// find returns the events of type typ about object (any object when "").
func (r *recorder) find(typ progress.Type, object string) []progress.Event {
	var out []progress.Event
	for _, e := range r.all() {
		if e.Type == typ && (object == "" || e.Object == object) {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) dump(t testing.TB) {
	for _, e := range r.all() {
		b, _ := json.Marshal(e)
		t.Log(string(b))
	}
}

// exists reports whether an object exists, by resource.
func (v *env) exists(resource, name string) bool {
	v.t.Helper()
	var err error
	ctx := context.Background()
	switch resource {
	case "configmaps":
		_, err = v.cs.CoreV1().ConfigMaps(v.ns).Get(ctx, name, metav1.GetOptions{})
	case "jobs":
		_, err = v.cs.BatchV1().Jobs(v.ns).Get(ctx, name, metav1.GetOptions{})
	case "pods":
		_, err = v.cs.CoreV1().Pods(v.ns).Get(ctx, name, metav1.GetOptions{})
	case "deployments":
		_, err = v.cs.AppsV1().Deployments(v.ns).Get(ctx, name, metav1.GetOptions{})
	case "services":
		_, err = v.cs.CoreV1().Services(v.ns).Get(ctx, name, metav1.GetOptions{})
	default:
		v.t.Fatalf("exists: unknown resource %s", resource)
	}
	if apierrors.IsNotFound(err) {
		return false
	}
	if err != nil {
		v.t.Fatal(err)
	}
	return true
}

// write is one write request the API server completed, from its audit log.
type write struct {
	verb, resource, name string
	code                 int
	dryRun               bool
}

// writes returns the completed write requests in namespace ns, in the order
// the API server completed them.
func writes(t *testing.T, ns string) []write {
	t.Helper()
	path := testcluster.AuditLogPath(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []write
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var l struct {
			Stage      string `json:"stage"`
			Verb       string `json:"verb"`
			RequestURI string `json:"requestURI"`
			ObjectRef  *struct {
				Resource, Namespace, Name, Subresource string
			} `json:"objectRef"`
			ResponseStatus *struct {
				Code int `json:"code"`
			} `json:"responseStatus"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Stage != "ResponseComplete" || l.ObjectRef == nil {
			continue
		}
		if l.ObjectRef.Namespace != ns || l.ObjectRef.Subresource != "" {
			continue
		}
		w := write{verb: l.Verb, resource: l.ObjectRef.Resource, name: l.ObjectRef.Name, dryRun: strings.Contains(l.RequestURI, "dryRun=")}
		if l.ResponseStatus != nil {
			w.code = l.ResponseStatus.Code
		}
		out = append(out, w)
	}
	return out
}

// waitRolledOut waits until the controller has observed Deployment name
// and counts replicas updated replicas, each a running Pod (ready or not).
func (v *env) waitRolledOut(name string, replicas int32) {
	v.t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		d, err := v.cs.AppsV1().Deployments(v.ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas != replicas {
			return false, nil
		}
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil {
			return false, err
		}
		pods, err := v.cs.CoreV1().Pods(v.ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
		if err != nil {
			return false, nil
		}
		running := int32(0)
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return running == replicas, nil
	})
	if err != nil {
		v.t.Fatalf("Deployment %s was not rolled out to %d running Pods: %v", name, replicas, err)
	}
}

func withTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

var metavOpts = metav1.GetOptions{}

func widgetGVK(group string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: group, Version: "v1", Kind: "Widget"}
}
