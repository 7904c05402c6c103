package importer

import (
	"github.com/wavec/wavec/argocd"
)

// syncOptionFields writes the sync-options annotation as the fields every
// kind accepts. It reports false when the annotation says something those
// fields cannot (an unknown option, Prune=confirm, Force=true, ...).
func syncOptionFields(value string) ([]string, bool) {
	o, warnings := argocd.ParseSyncOptions(value)
	if len(warnings) > 0 {
		return nil, false
	}
	var fields []string
	rest := o
	switch o.Prune {
	case argocd.RemoveNever:
		fields = append(fields, "prune = false")
		rest.Prune = argocd.RemoveAllowed
	}
	switch o.Delete {
	case argocd.RemoveNever:
		fields = append(fields, "delete = false")
		rest.Delete = argocd.RemoveAllowed
	}
	if o.PruneLast {
		fields = append(fields, "prune_last = true")
		rest.PruneLast = false
	}
	switch o.ServerSideApply {
	case argocd.On:
		fields = append(fields, "server_side_apply = true")
	case argocd.Off:
		fields = append(fields, "server_side_apply = false")
	}
	rest.ServerSideApply = argocd.Unset
	switch o.Replace {
	case argocd.On:
		fields = append(fields, "replace = true")
	case argocd.Off:
		fields = append(fields, "replace = false")
	}
	rest.Replace = argocd.Unset
	if o.SkipDryRunOnMissingResource {
		fields = append(fields, "skip_dry_run = true")
		rest.SkipDryRunOnMissingResource = false
	}
	return fields, rest.String() == ""
}

// canonicalSyncOptions rewrites the sync-options annotation of ann in
// Argo CD's order, which is what it means: the order of the options does
// not matter to Argo CD.
func canonicalSyncOptions(ann map[string]any) {
	v, ok := ann[argocd.AnnotationSyncOptions].(string)
	if !ok {
		return
	}
	if o, warnings := argocd.ParseSyncOptions(v); len(warnings) == 0 {
		ann[argocd.AnnotationSyncOptions] = o.String()
	}
}
