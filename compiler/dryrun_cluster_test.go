package compiler_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"

	"github.com/wavec/wavec/testcluster"
)

// warningCollector keeps the warnings the API server sends.
type warningCollector struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningCollector) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningCollector) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

// TestExamplesServerDryRun creates every object of every example, and of
// the pipeline of every built-in kind, in a server-side dry run with strict
// field validation, in a namespace whose Pod Security admission warns
// about anything short of the restricted level: the API server must accept
// each object without a single warning. Custom resources whose CRD the
// pipeline itself declares are left out, as the CRD is never created.
func TestExamplesServerDryRun(t *testing.T) {
	cfg := testcluster.Config(t)
	ns := testcluster.Namespace(t)
	ctx := context.Background()

	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	labels, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}}})
	if _, err := cs.CoreV1().Namespaces().Patch(ctx, ns, types.MergePatchType, labels, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}

	warnings := &warningCollector{}
	cfg.WarningHandler = warnings
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))

	created := 0
	for _, dir := range pipelines(t) {
		res := compile(t, []string{dir}, nil)
		crdKinds := map[string]bool{}
		for _, d := range res.Documents {
			if d.Object.GetKind() == "CustomResourceDefinition" && strings.HasPrefix(d.Object.GetAPIVersion(), "apiextensions.k8s.io/") {
				group, _, _ := unstructured.NestedString(d.Object.Object, "spec", "group")
				kind, _, _ := unstructured.NestedString(d.Object.Object, "spec", "names", "kind")
				crdKinds[group+"/"+kind] = true
			}
		}
		for _, d := range res.Documents {
			u := d.Object.DeepCopy()
			gvk := u.GroupVersionKind()
			what := filepath.Base(dir) + ": " + gvk.Kind + " " + u.GetName()
			if crdKinds[gvk.Group+"/"+gvk.Kind] {
				continue
			}
			mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				t.Errorf("%s: the API server does not serve the kind: %v", what, err)
				continue
			}
			ri := dyn.Resource(mapping.Resource)
			opts := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}
			if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
				u.SetNamespace(ns)
				_, err = ri.Namespace(ns).Create(ctx, u, opts)
			} else {
				_, err = ri.Create(ctx, u, opts)
				if apierrors.IsAlreadyExists(err) {
					// A cluster-scoped object of an example that another
					// cluster test applied for real and that stays
					// (examples/widgets' CRD, which cmd/wavec's
					// TestExamplesRun applies and wavec delete keeps):
					// validate it as an update instead.
					err = dryRunUpdate(ctx, ri, u)
				}
			}
			if err != nil {
				t.Errorf("%s: rejected: %v", what, err)
				continue
			}
			created++
			for _, w := range warnings.take() {
				t.Errorf("%s: warning: %s", what, w)
			}
		}
	}
	if created < 30 {
		t.Errorf("only %d objects were created in the dry run", created)
	}
}

// dryRunUpdate validates u, a cluster-scoped object that exists already, as
// a server-side dry-run update of the existing object with strict field
// validation.
func dryRunUpdate(ctx context.Context, ri dynamic.NamespaceableResourceInterface, u *unstructured.Unstructured) error {
	live, err := ri.Get(ctx, u.GetName(), metav1.GetOptions{})
	if err != nil {
		return err
	}
	u = u.DeepCopy()
	u.SetResourceVersion(live.GetResourceVersion())
	_, err = ri.Update(ctx, u, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
	return err
}
