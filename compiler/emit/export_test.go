package emit

import (
	"k8s.io/apimachinery/pkg/runtime"
)

// TypedObject and ToUnstructured expose the typed object of a built-in
// kind and its fast conversion to the external tests.
var (
	TypedObject    = typedObject
	ToUnstructured = func(obj runtime.Object) (map[string]any, error) { return toUnstructured(obj) }
)
