package check

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/source"
)

// traps reports the ordering mistakes that Argo CD accepts silently and that
// fail or hang a sync later (semantics.md, "Traps the checker should catch").
func (c *checker) traps() {
	byRes := map[*ir.Resource]*decl{}
	for _, d := range c.order_ {
		byRes[d.res] = d
	}
	for _, d := range c.order_ {
		r := d.res
		for _, rd := range r.Reads {
			c.checkRead(d, byRes[rd.Target], rd)
		}
		c.hookTraps(d)
	}
	c.loadBalancers()
	c.pvcs(byRes)
	c.hoisting()
}

// pos is where a resource runs in a sync: its phase and wave.
type pos struct {
	phase ir.Phase
	wave  int32
}

func (p pos) before(q pos) bool {
	if p.phase != q.phase {
		return p.phase < q.phase
	}
	return p.wave < q.wave
}

func posOf(r *ir.Resource) pos { return pos{r.Placement.FirstPhase(), r.Placement.Wave} }

// checkRead checks that the object a resource reads exists when it runs.
func (c *checker) checkRead(d, t *decl, rd *ir.Read) {
	r, tr := d.res, t.res
	if tr.External || r.Placement.FirstPhase() == ir.Skip {
		return
	}
	tp := tr.Placement.FirstPhase()
	for _, pr := range r.Placement.EffectivePhases() {
		switch {
		case pr == ir.SyncFail || pr == ir.PreDelete:
			continue
		case pr == ir.PostDelete:
			if !tr.Placement.IsHook() {
				c.errorf(rd.Span, CodeReadsAfterDelete, "%s reads %s, which is deleted before it runs", r.Describe(), tr.Describe()).
					Note(tr.NameSpan, "%s is deleted with the application, before PostDelete hooks run", tr.Ref()).
					Hint("give the hook its own copy as a postdelete hook in an earlier wave, e.g. `postdelete wave %d < %s %s-cleanup >`", r.Placement.Wave-1, tr.Kind, tr.Name)
			}
			continue
		}
		switch {
		case tp == ir.Skip || tp.Operation() != pr.Operation() || tp > pr:
			c.errorf(rd.Span, CodeReadsLaterPhase, "%s reads %s, which is created later", r.Describe(), tr.Describe()).
				Note(c.whereSpan(t), "%s is applied %s", tr.Describe(), where(tr)).
				Hint("%s", moveHint(pr, r, tr))
			return
		case tp == pr && tr.Placement.Wave > r.Placement.Wave:
			c.errorf(rd.Span, CodeReadsLaterWave, "%s reads %s, which is created in a later wave", r.Describe(), tr.Describe()).
				Note(c.whereSpan(t), "%s is applied %s", tr.Describe(), where(tr)).
				Note(c.whereSpan(d), "%s is applied %s", r.Describe(), where(r)).
				Hint("move %s into wave %d or earlier, e.g. `%s`", tr.Ref(), r.Placement.Wave, placementExample(phaseFor(tr, pr), r.Placement.Wave, tr))
			return
		}
	}
	if !r.Placement.IsHook() && tr.Placement.IsHook() && tr.Placement.HasDelete(ir.HookSucceeded) {
		c.errorf(rd.Span, CodeReadsDeletedHook, "%s reads %s, which is deleted when the sync succeeds", r.Describe(), tr.Describe()).
			Note(t.deleteSpan, "the hook is deleted on success here").
			Note(source.Span{}, "%s outlives the sync, and its Pods cannot start once %s is gone", r.Ref(), tr.Ref()).
			Hint("drop on-success from the hook's delete policy; `delete before-create` (the default) keeps it until the next sync")
	}
}

// phaseFor returns the phase a hint should put target t in so that a reader
// in phase p sees it: p itself, but a plain resource stays plain.
func phaseFor(t *ir.Resource, p ir.Phase) ir.Phase {
	if !t.Placement.IsHook() && p == ir.Sync {
		return ir.Sync
	}
	return p
}

