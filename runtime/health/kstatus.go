package health

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// KStatus assesses obj by kstatus (sigs.k8s.io/cli-utils/pkg/kstatus), the
// convention kubectl wait, Flux and kapp-style tools apply to arbitrary
// kinds: a spec generation not yet observed, a true Reconciling condition or
// a Ready condition that is not true is Progressing; a true Stalled
// condition is Degraded; an object without such signals is Healthy. A nil
// object is Missing and one being deleted is Progressing.
//
// Argo CD does not use kstatus: for kinds without a built-in check (see
// HasCheck) it considers a task complete once applied. Use KStatus only
// where wavec deliberately waits longer than Argo CD, such as `wavec run`
// waiting for custom resources that publish conditions.
func KStatus(obj *unstructured.Unstructured) Result {
	if obj == nil {
		return Result{Status: Missing, Message: "object does not exist"}
	}
	res, err := status.Compute(obj)
	if err != nil {
		return Result{Status: Unknown, Message: err.Error()}
	}
	r := Result{Message: res.Message}
	switch res.Status {
	case status.CurrentStatus:
		r.Status = Healthy
	case status.InProgressStatus, status.TerminatingStatus:
		r.Status = Progressing
	case status.FailedStatus:
		r.Status = Degraded
	case status.NotFoundStatus:
		r.Status = Missing
	default:
		r.Status = Unknown
	}
	return r
}
