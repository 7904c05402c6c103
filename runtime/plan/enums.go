package plan

import (
	"fmt"
	"strings"
)

// Phase is a sync phase, or a delete phase of an application's deletion.
// Sync phases run in the order PreSync < Sync < PostSync < SyncFail.
type Phase int

// The phases, in sync order; PreDelete and PostDelete only take part in
// deleting an application.
const (
	// PreSync runs before the application's resources are applied.
	PreSync Phase = iota + 1
	// Sync is the phase of every plain resource and of Sync hooks.
	Sync
	// PostSync runs after every Sync task has completed successfully.
	PostSync
	// SyncFail runs when any task of the sync fails.
	SyncFail
	// PreDelete runs before the resources of a deleted application go.
	PreDelete
	// PostDelete runs after the resources of a deleted application are gone.
	PostDelete
)

var phaseNames = [...]string{
	PreSync:    "PreSync",
	Sync:       "Sync",
	PostSync:   "PostSync",
	SyncFail:   "SyncFail",
	PreDelete:  "PreDelete",
	PostDelete: "PostDelete",
}

// String returns the phase's name as written in the hook annotation.
func (p Phase) String() string {
	if p > 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

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

// DeletePolicy says when Argo CD deletes a hook.
type DeletePolicy int

// The hook delete policies.
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

var deletePolicyNames = [...]string{
	BeforeHookCreation: "BeforeHookCreation",
	HookSucceeded:      "HookSucceeded",
	HookFailed:         "HookFailed",
}

// String returns the policy's name as written in the annotation.
func (d DeletePolicy) String() string {
	if d > 0 && int(d) < len(deletePolicyNames) {
		return deletePolicyNames[d]
	}
	return fmt.Sprintf("DeletePolicy(%d)", int(d))
}

// MarshalText encodes the policy as its name.
func (d DeletePolicy) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// ParseDeletePolicy returns the policy named s, as written in Argo CD's
// annotation (HookSucceeded) or Helm's (hook-succeeded).
func ParseDeletePolicy(s string) (DeletePolicy, bool) {
	switch s {
	case "BeforeHookCreation", "before-hook-creation":
		return BeforeHookCreation, true
	case "HookSucceeded", "hook-succeeded":
		return HookSucceeded, true
	case "HookFailed", "hook-failed":
		return HookFailed, true
	}
	return 0, false
}

// Action is what a step does with its objects.
type Action int

// The actions.
const (
	// Apply creates or updates the objects (and runs hooks).
	Apply Action = iota
	// Delete deletes the objects; only delete plans have such steps.
	Delete
)

// String returns "apply" or "delete".
func (a Action) String() string {
	switch a {
	case Apply:
		return "apply"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// MarshalText encodes the action as its name.
func (a Action) MarshalText() ([]byte, error) {
	return []byte(a.String()), nil
}

// Removal says whether Argo CD may remove an object, from the Prune and
// Delete sync options.
type Removal int

// The removal settings.
const (
	// RemoveAllowed is the default: the object is removed when due.
	RemoveAllowed Removal = iota
	// RemoveNever keeps the object (Prune=false, Delete=false).
	RemoveNever
	// RemoveConfirm removes the object only after a user confirms it
	// (Prune=confirm, Delete=confirm).
	RemoveConfirm
)

// String returns "", "false" or "confirm", the option's value.
func (r Removal) String() string {
	switch r {
	case RemoveNever:
		return "false"
	case RemoveConfirm:
		return "confirm"
	}
	return ""
}

// Switch is a sync option that can be turned on or off explicitly, or left
// to the application's default.
type Switch int

// The switch settings.
const (
	// Unset leaves the option to the application's setting.
	Unset Switch = iota
	// On turns the option on for this object (Option=true).
	On
	// Off turns the option off for this object (Option=false).
	Off
)

// String returns "", "true" or "false", the option's value.
func (s Switch) String() string {
	switch s {
	case On:
		return "true"
	case Off:
		return "false"
	}
	return ""
}

// SyncOptions are the per-object options of the
// argocd.argoproj.io/sync-options annotation.
type SyncOptions struct {
	// Prune is set by Prune=false or Prune=confirm.
	Prune Removal
	// Delete is set by Delete=false or Delete=confirm; it governs deleting
	// the application.
	Delete Removal
	// PruneLast (PruneLast=true) prunes the object after every other task
	// of the sync is healthy.
	PruneLast bool
	// Replace uses replace (or create) instead of apply.
	Replace Switch
	// Force (Force=true) deletes and recreates the object when it cannot be
	// updated.
	Force bool
	// ServerSideApply selects server-side or client-side apply.
	ServerSideApply Switch
	// NoValidate (Validate=false) turns off schema validation on apply.
	NoValidate bool
	// SkipDryRunOnMissingResource (SkipDryRunOnMissingResource=true) skips
	// the dry run when the object's kind is not known to the cluster yet.
	SkipDryRunOnMissingResource bool
	// ClientSideApplyMigration controls migrating client-side apply field
	// ownership when applying server-side.
	ClientSideApplyMigration Switch
}

// List returns the options that are set, as written in the annotation
// (e.g. "Prune=false"), in a fixed order.
func (o SyncOptions) List() []string {
	var l []string
	if o.Prune != RemoveAllowed {
		l = append(l, "Prune="+o.Prune.String())
	}
	if o.Delete != RemoveAllowed {
		l = append(l, "Delete="+o.Delete.String())
	}
	if o.PruneLast {
		l = append(l, "PruneLast=true")
	}
	if o.Replace != Unset {
		l = append(l, "Replace="+o.Replace.String())
	}
	if o.Force {
		l = append(l, "Force=true")
	}
	if o.ServerSideApply != Unset {
		l = append(l, "ServerSideApply="+o.ServerSideApply.String())
	}
	if o.NoValidate {
		l = append(l, "Validate=false")
	}
	if o.SkipDryRunOnMissingResource {
		l = append(l, "SkipDryRunOnMissingResource=true")
	}
	if o.ClientSideApplyMigration != Unset {
		l = append(l, "ClientSideApplyMigration="+o.ClientSideApplyMigration.String())
	}
	return l
}

// String returns the options that are set, comma-separated.
func (o SyncOptions) String() string {
	return strings.Join(o.List(), ",")
}
