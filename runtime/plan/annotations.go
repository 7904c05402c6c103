package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/lang/diag"
)

// The annotations Argo CD reads, its own and Helm's.
const (
	// AnnotationHook lists an object's hook types, or is Skip.
	AnnotationHook = "argocd.argoproj.io/hook"
	// AnnotationSyncWave is the object's wave, an integer.
	AnnotationSyncWave = "argocd.argoproj.io/sync-wave"
	// AnnotationDeletePolicy lists a hook's delete policies.
	AnnotationDeletePolicy = "argocd.argoproj.io/hook-delete-policy"
	// AnnotationSyncOptions lists the object's sync options.
	AnnotationSyncOptions = "argocd.argoproj.io/sync-options"
	// AnnotationHelmHook lists Helm hook types, read when the Argo CD
	// annotation gives no sync hook type.
	AnnotationHelmHook = "helm.sh/hook"
	// AnnotationHelmWeight is Helm's hook weight, the wave when the Argo
	// CD annotation gives none.
	AnnotationHelmWeight = "helm.sh/hook-weight"
	// AnnotationHelmDelete lists Helm hook delete policies, merged with
	// Argo CD's.
	AnnotationHelmDelete = "helm.sh/hook-delete-policy"
	// AnnotationHelmResource is Helm's resource policy; "keep" leaves the
	// object in place when the application is deleted.
	AnnotationHelmResource = "helm.sh/resource-policy"

	annotationHelmCRDInstall = "crd-install"
)

// Annotations is what Argo CD makes of one object's annotations.
type Annotations struct {
	// Hook reports whether the object is a hook rather than a plain
	// resource. A hook whose types are all unknown (or only PreDelete and
	// PostDelete) is still a hook: Argo CD neither applies nor tracks it
	// during a sync.
	Hook bool
	// Skip reports the hook type Skip alone: the object gets no task.
	Skip bool
	// Phases are the sync phases the object has a task in, in phase order:
	// Sync for a plain resource, the hook's sync phases for a hook.
	Phases []Phase
	// DeletePhases are PreDelete and PostDelete when the object is such a
	// hook (from Argo CD's annotation or Helm's pre-delete/post-delete).
	DeletePhases []Phase
	// Wave is the sync wave: the Argo CD annotation, else Helm's hook
	// weight, else 0.
	Wave int
	// DeletePolicies are a hook's delete policies, Argo CD's and Helm's
	// merged in policy order; BeforeHookCreation when none is given. They
	// are empty for plain resources, on which they mean nothing.
	DeletePolicies []DeletePolicy
	// Options are the per-object sync options.
	Options SyncOptions
	// KeepOnDelete reports that deleting the application leaves the object
	// in place (Delete=false, or Helm's resource-policy keep).
	KeepOnDelete bool
}

// hookNames are the values of Argo CD's hook annotation.
var hookNames = []string{"PreSync", "Sync", "PostSync", "SyncFail", "Skip", "PreDelete", "PostDelete"}

// helmHookNames are the values of Helm's hook annotation.
var helmHookNames = []string{"pre-install", "pre-upgrade", "post-install", "post-upgrade", "pre-delete", "post-delete", "pre-rollback", "post-rollback", "test", "test-success", "crd-install"}

