package health

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ingress is Healthy once an ingress controller has published a load
// balancer address in status.loadBalancer.ingress, and Progressing until
// then. The check reads the unstructured object, so it covers every
// version of networking.k8s.io and extensions Ingress alike.
func ingress(obj *unstructured.Unstructured) Result {
	addrs, _, _ := unstructured.NestedSlice(obj.Object, "status", "loadBalancer", "ingress")
	if len(addrs) > 0 {
		return Result{Status: Healthy}
	}
	return Result{Status: Progressing, Message: "Ingress: waiting for an ingress controller to publish an address"}
}
