package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	cgdiscovery "k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// fakeServer serves discovery documents the way an API server does (the
// unaggregated form), counts requests by path and records the last query
// of each path.
type fakeServer struct {
	mu      sync.Mutex
	hits    map[string]int
	queries map[string]string
	docs    map[string]any
}

func res(name, singular, kind string, namespaced bool) metav1.APIResource {
	return metav1.APIResource{Name: name, SingularName: singular, Kind: kind, Namespaced: namespaced, Verbs: metav1.Verbs{"get", "list"}}
}

func gvd(group, version string) metav1.GroupVersionForDiscovery {
	gv := version
	if group != "" {
		gv = group + "/" + version
	}
	return metav1.GroupVersionForDiscovery{GroupVersion: gv, Version: version}
}

// newFakeServer serves a core group, apps, batch in two versions, a custom
// group whose preferred version is not its first, a group that also
// serves a kind of the core group, a group without singular names, and an
// aggregated group whose version fails.
func newFakeServer(t *testing.T) (*fakeServer, *rest.Config) {
	f := &fakeServer{hits: map[string]int{}, queries: map[string]string{}, docs: map[string]any{
		"/version": map[string]string{"major": "1", "minor": "34", "gitVersion": "v1.34.0"},
		"/api":     metav1.APIVersions{Versions: []string{"v1"}},
		"/apis": metav1.APIGroupList{Groups: []metav1.APIGroup{
			{Name: "apps", Versions: []metav1.GroupVersionForDiscovery{gvd("apps", "v1")}, PreferredVersion: gvd("apps", "v1")},
			{Name: "batch", Versions: []metav1.GroupVersionForDiscovery{gvd("batch", "v1"), gvd("batch", "v1beta1")}, PreferredVersion: gvd("batch", "v1")},
			{Name: "shop.example.com", Versions: []metav1.GroupVersionForDiscovery{gvd("shop.example.com", "v1alpha1"), gvd("shop.example.com", "v2")}, PreferredVersion: gvd("shop.example.com", "v2")},
			{Name: "events.k8s.io", Versions: []metav1.GroupVersionForDiscovery{gvd("events.k8s.io", "v1")}, PreferredVersion: gvd("events.k8s.io", "v1")},
			{Name: "legacy.example.com", Versions: []metav1.GroupVersionForDiscovery{gvd("legacy.example.com", "v1")}, PreferredVersion: gvd("legacy.example.com", "v1")},
			{Name: "metrics.k8s.io", Versions: []metav1.GroupVersionForDiscovery{gvd("metrics.k8s.io", "v1beta1")}, PreferredVersion: gvd("metrics.k8s.io", "v1beta1")},
		}},
		"/api/v1": metav1.APIResourceList{GroupVersion: "v1", APIResources: []metav1.APIResource{
			res("pods", "pod", "Pod", true), res("pods/log", "", "Pod", true), res("pods/status", "", "Pod", true),
			res("namespaces", "namespace", "Namespace", false), res("configmaps", "configmap", "ConfigMap", true),
			res("events", "event", "Event", true), res("services", "service", "Service", true),
		}},
		"/apis/apps/v1": metav1.APIResourceList{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			res("deployments", "deployment", "Deployment", true), res("deployments/scale", "", "Scale", true),
			res("statefulsets", "statefulset", "StatefulSet", true),
		}},
		"/apis/batch/v1": metav1.APIResourceList{GroupVersion: "batch/v1", APIResources: []metav1.APIResource{
			res("jobs", "job", "Job", true), res("cronjobs", "cronjob", "CronJob", true),
		}},
		"/apis/batch/v1beta1": metav1.APIResourceList{GroupVersion: "batch/v1beta1", APIResources: []metav1.APIResource{
			res("cronjobs", "cronjob", "CronJob", true), res("oldjobs", "oldjob", "OldJob", true),
		}},
		"/apis/shop.example.com/v1alpha1": metav1.APIResourceList{GroupVersion: "shop.example.com/v1alpha1", APIResources: []metav1.APIResource{
			res("carts", "cart", "Cart", true), res("tills", "till", "Till", false),
		}},
		"/apis/shop.example.com/v2": metav1.APIResourceList{GroupVersion: "shop.example.com/v2", APIResources: []metav1.APIResource{
			res("carts", "cart", "Cart", true),
		}},
		"/apis/events.k8s.io/v1": metav1.APIResourceList{GroupVersion: "events.k8s.io/v1", APIResources: []metav1.APIResource{
			res("events", "event", "Event", true),
		}},
		"/apis/legacy.example.com/v1": metav1.APIResourceList{GroupVersion: "legacy.example.com/v1", APIResources: []metav1.APIResource{
			{Name: "policies", Kind: "Policy", Namespaced: false}, {Name: "boxes", Kind: "Box", Namespaced: true},
		}},
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &rest.Config{Host: srv.URL, QPS: -1}
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits[r.URL.Path]++
	f.queries[r.URL.Path] = r.URL.RawQuery
	doc, ok := f.docs[r.URL.Path]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/log"):
		_, _ = io.WriteString(w, "line one\n")
	case r.URL.Path == "/apis/secret.example.com/v1":
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Code: 403, Reason: metav1.StatusReasonForbidden,
			Message: `forbidden: User "dev" cannot get path "/apis/secret.example.com/v1"`})
	case r.URL.Path == "/apis/metrics.k8s.io/v1beta1":
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Code: 503, Reason: metav1.StatusReasonServiceUnavailable, Message: "service unavailable"})
	case !ok:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Code: 404, Reason: metav1.StatusReasonNotFound, Message: "the server could not find the requested resource"})
	default:
		_ = json.NewEncoder(w).Encode(doc)
	}
}