// ReadAnnotations interprets obj's annotations exactly as Argo CD does and
// returns, besides, a warning for everything Argo CD silently ignores or
// treats surprisingly: unknown hook types, waves that are not integers,
// unknown delete policies and sync options, Helm hooks Argo CD does not run.
func ReadAnnotations(obj *unstructured.Unstructured) (Annotations, []string) {
	var (
		a    Annotations
		warn []string
	)
	ann := obj.GetAnnotations()

	// Hook types. Argo CD's annotation wins; Helm's is read only when the
	// Argo CD one yields no sync hook type.
	argoValue, hasArgo := ann[AnnotationHook]
	var argoTypes []string // sync hook types and Skip
	for _, v := range csv(argoValue) {
		switch v {
		case "PreSync", "Sync", "PostSync", "SyncFail", "Skip":
			argoTypes = append(argoTypes, v)
		case "PreDelete":
			a.DeletePhases = appendPhase(a.DeletePhases, PreDelete)
		case "PostDelete":
			a.DeletePhases = appendPhase(a.DeletePhases, PostDelete)
		default:
			warn = append(warn, fmt.Sprintf("unknown hook type %q in %s%s", v, AnnotationHook, suggest(v, hookNames)))
		}
	}
	helmValue, hasHelm := ann[AnnotationHelmHook]
	var helmPhases []Phase
	var helmDropped []string
	for _, v := range csv(helmValue) {
		switch v {
		case "pre-install", "pre-upgrade":
			helmPhases = appendPhase(helmPhases, PreSync)
		case "post-install", "post-upgrade":
			helmPhases = appendPhase(helmPhases, PostSync)
		case "pre-delete":
			a.DeletePhases = appendPhase(a.DeletePhases, PreDelete)
		case "post-delete":
			a.DeletePhases = appendPhase(a.DeletePhases, PostDelete)
		case "test", "test-success", "pre-rollback", "post-rollback":
			helmDropped = append(helmDropped, v)
		case annotationHelmCRDInstall:
		default:
			warn = append(warn, fmt.Sprintf("unknown Helm hook %q in %s%s", v, AnnotationHelmHook, suggest(v, helmHookNames)))
		}
	}
	a.Skip = len(argoTypes) == 1 && argoTypes[0] == "Skip"
	if len(argoTypes) > 1 && slices.Contains(argoTypes, "Skip") {
		warn = append(warn, "hook type Skip has no effect together with other hook types")
	}
	if hasArgo {
		a.Hook = !a.Skip
	} else {
		a.Hook = hasHelm && helmValue != annotationHelmCRDInstall
	}
	switch {
	case a.Skip:
	case !a.Hook:
		a.Phases = []Phase{Sync}
	case len(argoTypes) > 0:
		for _, t := range argoTypes {
			if p, ok := ParsePhase(t); ok {
				a.Phases = appendPhase(a.Phases, p)
			}
		}
	default:
		a.Phases = helmPhases
	}
	slices.Sort(a.Phases)
	slices.Sort(a.DeletePhases)
	if a.Hook && len(a.Phases) == 0 && len(a.DeletePhases) == 0 {
		var why string
		switch {
		case hasArgo && len(csv(argoValue)) == 0:
			why = fmt.Sprintf("%s is empty", AnnotationHook)
		case len(helmDropped) > 0 && len(argoTypes) == 0:
			why = fmt.Sprintf("Argo CD does not run Helm %s hooks", strings.Join(helmDropped, ", "))
		default:
			why = "it has no hook type Argo CD knows"
		}
		warn = append(warn, why+", so Argo CD neither applies nor tracks this object")
	} else if len(helmDropped) > 0 && len(argoTypes) == 0 {
		warn = append(warn, fmt.Sprintf("Argo CD does not run Helm %s hooks; they are ignored", strings.Join(helmDropped, ", ")))
	}

	// Wave.
	var w []string
	a.Wave, w = readWave(ann)
	warn = append(warn, w...)

	// Delete policies.
	var policies []DeletePolicy
	for _, v := range csv(ann[AnnotationDeletePolicy]) {
		if p, ok := ParseDeletePolicy(v); ok && !strings.Contains(v, "-") {
			policies = appendPolicy(policies, p)
		} else {
			warn = append(warn, fmt.Sprintf("unknown hook delete policy %q in %s%s", v, AnnotationDeletePolicy, suggest(v, deletePolicyNames[1:])))
		}
	}
	for _, v := range csv(ann[AnnotationHelmDelete]) {
		if p, ok := ParseDeletePolicy(v); ok && strings.Contains(v, "-") {
			policies = appendPolicy(policies, p)
		} else {
			warn = append(warn, fmt.Sprintf("unknown Helm hook delete policy %q in %s%s", v, AnnotationHelmDelete, suggest(v, []string{"before-hook-creation", "hook-succeeded", "hook-failed"})))
		}
	}
	if a.Hook {
		if len(policies) == 0 {
			policies = []DeletePolicy{BeforeHookCreation}
		}
		slices.Sort(policies)
		a.DeletePolicies = policies
	} else if !a.Skip && len(policies) > 0 {
		warn = append(warn, "a hook delete policy has no effect on an object that is not a hook")
	}

	// Sync options.
	var o []string
	a.Options, o = readSyncOptions(ann[AnnotationSyncOptions])
	warn = append(warn, o...)
	a.KeepOnDelete = a.Options.Delete == RemoveNever || slices.Contains(csv(ann[AnnotationHelmResource]), "keep")
	return a, warn
}

