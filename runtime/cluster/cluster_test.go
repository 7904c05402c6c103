package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
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

func TestRateFlags(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		qps   float32
		burst int
		err   string
	}{
		{nil, DefaultQPS, DefaultBurst, ""},
		{[]string{"--qps", "200", "--burst", "400"}, 200, 400, ""},
		{[]string{"--kube-api-qps", "7", "--kube-api-burst", "9"}, 7, 9, ""},
		{[]string{"--qps", "-1", "--burst", "0"}, -1, 0, ""},
		{[]string{"--qps", "0"}, 0, DefaultBurst, "--qps must not be 0"},
		{[]string{"--qps", "50", "--burst", "0"}, 50, 0, "--burst must be at least 1"},
		{[]string{"--burst", "0"}, DefaultQPS, 0, ""},
	} {
		var f Flags
		fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
		f.Register(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if f.QPS != tt.qps || f.Burst != tt.burst {
			t.Errorf("%v: qps %v burst %d", tt.args, f.QPS, f.Burst)
		}
		err := f.CheckRate()
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%v: CheckRate = %v, want %q", tt.args, err, tt.err)
		}
	}
}
