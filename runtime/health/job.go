package health

import (
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// job is Healthy once its Complete condition is true, Degraded once its
// Failed condition is true (the message is the condition's reason and
// message, e.g. "BackoffLimitExceeded: Job has reached the specified backoff
// limit"), Suspended while its Suspended condition is true, and Progressing
// otherwise.
//
// Argo CD also counts a Suspended condition whose status is False (a
// resumed Job) as completion, which would report a running Job as Healthy;
// this check looks only at conditions that are true.
func job(j *batchv1.Job) Result {
	var complete, failed, suspended *batchv1.JobCondition
	for i := range j.Status.Conditions {
		c := &j.Status.Conditions[i]
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobFailed:
			failed = c
		case batchv1.JobComplete:
			complete = c
		case batchv1.JobSuspended:
			suspended = c
		}
	}
	switch {
	case failed != nil:
		return Result{Status: Degraded, Message: joinMessage(failed.Reason, failed.Message)}
	case complete != nil:
		return Result{Status: Healthy, Message: joinMessage("Job completed", complete.Message)}
	case suspended != nil:
		return Result{Status: Suspended, Message: joinMessage("Job is suspended", suspended.Message)}
	}
	st := j.Status
	return Result{Status: Progressing, Message: fmt.Sprintf("Job: %d active, %d succeeded, %d failed", st.Active, st.Succeeded, st.Failed)}
}
