package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/source"
)

// traps reports the ordering mistakes that Argo CD accepts silently and that
// fail or hang a sync later (docs/semantics.md, "Traps the checker catches").
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
	c.hpaTargets()
	c.pvcs(byRes)
	c.hoisting()
}

// pos is where a resource runs in a sync: its phase and wave.
type pos struct {
	phase argocd.Phase
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
	if tr.External || r.Placement.FirstPhase() == argocd.Skip {
		return
	}
	tp := tr.Placement.FirstPhase()
	for _, pr := range r.Placement.EffectivePhases() {
		switch {
		case pr == argocd.SyncFail || pr == argocd.PreDelete:
			continue
		case pr == argocd.PostDelete:
			if !tr.Placement.IsHook() {
				c.errorf(rd.Span, CodeReadsAfterDelete, "%s reads %s, which is deleted before it runs", r.Describe(), tr.Describe()).
					Note(tr.NameSpan, "%s is deleted with the application, before PostDelete hooks run", tr.Ref()).
					Hint("give the hook its own copy as a postdelete hook in an earlier wave, e.g. `postdelete wave %d < %s %s-cleanup >`", r.Placement.Wave-1, tr.Kind, tr.Name)
			}
			continue
		}
		switch {
		case tp == argocd.Skip || tp.Operation() != pr.Operation() || tp > pr:
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
	if !r.Placement.IsHook() && tr.Placement.IsHook() && tr.Placement.HasDelete(argocd.HookSucceeded) {
		c.errorf(rd.Span, CodeReadsDeletedHook, "%s reads %s, which is deleted when the sync succeeds", r.Describe(), tr.Describe()).
			Note(t.deleteSpan, "the hook is deleted on success here").
			Note(source.Span{}, "%s outlives the sync, and its Pods cannot start once %s is gone", r.Ref(), tr.Ref()).
			Hint("make %s a plain resource in an early wave (`wave -1 < %s >`), and run the hooks that read it as Sync hooks after it; or give the hook a copy of its own", tr.Ref(), tr.Ref())
	} else if !r.Placement.IsHook() && tr.Placement.IsHook() {
		c.warnf(rd.Span, CodeReadsHook, "%s outlives the sync but reads %s", r.Describe(), tr.Describe()).
			Note(c.whereSpan(t), "%s is applied %s", tr.Describe(), where(tr)).
			Note(source.Span{}, "Argo CD does not diff hooks, so a commit that changes only %s leaves the application Synced, and before-create deletes and re-creates it on every sync while %s reads it", tr.Ref(), r.Ref()).
			Hint("make %s a plain resource in an early wave (`wave -1 < %s >`), and run the hooks that read it as Sync hooks after it; or give the hooks a copy of their own", tr.Ref(), tr.Ref())
	}
}

// hpaTargets reports an HPA applied before the workload it scales, an hpa
// or a HorizontalPodAutoscaler in an object alike. The autoscaler looks at
// a new HorizontalPodAutoscaler at once, and when its target does not exist
// yet it sets AbleToScale to False with reason FailedGetScale until it looks
// again, 15 seconds later by default; Argo CD judges such an HPA Degraded
// and fails the sync while it waits for the HPA's step. Within one step
// Argo CD applies the kinds in its kind order, HorizontalPodAutoscalers
// after Deployments but before StatefulSets.
func (c *checker) hpaTargets() {
	var byID map[identity]*decl
	for _, d := range c.order_ {
		r := d.res
		if r.Placement.FirstPhase() == argocd.Skip {
			continue
		}
		if r.HPA != nil {
			t := r.HPA.Target
			if t == nil || t.External {
				continue
			}
			td := c.decls[declKey{t.Kind, t.Name}]
			if td == nil {
				continue
			}
			at := r.NameSpan
			if e := d.fieldEntry("target"); e != nil {
				at = span(entryValue(e))
			}
			c.hpaBefore(at, d, td, r.Describe(), t.Describe(), t.Kind == ir.StatefulSet)
			continue
		}
		if r.Object == nil {
			continue
		}
		for i, u := range r.Object.Docs {
			if u.GroupVersionKind().GroupKind() != (schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}) {
				continue
			}
			kind, _, _ := unstructured.NestedString(u.Object, "spec", "scaleTargetRef", "kind")
			name, _, _ := unstructured.NestedString(u.Object, "spec", "scaleTargetRef", "name")
			apiVersion, _, _ := unstructured.NestedString(u.Object, "spec", "scaleTargetRef", "apiVersion")
			gv, err := schema.ParseGroupVersion(apiVersion)
			if err != nil || name == "" {
				continue
			}
			if byID == nil {
				byID = c.identities()
			}
			td := byID[identity{gv.Group, kind, u.GetNamespace(), name}]
			if td == nil {
				continue
			}
			hpa := fmt.Sprintf("HorizontalPodAutoscaler %q of %s", u.GetName(), r.Ref())
			target := fmt.Sprintf("%s %q", kind, name)
			if td.res.Object != nil {
				target += " of " + td.res.Ref()
			}
			c.hpaBefore(d.docAt[i], d, td, hpa, target, gv.Group == "apps" && kind == "StatefulSet")
		}
	}
}

// hpaBefore reports HPA d, described as hpa, when it is applied before
// target td, described as target; sts says that the target is a
// StatefulSet, which Argo CD applies after HPAs within a step.
func (c *checker) hpaBefore(at source.Span, d, td *decl, hpa, target string, sts bool) {
	r, t := d.res, td.res
	hp, tp := posOf(r), posOf(t)
	switch {
	case t.Placement.FirstPhase() == argocd.Skip || hp.before(tp):
		c.errorf(at, CodeHPABeforeTarget, "%s scales %s, which is created later", hpa, target).
			Note(c.whereSpan(td), "%s is applied %s", t.Describe(), where(t)).
			Note(c.whereSpan(d), "%s is applied %s", r.Describe(), where(r)).
			Note(source.Span{}, "until %s exists the autoscaler cannot get its scale, and Argo CD fails the sync on the Degraded HPA", target).
			Hint("apply %s no earlier than its target: move it into a later wave, e.g. `%s`, or %s into an earlier one", r.Ref(), placementExample(phaseFor(r, tp.phase), t.Placement.Wave, r), t.Ref())
	case hp == tp && sts:
		c.errorf(at, CodeHPABeforeTarget, "%s scales %s, which Argo CD applies after it in the same wave", hpa, target).
			Note(c.whereSpan(d), "both are applied %s, and Argo CD applies HorizontalPodAutoscalers before StatefulSets", where(r)).
			Note(source.Span{}, "until %s exists the autoscaler cannot get its scale, and Argo CD fails the sync on the Degraded HPA", target).
			Hint("move %s into a later wave, e.g. `%s`", r.Ref(), placementExample(phaseFor(r, tp.phase), t.Placement.Wave+1, r))
	}
}

// identities indexes the declarations by the objects they create.
func (c *checker) identities() map[identity]*decl {
	byID := map[identity]*decl{}
	for _, d := range c.order_ {
		r := d.res
		if r.Object == nil {
			if id, ok := c.typedIdentity(r); ok {
				byID[id] = d
			}
			continue
		}
		for _, u := range r.Object.Docs {
			if u.GetName() == "" {
				continue
			}
			gv, _ := schema.ParseGroupVersion(u.GetAPIVersion())
			if id := (identity{gv.Group, u.GetKind(), u.GetNamespace(), u.GetName()}); byID[id] == nil {
				byID[id] = d
			}
		}
	}
	return byID
}

// phaseFor returns the phase a hint should put target t in so that a reader
// in phase p sees it: p itself, but a plain resource stays plain.
func phaseFor(t *ir.Resource, p argocd.Phase) argocd.Phase {
	if !t.Placement.IsHook() && p == argocd.Sync {
		return argocd.Sync
	}
	return p
}

// moveHint says how to create t before r, which runs in phase p.
func moveHint(p argocd.Phase, r, t *ir.Resource) string {
	switch p {
	case argocd.PreSync:
		if !t.Placement.IsHook() {
			return fmt.Sprintf("run %s as a Sync hook after it instead: write `sync wave %d` in place of `presync` (and of a wave it gives) in the hook's statement, and put what needs the hook in later waves (see grammar.md, \"Configuration a hook reads\")", r.Ref(), t.Placement.Wave+1)
		}
		return fmt.Sprintf("move it into a presync wave before the hook, e.g. `%s`", placementExample(argocd.PreSync, r.Placement.Wave-1, t))
	case argocd.Sync:
		return fmt.Sprintf("move it into wave %d or earlier, e.g. `%s`", r.Placement.Wave, placementExample(argocd.Sync, r.Placement.Wave, t))
	}
	return fmt.Sprintf("move it into an earlier wave of the %s phase, e.g. `%s`", p, placementExample(p, r.Placement.Wave-1, t))
}

// hookTraps reports plain Jobs, hook Jobs that cannot be replaced and
// SyncFail hooks deleted on success.
func (c *checker) hookTraps(d *decl) {
	r := d.res
	pl := &r.Placement
	jobs := jobNames(r)
	if len(jobs) == 0 && pl.IsHook() && pl.HasDelete(argocd.HookSucceeded) && hasPhase(pl, argocd.SyncFail) {
		c.syncFailOnSuccess(d)
	}
	if len(jobs) == 0 {
		return
	}
	switch {
	case pl.FirstPhase() == argocd.Skip:
	case !pl.IsHook():
		c.warnf(r.NameSpan, CodePlainJob, "%s is not a hook, so a changed Job fails the next sync", r.Ref()).
			Note(source.Span{}, "a Job's Pod template is immutable: applying a changed %s fails with \"field is immutable\"", jobs[0]).
			Hint("make it a hook, which Argo CD creates again on every sync, e.g. `sync %s` (or presync/postsync)", r.Ref())
	default:
		if hasPhase(pl, argocd.SyncFail) && pl.HasDelete(argocd.HookSucceeded) {
			c.syncFailOnSuccess(d)
		}
		// A SyncFail hook runs only when the sync fails, so on-failure
		// always deletes it.
		syncFailOnly := len(pl.Phases) == 1 && pl.Phases[0] == argocd.SyncFail
		if !pl.HasDelete(argocd.BeforeHookCreation) && !(pl.HasDelete(argocd.HookSucceeded) && pl.HasDelete(argocd.HookFailed)) && !(syncFailOnly && pl.HasDelete(argocd.HookFailed)) {
			var ws []string
			for _, p := range pl.Delete {
				ws = append(ws, p.Keyword())
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

// jobNames returns the Jobs a declaration creates, as "Job NAME". A hook
// Job named by generateName is a new Job at each sync, which no old one
// stands in the way of, so it is left out.
func jobNames(r *ir.Resource) []string {
	if r.Kind == ir.Job {
		if r.GenerateName != "" {
			return nil
		}
		return []string{"Job " + strconv.Quote(r.Name)}
	}
	var out []string
	if r.Object != nil {
		for _, u := range r.Object.Docs {
			if u.GetKind() == "Job" && strings.HasPrefix(u.GetAPIVersion(), "batch/") && u.GetName() != "" {
				out = append(out, "Job "+strconv.Quote(u.GetName()))
			}
		}
	}
	return out
}

func hasPhase(pl *ir.Placement, p argocd.Phase) bool {
	return slices.Contains(pl.EffectivePhases(), p)
}

// loadBalancers warns about an Ingress or LoadBalancer Service followed by a
// later Sync wave: Argo CD waits for its address, which a cluster without
// the matching controller never gives.
func (c *checker) loadBalancers() {
	var last *decl
	for _, d := range c.order_ {
		r := d.res
		if r.External || posOf(r).phase != argocd.Sync {
			continue
		}
		if last == nil || r.Placement.Wave > last.res.Placement.Wave {
			last = d
		}
	}
	if last == nil {
		return
	}
	// PostSync hooks run only once every Sync resource is Healthy, so they
	// wait for the address as later waves do.
	var post *decl
	for _, d := range c.order_ {
		if hasPhase(&d.res.Placement, argocd.PostSync) && post == nil {
			post = d
		}
	}
	for _, d := range c.order_ {
		r := d.res
		lb := r.Kind == ir.Ingress || r.Kind == ir.Service && r.Service != nil && r.Service.Type == ir.LoadBalancer
		if !lb || posOf(r).phase != argocd.Sync || r.Placement.Wave >= last.res.Placement.Wave && post == nil {
			continue
		}
		what := "an ingress controller"
		if r.Kind == ir.Service {
			what = "a load balancer controller"
		}
		at := c.whereSpan(d)
		if r.Placement.Wave >= last.res.Placement.Wave {
			c.warnf(at, CodeGatedLoadBalancer, "%s is in the last Sync wave, and the PostSync hooks wait until it has an address", r.Describe()).
				Note(c.whereSpan(post), "%s runs only once every Sync resource is Healthy", post.res.Describe()).
				Note(source.Span{}, "on a cluster without %s the address never comes and the sync hangs", what).
				Hint("sync only to clusters with %s, or drop the postsync hooks: no wave is late enough for them not to wait", what)
			continue
		}
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
			if t.Kind != ir.PVC || rd.Via != "mount" || d.res.Placement.FirstPhase() == argocd.Skip {
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
		if !ok || r.External || !posOf(r).before(posOf(u.res)) || posOf(r).phase == argocd.Skip {
			continue
		}
		c.warnf(c.whereSpan(d), CodePVCBeforeConsumer, "pvc %q is applied before its first consumer", r.Name).
			Note(c.whereSpan(u), "%s mounts it %s", u.res.Describe(), where(u.res)).
			Note(source.Span{}, "a WaitForFirstConsumer volume stays Pending until a Pod uses it, so its wave never completes").
			Hint("put it in its consumer's wave, e.g. `%s`", placementExample(phaseFor(r, posOf(u.res).phase), u.res.Placement.Wave, r))
	}
}

// hoisting reports a Namespace or CRD of an object that is applied after
// its first user: Argo CD silently moves it in front of that user. The
// pipeline's tasks are ordered and moved by argocd.Compare and argocd.Hoist,
// the very order `plan` and `run` follow.
func (c *checker) hoisting() {
	type task struct {
		e   argocd.Entry
		d   *decl
		doc *unstructured.Unstructured // nil for a built-in kind
	}
	var tasks []*task
	for _, d := range c.order_ {
		r := d.res
		if r.External || (r.Object == nil && r.Kind == ir.Object) {
			continue
		}
		for _, ph := range r.Placement.EffectivePhases() {
			if ph.Operation() != argocd.Syncing {
				continue
			}
			at := argocd.Entry{Phase: ph, Wave: int(r.Placement.Wave), Namespace: c.p.Namespace}
			if r.Object == nil {
				e := at
				e.Group, e.Kind, e.Name = kindGroup(r.Kind), r.Kind.KubeKind(), r.Name
				if r.Kind.ClusterScoped() {
					e.Namespace = ""
				}
				tasks = append(tasks, &task{e: e, d: d})
				continue
			}
			for _, u := range r.Object.Docs {
				e := at
				gv, _ := schema.ParseGroupVersion(u.GetAPIVersion())
				e.Group, e.Kind, e.Name = gv.Group, u.GetKind(), u.GetName()
				if ns := u.GetNamespace(); ns != "" {
					e.Namespace = ns
				}
				if isCRD(u) {
					group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
					kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
					e.Defines = group + "/" + kind
				}
				tasks = append(tasks, &task{e: e, d: d, doc: u})
			}
		}
	}
	slices.SortStableFunc(tasks, func(a, b *task) int { return argocd.Compare(&a.e, &b.e) })
	moves := argocd.Hoist(tasks,
		func(t *task) argocd.Entry { return t.e },
		func(t *task, s argocd.Step) { t.e.Phase, t.e.Wave = s.Phase, s.Wave })
	reported := map[*unstructured.Unstructured]bool{}
	for _, m := range moves {
		t, user := m.Task, m.User
		if t.doc == nil || user.d == t.d || reported[t.doc] {
			continue
		}
		reported[t.doc] = true
		r, fr := t.d.res, user.d.res
		who := fr.Describe()
		if user.doc != nil {
			who = fmt.Sprintf("%s %q (%s)", user.doc.GetKind(), user.doc.GetName(), fr.Ref())
		}
		c.errorf(c.whereSpan(t.d), CodeHoisted, "%s %q in object %q is applied after its first user", t.doc.GetKind(), t.doc.GetName(), r.Name).
			Note(c.whereSpan(user.d), "%s needs it %s", who, where(fr)).
			Note(source.Span{}, "Argo CD would silently apply it earlier than the pipeline says").
			Hint("place it before its users, e.g. `%s`", placementExample(phaseFor(r, user.e.Phase), fr.Placement.Wave-1, r))
	}
}
