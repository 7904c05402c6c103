package health

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// apiService is Healthy when its Available condition is true, and
// Progressing otherwise (Argo CD never reports an APIService as Degraded),
// with the condition's reason and message. It reads the unstructured
// object, covering apiregistration.k8s.io v1 and v1beta1 without the
// aggregator's client types.
func apiService(obj *unstructured.Unstructured) Result {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != "Available" {
			continue
		}
		reason, _ := m["reason"].(string)
		msg, _ := m["message"].(string)
		if m["status"] == "True" {
			return Result{Status: Healthy, Message: joinMessage(reason, msg)}
		}
		return Result{Status: Progressing, Message: joinMessage(reason, msg)}
	}
	return Result{Status: Progressing, Message: "APIService: waiting for the aggregator to check it"}
}
