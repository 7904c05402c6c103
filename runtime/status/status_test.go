package status

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/runtime/apply"
)

func TestHookInstances(t *testing.T) {
	argo := apply.HookName("migrate-", "8f3c2a91d0e4b6a7", "PreSync", time.Unix(1700000000, 0))
	for _, c := range []struct {
		name, prefix string
		want         bool
	}{
		{argo, "migrate-", true},
		{"migrate-x7k2p", "migrate-", true},
		{"migrate-", "migrate-", false},
		{"migrate-other", "migrate-", false},
		{"migrate-schema-x7k2p", "migrate-", false},
		{"smoke-x7k2p", "migrate-", false},
	} {
		if got := instanceOf(c.name, c.prefix); got != c.want {
			t.Errorf("instanceOf(%q, %q) = %v", c.name, c.prefix, got)
		}
	}
	u := &unstructured.Unstructured{}
	u.SetName(argo)
	if p := generatedPrefix(u); p != "migrate-" {
		t.Errorf("prefix of %s: %q", argo, p)
	}
	u.SetName("migrate")
	if p := generatedPrefix(u); p != "" {
		t.Errorf("prefix of a named hook: %q", p)
	}
	u.SetGenerateName("migrate-")
	if p := generatedPrefix(u); p != "migrate-" {
		t.Errorf("prefix from generateName: %q", p)
	}
}

func job(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRunOfJob(t *testing.T) {
	ok := runOf(job(t, `apiVersion: batch/v1
kind: Job
metadata: {name: m, creationTimestamp: "2026-01-01T10:00:00Z", generation: 1}
status:
  startTime: "2026-01-01T10:00:01Z"
  completionTime: "2026-01-01T10:00:04Z"
  succeeded: 1
  conditions: [{type: Complete, status: "True"}]
`))
	if ok.Outcome != Succeeded || ok.Health != "Healthy" || time.Duration(ok.Duration) != 3*time.Second {
		t.Errorf("complete: %+v", ok)
	}
	bad := runOf(job(t, `apiVersion: batch/v1
kind: Job
metadata: {name: m, creationTimestamp: "2026-01-01T10:00:00Z", generation: 1}
status:
  startTime: "2026-01-01T10:00:01Z"
  failed: 1
  conditions: [{type: Failed, status: "True", reason: BackoffLimitExceeded, lastTransitionTime: "2026-01-01T10:00:03Z"}]
`))
	if bad.Outcome != Failed || bad.Health != "Degraded" || time.Duration(bad.Duration) != 2*time.Second || bad.Finished == nil {
		t.Errorf("failed: %+v", bad)
	}
	running := runOf(job(t, `apiVersion: batch/v1
kind: Job
metadata: {name: m, creationTimestamp: "2026-01-01T10:00:00Z", generation: 1}
status: {startTime: "2026-01-01T10:00:01Z", active: 1}
`))
	if running.Outcome != Running || running.Finished != nil {
		t.Errorf("running: %+v", running)
	}
}

func TestChangesReportsEachStateOnce(t *testing.T) {
	seen := map[string]string{}
	rep := &Report{Objects: []Object{{Kind: "Deployment", Name: "web", Health: "Missing", Message: "object does not exist"}},
		Hooks: []Hook{{Kind: "Job", Name: "migrate", Phase: "PreSync"}}}
	if l := changes(rep, seen); len(l) != 2 || l[0] != "Deployment/web Missing: object does not exist" || l[1] != "hook Job/migrate (PreSync): no run" {
		t.Errorf("first: %q", l)
	}
	if l := changes(rep, seen); len(l) != 0 {
		t.Errorf("again: %q", l)
	}
	rep.Hooks[0].Last = &Run{Name: "migrate", Outcome: Running}
	if l := changes(rep, seen); len(l) != 1 || l[0] != "hook Job/migrate (PreSync): migrate Running" {
		t.Errorf("hook started: %q", l)
	}
	if failed(rep) {
		t.Error("a running hook is no failure")
	}
	rep.Hooks[0].Last.Outcome = Failed
	if !failed(rep) {
		t.Error("a failed hook is a failure")
	}
}
