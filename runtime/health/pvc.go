package health

import (
	corev1 "k8s.io/api/core/v1"
)

// pvc is Healthy when Bound, Progressing while Pending (for example waiting
// for its first consumer), Degraded when Lost, and Unknown otherwise.
func pvc(c *corev1.PersistentVolumeClaim) Result {
	switch c.Status.Phase {
	case corev1.ClaimBound:
		return Result{Status: Healthy, Message: "PersistentVolumeClaim is bound to volume " + c.Spec.VolumeName}
	case corev1.ClaimPending:
		return Result{Status: Progressing, Message: "PersistentVolumeClaim is pending"}
	case corev1.ClaimLost:
		return Result{Status: Degraded, Message: "PersistentVolumeClaim lost its volume " + c.Spec.VolumeName}
	}
	return Result{Status: Unknown, Message: "PersistentVolumeClaim has no phase yet"}
}
