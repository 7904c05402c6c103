package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// statefulSet is healthy when the controller has observed the latest spec,
// every desired replica is ready, and the rollout is done: for a
// partitioned rolling update, the pods above the partition are updated; for
// OnDelete, readiness is enough; otherwise the current revision has caught
// up with the update revision.
func statefulSet(s *appsv1.StatefulSet) Result {
	st := s.Status
	if st.ObservedGeneration == 0 || s.Generation > st.ObservedGeneration {
		return Result{Status: Progressing, Message: fmt.Sprintf("StatefulSet: waiting for the controller to observe generation %d (observed %d)", s.Generation, st.ObservedGeneration)}
	}
	if s.Spec.Replicas != nil && st.ReadyReplicas < *s.Spec.Replicas {
		return Result{Status: Progressing, Message: fmt.Sprintf("StatefulSet: %d of %d pods are ready", st.ReadyReplicas, *s.Spec.Replicas)}
	}
	strategy := s.Spec.UpdateStrategy
	if strategy.Type == appsv1.RollingUpdateStatefulSetStrategyType && strategy.RollingUpdate != nil {
		if s.Spec.Replicas != nil && strategy.RollingUpdate.Partition != nil {
			want := *s.Spec.Replicas - *strategy.RollingUpdate.Partition
			if st.UpdatedReplicas < want {
				return Result{Status: Progressing, Message: fmt.Sprintf("StatefulSet: partitioned rollout: %d of %d pods are updated", st.UpdatedReplicas, want)}
			}
		}
		return Result{Status: Healthy, Message: fmt.Sprintf("StatefulSet: partitioned rollout complete: %d pods are updated", st.UpdatedReplicas)}
	}
	if strategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
		return Result{Status: Healthy, Message: fmt.Sprintf("StatefulSet: %d pods are ready (OnDelete updates)", st.ReadyReplicas)}
	}
	if st.UpdateRevision != st.CurrentRevision {
		return Result{Status: Progressing, Message: fmt.Sprintf("StatefulSet: rolling update: %d pods are at revision %s", st.UpdatedReplicas, st.UpdateRevision)}
	}
	return Result{Status: Healthy, Message: fmt.Sprintf("StatefulSet: %d pods are at revision %s", st.CurrentReplicas, st.CurrentRevision)}
}
