package kubeschema

import (
	"fmt"
	"reflect"
)

type lifecycleRemoved interface{ APILifecycleRemoved() (major, minor int) }

// Removed reports the Kubernetes release that no longer serves this
// version of the kind, as k8s.io/api records it, if that release is not
// later than the one whose k8s.io/api the build uses. Such versions are
// still known to the Go types, but no API server of that release takes
// them.
func (k *Kind) Removed() (string, bool) {
	obj, ok := reflect.New(k.goType).Interface().(lifecycleRemoved)
	if !ok {
		return "", false
	}
	major, minor := obj.APILifecycleRemoved()
	if major == 0 {
		return "", false
	}
	cm, cn := k.s.release()
	if major > cm || (major == cm && minor > cn) {
		return "", false
	}
	return fmt.Sprintf("%d.%d", major, minor), true
}

type lifecycleIntroduced interface {
	APILifecycleIntroduced() (major, minor int)
}

// Release returns the Kubernetes release whose API the schema describes:
// the latest release in which k8s.io/api says a version of a kind was
// introduced (prerelease versions record it).
func (s *Schema) Release() (major, minor int) {
	for _, k := range s.kinds {
		obj, ok := reflect.New(k.goType).Interface().(lifecycleIntroduced)
		if !ok {
			continue
		}
		ma, mi := obj.APILifecycleIntroduced()
		if ma > major || (ma == major && mi > minor) {
			major, minor = ma, mi
		}
	}
	return major, minor
}
