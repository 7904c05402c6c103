package check

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// collectDecls records every declaration: top-level ones and those written
// inside wave and hook statements.
func (c *checker) collectDecls() {
	// Room for every top-level declaration up front: a large pipeline's
	// tables would otherwise be copied at each doubling.
	n := 0
	for _, f := range c.files {
		n += len(f.Decls)
	}
	c.decls = make(map[declKey]*decl, n)
	c.byName = make(map[string][]*decl, n)
	c.order_ = make([]*decl, 0, n)
	for _, f := range c.files {
		for _, d := range f.Decls {
			switch {
			case d.Resource != nil:
				c.declare(f, d.Resource, nil)
			case d.Object != nil:
				c.declare(f, nil, d.Object)
			case d.Wave != nil:
				c.declareMembers(f, d.Wave.Members)
			case d.Hook != nil:
				c.declareMembers(f, d.Hook.AllMembers())
			}
		}
	}
}

func (c *checker) declareMembers(f *syntax.File, ms []*syntax.Member) {
	for _, m := range ms {
		switch {
		case m.Resource != nil && !m.Resource.IsReference():
			c.declare(f, m.Resource, nil)
		case m.Object != nil && !m.Object.IsReference():
			c.declare(f, nil, m.Object)
		}
	}
}

func (c *checker) declare(f *syntax.File, r *syntax.Resource, o *syntax.Object) {
	res := &ir.Resource{}
	dc := &decl{res: res, file: f, node: r, obj: o}
	var nameID *syntax.Ident
	if r != nil {
		k, _ := ir.ParseKind(r.Kind.Value)
		res.Kind, nameID, res.External, res.Span = k, r.Name, r.External, span(r)
	} else {
		res.Kind, nameID, res.Span = ir.Object, o.Name, span(o)
	}
	res.Name, res.NameSpan = nameID.Value, nameID.Span()
	key := declKey{res.Kind, res.Name}
	if prev, ok := c.decls[key]; ok {
		c.errorf(res.NameSpan, CodeDuplicate, "%s %q is declared twice", res.Kind, res.Name).
			Note(prev.res.NameSpan, "first declared here").
			Hint("remove one of them, or rename it")
		return
	}
	if res.External && r.Body != nil {
		c.errorf(span(r.Body), CodeNotHere, "external %s %q cannot have fields", res.Kind, res.Name).
			Hint("wavec never creates an external %s; remove the fields, or drop `external` to let wavec create it", res.Kind)
	}
	c.checkName(res)
	c.decls[key] = dc
	c.byName[res.Name] = append(c.byName[res.Name], dc)
	c.order_ = append(c.order_, dc)
}

// checkName reports a name Kubernetes would reject for the kind.
func (c *checker) checkName(r *ir.Resource) {
	var msgs []string
	rule := "lower-case letters, digits, '-' and '.', at most 253 characters"
	switch r.Kind {
	case ir.ConfigMap, ir.Secret, ir.ServiceAccount, ir.PVC, ir.Ingress:
		msgs = validation.IsDNS1123Subdomain(r.Name)
	case ir.Pod, ir.HPA, ir.PDB, ir.NetworkPolicy, ir.Role, ir.ClusterRole, ir.RoleBinding, ir.ClusterRoleBinding:
		msgs = validation.IsDNS1123Subdomain(r.Name)
	case ir.Deployment, ir.StatefulSet, ir.DaemonSet, ir.ReplicaSet, ir.Job:
		msgs = validation.IsDNS1123Label(r.Name)
		rule = "lower-case letters, digits and '-', at most 63 characters"
	case ir.CronJob:
		msgs = validation.IsDNS1123Label(r.Name)
		if len(r.Name) > 52 {
			msgs = append(msgs, "must be no more than 52 characters (its Jobs add a suffix)")
		}
		rule = "lower-case letters, digits and '-', at most 52 characters"
	case ir.Service:
		msgs = validation.IsDNS1035Label(r.Name)
		rule = "lower-case letters, digits and '-', starting with a letter, at most 63 characters"
	}
	if len(msgs) > 0 {
		d := c.errorf(r.NameSpan, CodeBadName, "%q is not a valid %s name: %s", r.Name, r.Kind, plain(msgs))
		d.Hint("a %s name is %s, e.g. %q", r.Kind, rule, suggestName(r.Name))
	}
}

