package apply

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"
)

// TestLogsFollowHookPods streams the log of a hook Job's running Pod,
// prefixed by the hook, using client-go's fake clientset (whose log
// requests return "fake logs").
func TestLogsFollowHookPods(t *testing.T) {
	job := &unstructured.Unstructured{}
	job.SetAPIVersion("batch/v1")
	job.SetKind("Job")
	job.SetName("migrate")
	job.SetNamespace("ns")
	job.SetUID("uid-1")
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "migrate-abcde", Namespace: "ns", Labels: map[string]string{"batch.kubernetes.io/controller-uid": "uid-1"}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
			Name: "main", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		}}},
	}
	other := pod.DeepCopy()
	other.Name, other.Labels = "unrelated", nil
	cs := fake.NewClientset(pod, other)

	var (
		mu    sync.Mutex
		lines []string
		got   = make(chan struct{}, 10)
	)
	l := &logs{k: &kube{typed: cs}, ctx: context.Background(), emit: func(hook, line string) {
		mu.Lock()
		lines = append(lines, hook+": "+line)
		mu.Unlock()
		got <- struct{}{}
	}}
	stop, cancel := context.WithCancel(context.Background())
	l.follow(stop, "migrate", job)
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no log line streamed")
	}
	cancel()
	l.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 1 || lines[0] != "migrate: fake logs" {
		t.Errorf("lines = %q", lines)
	}
}
