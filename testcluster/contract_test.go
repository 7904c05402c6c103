package testcluster_test

// The cluster's contract, one test per clause, against the running cluster.

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/wavec/wavec/testcluster"
)

func TestDeploymentBecomesAvailable(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	create(t, cs.AppsV1().Deployments(ns), deployment("web", 2, nil))
	waitFor(t, "Deployment web to be Available with 2 replicas", 30*time.Second, func(ctx context.Context) (bool, error) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return deploymentAvailable(d) && d.Status.AvailableReplicas == 2, nil
	})
}

func TestJobCompletes(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	create(t, cs.BatchV1().Jobs(ns), job("migrate", nil, nil))
	j := waitForJob(t, cs, ns, "migrate", batchv1.JobComplete, 30*time.Second)
	if j.Status.Succeeded != 1 || j.Status.Failed != 0 {
		t.Errorf("Job status: succeeded %d, failed %d; want 1, 0", j.Status.Succeeded, j.Status.Failed)
	}
	checkExitCodes(t, cs, ns, "job-name=migrate", corev1.PodSucceeded, 0)
}

func TestFailingJobFails(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	labels := map[string]string{testcluster.OutcomeLabel: testcluster.OutcomeFail}
	create(t, cs.BatchV1().Jobs(ns), job("broken", labels, nil))
	j := waitForJob(t, cs, ns, "broken", batchv1.JobFailed, 30*time.Second)
	if j.Status.Failed != 1 || j.Status.Succeeded != 0 {
		t.Errorf("Job status: succeeded %d, failed %d; want 0, 1", j.Status.Succeeded, j.Status.Failed)
	}
	checkExitCodes(t, cs, ns, "job-name=broken", corev1.PodFailed, 1)
}

func TestDurationAnnotationDelaysCompletion(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	const duration = 3 * time.Second
	annotations := map[string]string{testcluster.DurationAnnotation: duration.String()}
	start := time.Now()
	create(t, cs.BatchV1().Jobs(ns), job("slow", nil, annotations))

	// The Pod runs for the duration...
	waitFor(t, "the Pod of Job slow to run", 20*time.Second, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "job-name=slow"})
		if err != nil {
			return false, err
		}
		return len(pods.Items) == 1 && pods.Items[0].Status.Phase == corev1.PodRunning, nil
	})
	// ...and only then completes.
	waitForJob(t, cs, ns, "slow", batchv1.JobComplete, duration+30*time.Second)
	if took := time.Since(start); took < duration {
		t.Errorf("Job with %s=%s completed after %s", testcluster.DurationAnnotation, duration, took)
	} else {
		t.Logf("Job with %s=%s completed after %s", testcluster.DurationAnnotation, duration, took.Round(time.Millisecond))
	}
}

func TestNeverReadyDeploymentStaysUnavailable(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	labels := map[string]string{testcluster.ReadyLabel: "false"}
	create(t, cs.AppsV1().Deployments(ns), deployment("stuck", 1, labels))
	waitFor(t, "the Pod of Deployment stuck to run", 20*time.Second, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=stuck"})
		if err != nil {
			return false, err
		}
		return len(pods.Items) == 1 && pods.Items[0].Status.Phase == corev1.PodRunning, nil
	})
	staysUnavailable(t, cs, ns, "stuck", 3*time.Second)
}

func TestFailingDeploymentCrashLoops(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	labels := map[string]string{testcluster.OutcomeLabel: testcluster.OutcomeFail}
	create(t, cs.AppsV1().Deployments(ns), deployment("crashing", 1, labels))
	waitFor(t, "the Pod of Deployment crashing to be in CrashLoopBackOff", 20*time.Second, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=crashing"})
		if err != nil || len(pods.Items) != 1 {
			return false, err
		}
		p := pods.Items[0]
		if p.Status.Phase != corev1.PodRunning || len(p.Status.ContainerStatuses) != 1 {
			return false, nil
		}
		c := p.Status.ContainerStatuses[0]
		return c.State.Waiting != nil && c.State.Waiting.Reason == "CrashLoopBackOff" &&
			c.LastTerminationState.Terminated != nil && c.LastTerminationState.Terminated.ExitCode == 1, nil
	})
	staysUnavailable(t, cs, ns, "crashing", 2*time.Second)
}

func TestPodWithRestartPolicyNeverSucceeds(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	p := pod("once")
	p.Spec.RestartPolicy = corev1.RestartPolicyNever
	create(t, cs.CoreV1().Pods(ns), p)
	waitFor(t, "Pod once to succeed", 20*time.Second, func(ctx context.Context) (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "once", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return p.Status.Phase == corev1.PodSucceeded, nil
	})
}

