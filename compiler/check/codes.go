package check

import "github.com/wavec/wavec/lang/diag"

// Diagnostic codes of the checker. docs/diagnostics.md describes each with
// an example. E02xx are ordering problems, E03xx names and references, E04xx
// values and types; codes starting with W are warnings.
const (
	// CodeCycle is a cycle of `after` edges.
	CodeCycle diag.Code = "E0201"
	// CodeWaveContradicts is an explicit wave that is not later than a
	// target of the resource's `after`.
	CodeWaveContradicts diag.Code = "E0202"
	// CodeReadsLaterPhase is a resource or hook that reads an object created
	// only in a later phase, such as a PreSync hook reading a Sync
	// ConfigMap.
	CodeReadsLaterPhase diag.Code = "E0203"
	// CodeReadsLaterWave is a resource that reads an object created in a
	// later wave of the same phase.
	CodeReadsLaterWave diag.Code = "E0204"
	// CodeAfterLaterPhase is an `after` target that is applied in a later
	// phase, in another operation, or never.
	CodeAfterLaterPhase diag.Code = "E0205"
	// CodeReadsDeletedHook is a long-lived resource that reads a hook which
	// is deleted when the sync succeeds.
	CodeReadsDeletedHook diag.Code = "E0206"
	// CodeHoisted is a Namespace or CRD placed later than its first user;
	// Argo CD would silently move it.
	CodeHoisted diag.Code = "E0207"
	// CodePlacedTwice is a resource named by more than one wave or hook
	// statement.
	CodePlacedTwice diag.Code = "E0208"
	// CodeExternalPlaced is an external secret in a wave, a hook or an
	// `after`: nothing is applied for it.
	CodeExternalPlaced diag.Code = "E0209"
	// CodeSkipOptions is a delete policy, timeout or retries on a skip
	// statement, whose members are never applied.
	CodeSkipOptions diag.Code = "E0210"
	// CodeSyncFailOnSuccess is a SyncFail hook deleted on success, which
	// never happens.
	CodeSyncFailOnSuccess diag.Code = "W0211"
	// CodeHookNotRecreated is a hook Job without before-create, which a
	// later sync cannot update.
	CodeHookNotRecreated diag.Code = "W0212"
	// CodePlainJob is a Job that is not a hook.
	CodePlainJob diag.Code = "W0213"
	// CodeGatedLoadBalancer is an Ingress or LoadBalancer Service followed
	// by later Sync waves, which wait for its address.
	CodeGatedLoadBalancer diag.Code = "W0214"
	// CodePVCBeforeConsumer is a PVC in an earlier wave than the first
	// workload that mounts it.
	CodePVCBeforeConsumer diag.Code = "W0215"
	// CodeReadsAfterDelete is a PostDelete hook that reads an object the
	// deletion has removed already.
	CodeReadsAfterDelete diag.Code = "E0216"
	// CodeHPABeforeTarget is an hpa applied before the workload it scales:
	// the autoscaler reports it cannot get the target's scale, and Argo CD
	// fails the sync on that.
	CodeHPABeforeTarget diag.Code = "E0217"

	// CodeUnknown is a reference to nothing.
	CodeUnknown diag.Code = "E0301"
	// CodeDuplicate is a second declaration of the same name.
	CodeDuplicate diag.Code = "E0302"
	// CodeBadName is a name Kubernetes does not accept for the kind.
	CodeBadName diag.Code = "E0303"
	// CodeAmbiguous is a bare name declared with more than one kind.
	CodeAmbiguous diag.Code = "E0304"
	// CodeWrongKind is a reference to a kind the field does not take.
	CodeWrongKind diag.Code = "E0305"
	// CodeNoHeader is a pipeline without `pipeline NAME in NAMESPACE`.
	CodeNoHeader diag.Code = "E0306"
	// CodeHeaderConflict is pipeline headers that disagree.
	CodeHeaderConflict diag.Code = "E0307"
	// CodeUnknownParam is ${name} or a bare name that is no parameter.
	CodeUnknownParam diag.Code = "E0308"
	// CodeUnusedParam is a parameter nothing uses.
	CodeUnusedParam diag.Code = "W0309"
	// CodeObjectFile is an object file that cannot be read or lies outside
	// the pipeline's directory.
	CodeObjectFile diag.Code = "E0310"
	// CodeUnknownSet is --set for a parameter that does not exist.
	CodeUnknownSet diag.Code = "E0311"
	// CodeReservedName is a parameter named like a built-in.
	CodeReservedName diag.Code = "E0312"
	// CodeUnknownVolume is a container's mount of a volume that the Pod
	// does not have: `volume NAME` or a volumeMounts name.
	CodeUnknownVolume diag.Code = "E0313"

	// CodeUnknownField is a field the kind does not have.
	CodeUnknownField diag.Code = "E0401"
	// CodeMissingField is a required field that is not given.
	CodeMissingField diag.Code = "E0402"
	// CodeType is a value of the wrong type.
	CodeType diag.Code = "E0403"
	// CodeRange is a number out of range.
	CodeRange diag.Code = "E0404"
	// CodeDuration is an invalid duration.
	CodeDuration diag.Code = "E0405"
	// CodeQuantity is an invalid CPU, memory or storage quantity.
	CodeQuantity diag.Code = "E0406"
	// CodeImage is an invalid image reference.
	CodeImage diag.Code = "E0407"
	// CodeEnvName is an invalid environment variable name or key.
	CodeEnvName diag.Code = "E0408"
	// CodeMetadata is an invalid or reserved label or annotation.
	CodeMetadata diag.Code = "E0409"
	// CodeSchedule is an invalid cron schedule.
	CodeSchedule diag.Code = "E0410"
	// CodeEnum is a word outside a field's fixed set of values.
	CodeEnum diag.Code = "E0411"
	// CodeConflict is two fields or options that exclude each other.
	CodeConflict diag.Code = "E0412"
	// CodeSetType is a --set value of the wrong type.
	CodeSetType diag.Code = "E0413"
	// CodeYAML is an object whose YAML is not a valid Kubernetes object.
	CodeYAML diag.Code = "E0414"
	// CodeNotHere is an option or value that does not apply where it is
	// written.
	CodeNotHere diag.Code = "E0415"
	// CodeRepeated is a field, key or option given twice.
	CodeRepeated diag.Code = "E0416"
	// CodeUnknownPort is a port name that the workload or service lacks.
	CodeUnknownPort diag.Code = "E0417"
	// CodeYAMLOrdering is an ordering annotation inside an object's YAML,
	// which the pipeline's statements replace.
	CodeYAMLOrdering diag.Code = "W0418"
	// CodeNoNumericUser is a restricted workload without `user` whose image
	// is not known to run as a numeric non-root user, which a kubelet
	// refuses to start.
	CodeNoNumericUser diag.Code = "W0420"
	// CodeReadsHook is a long-lived resource that reads a hook resource,
	// which Argo CD does not diff and re-creates on every sync.
	CodeReadsHook diag.Code = "W0421"
	// CodeParamsLine is a line of a --params file that is not
	// `NAME = VALUE`.
	CodeParamsLine diag.Code = "E0419"

	// CodeHPANoRequest is an hpa with a utilization target whose workload
	// has a container without that request: the autoscaler cannot compute
	// utilization.
	CodeHPANoRequest diag.Code = "W0440"
	// CodeSharedClaim is a ReadWriteOnce claim mounted by a workload that
	// can run more than one Pod: the Pods on other nodes never start.
	CodeSharedClaim diag.Code = "W0441"
	// CodeSharedSelector is a workload's own selector that also selects
	// another workload's Pods.
	CodeSharedSelector diag.Code = "W0442"
	// CodeProbeUndeclaredPort is a probe on a port number that none of the
	// Pod's containers declares, while they declare others: the probe
	// usually fails, and the workload never becomes ready.
	CodeProbeUndeclaredPort diag.Code = "W0443"
	// CodeGoverningNotHeadless is a statefulset whose governing Service has
	// a cluster IP: its Pods get no DNS names of their own.
	CodeGoverningNotHeadless diag.Code = "W0444"
)