// suggestName turns s into a plausible DNS label.
func suggestName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "x" + out
	}
	if len(out) > 52 {
		out = strings.TrimRight(out[:52], "-")
	}
	return out
}

// lookup resolves `KIND NAME`, or a bare NAME when kind is empty, reporting
// unknown and ambiguous names. allowed restricts the kinds a reference may
// have; what describes the place for diagnostics.
func (c *checker) lookup(kind, name string, at source.Span, what string, allowed ...ir.Kind) *decl {
	if kind == "" {
		ds := c.byName[name]
		switch len(ds) {
		case 0:
			var all []string
			for n := range c.byName {
				all = append(all, n)
			}
			sort.Strings(all)
			d := c.errorf(at, CodeUnknown, "nothing is named %q", name)
			if s := diag.Suggest(name, all); s != "" {
				d.Hint("did you mean %q?", s)
			}
			return nil
		case 1:
			return c.checkAllowed(ds[0], at, what, allowed)
		}
		var refs []string
		for _, d := range ds {
			refs = append(refs, d.res.Ref())
		}
		sort.Strings(refs)
		d := c.errorf(at, CodeAmbiguous, "%q is ambiguous: %s", name, strings.Join(refs, ", "))
		for _, x := range ds {
			d.Note(x.res.NameSpan, "%s is declared here", x.res.Ref())
		}
		d.Hint("write the kind too, e.g. `%s`", refs[0])
		return nil
	}
	k, _ := ir.ParseKind(kind)
	if len(allowed) > 0 && !kindIn(k, allowed) {
		c.errorf(at, CodeWrongKind, "%s takes %s, not a %s", what, kindsPhrase(allowed), k).
			Hint("refer to %s", kindsExample(allowed))
		return nil
	}
	if d, ok := c.decls[declKey{k, name}]; ok {
		return d
	}
	var same []string
	for key := range c.decls {
		if key.kind == k {
			same = append(same, key.name)
		}
	}
	sort.Strings(same)
	d := c.errorf(at, CodeUnknown, "there is no %s named %q", k, name)
	if s := diag.Suggest(name, same); s != "" {
		d.Hint("did you mean `%s %s`?", k, s)
	}
	for _, other := range c.byName[name] {
		d.Note(other.res.NameSpan, "%s is declared here", other.res.Ref())
		if len(d.Hints) == 0 {
			d.Hint("did you mean `%s`?", other.res.Ref())
		}
	}
	if len(d.Hints) == 0 {
		d.Hint("declare it, e.g. `%s %s { ... }`", k, name)
	}
	return nil
}

func (c *checker) checkAllowed(d *decl, at source.Span, what string, allowed []ir.Kind) *decl {
	if len(allowed) > 0 && !kindIn(d.res.Kind, allowed) {
		c.errorf(at, CodeWrongKind, "%s takes %s, but %q is a %s", what, kindsPhrase(allowed), d.res.Name, d.res.Kind).
			Note(d.res.NameSpan, "%s is declared here", d.res.Ref()).
			Hint("refer to %s", kindsExample(allowed))
		return nil
	}
	return d
}

