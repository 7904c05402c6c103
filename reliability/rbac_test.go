//go:build linux

package reliability

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/testcluster"
)

// publishedRBAC reads docs/rbac.yaml.
func publishedRBAC(t testing.TB) (*corev1.ServiceAccount, *rbacv1.Role, *rbacv1.RoleBinding) {
	t.Helper()
	data, err := os.ReadFile("../docs/rbac.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var (
		sa   corev1.ServiceAccount
		role rbacv1.Role
		rb   rbacv1.RoleBinding
	)
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatal(err)
		}
		var into any
		switch meta.Kind {
		case "ServiceAccount":
			into = &sa
		case "Role":
			into = &role
		case "RoleBinding":
			into = &rb
		default:
			t.Fatalf("docs/rbac.yaml: unexpected kind %q", meta.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, into); err != nil {
			t.Fatalf("docs/rbac.yaml: %s: %v", meta.Kind, err)
		}
	}
	if sa.Name == "" || role.Name == "" || rb.Name == "" {
		t.Fatal("docs/rbac.yaml needs a ServiceAccount, a Role and a RoleBinding")
	}
	return &sa, &role, &rb
}

// grant creates a ServiceAccount named name bound to a Role with rules in
// the test's namespace, and returns a kubeconfig that authenticates as it
// with a token from the TokenRequest API.
func (k *kenv) grant(name string, rules []rbacv1.PolicyRule) string {
	k.t.Helper()
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := k.cs.CoreV1().ServiceAccounts(k.ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		k.t.Fatal(err)
	}
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
	if _, err := k.cs.RbacV1().Roles(k.ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		k.t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: name}}}
	if _, err := k.cs.RbacV1().RoleBindings(k.ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		k.t.Fatal(err)
	}
	return k.tokenKubeconfig(name)
}

// tokenKubeconfig writes a kubeconfig for ServiceAccount name of the test's
// namespace, with a token from the TokenRequest API.
func (k *kenv) tokenKubeconfig(name string) string {
	k.t.Helper()
	exp := int64(3600)
	tok, err := k.cs.CoreV1().ServiceAccounts(k.ns).CreateToken(context.Background(), name,
		&authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		k.t.Fatal(err)
	}
	ca := k.cfg.CAData
	if len(ca) == 0 && k.cfg.CAFile != "" {
		if ca, err = os.ReadFile(k.cfg.CAFile); err != nil {
			k.t.Fatal(err)
		}
	}
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q, certificate-authority-data: %s}
users:
- name: %s
  user: {token: %q}
contexts:
- name: %s
  context: {cluster: test, user: %s, namespace: %s}
