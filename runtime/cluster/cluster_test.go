package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConnectWithoutKubeconfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	f := &Flags{QPS: 5, Burst: 10}
	_, err := f.Connect(func(string) string { return "" })
	if !errors.Is(err, ErrNoCluster) || !strings.Contains(err.Error(), "no kubeconfig found") {
		t.Fatalf("err = %v", err)
	}
}

func TestConnectUnreachable(t *testing.T) {
	dir := t.TempDir()
	kc := filepath.Join(dir, "config")
	// Port 1 on loopback: nothing listens there.
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: x}
contexts:
- name: ctx
  context: {cluster: c, user: u, namespace: team}
current-context: ctx
`
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &Flags{Kubeconfig: kc, QPS: 5, Burst: 10}
	_, err := f.Connect(func(string) string { return "" })
	if !errors.Is(err, ErrNoCluster) || !strings.Contains(err.Error(), "no cluster reachable at https://127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
	if strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("error should be one line: %q", err)
	}
	f.Context = "missing"
	_, err = f.Connect(func(string) string { return "" })
	if !errors.Is(err, ErrNoCluster) || !strings.Contains(err.Error(), `"missing"`) {
		t.Fatalf("unknown context: err = %v", err)
	}
}
