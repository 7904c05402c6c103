package syntax

import (
	"fmt"
	"strings"
	"testing"
)

// generatePipeline returns a realistic pipeline of about lines lines:
// parameters, configmaps and secrets, workloads with env, probes and mounts,
// services, waves and hooks, with comments sprinkled in.
func generatePipeline(lines int) []byte {
	var b strings.Builder
	b.WriteString("// A generated pipeline for benchmarks.\npipeline bench in bench-ns {\n  timeout = 10m\n  labels  = { team = \"platform\" }\n}\n\n")
	b.WriteString("param image    = \"ghcr.io/acme/app:1.0.0\" // the app image\nparam replicas = 3\nparam debug    = false\n\n")
	for i := 0; strings.Count(b.String(), "\n") < lines; i++ {
		fmt.Fprintf(&b, `// Service %[1]d.
configmap svc%[1]d-config {
  LOG_LEVEL     = "info"
  DATABASE_HOST = "postgres-%[1]d.db.svc"
  "app.properties" = """
    feature.x = true
    name = svc%[1]d
    """
}
secret svc%[1]d-db external

job svc%[1]d-migrate {
  image    = "${image}"
  run      = "migrate --to head && echo $${HOME}"
  env_from = [configmap svc%[1]d-config, secret svc%[1]d-db]
  timeout  = 5m
}

deployment svc%[1]d after job svc%[1]d-migrate {
  image    = image
  replicas = replicas
  port     = 8000
  cpu      = 250m
  memory   = 256Mi
  ready    = http "/healthz" on 8000
  live     = tcp on http
  env {
    DEBUG    = "${debug}"
    PASSWORD = secret svc%[1]d-db -> "password"
  }
  mount = { "/etc/app" = configmap svc%[1]d-config }
}
service svc%[1]d { port = 80 -> 8000; type = ClusterIP }

presync wave -1 < configmap svc%[1]d-config > presync svc%[1]d-migrate delete before-create, on-success timeout 5m retries 2
wave %[1]d < deployment svc%[1]d, service svc%[1]d >
postsync job svc%[1]d-smoke { image = "curlimages/curl"; run = "curl -f http://svc%[1]d/healthz" } delete on-success after deployment svc%[1]d

`, i)
	}
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	src := generatePipeline(10000)
	if _, diags := Parse("bench.wave", src); len(diags) > 0 {
		b.Fatal(diags.Err())
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Parse("bench.wave", src)
	}
}
