package langserver

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// bigFile returns the URI of a file alone in a new directory.
func bigFile(t testing.TB) protocol.DocumentURI {
	return fileURI(pipeline(t, map[string]string{}), "big.wave")
}

// bigPipeline returns a pipeline of about lines lines: groups of a
// ConfigMap, a Deployment reading it, a Service and a wave statement.
func bigPipeline(lines int) string {
	var b strings.Builder
	b.WriteString("pipeline big in big\n\nparam image = \"ghcr.io/acme/app:1.0.0\"\n\n")
	for i := 0; strings.Count(b.String(), "\n") < lines; i++ {
		fmt.Fprintf(&b, "configmap cfg-%d {\n  LOG_LEVEL = \"info\"\n  MODE      = \"fast\"\n}\n", i)
		fmt.Fprintf(&b, "deployment app-%d {\n  image    = image\n  replicas = 2\n  port     = 8000\n  env_from = [configmap cfg-%d]\n  ready    = http \"/health\" on 8000\n  cpu      = 100m\n  memory   = 128Mi\n  user     = 1000\n}\n", i, i)
		fmt.Fprintf(&b, "service app-%d {\n  port = 80 -> 8000\n}\n", i)
		fmt.Fprintf(&b, "wave %d < configmap cfg-%d > wave %d < deployment app-%d >\n\n", 2*i, i, 2*i+1, i)
	}
	return b.String()
}

func TestBigPipelineChecks(t *testing.T) {
	src := bigPipeline(1000)
	if n := strings.Count(src, "\n"); n < 1000 || n > 1030 {
		t.Fatalf("%d lines", n)
	}
	app := bigFile(t)
	c := newClient(t)
	c.open(app, src)
	c.waitDiagnostics(app, none)
}

// BenchmarkChangeToDiagnostics measures the time from a change of a
// 1,000-line pipeline to its published diagnostics; every other change
// has a mistake, so every change publishes something new.
func BenchmarkChangeToDiagnostics(b *testing.B) {
	app := bigFile(b)
	c := newClient(b)
	good := bigPipeline(1000)
	bad := strings.Replace(good, "env_from = [configmap cfg-7]", "env_from = [configmap cfg-x]", 1)
	c.open(app, good)
	c.waitDiagnostics(app, none)
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		text, want := bad, 1
		if i%2 == 1 {
			text, want = good, 0
		}
		start := time.Now()
		c.change(app, text)
		c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool { return len(ds) == want })
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkCompletion measures a completion request in a 1,000-line
// pipeline: the fields of a deployment.
func BenchmarkCompletion(b *testing.B) {
	app := bigFile(b)
	c := newClient(b)
	src := bigPipeline(1000)
	src = strings.Replace(src, "  replicas = 2\n", "  replicas = 2\n  \n", 1)
	c.open(app, src)
	c.waitDiagnostics(app, func([]protocol.Diagnostic) bool { return true })
	line := uint32(strings.Count(src[:strings.Index(src, "  \n")], "\n"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := completionAt(b, c, app, line, 2); len(got) < 10 {
			b.Fatalf("completion: %v", got)
		}
	}
}

// BenchmarkMemoryAfterEdits makes 10,000 edits to a 1,000-line pipeline
// and reports the live heap afterwards and after the first edit: the
// difference is what the server keeps beyond the documents.
func BenchmarkMemoryAfterEdits(b *testing.B) {
	for i := 0; i < b.N; i++ {
		app := bigFile(b)
		c := newClient(b)
		src := bigPipeline(1000)
		c.open(app, src)
		c.waitDiagnostics(app, none)
		heap := func() float64 {
			runtime.GC()
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return float64(m.HeapAlloc) / (1 << 20)
		}
		before := heap()
		for e := 0; e < 10000; e++ {
			// Each edit changes one value, as typing does.
			c.change(app, strings.Replace(src, "replicas = 2", fmt.Sprintf("replicas = %d", e%9+1), 1))
		}
		c.change(app, src)
		c.waitDiagnostics(app, none)
		// Let the last check finish before measuring.
		time.Sleep(200 * time.Millisecond)
		after := heap()
		b.ReportMetric(before, "MB-heap-first")
		b.ReportMetric(after, "MB-heap-after-10k")
	}
}
