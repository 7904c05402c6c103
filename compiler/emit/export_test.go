package emit

import (
	"k8s.io/apimachinery/pkg/runtime"
)

// TypedObject, ToUnstructured and ToObject expose the typed object of a
// built-in kind and its fast conversions to the external tests.
var (
	TypedObject    = typedObject
	ToUnstructured = func(obj runtime.Object) (map[string]any, error) { return toUnstructured(obj) }
	ToObject       = func(obj runtime.Object, skip string) (map[string]any, error) { return toObject(obj, skip) }
)