func TestDeletedPodGoesAway(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	create(t, cs.CoreV1().Pods(ns), pod("server"))
	waitFor(t, "Pod server to be Ready", 20*time.Second, func(ctx context.Context) (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "server", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return podReady(p), nil
	})
	// A default, graceful delete: without a kubelet to confirm it, the Pod
	// would linger for the 30 s grace period.
	if err := cs.CoreV1().Pods(ns).Delete(t.Context(), "server", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Pod server to be gone", 10*time.Second, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Pods(ns).Get(ctx, "server", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

func TestAuditLogRecordsCreatesInOrder(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	// Created in the opposite of their names' order, so that no sorting
	// can pass for the log's order.
	create(t, cs.CoreV1().ConfigMaps(ns), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "zeta"}})
	create(t, cs.CoreV1().Secrets(ns), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "alpha"}})

	var creates []string
	for _, e := range testcluster.AuditEvents(t, ns) {
		if e.Verb == "create" && e.Subresource == "" && (e.Resource == "configmaps" || e.Resource == "secrets") {
			if e.Code != 201 {
				t.Errorf("create of %s/%s logged with code %d, want 201", e.Resource, e.Name, e.Code)
			}
			creates = append(creates, e.Resource+"/"+e.Name)
		}
	}
	// The controller manager creates the namespace's kube-root-ca.crt
	// ConfigMap too, at a time of its choosing.
	creates = slices.DeleteFunc(creates, func(s string) bool { return s == "configmaps/kube-root-ca.crt" })
	want := []string{"configmaps/zeta", "secrets/alpha"}
	if !slices.Equal(creates, want) {
		t.Errorf("creates in the audit log of namespace %s: %q, want %q", ns, creates, want)
	}
}

// --- helpers ---------------------------------------------------------------

type creator[T any] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
}

func create[T any](t *testing.T, c creator[T], obj T) {
	t.Helper()
	if _, err := c.Create(t.Context(), obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func(context.Context) (bool, error)) {
	t.Helper()
	start := time.Now()
	var last error
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		if err != nil {
			last = err // keep polling: a transient error is not the answer
		}
		return ok, nil
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last error: %v)", what, err, last)
	}
	t.Logf("%s after %s", what, time.Since(start).Round(time.Millisecond))
}

func waitForJob(t *testing.T, cs kubernetes.Interface, ns, name string, want batchv1.JobConditionType, timeout time.Duration) *batchv1.Job {
	t.Helper()
	var j *batchv1.Job
	waitFor(t, fmt.Sprintf("Job %s to be %s", name, want), timeout, func(ctx context.Context) (bool, error) {
		var err error
		j, err = cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range j.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			if c.Type == want {
				return true, nil
			}
			if c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed {
				t.Fatalf("Job %s ended %s (%s: %s), want %s", name, c.Type, c.Reason, c.Message, want)
			}
		}
		return false, nil
	})
	return j
}

// checkExitCodes checks that the Pods selected ended in phase with every
// container terminated with exit code code.
func checkExitCodes(t *testing.T, cs kubernetes.Interface, ns, selector string, phase corev1.PodPhase, code int32) {
	t.Helper()
	pods, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) == 0 {
		t.Fatalf("no Pods with %s", selector)
	}
	for _, p := range pods.Items {
		if p.Status.Phase != phase {
			t.Errorf("Pod %s is %s, want %s", p.Name, p.Status.Phase, phase)
		}
		if len(p.Status.ContainerStatuses) != len(p.Spec.Containers) {
			t.Errorf("Pod %s has %d container statuses, want %d", p.Name, len(p.Status.ContainerStatuses), len(p.Spec.Containers))
		}
		for _, c := range p.Status.ContainerStatuses {
			if c.State.Terminated == nil || c.State.Terminated.ExitCode != code {
				t.Errorf("Pod %s container %s: state %+v, want terminated with exit code %d", p.Name, c.Name, c.State, code)
			}
		}
	}
}

// staysUnavailable checks for a while that Deployment name has no available
// replica.
func staysUnavailable(t *testing.T, cs kubernetes.Interface, ns, name string, period time.Duration) {
	t.Helper()
	for end := time.Now().Add(period); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		d, err := cs.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if deploymentAvailable(d) || d.Status.AvailableReplicas != 0 || d.Status.ReadyReplicas != 0 {
			t.Fatalf("Deployment %s became available: %+v", name, d.Status)
		}
	}
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func podSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers: []corev1.Container{{Name: "main", Image: testcluster.Image}},
	}
}

func pod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: podSpec()}
}

func deployment(name string, replicas int32, podLabels map[string]string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	for k, v := range podLabels {
		labels[k] = v
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       podSpec(),
			},
		},
	}
}

// job returns a Job with one Pod that is not retried: a failure fails it.
func job(name string, podLabels, podAnnotations map[string]string) *batchv1.Job {
	backoffLimit := int32(0)
	spec := podSpec()
	spec.RestartPolicy = corev1.RestartPolicyNever
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{
			BackoffLimit: &backoffLimit,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: podAnnotations},
				Spec:       spec,
			},
		},
	}
}
