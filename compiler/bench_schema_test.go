package compiler_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavec/wavec/compiler"
)

// BenchmarkBuildObjects compiles 1,000 objects written as YAML (334
// ConfigMaps, 333 Deployments and 333 Services in 100 object declarations),
// which the checker checks against their k8s.io/api types.
func BenchmarkBuildObjects(b *testing.B) {
	var src strings.Builder
	src.WriteString("pipeline bench in bench\n")
	n := 0
	for i := 0; n < 1000; i++ {
		fmt.Fprintf(&src, "object o%d = \"\"\"\n", i)
		for j := 0; j < 10 && n < 1000; j++ {
			if j > 0 {
				src.WriteString("  ---\n")
			}
			name := fmt.Sprintf("r%d", n)
			switch n % 3 {
			case 0:
				fmt.Fprintf(&src, "  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: %s\n  data:\n    A: \"1\"\n    B: \"two\"\n", name)
			case 1:
				fmt.Fprintf(&src, `  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: %s
  spec:
    replicas: 2
    selector:
      matchLabels: {app: %s}
    template:
      metadata:
        labels: {app: %s}
      spec:
        securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
        containers:
        - name: app
          image: ghcr.io/acme/app:1.0.0
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 5}
          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`, name, name, name)
			case 2:
				fmt.Fprintf(&src, "  apiVersion: v1\n  kind: Service\n  metadata:\n    name: %s\n  spec:\n    selector: {app: %s}\n    ports:\n    - {name: http, port: 80, targetPort: 8080}\n", name, name)
			}
			n++
		}
		src.WriteString("  \"\"\"\n")
	}
	benchCompile(b, src.String(), 1000)
}

// BenchmarkBuildGeneral is BenchmarkBuild with general blocks on every
// deployment: Pod annotations, a node selector, tolerations, a strategy and
// container fields, each checked against the schema and merged into the
// object.
func BenchmarkBuildGeneral(b *testing.B) {
	var src strings.Builder
	src.WriteString("pipeline bench in bench\nparam image = \"ghcr.io/acme/app:1.0.0\"\n")
	for i := 0; i < 200; i++ {
		w := i / 4
		fmt.Fprintf(&src, "configmap c%d { A = \"%d\", B = \"${image}\" }\n", i, i)
		fmt.Fprintf(&src, "secret s%d { TOKEN = \"t%d\" }\n", i, i)
		fmt.Fprintf(&src, `deployment d%d {
  image = image
  replicas = 2
  port = 8080
  env_from = [configmap c%d, secret s%d]
  ready = http "/health" on 8080
  readinessProbe { periodSeconds = 5; failureThreshold = 3 }
  cpu = 100m
  memory = 128Mi
  user = 10001
  imagePullPolicy = IfNotPresent
  lifecycle { preStop { exec { command = ["sleep", "5"] } } }
  pod {
    annotations = { "prometheus.io/scrape" = "true" }
    nodeSelector = { "kubernetes.io/os" = "linux" }
    tolerations = [{ key = "dedicated", operator = "Equal", value = "app", effect = NoSchedule }]
    terminationGracePeriodSeconds = 60
    securityContext { fsGroup = 2000 }
  }
  spec { strategy { type = RollingUpdate, rollingUpdate { maxSurge = "25%%" } } }
}
`, i, i, i)
		fmt.Fprintf(&src, "service d%d { port = 80 -> 8080 }\n", i)
		fmt.Fprintf(&src, "job j%d { image = image; run = \"echo %d\"; env_from = [configmap c%d] }\n", i, i, i)
		fmt.Fprintf(&src, "wave %d < configmap c%d, secret s%d, deployment d%d, service d%d >\n", w, i, i, i, i)
		fmt.Fprintf(&src, "sync j%d after deployment d%d\n", i, i)
	}
	benchCompile(b, src.String(), 1000)
}

func benchCompile(b *testing.B, src string, docs int) {
	path := filepath.Join(b.TempDir(), "bench.wave")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, diags := compiler.Compile([]string{path}, nil)
		if diags.HasErrors() || len(res.Documents) != docs {
			b.Fatalf("%d documents; %v", len(res.Documents), diags.Err())
		}
	}
}
