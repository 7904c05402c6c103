package apply

import "k8s.io/apimachinery/pkg/runtime"

// fromUnstructured converts a JSON-shaped map into a typed value.
func fromUnstructured(m map[string]any, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(m, into)
}
