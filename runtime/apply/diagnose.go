package apply

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Bounds of a diagnosis, so a failure prints a screenful, not a log dump.
const (
	diagPods      = 3
	diagEvents    = 6
	diagLogLines  = 10
	diagLogsBytes = 16 << 10
)

// diagnose collects what a person would dig out with kubectl about a
// failed object: its conditions, its Pods' phase, exit codes and reasons,
// recent Events, and the last log lines where the cluster serves logs. It
// never prints object data (so Secret values cannot leak).
func (k *kube) diagnose(ctx context.Context, obj *unstructured.Unstructured) []string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var lines []string
	if obj.GetKind() != "Pod" {
		lines = append(lines, conditionLines(obj)...)
	}
	uids := []types.UID{obj.GetUID()}
	pods := k.podsOf(ctx, obj)
	for i, p := range pods {
		if i == diagPods {
			lines = append(lines, fmt.Sprintf("... and %d more pods", len(pods)-diagPods))
			break
		}
		lines = append(lines, podLines(&p)...)
		if p.UID != obj.GetUID() {
			uids = append(uids, p.UID)
		}
	}
	if rs := k.newestReplicaSet(ctx, obj); rs != "" {
		uids = append(uids, rs)
	}
	lines = append(lines, k.eventLines(ctx, obj.GetNamespace(), uids)...)
	for i, p := range pods {
		if i == diagPods {
			break
		}
		lines = append(lines, k.logLines(ctx, &p)...)
	}
	return lines
}

// conditionLines lists status.conditions that say something: those that
// are not true, and those with a reason or message.
func conditionLines(obj *unstructured.Unstructured) []string {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	var lines []string
	for _, c := range conds {
		cm, ok := c.(map[string]any)
		if !ok {
			continue
		}
		r, _ := cm["reason"].(string)
		m, _ := cm["message"].(string)
		if cm["status"] == "True" && r == "" && m == "" {
			continue
		}
		s := fmt.Sprintf("condition %v=%v", cm["type"], cm["status"])
		if r, _ := cm["reason"].(string); r != "" {
			s += " (" + r + ")"
		}
		if m, _ := cm["message"].(string); m != "" {
			s += ": " + oneLine(m)
		}
		lines = append(lines, s)
	}
	return lines
}

