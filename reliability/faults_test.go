//go:build linux

package reliability

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/util/retry"

	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

// TestHookDeletedWhileWaiting deletes a hook's Job, or a hook Pod, as
// someone else would while wavec waits for it: the sync must fail at once
// with a failure of that hook, and the SyncFail hook must run, instead of
// waiting out the step's timeout.
func TestHookDeletedWhileWaiting(t *testing.T) {
	for _, kind := range []string{"Job", "Pod"} {
		t.Run(kind, func(t *testing.T) {
			k := newKenv(t)
			k.secret("agent-db", map[string]string{"PASSWORD": "x"})
			objs := agentObjects(t, k.ns)
			migrate := find(t, objs, "Job", "migrate")
			hook := "Job/migrate"
			if kind == "Job" {
				podMeta(t, migrate, false, testcluster.DurationAnnotation, "120s")
			} else {
				pod := &unstructured.Unstructured{Object: map[string]any{
					"apiVersion": "v1", "kind": "Pod",
					"metadata": map[string]any{"name": "preflight", "namespace": k.ns, "annotations": map[string]any{
						"argocd.argoproj.io/hook": "PreSync", testcluster.DurationAnnotation: "120s"}},
					"spec": map[string]any{"restartPolicy": "Never", "containers": []any{map[string]any{"name": "preflight", "image": testcluster.Image}}},
				}}
				objs = append(objs, pod)
				hook = "Pod/preflight"
			}
			p := k.start("run", "-f", writeYAML(t, objs), "--name", "agent", "--step-timeout", "3m")
			p.until(t, time.Minute, "the hook applied", applied(hook))
			time.Sleep(time.Second)
			deleted := time.Now()
			policy := metav1.DeletePropagationBackground
			opts := metav1.DeleteOptions{PropagationPolicy: &policy}
			var err error
			if kind == "Job" {
				err = k.cs.BatchV1().Jobs(k.ns).Delete(context.Background(), "migrate", opts)
			} else {
				err = k.cs.CoreV1().Pods(k.ns).Delete(context.Background(), "preflight", opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			code := p.wait(t)
			took := time.Since(deleted)
			done := p.last()
			t.Logf("exit %d %s after the delete: %s", code, took.Round(time.Millisecond), done.Message)
			if code != 1 || done.Status != progress.Failed {
				t.Errorf("exit code %d, status %q; want 1, failed", code, done.Status)
			}
			// Noticed by the watch, not at the step's timeout (3m) nor at
			// the hook's own end (120s).
			if !strings.Contains(done.Message, hook) || !strings.Contains(done.Message, "deleted") || strings.Contains(done.Message, "timed out") {
				t.Errorf("the failure does not say that %s was deleted: %s", hook, done.Message)
			}
			if !p.saw(applied("Job/notify")) {
				t.Errorf("the SyncFail hook Job/notify was not applied; events:\n%s", p.dump())
			}
		})
	}
}

// TestFieldManagerConflict changes fields wavec owns with other field
// managers (a server-side apply by "intruder", a scale by "autoscaler"):
// the next run must fail before it changes anything, naming each field and
// its manager, and --force-conflicts must take the fields back.
func TestFieldManagerConflict(t *testing.T) {
	k := newKenv(t)
	ctx := context.Background()
	k.secret("agent-db", map[string]string{"PASSWORD": "x"})
	dir := agentPipeline(t, k.ns)
	if r := k.wavec("run", dir); r.code != 0 {
		t.Fatalf("first run: %s\n%s", r, r.stderr)
	}
	deploys := k.cs.AppsV1().Deployments(k.ns)
	ac := appsv1ac.Deployment("agent", k.ns).WithSpec(appsv1ac.DeploymentSpec().WithTemplate(
		corev1ac.PodTemplateSpec().WithSpec(corev1ac.PodSpec().WithContainers(
			corev1ac.Container().WithName("agent").WithImage("ghcr.io/acme/agent:2.0.1-hotfix")))))
	if _, err := deploys.Apply(ctx, ac, metav1.ApplyOptions{FieldManager: "intruder", Force: true}); err != nil {
		t.Fatal(err)
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		sc, err := deploys.GetScale(ctx, "agent", metav1.GetOptions{})
		if err != nil {
			return err
		}
		sc.Spec.Replicas = 5
		_, err = deploys.UpdateScale(ctx, "agent", sc, metav1.UpdateOptions{FieldManager: "autoscaler"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := deploys.Get(ctx, "agent", metav1.GetOptions{})

	r := k.wavec("run", dir)
	t.Logf("run: %s\n%s", r, r.stderr)
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	for _, want := range []string{
		`field .spec.template.spec.containers[name="agent"].image is owned by "intruder"`,
		`field .spec.replicas is owned by "autoscaler"`,
		"--force-conflicts",
		"nothing was applied",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the conflict report lacks %q", want)
		}
	}
	after, _ := deploys.Get(ctx, "agent", metav1.GetOptions{})
	if after.Generation != before.Generation || *after.Spec.Replicas != 5 {
		t.Errorf("the conflicting run changed Deployment/agent's spec")
	}

	r = k.wavec("run", dir, "--force-conflicts")
	if r.code != 0 {
		t.Fatalf("run --force-conflicts: %s\n%s", r, r.stderr)
	}
	d, err := deploys.Get(ctx, "agent", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "ghcr.io/acme/agent:2.0.0" || *d.Spec.Replicas != 3 {
		t.Errorf("after --force-conflicts: image %s, %d replicas; want the pipeline's", img, *d.Spec.Replicas)
	}
	for _, mf := range d.ManagedFields {
		if mf.Manager == "intruder" || mf.Manager == "autoscaler" {
			if f := string(mf.FieldsV1.Raw); strings.Contains(f, `"f:image"`) || strings.Contains(f, `"f:replicas"`) {
				t.Errorf("%s still owns %s", mf.Manager, f)
			}
		}
	}
	// And a plain run agrees with the cluster again.
	if r := k.wavec("run", dir); r.code != 0 {
		t.Errorf("run after taking ownership: %s\n%s", r, r.stderr)
	}
}

// interruptFixture is the reference example as YAML, with its hooks kept
// running long enough to interrupt them.
func interruptFixture(t *testing.T, ns string) string {
	objs := agentObjects(t, ns)
	podMeta(t, find(t, objs, "Job", "migrate"), false, testcluster.DurationAnnotation, "3s")
	podMeta(t, find(t, objs, "Job", "smoke"), false, testcluster.DurationAnnotation, "3s")
	return writeYAML(t, objs)
}

// TestInterruptEachStep interrupts a sync of the reference example with
// Ctrl-C at each of its steps in turn (just after the step's first
// apply), then runs it again: wavec must stop with exit code 130, leave no
// running hook behind, and the re-run must end in exactly the state of an
// uninterrupted sync, with no hook created twice in one sync.
func TestInterruptEachStep(t *testing.T) {
	ref := newKenv(t)
	ref.secret("agent-db", map[string]string{"PASSWORD": "x"})
	p := ref.start("run", "-f", interruptFixture(t, ref.ns), "--name", "agent")
	if code := p.wait(t); code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s\n%s", code, p.stderr.String(), p.dump())
	}
	want := ref.state(ref.ns)
	t.Logf("state after an uninterrupted sync: %v", want)
	steps := 0
	for _, ev := range p.all {
		if ev.Type == progress.PlanReady {
			for _, s := range ev.Steps {
				if s.Phase != "SyncFail" {
					steps++
				}
			}
		}
	}
	for step := 1; step <= steps; step++ {
		t.Run(fmt.Sprintf("step-%d", step), func(t *testing.T) {
			k := newKenv(t)
			k.secret("agent-db", map[string]string{"PASSWORD": "x"})
			fixture := interruptFixture(t, k.ns)
			p := k.start("run", "-f", fixture, "--name", "agent")
			p.until(t, time.Minute, fmt.Sprintf("an apply in step %d", step), func(ev progress.Event) bool {
				return ev.Type == progress.Applied && ev.Step == step
			})
			p.signal(t, syscall.SIGINT)
			code := p.wait(t)
			done := p.last()
			var at []string
			if done.Summary != nil {
				for _, s := range done.Summary.Steps {
					if s.Status == progress.Interrupted {
						at = append(at, fmt.Sprintf("%d (%s %d)", s.Index, s.Phase, s.Wave))
					}
				}
			}
			if len(at) == 0 {
				at = append(at, "none: the signal came between steps")
			}
			t.Logf("interrupt after an apply in step %d: exit %d, %q; steps interrupted: %v", step, code, done.Message, at)
			if code != 130 || done.Status != progress.Interrupted {
				t.Errorf("exit code %d, status %q; want 130, interrupted\n%s", code, done.Status, p.dump())
			}
			// No hook is left running.
			jobs, err := k.cs.BatchV1().Jobs(k.ns).List(context.Background(), metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs.Items {
				if j.DeletionTimestamp == nil && j.Status.CompletionTime == nil && !failed(j.Status.Conditions) {
					t.Errorf("hook Job/%s still runs after the interruption", j.Name)
				}
			}
			if p.saw(func(ev progress.Event) bool { return ev.Object == "Job/notify" }) {
				t.Errorf("the SyncFail hook ran on an interruption")
			}

			q := k.start("run", "-f", fixture, "--name", "agent")
			if code := q.wait(t); code != 0 {
				t.Fatalf("re-run: exit %d\n%s\n%s", code, q.stderr.String(), q.dump())
			}
			if d := diffState(want, k.state(k.ns)); d != "" {
				t.Errorf("after the interruption and a re-run the state differs from an uninterrupted sync:\n%s", d)
			}
			for _, pr := range []*proc{p, q} {
				for obj, n := range hookCreates(t, k.auditLog, k.ns, pr.start, pr.end) {
					if strings.HasPrefix(obj, "jobs/") && n > 1 {
						t.Errorf("%s was created %d times in one sync", obj, n)
					}
				}
			}
		})
	}
}

func failed(conds []batchv1.JobCondition) bool {
	for _, c := range conds {
		if c.Type == "Failed" && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
