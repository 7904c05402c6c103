package argocd

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/wavec/wavec/lang/diag"
)

// The annotations Argo CD reads, its own and Helm's, and wavec's own.
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
	// AnnotationTimeout is wavec's own: how long `wavec run` waits for the
	// object's step or hook, as a Go duration ("5m0s"). The compiler writes
	// it only where the pipeline gives the object a timeout; Argo CD ignores
	// it.
	AnnotationTimeout = "wavec.io/timeout"

	helmCRDInstall = "crd-install"
)

// OrderingAnnotations are the annotations that place an object in a sync:
// its hook types, wave and delete policies, Argo CD's and Helm's.
var OrderingAnnotations = []string{
	AnnotationHook, AnnotationDeletePolicy, AnnotationSyncWave,
	AnnotationHelmHook, AnnotationHelmWeight, AnnotationHelmDelete,
}

// Warning is something in an object's annotations that Argo CD silently
// ignores or treats in a way its author may not expect.
type Warning struct {
	// Annotation is the key of the annotation the warning is about.
	Annotation string
	// Message is a sentence without a trailing period.
	Message string
	// Untracked marks the warning that the object is a hook Argo CD
	// neither applies nor tracks during a sync, so that a caller that acts
	// on it (the importer makes it a skip member) can say so in the same
	// diagnostic rather than in a second one.
	Untracked bool
}

// String returns the message.
func (w Warning) String() string { return w.Message }

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
var helmHookNames = []string{"pre-install", "pre-upgrade", "post-install", "post-upgrade", "pre-delete", "post-delete", "pre-rollback", "post-rollback", "test", "test-success", helmCRDInstall}

// Decode interprets an object's annotations exactly as Argo CD does and
// returns, besides, a warning for everything Argo CD silently ignores or
// treats surprisingly: unknown hook types, waves that are not integers,
// unknown delete policies and sync options, Helm hooks Argo CD does not run.
func Decode(ann map[string]string) (Annotations, []Warning) {
	var (
		a    Annotations
		warn []Warning
	)
	warnf := func(key, format string, args ...any) {
		warn = append(warn, Warning{Annotation: key, Message: fmt.Sprintf(format, args...)})
	}

	// Hook types. Argo CD's annotation wins; Helm's is read only when the
	// Argo CD one yields no sync hook type.
	argoValue, hasArgo := ann[AnnotationHook]
	var argoTypes []Phase // sync hook types and Skip
	for _, v := range SplitList(argoValue) {
		switch p, ok := ParsePhase(v); {
		case !ok:
			warnf(AnnotationHook, "unknown hook type %q in %s%s", v, AnnotationHook, suggest(v, hookNames))
		case p.Operation() == Deleting:
			a.DeletePhases = appendNew(a.DeletePhases, p)
		default:
			argoTypes = append(argoTypes, p)
		}
	}
	helmValue, hasHelm := ann[AnnotationHelmHook]
	var helmPhases []Phase
	var helmDropped []string
	for _, v := range SplitList(helmValue) {
		switch v {
		case "pre-install", "pre-upgrade":
			helmPhases = appendNew(helmPhases, PreSync)
		case "post-install", "post-upgrade":
			helmPhases = appendNew(helmPhases, PostSync)
		case "pre-delete":
			a.DeletePhases = appendNew(a.DeletePhases, PreDelete)
		case "post-delete":
			a.DeletePhases = appendNew(a.DeletePhases, PostDelete)
		case "test", "test-success", "pre-rollback", "post-rollback":
			helmDropped = append(helmDropped, v)
		case helmCRDInstall:
		default:
			warnf(AnnotationHelmHook, "unknown Helm hook %q in %s%s", v, AnnotationHelmHook, suggest(v, helmHookNames))
		}
	}
	a.Skip = len(argoTypes) == 1 && argoTypes[0] == Skip
	if len(argoTypes) > 1 && slices.Contains(argoTypes, Skip) {
		warnf(AnnotationHook, "hook type Skip has no effect together with other hook types")
	}
	if hasArgo {
		a.Hook = !a.Skip
	} else {
		a.Hook = hasHelm && helmValue != helmCRDInstall
	}
	switch {
	case a.Skip:
	case !a.Hook:
		a.Phases = []Phase{Sync}
	case len(argoTypes) > 0:
		for _, p := range argoTypes {
			if p != Skip {
				a.Phases = appendNew(a.Phases, p)
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
		case hasArgo && len(SplitList(argoValue)) == 0:
			why = fmt.Sprintf("%s is empty", AnnotationHook)
		case len(helmDropped) > 0 && len(argoTypes) == 0:
			why = fmt.Sprintf("Argo CD does not run Helm %s hooks", strings.Join(helmDropped, ", "))
		default:
			why = "it has no hook type Argo CD knows"
		}
		key := AnnotationHook
		if !hasArgo {
			key = AnnotationHelmHook
		}
		warnf(key, "%s, so Argo CD neither applies nor tracks this object", why)
		warn[len(warn)-1].Untracked = true
	} else if len(helmDropped) > 0 && len(argoTypes) == 0 {
		warnf(AnnotationHelmHook, "Argo CD does not run Helm %s hooks; they are ignored", strings.Join(helmDropped, ", "))
	}

	// Wave.
	var w []Warning
	a.Wave, w = decodeWave(ann)
	warn = append(warn, w...)

	// Delete policies.
	var policies []DeletePolicy
	for _, v := range SplitList(ann[AnnotationDeletePolicy]) {
		if p, ok := ParseDeletePolicy(v); ok {
			policies = appendNew(policies, p)
		} else {
			warnf(AnnotationDeletePolicy, "unknown hook delete policy %q in %s%s", v, AnnotationDeletePolicy, suggest(v, deletePolicyNames[1:]))
		}
	}
	for _, v := range SplitList(ann[AnnotationHelmDelete]) {
		if p, ok := ParseHelmDeletePolicy(v); ok {
			policies = appendNew(policies, p)
		} else {
			warnf(AnnotationHelmDelete, "unknown Helm hook delete policy %q in %s%s", v, AnnotationHelmDelete, suggest(v, helmDeletePolicies[1:]))
		}
	}
	if a.Hook {
		if len(policies) == 0 {
			policies = []DeletePolicy{BeforeHookCreation}
		}
		slices.Sort(policies)
		a.DeletePolicies = policies
	} else if !a.Skip && len(policies) > 0 {
		key := AnnotationDeletePolicy
		if _, ok := ann[key]; !ok {
			key = AnnotationHelmDelete
		}
		warnf(key, "a hook delete policy has no effect on an object that is not a hook")
	}

	// Sync options.
	var o []string
	a.Options, o = ParseSyncOptions(ann[AnnotationSyncOptions])
	for _, m := range o {
		warnf(AnnotationSyncOptions, "%s", m)
	}
	a.KeepOnDelete = a.Options.Delete == RemoveNever || slices.Contains(SplitList(ann[AnnotationHelmResource]), "keep")
	if key, tool := foreignOrder(ann); key != "" {
		warnf(key, "%s orders objects for %s only: Argo CD ignores it and orders this object by its phase, wave and kind alone; give the objects %s annotations to keep the order", key, tool, AnnotationSyncWave)
	}
	return a, warn
}

// foreignOrder returns the first (in key order) annotation by which
// another deployment tool orders objects, and that tool: kapp's change
// rules and the depends-on of kpt and cli-utils. Argo CD reads neither.
func foreignOrder(ann map[string]string) (key, tool string) {
	for _, k := range slices.Sorted(maps.Keys(ann)) {
		switch {
		case k == "kapp.k14s.io/change-rule" || strings.HasPrefix(k, "kapp.k14s.io/change-rule."):
			return k, "kapp"
		case k == "config.kubernetes.io/depends-on":
			return k, "kpt and cli-utils"
		}
	}
	return "", ""
}

// Encode writes a as annotations in Argo CD's own spelling, the way wavec
// emits them: the wave when it is not 0, the hook types (Skip alone for
// Skip), a hook's delete policies (BeforeHookCreation when it names none),
// the sync options that are set, and Helm's resource-policy keep when
// KeepOnDelete is not already said by Delete=false. Decode(Encode(a)) gives
// a back for every a that Decode can return.
func Encode(a Annotations) map[string]string {
	out := map[string]string{}
	if a.Wave != 0 {
		out[AnnotationSyncWave] = strconv.Itoa(a.Wave)
	}
	switch {
	case a.Skip:
		out[AnnotationHook] = joinList(sortedSet(slices.Concat(a.DeletePhases, []Phase{Skip})))
	case a.Hook:
		out[AnnotationHook] = joinList(sortedSet(slices.Concat(a.Phases, a.DeletePhases)))
		policies := a.DeletePolicies
		if len(policies) == 0 {
			policies = []DeletePolicy{BeforeHookCreation}
		}
		out[AnnotationDeletePolicy] = joinList(sortedSet(policies))
	}
	if opts := a.Options.String(); opts != "" {
		out[AnnotationSyncOptions] = opts
	}
	if a.KeepOnDelete && a.Options.Delete != RemoveNever {
		out[AnnotationHelmResource] = "keep"
	}
	return out
}

// sortedSet returns the distinct items of s in order, leaving s as it is.
func sortedSet[T ~int](s []T) []T {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func joinList[T fmt.Stringer](items []T) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.String()
	}
	return strings.Join(names, ",")
}

