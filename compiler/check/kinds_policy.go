package check

import (
	"math"
	"strconv"
	"strings"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// newSpec gives a declaration of the kinds below its empty spec.
func (c *checker) newSpec(r *ir.Resource) {
	switch r.Kind {
	case ir.HPA:
		r.HPA = &ir.HPASpec{Min: 1}
	case ir.PDB:
		r.PDB = &ir.PDBSpec{}
	case ir.NetworkPolicy:
		r.NetworkPolicy = &ir.NetworkPolicySpec{}
	case ir.Role, ir.ClusterRole:
		r.Role = &ir.RoleSpec{}
	case ir.RoleBinding, ir.ClusterRoleBinding:
		r.Binding = &ir.BindingSpec{}
	}
}

// scaled are the kinds an hpa scales and a pdb protects.
var scaled = []ir.Kind{ir.Deployment, ir.StatefulSet, ir.ReplicaSet}

// podKinds are the workloads whose Pods a networkpolicy selects or lets
// connect.
var podKinds = []ir.Kind{ir.Deployment, ir.StatefulSet, ir.DaemonSet, ir.ReplicaSet, ir.Job, ir.CronJob}

// kindField checks a field of an hpa, pdb, networkpolicy, role,
// clusterrole, rolebinding or clusterrolebinding.
func (c *checker) kindField(d *decl, key string, v *syntax.Value) bool {
	r := d.res
	switch r.Kind {
	case ir.HPA:
		h := r.HPA
		switch key {
		case "target":
			if t := c.ref(v, key, scaled...); t != nil {
				h.Target = t.res
			}
		case "min", "max":
			if n, ok := c.integer(v, key, 1, math.MaxInt32); ok {
				if key == "min" {
					h.Min = int32(n)
				} else {
					h.Max = int32(n)
				}
			}
		case "cpu", "memory":
			if n, ok := c.integer(v, key+" utilization", 1, math.MaxInt32); ok {
				p := int32(n)
				if key == "cpu" {
					h.CPU = &p
				} else {
					h.Memory = &p
				}
			}
		default:
			return false
		}
	case ir.PDB:
		p := r.PDB
		switch key {
		case "selector":
			p.Selector = c.selects(c.ref(v, key, scaled...), span(v), "a pdb's selector")
		case "min_available":
			p.MinAvailable = c.intOrPercent(v, key)
		case "max_unavailable":
			p.MaxUnavailable = c.intOrPercent(v, key)
		default:
			return false
		}
	case ir.NetworkPolicy:
		n := r.NetworkPolicy
		switch key {
		case "selector":
			n.Selector = c.selects(c.ref(v, key, podKinds...), span(v), "a networkpolicy's selector")
		case "from", "to":
			refs := c.refList(v, key, podKinds...)
			if v.Left.List != nil {
				refs = refs[:0]
				for _, it := range v.Left.List.Items {
					if t := c.selects(c.quietRef(it), span(it), "a networkpolicy's "+key); t != nil {
						refs = append(refs, t)
					}
				}
			}
			if key == "from" {
				n.Ingress, n.From = true, refs
			} else {
				n.Egress, n.To = true, refs
			}
		case "ports":
			if v.Right != nil || v.Left.List == nil {
				c.errorf(span(v), CodeType, "ports must be a list of ports, not %s", describe(v.Left)).
					Hint("write e.g. `ports = [8080, metrics]`")
				break
			}
			for _, it := range v.Left.List.Items {
				if ref, ok := c.ingressPort(it.Left); ok && it.Right == nil {
					n.Ports = append(n.Ports, ref)
				}
			}
		case "dns":
			n.DNS, _ = c.boolean(v, key)
		default:
			return false
		}
	case ir.Role, ir.ClusterRole:
		if key != "rules" {
			return false
		}
		c.rules(r, v)
	case ir.RoleBinding, ir.ClusterRoleBinding:
		b := r.Binding
		switch key {
		case "role":
			kinds := []ir.Kind{ir.Role, ir.ClusterRole}
			if r.Kind == ir.ClusterRoleBinding {
				kinds = kinds[1:]
			}
			if t := c.ref(v, key, kinds...); t != nil {
				b.Role = t.res
			}
		case "subjects":
			b.Subjects = c.refList(v, key, ir.ServiceAccount)
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// selects reports a selector that names an external workload: wavec
// selects Pods by the labels it gives them, which an external workload's
// Pods do not carry.
func (c *checker) selects(t *decl, at source.Span, what string) *ir.Resource {
	if t == nil {
		return nil
	}
	if t.res.External {
		c.errorf(at, CodeNotHere, "%s cannot be external %s %q", what, t.res.Kind, t.res.Name).
			Note(t.res.NameSpan, "it is declared external here").
			Hint("wavec selects Pods by the labels it gives them, and knows none of an external workload's Pods; write the object as YAML with its own selector")
		return nil
	}
	return t.res
}

// quietRef returns the declaration a reference value names, or nil,
// reporting nothing: for a second look at references already checked.
func (c *checker) quietRef(v *syntax.Value) *decl {
	if v.Right != nil || v.Left.Ref == nil {
		return nil
	}
	k, ok := ir.ParseKind(v.Left.Ref.Kind.Value)
	if !ok {
		return nil
	}
	return c.decls[declKey{k, v.Left.Ref.Name.Value}]
}

// refList resolves a list of references.
func (c *checker) refList(v *syntax.Value, what string, allowed ...ir.Kind) []*ir.Resource {
	if v.Right != nil || v.Left.List == nil {
		c.errorf(span(v), CodeType, "%s must be a list of references, not %s", what, describe(v.Left)).
			Hint("write e.g. `%s = [%s]`", what, strings.Trim(kindsExample(allowed[:1]), "`"))
		return nil
	}
	out := []*ir.Resource{}
	for _, it := range v.Left.List.Items {
		if t := c.ref(it, what, allowed...); t != nil {
			out = append(out, t.res)
		}
	}
	return out
}

// intOrPercent resolves a count or a percentage written as a string,
// e.g. 1 or "50%".
func (c *checker) intOrPercent(v *syntax.Value, what string) *ir.IntOrPercent {
	s, ok := c.scalarOf(v, what)
	if !ok {
		return nil
	}
	if s.typ == ir.StringParam {
		n, err := strconv.Atoi(strings.TrimSuffix(s.text, "%"))
		if !strings.HasSuffix(s.text, "%") || err != nil || n < 0 || n > 100 {
			c.errorf(s.span, CodeType, "%s %q is not a percentage", what, s.text).
				Hint(`write a count, e.g. %s = 1, or a percentage, e.g. %s = "50%%"`, what, what)
			return nil
		}
		return &ir.IntOrPercent{Percent: s.text}
	}
	n, ok := c.integerOf(s, what, 0, math.MaxInt32)
	if !ok {
		return nil
	}
	return &ir.IntOrPercent{Number: int32(n)}
}

// verbs are the verbs Kubernetes' authorizers know.
var verbs = []string{"*", "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
	"use", "bind", "escalate", "impersonate", "approve", "sign", "attest"}

// ruleFields are the fields of one role rule.
var ruleFields = []string{"groups", "names", "resources", "verbs"}

// rules checks `rules = [{ groups = ["apps"], resources = ["deployments"],
// verbs = ["get", "list"] }]`. groups default to the core group.
func (c *checker) rules(r *ir.Resource, v *syntax.Value) {
	if v.Right != nil || v.Left.List == nil {
		c.errorf(span(v), CodeType, "rules must be a list of rules, not %s", describe(v.Left)).
			Hint(`write e.g. rules = [{ resources = ["configmaps"], verbs = ["get", "list"] }]`)
		return
	}
	for _, it := range v.Left.List.Items {
		es, ok := c.mapOf(it, "rule", `{ resources = ["configmaps"], verbs = ["get"] }`)
		if !ok {
			continue
		}
		rule := ir.PolicyRule{}
		seen := map[string]*syntax.Entry{}
		for _, e := range es {
			seen[e.Key.Name()] = e
			ev := entryValue(e)
			switch e.Key.Name() {
			case "groups":
				rule.Groups, _ = c.strList(ev, "groups")
			case "resources":
				rule.Resources, _ = c.strList(ev, "resources")
			case "names":
				rule.Names, _ = c.strList(ev, "names")
			case "verbs":
				vs, ok := c.strList(ev, "verbs")
				if !ok {
					break
				}
				for i, vb := range vs {
					if !contains(verbs, vb) {
						dg := c.errorf(span(ev.Left.List.Items[i]), CodeEnum, "verb %q is not a Kubernetes verb", vb)
						if s := diag.Suggest(vb, verbs); s != "" {
							dg.Hint("did you mean %q?", s)
						} else {
							dg.Hint("the verbs are %s", strings.Join(verbs, ", "))
						}
					}
				}
				rule.Verbs = vs
			default:
				c.unknownField(e, "rule field", ruleFields)
			}
		}
		for _, f := range []string{"resources", "verbs"} {
			if e, ok := seen[f]; !ok || entryValue(e).Left.List != nil && len(entryValue(e).Left.List.Items) == 0 {
				c.errorf(span(it), CodeMissingField, "a rule of %s needs %s", r.Describe(), f).
					Hint(`write e.g. { resources = ["configmaps"], verbs = ["get", "list"] }`)
			}
		}
		if rule.Groups == nil {
			rule.Groups = []string{""}
		}
		r.Role.Rules = append(r.Role.Rules, rule)
	}
}

// finishKind checks what needs every field of an hpa, pdb, networkpolicy
// or binding: required fields, defaults from the same-named workload, and
// what each of them refers to.
func (c *checker) finishKind(d *decl, seen map[string]*syntax.Entry) {
	r := d.res
	missing := func(field, example string) {
		c.errorf(r.NameSpan, CodeMissingField, "%s %q has no %s", r.Kind, r.Name, field).
			Hint("add `%s = %s`", field, example)
	}
	sameNamed := func(field string, kinds []ir.Kind) *ir.Resource {
		if _, ok := seen[field]; ok {
			return nil
		}
		t := c.sameNamed(r.Name, kinds...)
		if t != nil && r.Kind != ir.HPA {
			// An hpa finds its target by name; the others select Pods.
			return c.selects(c.decls[declKey{t.Kind, t.Name}], r.NameSpan, "the "+field+" of "+r.Describe())
		}
		if t == nil {
			c.errorf(r.NameSpan, CodeMissingField, "%s %q has no %s, and no %s is named %q", r.Kind, r.Name, field, kindWords(kinds), r.Name).
				Hint("add `%s = %s NAME`", field, kinds[0])
		}
		return t
	}
	switch r.Kind {
	case ir.HPA:
		h := r.HPA
		if t := sameNamed("target", scaled); t != nil {
			h.Target = t
		}
		if _, ok := seen["max"]; !ok {
			missing("max", "10")
		} else if h.Max < h.Min {
			c.errorf(span(entryValue(seen["max"])), CodeRange, "max %d is below min %d", h.Max, h.Min).
				Hint("max must be at least min")
		}
		c.autoscaled(d, seen)
	case ir.PDB:
		p := r.PDB
		if t := sameNamed("selector", scaled); t != nil {
			p.Selector = t
		}
		a, aok := seen["min_available"]
		b, bok := seen["max_unavailable"]
		switch {
		case aok && bok:
			c.errorf(span(b.Key), CodeConflict, "max_unavailable cannot be combined with min_available").
				Note(span(a.Key), "min_available is given here").
				Hint("a disruption budget says one of them")
		case !aok && !bok:
			missing("min_available", "1")
		}
	case ir.NetworkPolicy:
		n := r.NetworkPolicy
		if t := sameNamed("selector", podKinds); t != nil {
			n.Selector = t
		}
		_, from := seen["from"]
		_, to := seen["to"]
		if !from && !to {
			c.errorf(r.NameSpan, CodeMissingField, "networkpolicy %q has neither from nor to", r.Name).
				Hint("add `from = [deployment web]` for who may connect, `to = [statefulset db]` for where its Pods may connect")
		}
		if e, ok := seen["ports"]; ok && !from {
			c.errorf(span(e.Key), CodeNotHere, "ports apply to from, which is not given").
				Hint("add `from = [deployment NAME]`, or `from = []` to let nothing in")
		}
		if e, ok := seen["dns"]; ok && !to {
			c.errorf(span(e.Key), CodeNotHere, "dns applies to to, which is not given").
				Hint("add `to = [statefulset NAME]`; without `to` outgoing traffic is not restricted")
		}
		if n.Selector != nil && n.Selector.Workload != nil {
			names := containerPortNames(n.Selector.Workload)
			if e, ok := seen["ports"]; ok {
				for i, p := range n.Ports {
					if p.Name != "" && !contains(names, p.Name) {
						at := span(entryValue(e).Left.List.Items[i])
						dg := c.errorf(at, CodeUnknownPort, "%s has no port named %q", n.Selector.Describe(), p.Name)
						if s := diag.Suggest(p.Name, names); s != "" {
							dg.Hint("did you mean %q?", s)
						}
					}
				}
			}
		}
	case ir.Role, ir.ClusterRole:
		if _, ok := seen["rules"]; !ok {
			missing("rules", `[{ resources = ["configmaps"], verbs = ["get"] }]`)
		}
	case ir.RoleBinding, ir.ClusterRoleBinding:
		if _, ok := seen["role"]; !ok {
			if r.Kind == ir.RoleBinding {
				missing("role", "role NAME")
			} else {
				missing("role", "clusterrole NAME")
			}
		}
		if _, ok := seen["subjects"]; !ok {
			missing("subjects", "[serviceaccount NAME]")
		}
	}
}

// autoscaled marks an hpa's target as scaled by it, and reports a target
// that sets replicas, is scaled twice, or lacks the requests a utilization
// target needs.
func (c *checker) autoscaled(d *decl, seen map[string]*syntax.Entry) {
	h := d.res.HPA
	t := h.Target
	if t == nil || t.Workload == nil || t.External {
		return
	}
	td := c.decls[declKey{t.Kind, t.Name}]
	if e := td.fieldEntry("replicas"); e != nil {
		c.errorf(span(e.Key), CodeConflict, "%s sets replicas, but hpa %q scales it", t.Describe(), d.res.Name).
			Note(d.res.NameSpan, "hpa %q is declared here", d.res.Name).
			Hint("remove replicas; the autoscaler sets them between min and max")
	}
	for _, other := range c.order_ {
		if other == d {
			break
		}
		if other.res.HPA != nil && other.res.HPA.Target == t {
			c.errorf(d.res.NameSpan, CodeConflict, "%s is scaled by two hpas", t.Describe()).
				Note(other.res.NameSpan, "hpa %q scales it too", other.res.Name).
				Hint("remove one of them; two autoscalers fight over the replicas")
			return
		}
	}
	t.Workload.Autoscaled = true
	for _, m := range []struct {
		field string
		set   bool
	}{{"cpu", h.CPU != nil || h.Memory == nil}, {"memory", h.Memory != nil}} {
		if !m.set {
			continue
		}
		at, what := d.res.NameSpan, m.field+" utilization (80% when no target is given)"
		if e, ok := seen[m.field]; ok {
			at, what = span(e.Key), m.field+" utilization"
		}
		for _, ct := range append([]*ir.Container{&t.Workload.Container}, t.Workload.Containers...) {
			req := ct.CPU
			if m.field == "memory" {
				req = ct.Memory
			}
			if req == nil {
				c.warnf(at, CodeHPANoRequest, "hpa %q targets %s, but %s has no %s request", d.res.Name, what, describeContainer(t, ct), m.field).
					Note(ct.Span, "the container is declared here").
					Hint("give every container of %s a request, e.g. `%s = %s`; without it the autoscaler cannot compute utilization", t.Ref(), m.field, map[string]string{"cpu": "100m", "memory": "256Mi"}[m.field])
				break
			}
		}
	}
}

// secretKeys are the keys the API server requires of Secrets of a type.
var secretKeys = map[string][]string{
	"kubernetes.io/tls":              {"tls.crt", "tls.key"},
	"kubernetes.io/dockerconfigjson": {".dockerconfigjson"},
	"kubernetes.io/dockercfg":        {".dockercfg"},
	"kubernetes.io/ssh-auth":         {"ssh-privatekey"},
}

// finishSecret reports a Secret without the keys its type requires, which
// the API server rejects.
func (c *checker) finishSecret(d *decl, seen map[string]*syntax.Entry) {
	s := d.res.Secret
	if s == nil {
		return
	}
	for _, k := range secretKeys[s.Type] {
		if _, ok := s.Data[k]; ok {
			continue
		}
		if _, ok := seen[k]; ok {
			continue
		}
		c.errorf(d.res.NameSpan, CodeMissingField, "secret %q of type %s has no key %q", d.res.Name, s.Type, k).
			Note(span(entryValue(seen["type"])), "the type is given here").
			Hint("add `%q = \"\"\"...\"\"\"`", k)
	}
	if s.Type == "kubernetes.io/basic-auth" && s.Data["username"] == "" && s.Data["password"] == "" {
		if _, u := seen["username"]; !u {
			if _, p := seen["password"]; !p {
				c.errorf(d.res.NameSpan, CodeMissingField, "secret %q of type kubernetes.io/basic-auth has neither username nor password", d.res.Name).
					Hint(`add username = "..." and password = "..."`)
			}
		}
	}
}

// checkSecretType reports a Secret of the pipeline that is not of type want
// where what needs one.
func (c *checker) checkSecretType(t *decl, at source.Span, want, what, example string) {
	got := "Opaque"
	if t.node != nil && t.node.Body != nil {
		for _, e := range t.node.Body.Entries {
			if e.Key.String == nil && e.Key.Name() == "type" && e.Label == nil {
				if s, ok := c.quietStr(entryValue(e)); ok {
					got = s
				}
			}
		}
	}
	if got == want {
		return
	}
	c.errorf(at, CodeWrongKind, "%s takes a secret of type %s, but secret %q is %s", what, want, t.res.Name, got).
		Note(t.res.NameSpan, "secret %q is declared here", t.res.Name).
		Hint("give the secret `%s`", example)
}

// kindWords names kinds for messages: "deployment or statefulset".
func kindWords(ks []ir.Kind) string {
	ws := make([]string, len(ks))
	for i, k := range ks {
		ws[i] = k.String()
	}
	if len(ws) == 1 {
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " or " + ws[len(ws)-1]
}

// bindingReads makes a workload read the bindings that grant its service
// account a role, and the roles they grant: Pods that start before their
// permissions exist fail, so their wave never becomes healthy and the wave
// of the binding never comes.
func (c *checker) bindingReads() {
	// The bindings, in declaration order, gathered once: not every
	// declaration for every workload.
	var bindings []*decl
	for _, b := range c.order_ {
		if b.res.Binding != nil && !b.res.External {
			bindings = append(bindings, b)
		}
	}
	for _, d := range c.order_ {
		w := d.res.Workload
		if w == nil || w.ServiceAccount == nil || d.res.External {
			continue
		}
		e := d.fieldEntry("service_account")
		if e == nil {
			continue
		}
		at := span(entryValue(e))
		for _, b := range bindings {
			bs := b.res.Binding
			for _, s := range bs.Subjects {
				if s != w.ServiceAccount {
					continue
				}
				d.res.Reads = append(d.res.Reads, &ir.Read{Target: b.res, Span: at, Via: "service_account"})
				if bs.Role != nil {
					d.res.Reads = append(d.res.Reads, &ir.Read{Target: bs.Role, Span: at, Via: "service_account"})
				}
				break
			}
		}
	}
}
