package apply

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/runtime/progress"
)

// dryRun validates every task with a server-side dry run, as Argo CD does
// before the first step, and returns a message naming every task the
// server rejected ("" when all passed). Tasks that cannot be validated yet
// are counted and named in the Validated event: custom resources of a CRD
// the sync creates, and objects in a namespace the sync creates.
func (s *syncRun) dryRun(ctx context.Context) string {
	created := map[string]bool{} // namespaces the sync creates
	if s.opts.CreateNamespace {
		created[s.opts.Namespace] = true
	}
	crds := map[schema.GroupKind]bool{}
	accounts := map[string]bool{} // "namespace/name" of ServiceAccounts the sync creates
	for _, t := range s.allTasks() {
		switch t.obj.GroupVersionKind().GroupKind() {
		case schema.GroupKind{Kind: "ServiceAccount"}:
			accounts[t.obj.GetNamespace()+"/"+t.obj.GetName()] = true
		case schema.GroupKind{Kind: "Namespace"}:
			created[t.obj.GetName()] = true
		case crdGVK.GroupKind():
			for gk := range crdScopes(t.objs(), func(u *unstructured.Unstructured) *unstructured.Unstructured { return u }) {
				crds[gk] = true
			}
		}
	}
	tasks := s.allTasks()
	skipped := make([]string, len(tasks))
	msgs := parallel(tasks, func(t *task) string {
		if t.mapping == nil {
			if crds[t.obj.GroupVersionKind().GroupKind()] {
				skipped[indexOf(tasks, t)] = t.ref() + " (its CustomResourceDefinition is created by this sync)"
				return ""
			}
			m, err := s.k.mapping(t.obj.GroupVersionKind())
			if err != nil {
				return fmt.Sprintf("%s: %s", t.ref(), explain(err))
			}
			t.mapping = m
		}
		err := s.dryRunTask(ctx, t)
		switch {
		case err == nil:
			return ""
		case isNamespaceNotFound(err) && created[t.obj.GetNamespace()]:
			skipped[indexOf(tasks, t)] = t.ref() + " (namespace " + t.obj.GetNamespace() + " is created by this sync)"
			return ""
		}
		if sa := missingServiceAccount(err); sa != "" {
			ns, name, _ := strings.Cut(sa, "/")
			if accounts[sa] || name == "default" && created[ns] {
				skipped[indexOf(tasks, t)] = t.ref() + " (ServiceAccount " + sa + " is created by this sync)"
				return ""
			}
		}
		return fmt.Sprintf("%s: %s", t.ref(), explain(err))
	})
	if len(msgs) > 0 {
		sort.Strings(msgs)
		return "server-side dry run failed, nothing was applied: " + strings.Join(msgs, "; ")
	}
	var notValidated []string
	for _, sk := range skipped {
		if sk != "" {
			notValidated = append(notValidated, sk)
		}
	}
	msg := fmt.Sprintf("%d of %d tasks passed a server-side dry run", len(tasks)-len(notValidated), len(tasks))
	if len(notValidated) > 0 {
		msg += "; not validated yet: " + strings.Join(notValidated, ", ")
	}
	s.em.emit(progress.Event{Type: progress.Validated, Message: msg})
	return ""
}

func indexOf(tasks []*task, t *task) int {
	for i, x := range tasks {
		if x == t {
			return i
		}
	}
	return -1
}

// dryRunTask asks the server to validate what the task will do.
func (s *syncRun) dryRunTask(ctx context.Context, t *task) error {
	ns, name := t.obj.GetNamespace(), t.obj.GetName()
	switch {
	case t.action != actApply:
		policy := metav1.DeletePropagationBackground
		err := s.k.delete(ctx, t.mapping, ns, name, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}, PropagationPolicy: &policy})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	case t.hook && t.beforeCreation:
		// The hook is created afresh: validate a create, under a
		// generated name when an old instance still holds its own.
		_, err := s.k.create(ctx, t.mapping, t.obj, s.writeOpts(t, true))
		if apierrors.IsAlreadyExists(err) {
			o := t.obj.DeepCopy()
			o.SetName("")
			o.SetGenerateName(name[:min(len(name), 50)])
			_, err = s.k.create(ctx, t.mapping, o, s.writeOpts(t, true))
		}
		return err
	case t.replace:
		_, err := s.k.replace(ctx, t.mapping, t.obj, s.writeOpts(t, true))
		return err
	}
	_, err := s.k.apply(ctx, t.mapping, t.obj, s.writeOpts(t, true))
	if err != nil && t.force && (apierrors.IsInvalid(err) || apierrors.IsConflict(err)) {
		// Force=true recreates the object when it cannot be updated.
		return nil
	}
	return err
}

// lookupServiceAccount matches the ServiceAccount admission plugin's error
// for a Pod whose ServiceAccount does not exist.
var lookupServiceAccount = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`error looking up service account ([a-z0-9.-]+/[a-z0-9.-]+)`)
})

// missingServiceAccount returns "namespace/name" of the ServiceAccount
// whose absence made the server reject a Pod, or "".
func missingServiceAccount(err error) string {
	if !apierrors.IsForbidden(err) {
		return ""
	}
	if m := lookupServiceAccount().FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}