func (f *fakeServer) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

// describe is a RESTMapping call's outcome, comparable across mappers.
func describe(m *meta.RESTMapping, err error) string {
	if err != nil {
		return fmt.Sprintf("error no-match=%v ambiguous=%v: %v", meta.IsNoMatchError(err), meta.IsAmbiguousError(err), err)
	}
	return fmt.Sprintf("%v %v %s", m.Resource, m.GroupVersionKind, m.Scope.Name())
}

// The mapper maps every kind as client-go's discovery mapper does over the
// same discovery documents: preferred versions, explicit versions, kinds
// served by several groups, subresources, guessed singulars, failing
// group versions and unknown kinds.
func TestMapperMatchesClientGo(t *testing.T) {
	_, cfg := newFakeServer(t)
	c, err := NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	want := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cgdiscovery.NewDiscoveryClientForConfigOrDie(cfg)))
	cases := []struct {
		gk       schema.GroupKind
		versions []string
	}{
		{schema.GroupKind{Kind: "Pod"}, nil},
		{schema.GroupKind{Kind: "Pod"}, []string{"v1"}},
		{schema.GroupKind{Kind: "Pod"}, []string{"v2"}},
		{schema.GroupKind{Kind: "pod"}, nil},
		{schema.GroupKind{Kind: "Namespace"}, nil},
		{schema.GroupKind{Kind: "Event"}, nil},
		{schema.GroupKind{Group: "events.k8s.io", Kind: "Event"}, nil},
		{schema.GroupKind{Kind: "PodList"}, nil},
		{schema.GroupKind{Kind: "List"}, nil},
		{schema.GroupKind{Group: "apps", Kind: "Deployment"}, nil},
		{schema.GroupKind{Group: "apps", Kind: "Deployment"}, []string{"v1"}},
		{schema.GroupKind{Group: "apps", Kind: "Scale"}, nil},
		{schema.GroupKind{Group: "apps", Kind: "StatefulSet"}, []string{"v1beta1", "v1"}},
		{schema.GroupKind{Group: "batch", Kind: "CronJob"}, nil},
		{schema.GroupKind{Group: "batch", Kind: "CronJob"}, []string{"v1beta1"}},
		{schema.GroupKind{Group: "batch", Kind: "OldJob"}, nil},
		{schema.GroupKind{Group: "batch", Kind: "Job"}, []string{"v1beta1"}},
		{schema.GroupKind{Group: "shop.example.com", Kind: "Cart"}, nil},
		{schema.GroupKind{Group: "shop.example.com", Kind: "Cart"}, []string{"v1alpha1"}},
		{schema.GroupKind{Group: "shop.example.com", Kind: "Till"}, nil},
		{schema.GroupKind{Group: "legacy.example.com", Kind: "Policy"}, nil},
		{schema.GroupKind{Group: "legacy.example.com", Kind: "Box"}, nil},
		{schema.GroupKind{Group: "metrics.k8s.io", Kind: "PodMetrics"}, nil},
		{schema.GroupKind{Group: "nowhere.example.com", Kind: "Thing"}, nil},
		{schema.GroupKind{Kind: "Deployment"}, nil},
	}
	for _, tc := range cases {
		got, exp := describe(c.Mapper.RESTMapping(tc.gk, tc.versions...)), describe(want.RESTMapping(tc.gk, tc.versions...))
		if got != exp {
			t.Errorf("RESTMapping(%v, %q):\n got %s\nwant %s", tc.gk, tc.versions, got, exp)
		}
		gotAll, gotErr := c.Mapper.RESTMappings(tc.gk, tc.versions...)
		expAll, expErr := want.RESTMappings(tc.gk, tc.versions...)
		if (gotErr == nil) != (expErr == nil) || !reflect.DeepEqual(gotAll, expAll) {
			t.Errorf("RESTMappings(%v, %q):\n got %v %v\nwant %v %v", tc.gk, tc.versions, gotAll, gotErr, expAll, expErr)
		}
	}
	for _, r := range []schema.GroupVersionResource{{Resource: "pods"}, {Resource: "pod"}, {Resource: "events"}, {Group: "batch", Resource: "cronjobs"}, {Group: "shop.example.com", Resource: "cart"}, {Resource: "policies"}} {
		gotK, gotErr := c.Mapper.KindFor(r)
		expK, expErr := want.KindFor(r)
		if gotK != expK || (gotErr == nil) != (expErr == nil) {
			t.Errorf("KindFor(%v) = %v, %v; want %v, %v", r, gotK, gotErr, expK, expErr)
		}
		gotR, gotErr := c.Mapper.ResourceFor(r)
		expR, expErr := want.ResourceFor(r)
		if gotR != expR || (gotErr == nil) != (expErr == nil) {
			t.Errorf("ResourceFor(%v) = %v, %v; want %v, %v", r, gotR, gotErr, expR, expErr)
		}
	}
}

