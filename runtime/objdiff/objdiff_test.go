package objdiff

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestSecretValuesNeverRendered: the diff of two Secrets names the keys
// added, removed and changed, and holds no value, plain or encoded.
func TestSecretValuesNeverRendered(t *testing.T) {
	live := obj(t, `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: ns
  uid: "1"
  resourceVersion: "7"
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"PASSWORD":"`+b64("old-pass-value")+`"}}'
data:
  PASSWORD: `+b64("old-pass-value")+`
  USER: `+b64("same-user-value")+`
  GONE: `+b64("gone-value")+`
`)
	merged := obj(t, `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: ns
  uid: "1"
  resourceVersion: "8"
data:
  PASSWORD: `+b64("new-pass-value")+`
  USER: `+b64("same-user-value")+`
stringData:
  TOKEN: new-token-value
`)
	o := describe(merged, "Sync", 0)
	d := render(o, live, merged)
	for _, v := range []string{"old-pass-value", "new-pass-value", "same-user-value", "gone-value", "new-token-value"} {
		if strings.Contains(d, v) || strings.Contains(d, b64(v)) {
			t.Errorf("the diff shows the value %q:\n%s", v, d)
		}
	}
	for _, want := range []string{"-  PASSWORD: '*** (before)'", "+  PASSWORD: '*** (after)'", "   USER: '***'", "-  GONE: '***'", "+  TOKEN: '***'",
		"diff -u -N live/v1.Secret.ns.db merged/v1.Secret.ns.db"} {
		if !strings.Contains(d, want) {
			t.Errorf("the diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "resourceVersion") || strings.Contains(d, "uid") || strings.Contains(d, "last-applied") {
		t.Errorf("the diff shows server-maintained fields:\n%s", d)
	}
	// render must not change its arguments.
	if v, _, _ := unstructured.NestedString(live.Object, "data", "PASSWORD"); v != b64("old-pass-value") {
		t.Errorf("render changed the live object: %q", v)
	}
	sk := secretKeys(live, merged)
	if !slices.Equal(sk.Added, []string{"TOKEN"}) || !slices.Equal(sk.Removed, []string{"GONE"}) || !slices.Equal(sk.Changed, []string{"PASSWORD"}) {
		t.Errorf("secret keys: %+v", sk)
	}
}

// TestNormaliseLeavesOutServerFields: what the server maintains is not
// compared, so an object the sync leaves alone shows no difference.
func TestNormaliseLeavesOutServerFields(t *testing.T) {
	a := obj(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ns, uid: "1", resourceVersion: "5", generation: 2, creationTimestamp: "2026-01-01T00:00:00Z",
  managedFields: [{manager: wavec}]}
spec: {replicas: 2}
status: {readyReplicas: 2}
`)
	b := obj(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ns, uid: "1", resourceVersion: "9", generation: 3, creationTimestamp: "2026-01-02T00:00:00Z",
  managedFields: [{manager: kubectl}]}
spec: {replicas: 2}
status: {readyReplicas: 0}
`)
	if !equal(normalise(a), normalise(b)) {
		t.Errorf("server-maintained fields count as a change")
	}
	unstructured.SetNestedField(b.Object, int64(3), "spec", "replicas")
	if equal(normalise(a), normalise(b)) {
		t.Errorf("a changed replica count is no change")
	}
	d := render(describe(a, "Sync", 0), a, b)
	if !strings.Contains(d, "-  replicas: 2\n+  replicas: 3\n") || strings.Contains(d, "status") || strings.Contains(d, "managedFields") {
		t.Errorf("diff:\n%s", d)
	}
}

func TestPaint(t *testing.T) {
	var b strings.Builder
	r := &Report{Objects: []Object{{Kind: "ConfigMap", Name: "c", Change: Changed, Diff: "diff -u -N a b\n--- a\n+++ b\n@@ -1 +1 @@\n-x: 1\n+x: 2\n"}}}
	if err := WriteText(&b, r, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), red+"-x: 1"+reset+"\n") || !strings.Contains(b.String(), green+"+x: 2"+reset+"\n") {
		t.Errorf("colours: %q", b.String())
	}
	b.Reset()
	_ = WriteText(&b, r, false)
	if strings.Contains(b.String(), "\x1b") {
		t.Errorf("colour without a terminal: %q", b.String())
	}
}
