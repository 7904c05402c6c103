package testcluster

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// outcome records how a test helper ended a test.
type outcome struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (o *outcome) Helper() {}

func (o *outcome) Skipf(format string, args ...any) {
	o.skipped, o.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (o *outcome) Fatalf(format string, args ...any) {
	o.failed, o.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runHelper runs f on a fake test in a goroutine of its own, as Skipf and
// Fatalf end the goroutine.
func runHelper(t *testing.T, f func(testing.TB)) *outcome {
	o := &outcome{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(o)
	}()
	<-done
	return o
}

func TestNoClusterSkipsOrFails(t *testing.T) {
	dir := t.TempDir()
	// A kubeconfig naming a port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	unreachable := filepath.Join(dir, "unreachable")
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://%s", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, closed)
	if err := os.WriteFile(unreachable, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, kubeconfig, want string
	}{
		{"missing kubeconfig", filepath.Join(dir, "missing"), "no kubeconfig at"},
		{"unreachable server", unreachable, "is not ready"},
	} {
		for _, required := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/required=%t", tc.name, required), func(t *testing.T) {
				t.Setenv(KubeconfigEnv, tc.kubeconfig)
				t.Setenv(RequiredEnv, map[bool]string{true: "required"}[required])
				o := runHelper(t, func(tb testing.TB) { Config(tb) })
				if o.failed != required || o.skipped == required {
					t.Errorf("skipped %t, failed %t; want the test failed only when required", o.skipped, o.failed)
				}
				if !strings.Contains(o.msg, tc.want) {
					t.Errorf("message %q does not say %q", o.msg, tc.want)
				}
			})
		}
	}
}

func TestKubeconfigPath(t *testing.T) {
	t.Setenv(KubeconfigEnv, "")
	t.Setenv(ClusterDirEnv, "")
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "testcluster", "stages.yaml")); err != nil {
		t.Errorf("RepoRoot %s is not the repository root: %v", root, err)
	}
	for _, tc := range []struct{ kubeconfig, dir, want string }{
		{"", "", filepath.Join(root, ".cluster", "kubeconfig")},
		{"", "/c", "/c/kubeconfig"},
		{"/k", "/c", "/k"},
	} {
		t.Setenv(KubeconfigEnv, tc.kubeconfig)
		t.Setenv(ClusterDirEnv, tc.dir)
		if got, err := KubeconfigPath(); err != nil || got != tc.want {
			t.Errorf("with %s=%q %s=%q: KubeconfigPath() = %q, %v; want %q", KubeconfigEnv, tc.kubeconfig, ClusterDirEnv, tc.dir, got, err, tc.want)
		}
	}
}

func TestParseAudit(t *testing.T) {
	log := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/n/configmaps","verb":"create","user":{"username":"wavec-admin"},"objectRef":{"resource":"configmaps","namespace":"n","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"ConfigMap","metadata":{"name":"zeta"}},"requestReceivedTimestamp":"2026-01-02T03:04:05.000006Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a2","stage":"ResponseComplete","verb":"patch","user":{"username":"kwok-controller"},"objectRef":{"resource":"pods","namespace":"other","name":"p","apiVersion":"v1","subresource":"status"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-01-02T03:04:06Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a3","stage":"ResponseComplete","verb":"delete","user":{"username":"wavec-admin"},"objectRef":{"resource":"deployments","namespace":"n","name":"web","apiGroup":"apps","apiVersion":"v1"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-01-02T03:04:07Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a4","stage":"ResponseComplete","verb":"patch","user":{"username":"wavec-admin"},"objectRef":{"resource":"configmaps","namespace":"other","name":"c","apiVersion":"v1"},"responseStatus":{"code":200},"requestObject":[{"op":"remove","path":"/data/a"}],"requestReceivedTimestamp":"2026-01-02T03:04:08Z"}
`
	all, err := parseAudit(strings.NewReader(log), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("got %d events, want 4", len(all))
	}
	if e := all[3]; e.Verb != "patch" || e.Name != "c" {
		t.Errorf("JSON patch event: %+v", e)
	}
	e := all[0]
	if e.AuditID != "a1" || e.Verb != "create" || e.User != "wavec-admin" || e.Resource != "configmaps" ||
		e.Namespace != "n" || e.Name != "zeta" || e.Code != 201 || e.Received.Nanosecond() != 6000 {
		t.Errorf("first event: %+v", e)
	}
	if e := all[1]; e.Subresource != "status" || e.Name != "p" {
		t.Errorf("second event: %+v", e)
	}
	if e := all[2]; e.APIGroup != "apps" || e.Name != "web" || e.Verb != "delete" {
		t.Errorf("third event: %+v", e)
	}
	inN, err := parseAudit(strings.NewReader(log), "n")
	if err != nil {
		t.Fatal(err)
	}
	if len(inN) != 2 || inN[0].AuditID != "a1" || inN[1].AuditID != "a3" {
		t.Errorf("events of namespace n: %+v", inN)
	}
}