// moveHint says how to create t before r, which runs in phase p.
func moveHint(p ir.Phase, r, t *ir.Resource) string {
	switch p {
	case ir.PreSync:
		return fmt.Sprintf("move it into a presync wave before the hook, e.g. `%s`", placementExample(ir.PreSync, r.Placement.Wave-1, t))
	case ir.Sync:
		return fmt.Sprintf("move it into wave %d or earlier, e.g. `%s`", r.Placement.Wave, placementExample(ir.Sync, r.Placement.Wave, t))
	}
	return fmt.Sprintf("move it into an earlier wave of the %s phase, e.g. `%s`", p.Annotation(), placementExample(p, r.Placement.Wave-1, t))
}

// hookTraps reports plain Jobs, hook Jobs that cannot be replaced and
// SyncFail hooks deleted on success.
func (c *checker) hookTraps(d *decl) {
	r := d.res
	pl := &r.Placement
	jobs := jobNames(r)
	if len(jobs) == 0 && pl.IsHook() && pl.HasDelete(ir.HookSucceeded) && hasPhase(pl, ir.SyncFail) {
		c.syncFailOnSuccess(d)
	}
	if len(jobs) == 0 {
		return
	}
	switch {
	case pl.FirstPhase() == ir.Skip:
	case !pl.IsHook():
		c.warnf(r.NameSpan, CodePlainJob, "%s is not a hook, so a changed Job fails the next sync", r.Ref()).
			Note(source.Span{}, "a Job's Pod template is immutable: applying a changed %s fails with \"field is immutable\"", jobs[0]).
			Hint("make it a hook, which Argo CD creates again on every sync, e.g. `sync %s` (or presync/postsync)", r.Ref())
	default:
		if hasPhase(pl, ir.SyncFail) && pl.HasDelete(ir.HookSucceeded) {
			c.syncFailOnSuccess(d)
		}
		if !pl.HasDelete(ir.BeforeHookCreation) && !(pl.HasDelete(ir.HookSucceeded) && pl.HasDelete(ir.HookFailed)) {
			var ws []string
			for _, p := range pl.Delete {
				ws = append(ws, p.String())
			}
			c.warnf(d.deleteSpan, CodeHookNotRecreated, "hook %q has no before-create, so a later sync cannot replace its Job", r.Name).
				Note(source.Span{}, "Argo CD keeps the old Job, and applying a changed Job fails with \"field is immutable\"").
				Hint("add before-create: `delete before-create, %s`", strings.Join(ws, ", "))
		}
	}
}

func (c *checker) syncFailOnSuccess(d *decl) {
	c.warnf(d.deleteSpan, CodeSyncFailOnSuccess, "syncfail hook %q is deleted on success, which never happens", d.res.Name).
		Note(source.Span{}, "SyncFail hooks run only when the sync fails, so HookSucceeded never deletes them").
		Hint("use `delete before-create, on-failure`")
}

// jobNames returns the Jobs a declaration creates, as "Job NAME".
func jobNames(r *ir.Resource) []string {
	if r.Kind == ir.Job {
		return []string{"Job " + quote(r.Name)}
	}
	var out []string
	if r.Object != nil {
		for _, u := range r.Object.Docs {
			if u.GetKind() == "Job" && strings.HasPrefix(u.GetAPIVersion(), "batch/") {
				out = append(out, "Job "+quote(u.GetName()))
			}
		}
	}
	return out
}

func hasPhase(pl *ir.Placement, p ir.Phase) bool {
	for _, x := range pl.EffectivePhases() {
		if x == p {
			return true
		}
	}
	return false
}

// loadBalancers warns about an Ingress or LoadBalancer Service followed by a
// later Sync wave: Argo CD waits for its address, which a cluster without
// the matching controller never gives.
func (c *checker) loadBalancers() {
	var last *decl
	for _, d := range c.order_ {
		r := d.res
		if r.External || posOf(r).phase != ir.Sync {
			continue
		}
		if last == nil || r.Placement.Wave > last.res.Placement.Wave {
			last = d
		}
	}
	if last == nil {
		return
	}
	for _, d := range c.order_ {
		r := d.res
		lb := r.Kind == ir.Ingress || r.Kind == ir.Service && r.Service != nil && r.Service.Type == ir.LoadBalancer
		if !lb || posOf(r).phase != ir.Sync || r.Placement.Wave >= last.res.Placement.Wave {
			continue
		}
		what := "an ingress controller"
		if r.Kind == ir.Service {
			what = "a load balancer controller"
		}
		at := c.whereSpan(d)
		c.warnf(at, CodeGatedLoadBalancer, "%s is in wave %d, and later waves wait until it has an address", r.Describe(), r.Placement.Wave).
			Note(c.whereSpan(last), "%s is applied %s", last.res.Describe(), where(last.res)).
			Note(source.Span{}, "on a cluster without %s the address never comes and the sync hangs", what).
			Hint("move it into the last wave, e.g. `wave %d < %s >`", last.res.Placement.Wave, r.Ref())
	}
}

