package emit

import (
	"cmp"
	"slices"

	"github.com/wavec/wavec/argocd"
)

// entry returns what Argo CD's order knows of the document.
func (d *Document) entry() argocd.Entry {
	return argocd.Entry{
		Phase: d.Phase(),
		Wave:  int(d.Wave()),
		Kind:  d.key.kind,
		Name:  d.key.name,
	}
}

// sortDocuments puts documents in Argo CD's sync order (argocd.Compare:
// phase, with PreDelete, PostDelete and Skip after the sync phases, wave,
// kind, name), and then kind, namespace and apiVersion so that the order
// is total.
func sortDocuments(docs []*Document) {
	slices.SortStableFunc(docs, func(a, b *Document) int {
		ea, eb := a.entry(), b.entry()
		return cmp.Or(
			argocd.Compare(&ea, &eb),
			cmp.Compare(ea.Kind, eb.Kind),
			cmp.Compare(a.key.namespace, b.key.namespace),
			cmp.Compare(a.key.apiVersion, b.key.apiVersion),
		)
	})
}