// podsOf lists the Pods of a workload (newest first): the Pod itself, a
// Job's Pods by controller UID, or the Pods its selector matches.
func (k *kube) podsOf(ctx context.Context, obj *unstructured.Unstructured) []corev1.Pod {
	ns := obj.GetNamespace()
	var sel string
	switch obj.GetKind() {
	case "Pod":
		pods, err := k.pods(ctx, ns, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", obj.GetName()).String()})
		if err != nil {
			return nil
		}
		return pods
	case "Job":
		sel = "batch.kubernetes.io/controller-uid=" + string(obj.GetUID())
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
		m, found, _ := unstructured.NestedMap(obj.Object, "spec", "selector")
		if !found {
			return nil
		}
		var ls metav1.LabelSelector
		if err := fromUnstructured(m, &ls); err != nil {
			return nil
		}
		s, err := metav1.LabelSelectorAsSelector(&ls)
		if err != nil || s.Empty() {
			return nil
		}
		sel = s.String()
	default:
		return nil
	}
	pods, err := k.pods(ctx, ns, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil
	}
	sort.Slice(pods, func(i, j int) bool {
		// Unhealthy pods first, then newest first.
		bi, bj := podBad(&pods[i]), podBad(&pods[j])
		if bi != bj {
			return bi
		}
		return pods[j].CreationTimestamp.Before(&pods[i].CreationTimestamp)
	})
	return pods
}

func podBad(p *corev1.Pod) bool {
	if p.Status.Phase == corev1.PodFailed {
		return true
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue && p.Status.Phase != corev1.PodSucceeded {
			return true
		}
	}
	return false
}

// newestReplicaSet returns the UID of a Deployment's newest ReplicaSet,
// whose Events (quota, admission) explain Pods that were never created.
func (k *kube) newestReplicaSet(ctx context.Context, obj *unstructured.Unstructured) types.UID {
	if obj.GetKind() != "Deployment" {
		return ""
	}
	var rss []appsv1.ReplicaSet
	if err := listTyped(k, ctx, schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ReplicaSet"}, obj.GetNamespace(), metav1.ListOptions{}, &rss); err != nil {
		return ""
	}
	var best *metav1.ObjectMeta
	for i := range rss {
		rs := &rss[i]
		for _, o := range rs.OwnerReferences {
			if o.UID == obj.GetUID() && (best == nil || best.CreationTimestamp.Before(&rs.CreationTimestamp)) {
				best = &rs.ObjectMeta
			}
		}
	}
	if best == nil {
		return ""
	}
	return best.UID
}

// podGVK is the kind of Pods.
var podGVK = schema.GroupVersionKind{Version: "v1", Kind: "Pod"}

// pods lists Pods in ns.
func (k *kube) pods(ctx context.Context, ns string, o metav1.ListOptions) ([]corev1.Pod, error) {
	var pods []corev1.Pod
	err := listTyped(k, ctx, podGVK, ns, o, &pods)
	return pods, err
}

// listTyped lists objects of kind gvk in ns into a slice of their typed
// form.
func listTyped[T any](k *kube, ctx context.Context, gvk schema.GroupVersionKind, ns string, o metav1.ListOptions, into *[]T) error {
	m, err := k.mapping(gvk)
	if err != nil {
		return err
	}
	list, err := k.list(ctx, m, ns, o)
	if err != nil {
		return err
	}
	out := make([]T, len(list.Items))
	for i := range list.Items {
		if err := fromUnstructured(list.Items[i].Object, &out[i]); err != nil {
			return err
		}
	}
	*into = out
	return nil
}

// readLogs returns a container's log, as far as o asks.
func (k *kube) readLogs(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) ([]byte, error) {
	rc, err := k.c.Logs(ctx, ns, pod, o)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// podLines describes a Pod: phase, readiness, and each container's state
// with exit code and reason.
func podLines(p *corev1.Pod) []string {
	s := fmt.Sprintf("pod %s: %s", p.Name, p.Status.Phase)
	if p.Status.Reason != "" {
		s += " (" + p.Status.Reason + ")"
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue && p.Status.Phase == corev1.PodRunning {
			s += ", not ready"
		}
		if c.Type == corev1.PodScheduled && c.Status != corev1.ConditionTrue && c.Message != "" {
			s += ", unschedulable: " + oneLine(c.Message)
		}
	}
	if p.Status.Message != "" {
		s += ": " + oneLine(p.Status.Message)
	}
	lines := []string{s}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		lines = append(lines, "  container "+cs.Name+": "+containerState(cs))
	}
	return lines
}

func containerState(cs corev1.ContainerStatus) string {
	var s string
	switch st := cs.State; {
	case st.Terminated != nil:
		s = fmt.Sprintf("terminated, exit code %d", st.Terminated.ExitCode)
		if st.Terminated.Reason != "" {
			s += ", reason " + st.Terminated.Reason
		}
		if st.Terminated.Message != "" {
			s += ": " + oneLine(st.Terminated.Message)
		}
	case st.Waiting != nil:
		s = "waiting"
		if st.Waiting.Reason != "" {
			s += ", reason " + st.Waiting.Reason
		}
		if st.Waiting.Message != "" {
			s += ": " + oneLine(st.Waiting.Message)
		}
	case st.Running != nil:
		s = "running"
		if !cs.Ready {
			s += ", not ready"
		}
	default:
		s = "not started"
	}
	if t := cs.LastTerminationState.Terminated; t != nil {
		s += fmt.Sprintf("; last exit code %d", t.ExitCode)
		if t.Reason != "" {
			s += " (" + t.Reason + ")"
		}
	}
	if cs.RestartCount > 0 {
		s += fmt.Sprintf("; %d restarts", cs.RestartCount)
	}
	return s
}

// eventLines lists the most recent Events about the objects with the
// given UIDs, oldest first.
func (k *kube) eventLines(ctx context.Context, ns string, uids []types.UID) []string {
	type ev struct {
		at   time.Time
		line string
	}
	var evs []ev
	for _, uid := range uids {
		if uid == "" {
			continue
		}
		var events []corev1.Event
		err := listTyped(k, ctx, schema.GroupVersionKind{Version: "v1", Kind: "Event"}, ns, metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("involvedObject.uid", string(uid)).String(),
		}, &events)
		if err != nil {
			continue
		}
		for _, e := range events {
			at := e.LastTimestamp.Time
			if at.IsZero() {
				at = e.EventTime.Time
			}
			if at.IsZero() {
				at = e.CreationTimestamp.Time
			}
			line := fmt.Sprintf("event %s %s/%s %s: %s", e.Type, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason, oneLine(e.Message))
			if e.Count > 1 {
				line += fmt.Sprintf(" (x%d)", e.Count)
			}
			evs = append(evs, ev{at, line})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	evs = slices.CompactFunc(evs, func(a, b ev) bool { return a.line == b.line })
	if len(evs) > diagEvents {
		evs = evs[len(evs)-diagEvents:]
	}
	var lines []string
	for _, e := range evs {
		lines = append(lines, e.line)
	}
	return lines
}

// logLines returns the last log lines of a Pod's containers that ran, or a
// note that the cluster serves no logs.
func (k *kube) logLines(ctx context.Context, p *corev1.Pod) []string {
	var lines []string
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Running == nil && cs.State.Terminated == nil {
			continue
		}
		tail := int64(diagLogLines)
		limit := int64(diagLogsBytes)
		raw, err := k.readLogs(ctx, p.Namespace, p.Name, &corev1.PodLogOptions{
			Container: cs.Name, TailLines: &tail, LimitBytes: &limit,
		})
		if err != nil {
			lines = append(lines, fmt.Sprintf("logs of %s/%s: not available (%s)", p.Name, cs.Name, shortLogError(err)))
			return lines
		}
		text := strings.TrimRight(string(raw), "\n")
		if text == "" {
			continue
		}
		lines = append(lines, fmt.Sprintf("last log lines of %s/%s:", p.Name, cs.Name))
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			lines = append(lines, "  | "+sc.Text())
		}
	}
	return lines
}

// shortLogError keeps the gist of a failed log request: clusters without a
// kubelet API (kwok) answer with a long connection error.
func shortLogError(err error) string {
	msg := oneLine(explain(err))
	if len(msg) > 120 {
		msg = msg[:117] + "..."
	}
	return msg
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// podSelector returns the label selector of a hook's Pods.
func podSelector(obj *unstructured.Unstructured) (string, bool) {
	switch obj.GetKind() {
	case "Job":
		return labels.Set{"batch.kubernetes.io/controller-uid": string(obj.GetUID())}.String(), true
	}
	return "", false
}
