package check

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// place records the `after` edges and what every wave and hook statement
// says about its members.
func (c *checker) place() {
	c.objectNamespaces()
	for _, d := range c.order_ {
		var targets []*syntax.Target
		if d.node != nil {
			targets = d.node.After
		} else {
			targets = d.obj.After
		}
		if len(targets) > 0 && d.res.External {
			c.errorf(span(targets[0]), CodeExternalPlaced, "external %s %q cannot wait for anything", d.res.Kind, d.res.Name).
				Hint("wavec never applies an external %s; remove the after", d.res.Kind)
			continue
		}
		c.addEdges(d, targets)
	}
	for _, f := range c.files {
		for _, decl := range f.Decls {
			switch {
			case decl.Wave != nil:
				w, ok := c.waveNumber(decl.Wave.Number)
				if !ok {
					continue
				}
				for _, m := range decl.Wave.Members {
					if d := c.member(m); d != nil {
						c.setPlacement(d, m, nil, w, span(decl.Wave.Number))
					}
				}
			case decl.Hook != nil:
				c.hook(decl.Hook)
			}
		}
	}
}

// waveNumber parses a wave number, which must fit an int32.
func (c *checker) waveNumber(n *syntax.Number) (int32, bool) {
	v, err := strconv.ParseInt(n.Text, 10, 64)
	if err != nil || v < math.MinInt32 || v > math.MaxInt32 {
		c.errorf(span(n), CodeRange, "wave %s is not a whole number between %d and %d", n.Text, math.MinInt32, math.MaxInt32).
			Hint("waves are integers such as -1, 0 or 3")
		return 0, false
	}
	return int32(v), true
}

// addEdges records `after` targets of d.
func (c *checker) addEdges(d *decl, targets []*syntax.Target) {
	for _, t := range targets {
		td := c.target(t)
		if td == nil {
			continue
		}
		if td == d {
			c.errorf(span(t), CodeCycle, "%s waits for itself", d.res.Describe()).
				Hint("remove %s from its own after", d.res.Ref())
			continue
		}
		d.res.After = append(d.res.After, &ir.Edge{Target: td.res, Span: span(t)})
	}
}

// setPlacement places d as a member m of a wave statement (h nil) or a hook.
func (c *checker) setPlacement(d *decl, m *syntax.Member, h *syntax.Hook, wave int32, waveSpan source.Span) {
	r := d.res
	if d.placedBy != nil {
		c.errorf(span(m), CodePlacedTwice, "%s is placed twice", r.Ref()).
			Note(span(d.placedBy), "it is first placed here").
			Hint("name each resource in one wave or hook statement only")
		return
	}
	if r.External {
		c.errorf(span(m), CodeExternalPlaced, "external %s %q cannot be in a wave or hook", r.Kind, r.Name).
			Note(r.NameSpan, "it is declared external here").
			Hint("wavec never applies an external %s, so it has no wave; remove it from the statement", r.Kind)
		return
	}
	d.placedBy, d.hook = m, h
	r.Placement.Span = span(m)
	if waveSpan.IsValid() {
		r.Placement.Wave, r.Placement.Explicit = wave, true
		d.waveSpan = waveSpan
	}
}

