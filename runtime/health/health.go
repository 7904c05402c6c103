// Package health tells whether a live Kubernetes object is healthy, the way
// Argo CD's sync engine judges it when it decides that a task of a sync wave
// has completed.
//
// Check holds Argo CD's built-in checks, one pure function per kind and one
// file per kind: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod,
// PersistentVolumeClaim, Service, Ingress, APIService and
// HorizontalPodAutoscaler. HasCheck reports whether a kind has one. Argo CD
// treats every other kind (ConfigMap, Secret, RBAC, Namespace, custom
// resources, ...) as complete as soon as it is applied; `wavec plan` shows
// that, and `wavec run` does the same.
//
// There is no generic check (such as kstatus's reading of Ready and
// Stalled conditions) for the other kinds, because Argo CD has none: it
// judges custom resources only by Lua health scripts it is configured
// with, and wavec predicts what Argo CD will do.
package health

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Status is the health of an object.
type Status int

// The health statuses, as Argo CD names them.
const (
	// Unknown means the health could not be assessed, for example because
	// the object's status is malformed. Argo CD fails a task whose health
	// is Unknown.
	Unknown Status = iota
	// Healthy means the object does what it was created for: a Deployment
	// rolled out, a Job completed, a PVC bound.
	Healthy
	// Progressing means the object is not healthy yet but may still get
	// there.
	Progressing
	// Degraded means the object failed or cannot get healthy: a Job failed,
	// a Deployment exceeded its progress deadline, a Pod crash-loops.
	Degraded
	// Suspended means the object is paused or suspended on purpose.
	Suspended
	// Missing means the object does not exist in the cluster.
	Missing
)

var statusNames = [...]string{
	Unknown:     "Unknown",
	Healthy:     "Healthy",
	Progressing: "Progressing",
	Degraded:    "Degraded",
	Suspended:   "Suspended",
	Missing:     "Missing",
}

// String returns the status's name as Argo CD spells it.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// MarshalText encodes the status as its name.
func (s Status) MarshalText() ([]byte, error) {
	return []byte(s.String()), nil
}

// Result is the outcome of a health check.
type Result struct {
	// Status is the health.
	Status Status
	// Message explains it, preferably in the object's own words (a
	// condition's reason and message); it may be empty.
	Message string
}

// String returns "Status" or "Status: message".
func (r Result) String() string {
	if r.Message == "" {
		return r.Status.String()
	}
	return r.Status.String() + ": " + r.Message
}

// check is a built-in health check for one kind.
type check func(obj *unstructured.Unstructured) Result

// checks holds Argo CD's built-in checks by group and kind (the version is
// checked by each function).
var checks = map[schema.GroupKind]check{
	{Group: "apps", Kind: "Deployment"}:                     typed(appsv1.SchemeGroupVersion, deployment),
	{Group: "apps", Kind: "StatefulSet"}:                    typed(appsv1.SchemeGroupVersion, statefulSet),
	{Group: "apps", Kind: "DaemonSet"}:                      typed(appsv1.SchemeGroupVersion, daemonSet),
	{Group: "apps", Kind: "ReplicaSet"}:                     typed(appsv1.SchemeGroupVersion, replicaSet),
	{Group: "batch", Kind: "Job"}:                           typed(batchv1.SchemeGroupVersion, job),
	{Group: "", Kind: "Pod"}:                                typed(corev1.SchemeGroupVersion, pod),
	{Group: "", Kind: "PersistentVolumeClaim"}:              typed(corev1.SchemeGroupVersion, pvc),
	{Group: "", Kind: "Service"}:                            typed(corev1.SchemeGroupVersion, service),
	{Group: "networking.k8s.io", Kind: "Ingress"}:           ingress,
	{Group: "extensions", Kind: "Ingress"}:                  ingress,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:   apiService,
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}: horizontalPodAutoscaler,
}

// HasCheck reports whether Argo CD has a built-in health check for objects
// of group kind gk. A sync task for any other kind completes as soon as the
// object is applied.
func HasCheck(gk schema.GroupKind) bool {
	_, ok := checks[gk]
	return ok
}

// hookFinalizer is the finalizer Argo CD puts on hooks while it tracks them.
const hookFinalizer = "argocd.argoproj.io/hook-finalizer"

// Check assesses a live object with Argo CD's built-in check for its kind.
// A nil object is Missing. An object being deleted is Progressing (unless
// it is a hook Argo CD still holds with its finalizer), whatever its kind,
// as in Argo CD. Otherwise ok is false when the kind has no built-in check.
func Check(obj *unstructured.Unstructured) (r Result, ok bool) {
	if obj == nil {
		return Result{Status: Missing, Message: "object does not exist"}, true
	}
	if obj.GetDeletionTimestamp() != nil && !hasFinalizer(obj, hookFinalizer) {
		return Result{Status: Progressing, Message: "pending deletion"}, true
	}
	c, ok := checks[obj.GroupVersionKind().GroupKind()]
	if !ok {
		return Result{}, false
	}
	return c(obj), true
}

func hasFinalizer(obj *unstructured.Unstructured, name string) bool {
	for _, f := range obj.GetFinalizers() {
		if f == name {
			return true
		}
	}
	return false
}

// typed makes a check of fn, which judges the object decoded as a T of
// version gv; an object of another version, or one that does not decode,
// is Unknown with the reason.
func typed[T any](gv schema.GroupVersion, fn func(*T) Result) check {
	return func(obj *unstructured.Unstructured) Result {
		var t T
		if r, ok := convert(obj, gv, &t); !ok {
			return r
		}
		return fn(&t)
	}
}

// convert decodes obj into a typed object of the expected version, or
// returns the Unknown result to report.
func convert(obj *unstructured.Unstructured, want schema.GroupVersion, into any) (Result, bool) {
	gvk := obj.GroupVersionKind()
	if gvk.GroupVersion() != want {
		return Result{Status: Unknown, Message: fmt.Sprintf("no health check for %s %s; it is checked at %s", gvk.Kind, gvk.GroupVersion(), want)}, false
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into); err != nil {
		return Result{Status: Unknown, Message: fmt.Sprintf("cannot read %s: %v", gvk.Kind, err)}, false
	}
	return Result{}, true
}