// Discovery is read on first use, once, and again after Reset: making the
// clients sends no request.
func TestMapperReadsDiscoveryLazily(t *testing.T) {
	f, cfg := newFakeServer(t)
	c, err := NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count("/apis"); n != 0 {
		t.Fatalf("NewClients read /apis %d times", n)
	}
	for range 3 {
		if _, err := c.Mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, m := f.count("/apis"), f.count("/apis/apps/v1"); n != 1 || m != 1 {
		t.Fatalf("three mappings read /apis %d times and /apis/apps/v1 %d times, want once each", n, m)
	}
	// A kind that appears after a Reset is found.
	f.mu.Lock()
	f.docs["/apis/apps/v1"] = metav1.APIResourceList{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{res("widgets", "widget", "Widget", true)}}
	f.mu.Unlock()
	if _, err := c.Mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Widget"}); !meta.IsNoMatchError(err) {
		t.Fatalf("before Reset: %v, want no match", err)
	}
	c.Mapper.Reset()
	if m, err := c.Mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Widget"}); err != nil || m.Resource.Resource != "widgets" {
		t.Fatalf("after Reset: %v, %v", m, err)
	}
}

// Served lists a group version's resources as client-go's discovery
// client does, with the server's NotFound for a group version it does not
// serve.
func TestServed(t *testing.T) {
	_, cfg := newFakeServer(t)
	c, err := NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	api, err := c.API()
	if err != nil {
		t.Fatal(err)
	}
	disc := kubernetes.NewForConfigOrDie(cfg).Discovery()
	for _, gv := range []string{"v1", "apps/v1", "batch/v1beta1", "nowhere.example.com/v1", "metrics.k8s.io/v1beta1", "secret.example.com/v1"} {
		got, gotErr := api.Served(context.Background(), gv)
		exp, expErr := disc.ServerResourcesForGroupVersion(gv)
		if (gotErr == nil) != (expErr == nil) || (gotErr != nil && gotErr.Error() != expErr.Error()) {
			t.Errorf("Served(%s) error %v, want %v", gv, gotErr, expErr)
			continue
		}
		if expErr != nil {
			continue
		}
		if !reflect.DeepEqual(got, exp.APIResources) {
			t.Errorf("Served(%s) = %v, want %v", gv, got, exp.APIResources)
		}
	}
	if _, err := api.Served(context.Background(), "nowhere.example.com/v1"); err == nil || !strings.Contains(err.Error(), "could not find") {
		t.Errorf("Served of an unserved group version: %v", err)
	}
}

// Logs sends the path and query the typed client sends for the same
// options.
func TestLogsRequest(t *testing.T) {
	f, cfg := newFakeServer(t)
	c, err := NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	api, err := c.API()
	if err != nil {
		t.Fatal(err)
	}
	tail, since, limit := int64(20), int64(30), int64(4096)
	path := "/api/v1/namespaces/shop/pods/web-1/log"
	for _, o := range []*corev1.PodLogOptions{
		{},
		{Container: "app", Follow: true, Previous: true, Timestamps: true, TailLines: &tail, SinceSeconds: &since, LimitBytes: &limit},
	} {
		rc, err := api.Logs(context.Background(), "shop", "web-1", o)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		f.mu.Lock()
		got := f.queries[path]
		f.mu.Unlock()
		if string(body) != "line one\n" {
			t.Errorf("log %q", body)
		}
		rc, err = kubernetes.NewForConfigOrDie(cfg).CoreV1().Pods("shop").GetLogs("web-1", o).Stream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		f.mu.Lock()
		want := f.queries[path]
		f.mu.Unlock()
		if got != want {
			t.Errorf("options %+v: query %q, want %q", o, got, want)
		}
	}
	if f.count(path) != 4 {
		t.Errorf("%s requested %d times, want 4", path, f.count(path))
	}
}

// Connect checks the server's /version.
func TestConnectReachable(t *testing.T) {
	f, cfg := newFakeServer(t)
	c, err := NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.disc.serverVersion(context.Background())
	if err != nil || info.GitVersion != "v1.34.0" || f.count("/version") != 1 {
		t.Fatalf("server version %v, %v", info, err)
	}
}

// A server without /version fails the check with client-go's error.
func TestServerVersionError(t *testing.T) {
	f, cfg := newFakeServer(t)
	f.mu.Lock()
	delete(f.docs, "/version")
	f.mu.Unlock()
	c, err := NewClients(cfg, "default")
	if err != nil {
		t.Fatal(err)
	}
	_, got := c.disc.serverVersion(context.Background())
	_, want := cgdiscovery.NewDiscoveryClientForConfigOrDie(cfg).ServerVersion()
	if got == nil || want == nil || got.Error() != want.Error() {
		t.Fatalf("server version error %v, want %v", got, want)
	}
}
