package argocd_test

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/testcluster"
)

func TestClusterScoped(t *testing.T) {
	for gk, want := range map[schema.GroupKind]bool{
		{Kind: "Namespace"}: true,
		{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:         true,
		{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}: true,
		{Kind: "ConfigMap"}:                 false,
		{Group: "apps", Kind: "Deployment"}: false,
		// The group counts: a custom Namespace kind is namespaced unless
		// its CRD says otherwise.
		{Group: "example.com", Kind: "Namespace"}:          false,
		{Group: "rbac.authorization.k8s.io", Kind: "Role"}: false,
	} {
		if got := argocd.ClusterScoped(gk); got != want {
			t.Errorf("ClusterScoped(%v) = %v, want %v", gk, got, want)
		}
	}
}

// TestClusterScopedMatchesDiscovery compares the list with what a current
// API server says: every cluster-scoped kind it serves that can be listed
// (the review kinds can only be created, so manifests never carry them) is
// in the list, and no listed kind it serves is namespaced.
func TestClusterScopedMatchesDiscovery(t *testing.T) {
	cfg := testcluster.Config(t)
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	lists, err := dc.ServerPreferredResources()
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	served := 0
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			gk := schema.GroupKind{Group: gv.Group, Kind: r.Kind}
			listed := argocd.ClusterScoped(gk)
			switch {
			case !r.Namespaced && !listed && slices.Contains(r.Verbs, "list"):
				t.Errorf("%s is cluster-scoped on the API server but not in argocd's list", gk)
			case r.Namespaced && listed:
				t.Errorf("%s is namespaced on the API server but argocd's list calls it cluster-scoped", gk)
			case !r.Namespaced && listed:
				served++
			}
		}
	}
	if served < 10 {
		t.Errorf("only %d listed kinds were served; discovery looks incomplete", served)
	}
}