// readWave returns the wave as Argo CD computes it: its annotation when it
// is an integer, else Helm's hook weight when that is one, else 0.
func readWave(ann map[string]string) (int, []string) {
	var warn []string
	weight, hasWeight := ann[AnnotationHelmWeight]
	helmWave, helmErr := strconv.Atoi(weight)
	if hasWeight && helmErr != nil {
		warn = append(warn, fmt.Sprintf("%s %q is not an integer; Argo CD uses 0", AnnotationHelmWeight, weight))
	}
	fallback := 0
	if hasWeight && helmErr == nil {
		fallback = helmWave
	}
	if text, ok := ann[AnnotationSyncWave]; ok {
		if w, err := strconv.Atoi(text); err == nil {
			return w, warn
		}
		use := "0"
		if fallback != 0 {
			use = fmt.Sprintf("the %s %d", AnnotationHelmWeight, fallback)
		}
		warn = append(warn, fmt.Sprintf("%s %q is not an integer; Argo CD uses %s", AnnotationSyncWave, text, use))
	}
	return fallback, warn
}

// applicationOptions are sync options that only mean something on an
// Application, not on a resource.
var applicationOptions = []string{"ApplyOutOfSyncOnly", "CreateNamespace", "PrunePropagationPolicy", "FailOnSharedResource", "RespectIgnoreDifferences"}

// syncOptionNames are the per-resource options, for suggestions.
var syncOptionNames = []string{"Prune=false", "Prune=confirm", "Delete=false", "Delete=confirm", "PruneLast=true", "Replace=true", "Replace=false", "Force=true", "ServerSideApply=true", "ServerSideApply=false", "Validate=false", "SkipDryRunOnMissingResource=true", "ClientSideApplyMigration=true", "ClientSideApplyMigration=false"}

func readSyncOptions(value string) (SyncOptions, []string) {
	var (
		o    SyncOptions
		warn []string
	)
	for _, v := range csv(value) {
		switch v {
		case "Prune=false":
			o.Prune = RemoveNever
		case "Prune=confirm":
			o.Prune = RemoveConfirm
		case "Delete=false":
			o.Delete = RemoveNever
		case "Delete=confirm":
			o.Delete = RemoveConfirm
		case "PruneLast=true":
			o.PruneLast = true
		case "Replace=true":
			o.Replace = On
		case "Replace=false":
			o.Replace = Off
		case "Force=true":
			o.Force = true
		case "ServerSideApply=true":
			o.ServerSideApply = On
		case "ServerSideApply=false":
			o.ServerSideApply = Off
		case "Validate=false":
			o.NoValidate = true
		case "SkipDryRunOnMissingResource=true":
			o.SkipDryRunOnMissingResource = true
		case "ClientSideApplyMigration=true":
			o.ClientSideApplyMigration = On
		case "ClientSideApplyMigration=false":
			o.ClientSideApplyMigration = Off
		default:
			name, _, _ := strings.Cut(v, "=")
			if slices.Contains(applicationOptions, name) {
				warn = append(warn, fmt.Sprintf("sync option %q only has an effect on an Application, not on a resource", v))
			} else {
				warn = append(warn, fmt.Sprintf("unknown sync option %q in %s%s", v, AnnotationSyncOptions, suggestOption(v)))
			}
		}
	}
	return o, warn
}

// suggestOption suggests the closest known sync option: among the values of
// the same option when the name matches, else among all options.
func suggestOption(v string) string {
	name, _, _ := strings.Cut(v, "=")
	var same []string
	for _, o := range syncOptionNames {
		if n, _, _ := strings.Cut(o, "="); strings.EqualFold(n, name) {
			same = append(same, o)
		}
	}
	if len(same) == 0 {
		return suggest(v, syncOptionNames)
	}
	best, bestD := "", -1
	for _, o := range same {
		if d := diag.EditDistance(strings.ToLower(v), strings.ToLower(o)); bestD < 0 || d < bestD {
			best, bestD = o, d
		}
	}
	return fmt.Sprintf("; did you mean %s?", best)
}

// csv splits an annotation value at commas as Argo CD does: items are
// trimmed, empty ones dropped, duplicates removed.
func csv(value string) []string {
	var out []string
	for item := range strings.SplitSeq(value, ",") {
		item = strings.TrimSpace(item)
		if item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}

func appendPhase(ps []Phase, p Phase) []Phase {
	if slices.Contains(ps, p) {
		return ps
	}
	return append(ps, p)
}

func appendPolicy(ps []DeletePolicy, p DeletePolicy) []DeletePolicy {
	if slices.Contains(ps, p) {
		return ps
	}
	return append(ps, p)
}

// suggest returns "; did you mean X?" when a candidate is close to s.
func suggest(s string, candidates []string) string {
	best := diag.Suggest(s, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", best)
}
