package check

import (
	"slices"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/compiler/kubeschema"
)

// Fields returns, sorted, every field a declaration of kind k accepts in
// its body: the fields every kind takes, the workload fields for
// workloads, and the kind's own. A configmap or secret body also takes
// data entries of any name.
func Fields(k ir.Kind) []string { return fieldsOf(k) }

// ContainerFields returns, sorted, the fields of one container: those a
// workload's body takes for its main container and a `container`, `init`
// or `sidecar NAME { ... }` block takes for another.
func ContainerFields() []string {
	return slices.Sorted(slices.Values(containerFields))
}

// ProbeTimingFields returns the fields of a probe's timing block, `ready =
// http "/" { period = 5s }`.
func ProbeTimingFields() []string { return slices.Clone(probeTimingFields) }

// VolumeFields returns the fields of a workload's `volume NAME { ... }`.
func VolumeFields() []string { return []string{"memory", "size"} }

// GeneralType returns the API type that a general block of a workload of
// kind k is checked against: block "spec" the workload's spec, "pod" the
// Pod template's spec (the block also takes `labels` and `annotations`),
// and "" the container, whose fields are written in the workload's body.
// It returns nil when k is not a workload.
func GeneralType(k ir.Kind, block string) *kubeschema.Type {
	if !k.IsWorkload() {
		return nil
	}
	switch block {
	case "spec":
		return specType(k)
	case "pod":
		return podSpecType()
	case "":
		return containerType()
	}
	return nil
}

// IsShortField reports whether key is one of the fields of kind k that
// Fields lists, rather than a field of a general block.
func IsShortField(k ir.Kind, key string) bool { return isShortField(k, key) }

// OwnedByWavec reports whether wavec itself sets the value at path below a
// general block of a workload of kind k ("spec.selector",
// "pod.containers"), so that no block may set it whatever else is
// written.
func OwnedByWavec(k ir.Kind, path string) bool {
	for _, o := range ownedValues {
		if o.by == "" && o.path == path && o.applies(k, &ir.WorkloadSpec{}, nil) {
			return true
		}
	}
	return false
}
