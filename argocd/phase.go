// Package argocd is Argo CD's sync contract as wavec writes it and reads it:
// the annotation keys, hook types (phases), hook delete policies and sync
// options, the encoding of all of them as annotations and back, and the
// order in which Argo CD applies a set of objects (phase, wave, kind, name,
// with Namespaces and CustomResourceDefinitions moved before their first
// user).
//
// It is the one home of these rules: the compiler writes annotations with
// Encode and judges its ordering traps with Hoist, and the runtime plans a
// sync with Decode, Compare and Hoist. It follows Argo CD's sync engine
// (gitops-engine pkg/sync: common, hook, syncwaves) and docs/semantics.md.
package argocd

import (
	"fmt"
	"strings"
)

// Phase is a hook type: a sync phase (PreSync, Sync, PostSync, SyncFail), a
// phase of deleting the application (PreDelete, PostDelete), or Skip. Sync
// phases run in the order of their values.
type Phase int

// The phases, in the order a sync runs them, then the delete phases and
// Skip.
const (
	// PreSync hooks run before the application's resources are applied.
	PreSync Phase = iota + 1
	// Sync is the phase of every plain resource and of Sync hooks.
	Sync
	// PostSync hooks run after every Sync task has completed successfully.
	PostSync
	// SyncFail hooks run when any task of the sync fails.
	SyncFail
	// PreDelete hooks run before the resources of a deleted application go.
	PreDelete
	// PostDelete hooks run after the resources of a deleted application
	// are gone.
	PostDelete
	// Skip objects are never applied.
	Skip
)

var phaseNames = [...]string{
	PreSync:    "PreSync",
	Sync:       "Sync",
	PostSync:   "PostSync",
	SyncFail:   "SyncFail",
	PreDelete:  "PreDelete",
	PostDelete: "PostDelete",
	Skip:       "Skip",
}

// Phases lists every phase in order.
var Phases = []Phase{PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete, Skip}

// String returns the phase as the hook annotation spells it, such as
// "PreSync".
func (p Phase) String() string { return nameOf(phaseNames[:], p, "Phase") }

// Keyword returns the phase's keyword in a .wave file, such as "presync".
func (p Phase) Keyword() string { return strings.ToLower(nameOf(phaseNames[:], p, "")) }

// MarshalText encodes the phase as its name.
func (p Phase) MarshalText() ([]byte, error) {
	return []byte(p.String()), nil
}

// ParsePhase returns the phase named s, exactly as in the hook annotation.
func ParsePhase(s string) (Phase, bool) {
	for p, name := range phaseNames {
		if name != "" && name == s {
			return Phase(p), true
		}
	}
	return 0, false
}

// ParsePhaseKeyword returns the phase whose .wave keyword is s.
func ParsePhaseKeyword(s string) (Phase, bool) {
	for _, p := range Phases {
		if p.Keyword() == s {
			return p, true
		}
	}
	return 0, false
}

// Operation says which operation runs a phase.
type Operation int

// The operations.
const (
	// Never is the operation of Skip: the object is never applied.
	Never Operation = iota
	// Syncing runs PreSync, Sync, PostSync and SyncFail.
	Syncing
	// Deleting the application runs PreDelete and PostDelete.
	Deleting
)

// Operation returns the operation that runs the phase.
func (p Phase) Operation() Operation {
	switch {
	case p >= PreSync && p <= SyncFail:
		return Syncing
	case p == PreDelete || p == PostDelete:
		return Deleting
	}
	return Never
}

// DeletePolicy says when Argo CD deletes a hook.
type DeletePolicy int

// The hook delete policies, in the order they are written.
const (
	// BeforeHookCreation deletes the previous instance of the hook just
	// before the hook is created again. It is the default when a hook names
	// no policy.
	BeforeHookCreation DeletePolicy = iota + 1
	// HookSucceeded deletes the hook when the whole sync succeeds.
	HookSucceeded
	// HookFailed deletes the hook when the whole sync fails.
	HookFailed
)

var (
	deletePolicyNames    = [...]string{"", "BeforeHookCreation", "HookSucceeded", "HookFailed"}
	helmDeletePolicies   = [...]string{"", "before-hook-creation", "hook-succeeded", "hook-failed"}
	deletePolicyKeywords = [...]string{"", "before-create", "on-success", "on-failure"}
)

// DeletePolicyKeywords lists the delete policies' .wave keywords.
var DeletePolicyKeywords = deletePolicyKeywords[1:]

// String returns the policy as Argo CD's annotation spells it, such as
// "HookSucceeded".
func (d DeletePolicy) String() string { return nameOf(deletePolicyNames[:], d, "DeletePolicy") }

// Keyword returns the policy's keyword in a .wave file, such as
// "on-success".
func (d DeletePolicy) Keyword() string { return nameOf(deletePolicyKeywords[:], d, "") }

// MarshalText encodes the policy as its name.
func (d DeletePolicy) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// ParseDeletePolicy returns the policy named s in Argo CD's annotation.
func ParseDeletePolicy(s string) (DeletePolicy, bool) {
	return lookup[DeletePolicy](deletePolicyNames[:], s)
}

// ParseHelmDeletePolicy returns the policy named s in Helm's annotation
// (hook-succeeded).
func ParseHelmDeletePolicy(s string) (DeletePolicy, bool) {
	return lookup[DeletePolicy](helmDeletePolicies[:], s)
}

// ParseDeletePolicyKeyword returns the policy whose .wave keyword is s.
func ParseDeletePolicyKeyword(s string) (DeletePolicy, bool) {
	return lookup[DeletePolicy](deletePolicyKeywords[:], s)
}

func lookup[T ~int](names []string, s string) (T, bool) {
	for i, name := range names {
		if i > 0 && name == s {
			return T(i), true
		}
	}
	return 0, false
}

// nameOf returns names[v], or for a value out of range "Type(v)", or
// "unknown" when typ is empty (for keywords).
func nameOf[T ~int](names []string, v T, typ string) string {
	switch {
	case v > 0 && int(v) < len(names):
		return names[v]
	case typ == "":
		return "unknown"
	}
	return fmt.Sprintf("%s(%d)", typ, int(v))
}
