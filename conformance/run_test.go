package conformance_test

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/conformance/engine"
)

// stepSet renders one step's tasks as a sorted list, since tasks of a
// kind start in parallel.
func stepSet(ts []engine.Started) string {
	var s []string
	for _, t := range ts {
		s = append(s, fmt.Sprintf("%s %s/%s %s/%s", t.Phase, t.Group, t.Kind, t.Namespace, t.Name))
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

func started(t engine.Task) engine.Started {
	return engine.Started{Phase: t.Phase, Group: t.Group, Kind: t.Kind, Namespace: t.Namespace, Name: t.Name}
}

// planSteps groups plan tasks into steps of equal phase and wave.
func planSteps(ts []engine.Task) [][]engine.Task {
	var steps [][]engine.Task
	for _, t := range ts {
		if n := len(steps); n > 0 && steps[n-1][0].Phase == t.Phase && steps[n-1][0].Wave == t.Wave {
			steps[n-1] = append(steps[n-1], t)
			continue
		}
		steps = append(steps, []engine.Task{t})
	}
	return steps
}

// checkRun drives Argo CD's engine through a whole sync of file the way
// its controller does (one Sync per reconcile, state carried over), once
// with every object healthy and once with each hook failing in turn, and
// checks that it starts the steps `wavec plan` shows, and SyncFail hooks
// exactly when a task failed.
func checkRun(t *testing.T, file, ns string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.SplitYAML(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, create := range []bool{false, true} {
		args := []string{"plan", "-o", "json", "-n", ns, "-f", file}
		if create {
			args = append(args, "--create-namespace")
		}
		tasks := planTasks(t, wavec(t, args...), ns)
		var syncFail []engine.Task
		var rest []engine.Task
		for _, task := range tasks {
			if task.Phase == "SyncFail" {
				syncFail = append(syncFail, task)
			} else {
				rest = append(rest, task)
			}
		}
		steps := planSteps(rest)
		var want []string
		for _, s := range steps {
			var st []engine.Started
			for _, task := range s {
				st = append(st, started(task))
			}
			want = append(want, stepSet(st))
		}
		// Every object healthy: every step runs, SyncFail hooks do not.
		compareRun(t, file, create, objs, ns, nil, want, "Succeeded")
		// One hook failing: the steps up to its own, then every SyncFail
		// hook at once.
		for i, s := range steps {
			for _, task := range s {
				if !task.Hook {
					continue
				}
				failing := task
				expect := slices.Clone(want[:i+1])
				if len(syncFail) > 0 {
					var st []engine.Started
					for _, f := range syncFail {
						st = append(st, started(f))
					}
					expect = append(expect, stepSet(st))
				}
				fail := func(o *unstructured.Unstructured) bool {
					return o.GetKind() == failing.Kind && o.GetName() == failing.Name &&
						cmp.Or(o.GetNamespace(), ns) == cmp.Or(failing.Namespace, ns)
				}
				compareRun(t, fmt.Sprintf("%s with %s/%s failing", file, failing.Kind, failing.Name), create, objs, ns, fail, expect, "Failed")
			}
		}
	}
}

func compareRun(t *testing.T, what string, create bool, objs []*unstructured.Unstructured, ns string, fail func(*unstructured.Unstructured) bool, want []string, phase string) {
	t.Helper()
	res, err := engine.Run(objs, engineOptions(ns, create), fail)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var got []string
	for _, s := range res.Steps {
		got = append(got, stepSet(s))
	}
	if !slices.Equal(got, want) || res.Phase != phase {
		t.Errorf("%s (CreateNamespace=%v): Argo CD's engine ran\n  %s\nand ended %s (%s); wavec plan says\n  %s\nending %s",
			what, create, strings.Join(got, "\n  "), res.Phase, res.Message, strings.Join(want, "\n  "), phase)
	}
}

// TestRunSteps drives whole syncs of the examples, the hand-written cases
// and the peer examples through Argo CD's engine.
func TestRunSteps(t *testing.T) {
	dirs, _ := filepath.Glob("../examples/*")
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			built := filepath.Join(t.TempDir(), "manifests.yaml")
			out := wavec(t, "build", dir)
			if err := os.WriteFile(built, out, 0o644); err != nil {
				t.Fatal(err)
			}
			objs, _ := kube.SplitYAML(out)
			ns := ""
			for _, o := range objs {
				if ns = o.GetNamespace(); ns != "" {
					break
				}
			}
			checkRun(t, built, ns)
		})
	}
	files, _ := filepath.Glob("testdata/manifests/*.yaml")
	for _, f := range files {
		if filepath.Base(f) == "namespace-hook-and-created.yaml" {
			// Its hook and CreateNamespace=true write the same object in
			// the same step; what a whole sync then does depends on which
			// write lands last. Its order is compared by TestOrderCases.
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) { checkRun(t, f, "conformance") })
	}
	t.Run("peer-examples", func(t *testing.T) {
		root := peerExamples(t)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || notManifests(path) ||
				(!strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml")) {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			t.Run(rel, func(t *testing.T) { checkRun(t, path, "peer") })
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
