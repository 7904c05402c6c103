package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffStatusExitCodes: diff exits as kubectl diff (2 for an error, so
// that 1 can mean "something would change"); status exits 1 for an error
// or an unhealthy pipeline; both exit 2 for a wrong command line.
func TestDiffStatusExitCodes(t *testing.T) {
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	cm := filepath.Join(dir, "cm.yaml")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(kc, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`)
	write(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n")
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"diff", "--kubeconfig", kc, "-f", cm}, 2, "wavec diff: no cluster reachable"},
		{[]string{"diff", "-f", filepath.Join(dir, "missing.yaml")}, 2, "no such file"},
		{[]string{"diff", "-o", "yaml", "-f", cm}, 2, "--output must be json"},
		{[]string{"status", "--kubeconfig", kc, "-f", cm}, 1, "wavec status: no cluster reachable"},
		{[]string{"status", "--kubeconfig", kc, "--pipeline", "p", "-n", "p"}, 1, "wavec status: no cluster reachable"},
		{[]string{"status", "--pipeline", "p", "-f", cm}, 2, "give either --pipeline or the sources"},
		{[]string{"status", "--timeout", "-1s", "--pipeline", "p"}, 2, "--timeout must not be negative"},
	} {
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		code := Run(context.Background(), env, c.args)
		if code != c.code || !strings.Contains(errb.String(), c.err) {
			t.Errorf("wavec %s: exit %d, want %d; stderr:\n%s", strings.Join(c.args, " "), code, c.code, errb.String())
		}
		if strings.Contains(errb.String(), "goroutine") {
			t.Errorf("wavec %s: a stack trace:\n%s", strings.Join(c.args, " "), errb.String())
		}
	}
}
