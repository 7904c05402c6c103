package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// daemonSet is healthy when the controller has observed the latest spec and
// every node that should run the daemon runs an updated, available pod.
// With the OnDelete strategy, an observed spec is enough.
func daemonSet(d *appsv1.DaemonSet) Result {
	st := d.Status
	if d.Generation > st.ObservedGeneration {
		return Result{Status: Progressing, Message: fmt.Sprintf("DaemonSet: waiting for the controller to observe generation %d (observed %d)", d.Generation, st.ObservedGeneration)}
	}
	if d.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType {
		return Result{Status: Healthy, Message: fmt.Sprintf("DaemonSet: %d of %d pods are updated (OnDelete updates)", st.UpdatedNumberScheduled, st.DesiredNumberScheduled)}
	}
	if st.UpdatedNumberScheduled < st.DesiredNumberScheduled {
		return Result{Status: Progressing, Message: fmt.Sprintf("DaemonSet: %d of %d pods are updated", st.UpdatedNumberScheduled, st.DesiredNumberScheduled)}
	}
	if st.NumberAvailable < st.DesiredNumberScheduled {
		return Result{Status: Progressing, Message: fmt.Sprintf("DaemonSet: %d of %d updated pods are available", st.NumberAvailable, st.DesiredNumberScheduled)}
	}
	return Result{Status: Healthy, Message: fmt.Sprintf("DaemonSet: %d of %d pods are updated and available", st.NumberAvailable, st.DesiredNumberScheduled)}
}