// hook checks a hook statement and places its members.
func (c *checker) hook(h *syntax.Hook) {
	var phases []argocd.Phase
	seen := map[argocd.Phase]bool{}
	for _, pw := range h.Phases {
		p, _ := argocd.ParsePhaseKeyword(pw.Value)
		if seen[p] {
			c.errorf(span(pw), CodeRepeated, "phase %s is given twice", pw.Value).Hint("remove one of them")
			continue
		}
		seen[p] = true
		phases = append(phases, p)
	}
	if seen[argocd.Skip] && len(phases) > 1 {
		c.errorf(span(h.Phases[0]), CodeNotHere, "skip cannot be combined with other phases").
			Hint("skip objects are never applied; write `skip NAME` on its own")
	}
	var wave int32
	var waveSpan source.Span
	if h.Wave != nil {
		w, ok := c.waveNumber(h.Wave)
		if ok {
			wave, waveSpan = w, span(h.Wave)
		}
	}
	var pl ir.Placement
	var deleteSpan source.Span
	var targets []*syntax.Target
	optSeen := map[string]*syntax.HookOption{}
	for _, o := range h.Options {
		name := "after"
		switch {
		case o.Delete != nil:
			name = "delete"
		case o.Timeout != nil:
			name = "timeout"
		case o.Retries != nil:
			name = "retries"
		}
		if prev, ok := optSeen[name]; ok && name != "after" {
			c.errorf(span(o), CodeRepeated, "option %s is given twice", name).
				Note(span(prev), "first given here").Hint("give it once; policies combine as `delete on-success, on-failure`")
			continue
		}
		optSeen[name] = o
		if seen[argocd.Skip] && name != "after" {
			c.errorf(span(o), CodeSkipOptions, "skip members are never applied, so %s does not apply", name).
				Hint("remove the option")
			continue
		}
		switch name {
		case "delete":
			deleteSpan = span(o)
			have := map[argocd.DeletePolicy]bool{}
			for _, id := range o.Delete {
				dp, ok := argocd.ParseDeletePolicyKeyword(id.Value)
				if !ok {
					d := c.errorf(id.Span(), CodeEnum, "%q is not a delete policy", id.Value)
					if s := diag.Suggest(id.Value, argocd.DeletePolicyKeywords); s != "" {
						d.Hint("did you mean %q?", s)
					} else {
						d.Hint("the policies are on-success, on-failure and before-create")
					}
					continue
				}
				if have[dp] {
					c.errorf(id.Span(), CodeRepeated, "delete policy %s is given twice", id.Value).Hint("remove one of them")
					continue
				}
				have[dp] = true
				pl.Delete = append(pl.Delete, dp)
			}
		case "timeout":
			pl.Timeout, _ = c.duration(o.Timeout, "timeout", true)
		case "retries":
			if n, ok := c.integer(o.Retries, "retries", 0, math.MaxInt32); ok {
				v := int32(n)
				pl.Retries = &v
			}
		case "after":
			if seen[argocd.Skip] {
				c.errorf(span(o), CodeAfterLaterPhase, "skip members are never applied, so they wait for nothing").
					Hint("remove the after")
				continue
			}
			targets = append(targets, o.After...)
		}
	}
	for _, m := range h.AllMembers() {
		d := c.member(m)
		if d == nil {
			continue
		}
		before := d.placedBy
		c.setPlacement(d, m, h, wave, waveSpan)
		if d.placedBy == before || d.placedBy != m {
			continue
		}
		r := d.res
		r.Placement.Phases = phases
		r.Placement.Delete = pl.Delete
		r.Placement.Timeout = pl.Timeout
		r.Placement.Retries = pl.Retries
		d.deleteSpan = deleteSpan
		if pl.Retries != nil {
			if r.Kind != ir.Job {
				c.errorf(span(optSeen["retries"]), CodeNotHere, "retries applies to job hooks, and %s is a %s", r.Ref(), r.Kind).
					Hint("remove retries, or make the member a job")
			} else if e := d.fieldEntry("retries"); e != nil {
				c.errorf(span(optSeen["retries"]), CodeConflict, "retries is given both here and in job %q", r.Name).
					Note(span(e.Key), "the job sets retries here").
					Hint("give it in one place")
			}
		}
		if pl.Timeout != 0 && r.Kind == ir.Job {
			if e := d.fieldEntry("timeout"); e != nil {
				c.errorf(span(optSeen["timeout"]), CodeConflict, "timeout is given both here and in job %q", r.Name).
					Note(span(e.Key), "the job sets timeout here").
					Hint("give it in one place")
			}
		}
		c.addEdges(d, targets)
	}
}

// fieldEntry returns the entry of a built-in declaration's field key.
func (d *decl) fieldEntry(key string) *syntax.Entry {
	if d.node == nil || d.node.Body == nil {
		return nil
	}
	for _, e := range d.node.Body.Entries {
		if e.Key.String == nil && e.Key.Name() == key {
			return e
		}
	}
	return nil
}

// order reports cycles among `after` edges and gives every resource without
// an explicit wave the smallest wave after its targets in the same phase.
func (c *checker) order() {
	byRes := map[*ir.Resource]*decl{}
	for _, d := range c.order_ {
		byRes[d.res] = d
	}
	const (
		unvisited = iota
		active
		done
	)
	state := map[*ir.Resource]int{}
	back := map[*ir.Edge]bool{}
	var stack []*ir.Resource
	var stackEdges []*ir.Edge
	var visit func(r *ir.Resource)
	visit = func(r *ir.Resource) {
		state[r] = active
		stack = append(stack, r)
		for _, e := range r.After {
			t := e.Target
			switch state[t] {
			case active:
				back[e] = true
				i := len(stack) - 1
				for stack[i] != t {
					i--
				}
				c.reportCycle(stack[i:], append(append([]*ir.Edge(nil), stackEdges[i:]...), e))
			case unvisited:
				stackEdges = append(stackEdges, e)
				visit(t)
				stackEdges = stackEdges[:len(stackEdges)-1]
			}
		}
		stack = stack[:len(stack)-1]
		state[r] = done
		if r.Placement.Explicit {
			return
		}
		var w int32
		found := false
		for _, e := range r.After {
			t := e.Target
			if back[e] || t.External || !sharePhase(r, t) {
				continue
			}
			if !found || t.Placement.Wave+1 > w {
				w = t.Placement.Wave + 1
				found = true
			}
		}
		r.Placement.Wave = w
	}
	for _, d := range c.order_ {
		if state[d.res] == unvisited {
			visit(d.res)
		}
	}
	for _, d := range c.order_ {
		r := d.res
		for _, e := range r.After {
			t := e.Target
			if back[e] || t.External {
				continue
			}
			c.checkEdge(d, byRes[t], e)
		}
	}
}

