package health

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// pod health depends on the restart policy. A pod that restarts always is
// meant to keep running: it is Healthy when Running and Ready, Degraded when
// a container waits with an error or back-off reason (CrashLoopBackOff,
// ImagePullBackOff, ErrImagePull, CreateContainerConfigError, ...) or, not
// ready, has a container that terminated before. A pod with restart policy
// Never or OnFailure (a hook or a one-off task) is Healthy only once it
// Succeeded, and Progressing while it runs, so a hook is not failed early
// for a back-off it may recover from. Failed is Degraded for both, with the
// pod's message or the first failing container's.
func pod(p *corev1.Pod) Result {
	policy := p.Spec.RestartPolicy
	if policy == "" {
		policy = corev1.RestartPolicyAlways // the API server's default
	}
	if policy == corev1.RestartPolicyAlways {
		var msgs []string
		for _, cs := range p.Status.ContainerStatuses {
			w := cs.State.Waiting
			if w != nil && (strings.HasPrefix(w.Reason, "Err") || strings.HasSuffix(w.Reason, "Error") || strings.HasSuffix(w.Reason, "BackOff")) {
				msgs = append(msgs, fmt.Sprintf("container %q: %s", cs.Name, joinMessage(w.Reason, w.Message)))
			}
		}
		if len(msgs) > 0 {
			return Result{Status: Degraded, Message: strings.Join(msgs, "; ")}
		}
	}
	st := p.Status
	switch st.Phase {
	case corev1.PodPending:
		return Result{Status: Progressing, Message: joinMessage("Pod is pending", st.Message)}
	case corev1.PodSucceeded:
		return Result{Status: Healthy, Message: joinMessage("Pod succeeded", st.Message)}
	case corev1.PodFailed:
		if st.Message != "" {
			return Result{Status: Degraded, Message: st.Message}
		}
		for _, cs := range append(st.InitContainerStatuses, st.ContainerStatuses...) {
			if m := terminationMessage(cs); m != "" {
				return Result{Status: Degraded, Message: m}
			}
		}
		return Result{Status: Degraded, Message: "Pod failed"}
	case corev1.PodRunning:
		switch policy {
		case corev1.RestartPolicyAlways:
			if podReady(p) {
				return Result{Status: Healthy, Message: joinMessage("Pod is running and ready", st.Message)}
			}
			for _, cs := range st.ContainerStatuses {
				if cs.LastTerminationState.Terminated != nil {
					return Result{Status: Degraded, Message: joinMessage(fmt.Sprintf("Pod is not ready and container %q terminated before", cs.Name), st.Message)}
				}
			}
			return Result{Status: Progressing, Message: joinMessage("Pod is running but not ready", st.Message)}
		case corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever:
			return Result{Status: Progressing, Message: joinMessage("Pod is running", st.Message)}
		}
	}
	return Result{Status: Unknown, Message: joinMessage(fmt.Sprintf("Pod phase %q", st.Phase), st.Message)}
}

// terminationMessage describes why a container terminated unsuccessfully,
// or returns "".
func terminationMessage(cs corev1.ContainerStatus) string {
	t := cs.State.Terminated
	switch {
	case t == nil:
		return ""
	case t.Message != "":
		return t.Message
	case t.Reason == "OOMKilled":
		return fmt.Sprintf("container %q was OOMKilled", cs.Name)
	case t.ExitCode != 0:
		return fmt.Sprintf("container %q failed with exit code %d", cs.Name, t.ExitCode)
	}
	return ""
}

// podReady reports whether the pod's Ready condition is true.
func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
