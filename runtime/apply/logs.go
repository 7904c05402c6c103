package apply

import (
	"bufio"
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
)

// logs streams the log lines of hook Pods while they run. Clusters that
// serve no logs (kwok, or an API server without kubelet access) make the
// first request fail; the streamer then stays quiet for that hook, and the
// diagnosis of a failure says logs are not available.
type logs struct {
	k    *kube
	emit func(hook, line string)
	// ctx bounds the streams; they end by themselves when their containers
	// end.
	ctx context.Context
	wg  sync.WaitGroup
}

// follow watches the Pods of hook (a Job or Pod) until stop is cancelled
// and streams each container's log once it has started.
func (l *logs) follow(stop context.Context, hook string, obj *unstructured.Unstructured) {
	opts := metav1.ListOptions{}
	switch obj.GetKind() {
	case "Pod":
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", obj.GetName()).String()
	case "Job":
		sel, _ := podSelector(obj)
		opts.LabelSelector = sel
	default:
		return
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		var (
			mu      sync.Mutex
			started = map[string]bool{}
			failed  bool
		)
		start := func(p *corev1.Pod) {
			for _, cs := range p.Status.ContainerStatuses {
				if cs.State.Running == nil && cs.State.Terminated == nil {
					continue
				}
				key := p.Name + "/" + cs.Name
				mu.Lock()
				skip := started[key] || failed
				started[key] = true
				mu.Unlock()
				if skip {
					continue
				}
				l.wg.Add(1)
				go func(pod, container string) {
					defer l.wg.Done()
					if !l.stream(pod, p.Namespace, container, hook) {
						mu.Lock()
						failed = true
						mu.Unlock()
					}
				}(p.Name, cs.Name)
			}
		}
		m, err := l.k.mapping(podGVK)
		if err != nil {
			return
		}
		ns := obj.GetNamespace()
		for stop.Err() == nil {
			list, err := l.k.list(stop, m, ns, opts)
			if err != nil {
				return
			}
			for i := range list.Items {
				var p corev1.Pod
				if fromUnstructured(list.Items[i].Object, &p) == nil {
					start(&p)
				}
			}
			w, err := l.k.watch(stop, m, ns, metav1.ListOptions{
				LabelSelector: opts.LabelSelector, FieldSelector: opts.FieldSelector,
				ResourceVersion: list.GetResourceVersion(),
			})
			if err != nil {
				return
			}
			l.consume(stop, w, start)
			w.Stop()
		}
	}()
}

// stream copies one container's log to emit, line by line; it reports
// false when the cluster would not serve the log.
func (l *logs) stream(pod, ns, container, hook string) bool {
	rc, err := l.k.c.Logs(l.ctx, ns, pod, &corev1.PodLogOptions{Container: container, Follow: true})
	if err != nil {
		return false
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		l.emit(hook, sc.Text())
	}
	return true
}

// consume hands every Pod the watch reports to start, until the watch
// ends or stop is cancelled.
func (l *logs) consume(stop context.Context, w watch.Interface, start func(*corev1.Pod)) {
	for {
		select {
		case <-stop.Done():
			return
		case ev, open := <-w.ResultChan():
			if !open {
				return
			}
			if ev.Type == watch.Added || ev.Type == watch.Modified {
				var p corev1.Pod
				if u, ok := ev.Object.(*unstructured.Unstructured); ok && fromUnstructured(u.Object, &p) == nil {
					start(&p)
				}
			}
		}
	}
}