current-context: %s
`, k.cfg.Host, base64.StdEncoding.EncodeToString(ca), name, tok.Status.Token, name, name, k.ns, name)
	return writeFile(k.t, k.t.TempDir(), name+".kubeconfig", []byte(kc))
}

// without returns rules with the verbs removed from every rule on
// resource.
func without(rules []rbacv1.PolicyRule, resource string, verbs ...string) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, r := range rules {
		if !slices.Contains(r.Resources, resource) {
			out = append(out, r)
			continue
		}
		rest := r.DeepCopy()
		rest.Resources = slices.DeleteFunc(slices.Clone(r.Resources), func(s string) bool { return s == resource })
		if len(rest.Resources) > 0 {
			out = append(out, *rest)
		}
		if left := slices.DeleteFunc(slices.Clone(r.Verbs), func(s string) bool { return slices.Contains(verbs, s) }); len(left) > 0 {
			only := r.DeepCopy()
			only.Resources, only.Verbs = []string{resource}, left
			out = append(out, *only)
		}
	}
	return out
}

// TestLeastPrivilege runs the reference example as a ServiceAccount bound
// to the Role that docs/rbac.yaml publishes: a sync, a second sync, a
// server-side dry run, a failing sync with its diagnosis, and a deletion
// must all work. Then, with one permission taken away at a time, the run
// must fail with the server's refusal, which names the verb, the resource,
// the namespace and the user.
func TestLeastPrivilege(t *testing.T) {
	k := newKenv(t)
	ctx := context.Background()
	_, role, _ := publishedRBAC(t)
	k.secret("agent-db", map[string]string{"PASSWORD": "x"})
	kc := k.grant("wavec", role.Rules)
	dir := agentPipeline(t, k.ns)
	as := func(kubeconfig string, args ...string) result {
		t.Helper()
		return wavec(t, invocation{args: append(args, "--kubeconfig", kubeconfig)})
	}
	for _, args := range [][]string{
		{"run", dir},
		{"run", dir, "--create-namespace=false"},
		{"run", dir, "--dry-run=server"},
	} {
		if r := as(kc, args...); r.code != 0 {
			t.Fatalf("wavec %s as the ServiceAccount: %s\n%s", strings.Join(args, " "), r, r.stderr)
		}
	}
	// A failing sync: the migration fails, SyncFail runs, and the
	// diagnosis can read the Job's Pods and Events.
	objs := agentObjects(t, k.ns)
	migrate := find(t, objs, "Job", "migrate")
	podMeta(t, migrate, true, testcluster.OutcomeLabel, testcluster.OutcomeFail)
	_ = unstructured.SetNestedField(migrate.Object, int64(0), "spec", "backoffLimit") // fail at once
	r := as(kc, "run", "-f", writeYAML(t, objs), "--name", "agent")
	t.Logf("failing run as the ServiceAccount: %s\n%s", r, r.stderr)
	if r.code != 1 || !strings.Contains(r.stderr, "Job/migrate is Degraded") || !strings.Contains(r.stderr, "Job/notify created") {
		t.Errorf("a failing sync as the ServiceAccount: exit %d\n%s", r.code, r.stderr)
	}
	// Events are read if any Warning is shown: the Job controller's own
	// may come a moment after the Pod's, when the diagnosis is written.
	for _, want := range []string{"pod migrate-", "event Warning "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the diagnosis lacks %q: the Role may not let it read what it needs", want)
		}
	}
	if r := as(kc, "delete", dir); r.code != 0 {
		t.Fatalf("wavec delete as the ServiceAccount: %s\n%s", r, r.stderr)
	}
	left, _ := k.cs.CoreV1().ConfigMaps(k.ns).List(ctx, metav1.ListOptions{LabelSelector: "wavec.io/pipeline"})
	if len(left.Items) > 0 {
		t.Errorf("wavec delete left %d ConfigMaps of the pipeline", len(left.Items))
	}

	// One permission less at a time. (Reading deployments by watch alone
	// works, with client-go's watch-list; by list alone too, re-listing
	// instead of watching: both must go to make watching impossible.)
	for _, c := range []struct {
		resource, verb, group string
		also                  []string
	}{
		{"services", "patch", "", nil},
		{"jobs", "create", "batch", nil},
		{"namespaces", "get", "", nil},
		{"deployments", "list", "apps", []string{"watch"}},
	} {
		name := "no-" + c.verb + "-" + c.resource
		t.Run(name, func(t *testing.T) {
			kc := k.grant(name, without(role.Rules, c.resource, append(c.also, c.verb)...))
			r := as(kc, "run", dir)
			t.Logf("%s\n%s", r, r.stderr)
			want := fmt.Sprintf(`User "system:serviceaccount:%s:%s" cannot %s resource %q in API group %q in the namespace %q`, k.ns, name, c.verb, c.resource, c.group, k.ns)
			if c.resource == "namespaces" {
				want = fmt.Sprintf(`User "system:serviceaccount:%s:%s" cannot get resource "namespaces" in API group "" in the namespace %q`, k.ns, name, k.ns)
			}
			if r.code != 1 || !strings.Contains(r.stderr, want) {
				t.Errorf("exit code %d; want 1 and an error with %q", r.code, want)
			}
		})
	}
}
