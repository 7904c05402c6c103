package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

// TestWatchForbidden: a user who may apply but not watch gets a clear
// failure instead of a sync that waits forever.
func TestWatchForbidden(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "deployer"}}
	if _, err := v.cs.CoreV1().ServiceAccounts(v.ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "apply-only"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps", "services"}, Verbs: []string{"get", "create", "patch", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "create", "patch"}},
	}}
	if _, err := v.cs.RbacV1().Roles(v.ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "deployer"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "apply-only"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: v.ns}}}
	if _, err := v.cs.RbacV1().RoleBindings(v.ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := v.cs.CoreV1().ServiceAccounts(v.ns).CreateToken(ctx, "deployer", &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin := testcluster.Config(t)
	cfg := &rest.Config{Host: admin.Host, BearerToken: tok.Status.Token, TLSClientConfig: rest.TLSClientConfig{CAData: admin.CAData, CAFile: admin.CAFile}}
	c, err := cluster.NewClients(cfg, v.ns)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	// A refused watch fails the sync at once: retried until the context's
	// minute ran out, it would end as a timeout instead.
	r := e.Sync(withTimeout(t, time.Minute), load(t, rerun[strings.Index(rerun, "---\napiVersion: apps/v1"):]), v.opts("rbac"))
	if r.Status != progress.Failed || !strings.Contains(r.Message, "cannot watch") || !strings.Contains(r.Message, "deployments") ||
		strings.Contains(r.Message, "timed out") || strings.Contains(r.Message, "deadline") {
		t.Fatalf("sync %s: %s", r.Status, r.Message)
	}
}