// reportCycle reports the cycle of resources rs, where es[i] leads from
// rs[i] to rs[i+1] (and the last edge back to rs[0]).
func (c *checker) reportCycle(rs []*ir.Resource, es []*ir.Edge) {
	chain := make([]string, 0, len(rs)+1)
	for _, r := range rs {
		chain = append(chain, r.Ref())
	}
	chain = append(chain, rs[0].Ref())
	d := c.errorf(es[0].Span, CodeCycle, "after forms a cycle: %s", strings.Join(chain, " -> "))
	for i, e := range es {
		d.Note(e.Span, "%s waits for %s", rs[i].Ref(), e.Target.Ref())
	}
	d.Hint("remove one of these after targets")
}

// sharePhase reports whether r and t have a phase in common.
func sharePhase(r, t *ir.Resource) bool {
	return slices.ContainsFunc(r.Placement.EffectivePhases(), func(p argocd.Phase) bool {
		return slices.Contains(t.Placement.EffectivePhases(), p)
	})
}

// checkEdge checks that target t of member d is applied before d.
func (c *checker) checkEdge(d, t *decl, e *ir.Edge) {
	r := d.res
	for _, pr := range r.Placement.EffectivePhases() {
		ok := false
		for _, pt := range t.res.Placement.EffectivePhases() {
			if pt.Operation() != argocd.Never && pt.Operation() == pr.Operation() && pt <= pr {
				ok = true
			}
		}
		if pr == argocd.Skip {
			ok = true // reported where the member is placed
		}
		if !ok {
			diag := c.errorf(e.Span, CodeAfterLaterPhase, "%s waits for %s, which is not applied before the %s phase", r.Describe(), t.res.Describe(), pr.String()).
				Note(c.whereSpan(t), "%s is applied %s", t.res.Ref(), where(t.res))
			if t.res.Placement.FirstPhase() == argocd.Skip {
				diag.Hint("%s is never applied; remove it from after", t.res.Ref())
			} else {
				diag.Hint("move %s into an earlier phase, e.g. `%s`, or remove it from after", t.res.Ref(), placementExample(pr, r.Placement.Wave-1, t.res))
			}
			return
		}
	}
	if !r.Placement.Explicit || !sharePhase(r, t.res) || r.Placement.Wave > t.res.Placement.Wave {
		return
	}
	c.errorf(e.Span, CodeWaveContradicts, "%s is in wave %d, but waits for %s in wave %d", r.Describe(), r.Placement.Wave, t.res.Describe(), t.res.Placement.Wave).
		Note(d.waveSpan, "the wave of %s is set here", r.Ref()).
		Note(c.whereSpan(t), "%s is applied %s", t.res.Ref(), where(t.res)).
		Hint("put %s in a later wave, e.g. wave %d, or drop its explicit wave and let after decide", r.Ref(), t.res.Placement.Wave+1)
}

// whereSpan returns where d's phase and wave are decided: its placement, or
// else its declaration.
func (c *checker) whereSpan(d *decl) source.Span {
	if d.res.Placement.Span.IsValid() {
		return d.res.Placement.Span
	}
	return d.res.NameSpan
}

// where describes when r is applied, e.g. "in the Sync phase, wave 0".
func where(r *ir.Resource) string {
	p := r.Placement.FirstPhase()
	if p == argocd.Skip {
		return "never (skip)"
	}
	return fmt.Sprintf("in the %s phase, wave %d", phaseNames(r), r.Placement.Wave)
}

func phaseNames(r *ir.Resource) string {
	var ps []string
	for _, p := range r.Placement.EffectivePhases() {
		ps = append(ps, p.String())
	}
	return strings.Join(ps, " and ")
}

// placementExample writes the statement that puts r in phase p and wave w.
func placementExample(p argocd.Phase, w int32, r *ir.Resource) string {
	if p == argocd.Sync {
		return fmt.Sprintf("wave %d < %s >", w, r.Ref())
	}
	return fmt.Sprintf("%s wave %d < %s >", p.Keyword(), w, r.Ref())
}
