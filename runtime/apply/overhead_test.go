package apply

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

// waves returns a pipeline of n waves, each a ConfigMap and a one-replica
// Deployment that reads it.
func waves(n int) string {
	var b strings.Builder
	for w := range n {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg-%[1]d, annotations: {argocd.argoproj.io/sync-wave: "%[1]d"}}
data: {wave: "%[1]d"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%[1]d, annotations: {argocd.argoproj.io/sync-wave: "%[1]d"}}
spec:
  selector: {matchLabels: {app: app-%[1]d}}
  template:
    metadata: {labels: {app: app-%[1]d}}
    spec:
      containers:
      - name: main
        image: registry.example/none:1
        envFrom: [{configMapRef: {name: cfg-%[1]d}}]
`, w)
	}
	return b.String()
}

// BenchmarkOrchestrationOverhead syncs a 21-wave pipeline (20 step
// transitions, each completed by a watch event showing a Deployment
// available) into a fresh namespace per iteration and reports the median and 90th percentile of the time from
// a step becoming complete, as the watch showed it, to the next step's
// first request. Run it with
//
//	go test -run '^$' -bench OrchestrationOverhead -benchtime 3x ./runtime/apply
func BenchmarkOrchestrationOverhead(b *testing.B) {
	v := newEnv(b)
	objs := load(b, waves(21))
	var overheads []time.Duration
	var total time.Duration
	i := 0
	for b.Loop() {
		i++
		if i > 1 {
			// A fresh namespace, so that every step waits for rollouts.
			b.StopTimer()
			v.ns = testcluster.Namespace(b)
			b.StartTimer()
		}
		r := v.sync(withTimeout(b, 5*time.Minute), objs, v.opts("overhead"))
		if r.Status != progress.Succeeded {
			b.Fatalf("sync %s: %s", r.Status, r.Message)
		}
		total += time.Duration(r.Summary.Duration)
		for _, s := range r.Summary.Steps {
			if s.Overhead != nil {
				overheads = append(overheads, time.Duration(*s.Overhead))
			}
		}
	}
	slices.Sort(overheads)
	if len(overheads) == 0 {
		b.Fatal("no step transitions measured")
	}
	med := overheads[len(overheads)/2]
	p90 := overheads[len(overheads)*9/10]
	b.ReportMetric(float64(med.Microseconds())/1000, "median-overhead-ms/step")
	b.ReportMetric(float64(p90.Microseconds())/1000, "p90-overhead-ms/step")
	b.ReportMetric(float64(total.Milliseconds())/float64(i), "sync-ms/op")
	b.Logf("%d step transitions: median %s, p90 %s, max %s", len(overheads), med, p90, overheads[len(overheads)-1])
}

func load(tb testing.TB, yaml string) []manifest.Object {
	tb.Helper()
	objs, err := manifest.LoadReader(strings.NewReader(yaml), "test.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return objs
}
