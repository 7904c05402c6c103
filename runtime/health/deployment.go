package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// deployment is healthy when the controller has observed the latest spec
// and every desired replica is updated and available. A paused Deployment
// is Suspended; one whose Progressing condition says
// ProgressDeadlineExceeded is Degraded.
func deployment(d *appsv1.Deployment) Result {
	if d.Spec.Paused {
		return Result{Status: Suspended, Message: "Deployment is paused"}
	}
	st := d.Status
	if d.Generation > st.ObservedGeneration {
		return Result{Status: Progressing, Message: fmt.Sprintf("Deployment: waiting for the controller to observe generation %d (observed %d)", d.Generation, st.ObservedGeneration)}
	}
	for _, c := range st.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return Result{Status: Degraded, Message: joinMessage("Deployment: progress deadline exceeded", c.Message)}
		}
	}
	switch {
	case d.Spec.Replicas != nil && st.UpdatedReplicas < *d.Spec.Replicas:
		return Result{Status: Progressing, Message: fmt.Sprintf("Deployment: %d of %d replicas are updated", st.UpdatedReplicas, *d.Spec.Replicas)}
	case st.Replicas > st.UpdatedReplicas:
		return Result{Status: Progressing, Message: fmt.Sprintf("Deployment: %d old replicas are pending termination", st.Replicas-st.UpdatedReplicas)}
	case st.AvailableReplicas < st.UpdatedReplicas:
		return Result{Status: Progressing, Message: fmt.Sprintf("Deployment: %d of %d updated replicas are available", st.AvailableReplicas, st.UpdatedReplicas)}
	}
	return Result{Status: Healthy, Message: fmt.Sprintf("Deployment: %d of %d updated replicas are available", st.AvailableReplicas, st.UpdatedReplicas)}
}

// joinMessage appends detail to summary after a colon when detail is set.
func joinMessage(summary, detail string) string {
	if detail == "" {
		return summary
	}
	return summary + ": " + detail
}
