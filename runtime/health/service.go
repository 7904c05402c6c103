package health

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// service is Healthy as soon as it exists, except a LoadBalancer Service,
// which is Progressing until its load balancer has an ingress address. On a
// cluster without a load-balancer controller that never happens.
func service(obj *unstructured.Unstructured) Result {
	var s corev1.Service
	if r, ok := convert(obj, corev1.SchemeGroupVersion, &s); !ok {
		return r
	}
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer && len(s.Status.LoadBalancer.Ingress) == 0 {
		return Result{Status: Progressing, Message: "Service: waiting for the load balancer to get an address"}
	}
	return Result{Status: Healthy}
}