func kindIn(k ir.Kind, ks []ir.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func kindsPhrase(ks []ir.Kind) string {
	var ws []string
	for _, k := range ks {
		ws = append(ws, "a "+k.String())
	}
	if len(ws) == 1 {
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " or " + ws[len(ws)-1]
}

func kindsExample(ks []ir.Kind) string {
	var ws []string
	for _, k := range ks {
		ws = append(ws, fmt.Sprintf("`%s NAME`", k))
	}
	if len(ws) == 1 {
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " or " + ws[len(ws)-1]
}

// refHint says what to write in place of v where a reference is needed:
// the reference to the declaration v names, when there is one of an
// allowed kind; otherwise how to declare one.
func (c *checker) refHint(d *diag.Diagnostic, v *syntax.Value, what string, allowed []ir.Kind) {
	name := ""
	if v.Right == nil && v.Left.Ident != nil {
		name = *v.Left.Ident
	}
	if name != "" {
		for _, k := range allowed {
			if _, ok := c.decls[declKey{k, name}]; ok {
				d.Hint("write `%s %s` in its place: a reference names the kind", k, name)
				return
			}
		}
	}
	if what == "mount" && strings.EqualFold(strings.ReplaceAll(name, "_", ""), "emptydir") {
		d.Hint("remove this mount: wavec has no emptyDir volumes, and a container may write to its own filesystem (/tmp too); a mount is %s", kindsExample(allowed))
		return
	}
	if name != "" && len(validation.IsDNS1123Subdomain(name)) == 0 {
		d.Hint("write `%s %s` in its place, and declare it: `%s`", allowed[0], name, minimalDecl(allowed[0], name))
		return
	}
	d.Hint("write a reference in its place: %s", kindsExample(allowed))
}

// minimalDecl returns the smallest declaration of kind k named name that
// checks, for hints.
func minimalDecl(k ir.Kind, name string) string {
	switch k {
	case ir.ConfigMap, ir.Secret:
		return fmt.Sprintf(`%s %s { KEY = "value" }`, k, name)
	case ir.PVC:
		return fmt.Sprintf("%s %s { size = 1Gi }", k, name)
	case ir.ServiceAccount:
		return fmt.Sprintf("%s %s", k, name)
	case ir.Service:
		return fmt.Sprintf("%s %s { port = 80 }", k, name)
	}
	return fmt.Sprintf(`%s %s { image = "ghcr.io/acme/app:1.0.0" }`, k, name)
}

// ref resolves a reference value such as `configmap agent-config`.
func (c *checker) ref(v *syntax.Value, what string, allowed ...ir.Kind) *decl {
	if v.Right != nil || v.Left.Ref == nil {
		d := c.errorf(span(v), CodeType, "%s must be a reference, not %s", what, describe(v.Left))
		c.refHint(d, v, what, allowed)
		return nil
	}
	return c.refOf(v.Left.Ref, what, allowed...)
}

func (c *checker) refOf(r *syntax.Ref, what string, allowed ...ir.Kind) *decl {
	if r.Kind.Value == "volume" {
		c.errorf(span(r), CodeWrongKind, "%s takes %s, not a volume", what, kindsPhrase(allowed)).
			Hint("`volume NAME` names a workload's own volume, in mount only; refer to %s", kindsExample(allowed))
		return nil
	}
	return c.lookup(r.Kind.Value, r.Name.Value, span(r), what, allowed...)
}

// member resolves a wave or hook member to its declaration.
func (c *checker) member(m *syntax.Member) *decl {
	switch {
	case m.Resource != nil:
		if !m.Resource.IsReference() {
			k, _ := ir.ParseKind(m.Resource.Kind.Value)
			return c.decls[declKey{k, m.Resource.Name.Value}]
		}
		return c.lookup(m.Resource.Kind.Value, m.Resource.Name.Value, span(m), "a member")
	case m.Object != nil:
		if !m.Object.IsReference() {
			return c.decls[declKey{ir.Object, m.Object.Name.Value}]
		}
		return c.lookup("object", m.Object.Name.Value, span(m), "a member")
	}
	return c.lookup("", m.Name.Value, span(m), "a member")
}

// target resolves an `after` target.
func (c *checker) target(t *syntax.Target) *decl {
	kind := ""
	if t.Kind != nil {
		kind = t.Kind.Value
	}
	return c.lookup(kind, t.Name.Value, span(t), "after")
}