// pvcs warns about a PVC applied in an earlier step than the first workload
// that mounts it: a WaitForFirstConsumer volume stays Pending until then.
func (c *checker) pvcs(byRes map[*ir.Resource]*decl) {
	first := map[*ir.Resource]*decl{}
	for _, d := range c.order_ {
		for _, rd := range d.res.Reads {
			t := rd.Target
			if t.Kind != ir.PVC || rd.Via != "mount" || d.res.Placement.FirstPhase() == ir.Skip {
				continue
			}
			if f, ok := first[t]; !ok || posOf(d.res).before(posOf(f.res)) {
				first[t] = d
			}
		}
	}
	for _, d := range c.order_ {
		r := d.res
		u, ok := first[r]
		if !ok || r.External || !posOf(r).before(posOf(u.res)) || posOf(r).phase == ir.Skip {
			continue
		}
		c.warnf(c.whereSpan(d), CodePVCBeforeConsumer, "pvc %q is applied before its first consumer", r.Name).
			Note(c.whereSpan(u), "%s mounts it %s", u.res.Describe(), where(u.res)).
			Note(source.Span{}, "a WaitForFirstConsumer volume stays Pending until a Pod uses it, so its wave never completes").
			Hint("put it in its consumer's wave, e.g. `%s`", placementExample(phaseFor(r, posOf(u.res).phase), u.res.Placement.Wave, r))
	}
}

// hoisting reports a Namespace or CRD applied after its first user, which
// Argo CD silently moves in front of that user.
func (c *checker) hoisting() {
	type user struct {
		d    *decl
		what string
	}
	for _, d := range c.order_ {
		r := d.res
		if r.Object == nil || r.Placement.FirstPhase().Operation() != 1 {
			continue
		}
		for _, u := range r.Object.Docs {
			var first *user
			consider := func(o *decl, what string) {
				if o == d || o.res.External || o.res.Placement.FirstPhase().Operation() != 1 {
					return
				}
				if first == nil || posOf(o.res).before(posOf(first.d.res)) {
					first = &user{o, what}
				}
			}
			switch {
			case u.GetKind() == "Namespace" && u.GetAPIVersion() == "v1":
				ns := u.GetName()
				for _, o := range c.order_ {
					if o.res.Object == nil {
						if ns == c.p.Namespace && o.res.Kind != ir.Object && !o.res.Kind.ClusterScoped() {
							consider(o, "")
						}
						continue
					}
					for _, x := range o.res.Object.Docs {
						if x.GetNamespace() == ns {
							consider(o, fmt.Sprintf("%s %q", x.GetKind(), x.GetName()))
							break
						}
					}
				}
			case isCRD(u):
				group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
				kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
				for _, o := range c.order_ {
					if o.res.Object == nil {
						continue
					}
					for _, x := range o.res.Object.Docs {
						gv, _ := schema.ParseGroupVersion(x.GetAPIVersion())
						if gv.Group == group && x.GetKind() == kind {
							consider(o, fmt.Sprintf("%s %q", x.GetKind(), x.GetName()))
							break
						}
					}
				}
			default:
				continue
			}
			if first == nil || !posOf(first.d.res).before(posOf(r)) {
				continue
			}
			fr := first.d.res
			who := fr.Describe()
			if first.what != "" {
				who = first.what + " (" + fr.Ref() + ")"
			}
			c.errorf(c.whereSpan(d), CodeHoisted, "%s %q in object %q is applied after its first user", u.GetKind(), u.GetName(), r.Name).
				Note(c.whereSpan(first.d), "%s needs it %s", who, where(fr)).
				Note(source.Span{}, "Argo CD would silently apply it earlier than the pipeline says").
				Hint("place it before its users, e.g. `%s`", placementExample(phaseFor(r, posOf(fr).phase), fr.Placement.Wave-1, r))
		}
	}
}
