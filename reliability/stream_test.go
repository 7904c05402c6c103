//go:build linux

package reliability

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// longStream returns n ordinary annotated objects in one YAML stream: a
// mix of ConfigMaps, Deployments and Services in five sync waves and
// PreSync hook Jobs.
func longStream(n int) []byte {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("---\n")
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  annotations:\n    argocd.argoproj.io/sync-wave: \"%d\"\ndata:\n  LOG_LEVEL: info\n  KEY: value-%d\n", i, i%5, i)
		case 1:
			fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  labels: {app: app-%d}
  annotations:
    argocd.argoproj.io/sync-wave: "%d"
spec:
  replicas: 2
  selector:
    matchLabels: {app: app-%d}
  template:
    metadata:
      labels: {app: app-%d}
    spec:
      containers:
      - name: app
        image: registry.example/none:1
        ports:
        - containerPort: 8000
        readinessProbe:
          httpGet: {path: /health, port: 8000}
`, i, i, i%5, i, i)
		case 2:
			fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d\nspec:\n  selector: {app: app-%d}\n  ports:\n  - port: 80\n    targetPort: 8000\n", i-1, i-1)
		case 3:
			fmt.Fprintf(&b, `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate-%d
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: registry.example/none:1
        command: [sh, -c, "echo %d"]
`, i, i)
		}
	}
	return []byte(b.String())
}

// TestPlanLongStream plans a stream of 10,000 ordinary objects and reports
// the time and memory it took (no bound is asserted: the machines tests run
// on are shared). docs/reliability.md quotes the numbers.
func TestPlanLongStream(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const n = 10000
	data := longStream(n)
	path := writeFile(t, t.TempDir(), "stream.yaml", data)
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("%d objects, %.1f MiB; load average %s", n, float64(len(data))/(1<<20), strings.TrimSpace(string(load)))
	for _, format := range []string{"table", "json"} {
		r := wavec(t, invocation{args: []string{"plan", "-n", "default", "-o", format, "-f", path}})
		t.Logf("plan -o %s: %s", format, r)
		if r.code != 0 {
			t.Fatalf("plan -o %s: exit code %d:\n%.2000s", format, r.code, r.stderr)
		}
		if format == "table" {
			if got := strings.Count(r.stdout, "\n  "); got < n {
				t.Errorf("the table lists %d objects, want %d", got, n)
			}
		}
	}
}