// ParseWave reads a wave as Argo CD does: a decimal integer.
func ParseWave(s string) (int, error) {
	return strconv.Atoi(s)
}

// decodeWave returns the wave as Argo CD computes it: its annotation when it
// is an integer, else Helm's hook weight when that is one, else 0.
func decodeWave(ann map[string]string) (int, []Warning) {
	var warn []Warning
	weight, hasWeight := ann[AnnotationHelmWeight]
	helmWave, helmErr := ParseWave(weight)
	if hasWeight && helmErr != nil {
		warn = append(warn, Warning{Annotation: AnnotationHelmWeight, Message: fmt.Sprintf("%s %q is not an integer; Argo CD uses 0", AnnotationHelmWeight, weight)})
	}
	fallback := 0
	if hasWeight && helmErr == nil {
		fallback = helmWave
	}
	if text, ok := ann[AnnotationSyncWave]; ok {
		if w, err := ParseWave(text); err == nil {
			return w, warn
		}
		use := "0"
		if fallback != 0 {
			use = fmt.Sprintf("the %s %d", AnnotationHelmWeight, fallback)
		}
		warn = append(warn, Warning{Annotation: AnnotationSyncWave, Message: fmt.Sprintf("%s %q is not an integer; Argo CD uses %s", AnnotationSyncWave, text, use)})
	}
	return fallback, warn
}

// SplitList splits an annotation value at commas as Argo CD does: items are
// trimmed, empty ones dropped, duplicates removed.
func SplitList(value string) []string {
	var out []string
	for item := range strings.SplitSeq(value, ",") {
		item = strings.TrimSpace(item)
		if item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}

func appendNew[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
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

// suggest returns "; did you mean X?" when a candidate is close to s.
func suggest(s string, candidates []string) string {
	best := diag.Suggest(s, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", best)
}
