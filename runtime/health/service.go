package health

import (
	corev1 "k8s.io/api/core/v1"
)

// service is Healthy as soon as it exists, except a LoadBalancer Service,
// which is Progressing until its load balancer has an ingress address. On a
// cluster without a load-balancer controller that never happens.
func service(s *corev1.Service) Result {
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer && len(s.Status.LoadBalancer.Ingress) == 0 {
		return Result{Status: Progressing, Message: "Service: waiting for the load balancer to get an address"}
	}
	return Result{Status: Healthy}
}
