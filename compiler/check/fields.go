package check

import (
	"slices"

	"github.com/wavec/wavec/compiler/ir"
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
