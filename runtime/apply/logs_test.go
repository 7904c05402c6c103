package apply

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/cluster"
	"github.com/wavec/wavec/runtime/cluster/fakecluster"
)

// TestLogsFollowHookPods streams the log of a hook Job's running Pod,
// prefixed by the hook, and not the log of another Pod.
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
	fc := fakecluster.New()
	k := &kube{c: fc}
	ctx := context.Background()
	nsm, _ := k.mapping(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"})
	if _, err := fc.Create(ctx, nsm, namespace("ns"), cluster.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	pm, _ := k.mapping(podGVK)
	for _, p := range []*corev1.Pod{pod, other} {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p)
		if err != nil {
			t.Fatal(err)
		}
		o := &unstructured.Unstructured{Object: u}
		o.SetAPIVersion("v1")
		o.SetKind("Pod")
		if _, err := fc.Create(ctx, pm, o, cluster.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		fc.SetLog("ns", p.Name, "main", "logs of "+p.Name+"\n")
	}

	var (
		mu    sync.Mutex
		lines []string
		got   = make(chan struct{}, 10)
	)
	l := &logs{k: k, ctx: context.Background(), emit: func(hook, line string) {
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
	if len(lines) != 1 || lines[0] != "migrate: logs of migrate-abcde" {
		t.Errorf("lines = %q", lines)
	}
}

// namespace returns a Namespace object.
func namespace(name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}}
}
