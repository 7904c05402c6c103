package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// replicaSet is healthy when the controller has observed the latest spec and
// every desired replica is available. A true ReplicaFailure condition (pods
// cannot be created, e.g. a quota is exceeded) is Degraded.
func replicaSet(rs *appsv1.ReplicaSet) Result {
	st := rs.Status
	if rs.Generation > st.ObservedGeneration {
		return Result{Status: Progressing, Message: fmt.Sprintf("ReplicaSet: waiting for the controller to observe generation %d (observed %d)", rs.Generation, st.ObservedGeneration)}
	}
	for _, c := range st.Conditions {
		if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			return Result{Status: Degraded, Message: joinMessage("ReplicaSet: "+c.Reason, c.Message)}
		}
	}
	if rs.Spec.Replicas != nil && st.AvailableReplicas < *rs.Spec.Replicas {
		return Result{Status: Progressing, Message: fmt.Sprintf("ReplicaSet: %d of %d replicas are available", st.AvailableReplicas, *rs.Spec.Replicas)}
	}
	return Result{Status: Healthy, Message: fmt.Sprintf("ReplicaSet: %d replicas are available", st.AvailableReplicas)}
}
