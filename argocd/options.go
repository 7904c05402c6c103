package argocd

import (
	"fmt"
	"slices"
	"strings"
)

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

// syncOption is one per-resource sync option: how it is written and what
// it sets.
type syncOption struct {
	text string
	set  func(*SyncOptions)
	is   func(SyncOptions) bool
}

// syncOptions are the per-resource options in the order List writes them.
var syncOptions = []syncOption{
	{"Prune=false", func(o *SyncOptions) { o.Prune = RemoveNever }, func(o SyncOptions) bool { return o.Prune == RemoveNever }},
	{"Prune=confirm", func(o *SyncOptions) { o.Prune = RemoveConfirm }, func(o SyncOptions) bool { return o.Prune == RemoveConfirm }},
	{"Delete=false", func(o *SyncOptions) { o.Delete = RemoveNever }, func(o SyncOptions) bool { return o.Delete == RemoveNever }},
	{"Delete=confirm", func(o *SyncOptions) { o.Delete = RemoveConfirm }, func(o SyncOptions) bool { return o.Delete == RemoveConfirm }},
	{"PruneLast=true", func(o *SyncOptions) { o.PruneLast = true }, func(o SyncOptions) bool { return o.PruneLast }},
	{"Replace=true", func(o *SyncOptions) { o.Replace = On }, func(o SyncOptions) bool { return o.Replace == On }},
	{"Replace=false", func(o *SyncOptions) { o.Replace = Off }, func(o SyncOptions) bool { return o.Replace == Off }},
	{"Force=true", func(o *SyncOptions) { o.Force = true }, func(o SyncOptions) bool { return o.Force }},
	{"ServerSideApply=true", func(o *SyncOptions) { o.ServerSideApply = On }, func(o SyncOptions) bool { return o.ServerSideApply == On }},
	{"ServerSideApply=false", func(o *SyncOptions) { o.ServerSideApply = Off }, func(o SyncOptions) bool { return o.ServerSideApply == Off }},
	{"Validate=false", func(o *SyncOptions) { o.NoValidate = true }, func(o SyncOptions) bool { return o.NoValidate }},
	{"SkipDryRunOnMissingResource=true", func(o *SyncOptions) { o.SkipDryRunOnMissingResource = true }, func(o SyncOptions) bool { return o.SkipDryRunOnMissingResource }},
	{"ClientSideApplyMigration=true", func(o *SyncOptions) { o.ClientSideApplyMigration = On }, func(o SyncOptions) bool { return o.ClientSideApplyMigration == On }},
	{"ClientSideApplyMigration=false", func(o *SyncOptions) { o.ClientSideApplyMigration = Off }, func(o SyncOptions) bool { return o.ClientSideApplyMigration == Off }},
}

// syncOptionNames are the per-resource options, for suggestions.
var syncOptionNames = func() []string {
	names := make([]string, len(syncOptions))
	for i, o := range syncOptions {
		names[i] = o.text
	}
	return names
}()

// applicationOptions are sync options that only mean something on an
// Application, not on a resource.
var applicationOptions = []string{"ApplyOutOfSyncOnly", "CreateNamespace", "PrunePropagationPolicy", "FailOnSharedResource", "RespectIgnoreDifferences"}

// List returns the options that are set, as written in the annotation
// (e.g. "Prune=false"), in a fixed order.
func (o SyncOptions) List() []string {
	var l []string
	for _, so := range syncOptions {
		if so.is(o) {
			l = append(l, so.text)
		}
	}
	return l
}

// String returns the options that are set, comma-separated.
func (o SyncOptions) String() string {
	return strings.Join(o.List(), ",")
}

// ParseSyncOptions reads the value of the sync-options annotation as Argo
// CD does, and returns a warning for each option it ignores.
func ParseSyncOptions(value string) (SyncOptions, []string) {
	var (
		o    SyncOptions
		warn []string
	)
	for _, v := range SplitList(value) {
		i := slices.IndexFunc(syncOptions, func(so syncOption) bool { return so.text == v })
		if i >= 0 {
			syncOptions[i].set(&o)
			continue
		}
		name, _, _ := strings.Cut(v, "=")
		if slices.Contains(applicationOptions, name) {
			warn = append(warn, fmt.Sprintf("sync option %q only has an effect on an Application, not on a resource", v))
		} else {
			warn = append(warn, fmt.Sprintf("unknown sync option %q in %s%s", v, AnnotationSyncOptions, suggestOption(v)))
		}
	}
	return o, warn
}
