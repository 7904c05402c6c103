package check

import "github.com/wavec/wavec/compiler/ir"

// Fields returns, sorted, every field a declaration of kind k accepts in
// its body: the fields every kind takes, the workload fields for
// workloads, and the kind's own. A configmap or secret body also takes
// data entries of any name.
func Fields(k ir.Kind) []string { return fieldsOf(k) }
