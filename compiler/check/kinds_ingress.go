package check

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/syntax"
)

// ingressPathUse is an ingress path with its port as written (nil when
// not given), for the check against the service's ports.
type ingressPathUse struct {
	path *ir.IngressPath
	port *syntax.Primary
}

// ingressField checks a field of an ingress. `host`, `path`, `service` and
// `port` are the short form of one rule with one path.
func (c *checker) ingressField(d *decl, key string, v *syntax.Value, st *workloadState) bool {
	in := d.res.Ingress
	short := func() *ingressPathUse {
		if st.ingressShort == nil {
			st.ingressShort = &ingressPathUse{path: &ir.IngressPath{Path: "/", Span: d.res.NameSpan}}
			in.Rules = append([]*ir.IngressRule{{Paths: []*ir.IngressPath{st.ingressShort.path}}}, in.Rules...)
			st.ingressPaths = append([]*ingressPathUse{st.ingressShort}, st.ingressPaths...)
		}
		return st.ingressShort
	}
	switch key {
	case "host":
		if s, ok := c.str(v, key); ok && c.checkHost(s, v) {
			short()
			in.Rules[0].Host = s
		}
	case "path":
		if s, ok := c.str(v, key); ok {
			if !strings.HasPrefix(s, "/") {
				c.errorf(span(v), CodeType, "path %q must start with /", s).Hint(`write e.g. "/api"`)
			}
			short().path.Path = s
		}
	case "service":
		pu := short()
		if t := c.ref(v, key, ir.Service); t != nil {
			pu.path.Service = t.res
		}
	case "port":
		if v.Right != nil {
			c.errorf(span(v), CodeType, "port cannot be a mapping with ->").Hint("write the service's port, e.g. `port = 80`")
			break
		}
		short().port = v.Left
	case "class":
		in.Class, _ = c.str(v, key)
	case "path_type":
		if t, ok := c.enum(v, key, pathTypes); ok && t != "Prefix" {
			in.PathType = t
		}
	case "tls":
		items := []*syntax.Value{v}
		if v.Right == nil && v.Left.List != nil {
			items = v.Left.List.Items
		}
		for _, it := range items {
			c.ingressTLS(d, it)
		}
	default:
		return false
	}
	return true
}

// pathTypes are the values of an ingress's path_type.
var pathTypes = []string{"Prefix", "Exact", "ImplementationSpecific"}

// checkHost reports a host that is not a DNS name (a leading "*." is
// allowed).
func (c *checker) checkHost(s string, v *syntax.Value) bool {
	if msgs := validation.IsDNS1123Subdomain(strings.TrimPrefix(s, "*.")); len(msgs) > 0 {
		c.errorf(span(v), CodeType, "host %q is not a valid DNS name: %s", s, plain(msgs)).
			Hint(`write a lower-case host name, e.g. "agent.example.com"`)
		return false
	}
	return true
}

// ingressTLS checks one TLS entry: `secret NAME`, or `secret NAME ->
// ["host", ...]` for the hosts it serves (default: every host of the
// ingress).
func (c *checker) ingressTLS(d *decl, v *syntax.Value) {
	if v.Left.Ref == nil {
		c.errorf(span(v), CodeType, "tls must be a secret, or a list of them, not %s", describe(v.Left)).
			Hint(`write e.g. tls = secret web-tls, or tls = [secret a-tls -> ["a.example.com"]]`)
		return
	}
	t := c.refOf(v.Left.Ref, "tls", ir.Secret)
	if t == nil {
		return
	}
	entry := &ir.IngressTLS{Secret: t.res}
	if v.Right != nil {
		hv := &syntax.Value{Pos: v.Right.Pos, EndPos: v.Right.EndPos, Left: v.Right}
		hosts, ok := c.strList(hv, "tls hosts")
		if !ok {
			return
		}
		for i, h := range hosts {
			c.checkHost(h, v.Right.List.Items[i])
		}
		entry.Hosts = hosts
	}
	if !t.res.External {
		c.checkSecretType(t, span(v.Left), "kubernetes.io/tls", "an ingress's tls", `type = "kubernetes.io/tls"`)
	}
	d.res.Ingress.TLS = append(d.res.Ingress.TLS, entry)
}

// ingressRule checks `rule HOST { "/" = service web, "/api" = service api
// -> 8080 }`. The host `any` matches every host.
func (c *checker) ingressRule(d *decl, e *syntax.Entry, st *workloadState) {
	host := *e.Label.Ident
	rule := &ir.IngressRule{Host: host}
	if host == "any" {
		rule.Host = ""
	} else if msgs := validation.IsDNS1123Subdomain(host); len(msgs) > 0 {
		c.errorf(span(e.Label), CodeType, "host %q is not a valid DNS name: %s", host, plain(msgs)).
			Hint(`write a lower-case host name, e.g. rule shop.example.com { "/" = service web }`)
	}
	if e.Block == nil {
		c.errorf(span(entryValue(e)), CodeType, "rule %s must be a block of paths", host).
			Hint(`write e.g. rule %s { "/" = service web, "/api" = service api -> 8080 }`, host)
		return
	}
	seen := map[string]*syntax.Entry{}
	for _, pe := range e.Block.Entries {
		if !c.once(seen, pe, "path") {
			continue
		}
		p := pe.Key.Name()
		if !strings.HasPrefix(p, "/") {
			c.errorf(span(pe.Key), CodeType, "path %q must start with /", p).Hint(`write e.g. "/api" = service api`)
			continue
		}
		if pe.Key.String == nil {
			c.errorf(span(pe.Key), CodeType, "path %s must be a string", p).Hint(`write e.g. "/api" = service api`)
			continue
		}
		pv := entryValue(pe)
		if pv.Left.Ref == nil {
			c.errorf(span(pv), CodeType, "path %s must name a service, not %s", p, describe(pv.Left)).
				Hint(`write e.g. "%s" = service web, or "%s" = service web -> 8080 for another port`, p, p)
			continue
		}
		t := c.refOf(pv.Left.Ref, "an ingress path", ir.Service)
		if t == nil {
			continue
		}
		ip := &ir.IngressPath{Path: p, Service: t.res, Span: span(pe)}
		rule.Paths = append(rule.Paths, ip)
		st.ingressPaths = append(st.ingressPaths, &ingressPathUse{path: ip, port: pv.Right})
	}
	if len(rule.Paths) == 0 && len(e.Block.Entries) == 0 {
		c.errorf(span(e.Label), CodeMissingField, "rule %s has no paths", host).
			Hint(`write e.g. rule %s { "/" = service web }`, host)
	}
	d.res.Ingress.Rules = append(d.res.Ingress.Rules, rule)
}

// finishIngress checks the backends' ports against their services and the
// short form against rules, and fills in the TLS hosts.
func (c *checker) finishIngress(d *decl, seen map[string]*syntax.Entry, st *workloadState) {
	r := d.res
	in := r.Ingress
	shortUsed := false
	for _, k := range []string{"host", "path", "service", "port"} {
		if _, ok := seen[k]; ok {
			shortUsed = true
		}
	}
	_, hasService := seen["service"]
	var firstRule *syntax.Entry
	for _, e := range st.labeled {
		if e.Key.Name() == "rule" && (firstRule == nil || e.Pos.Offset < firstRule.Pos.Offset) {
			firstRule = e
		}
	}
	switch {
	case shortUsed && firstRule != nil:
		for _, k := range []string{"host", "path", "service", "port"} {
			if e, ok := seen[k]; ok {
				c.errorf(span(e.Key), CodeConflict, "%s cannot be combined with rules", k).
					Note(span(firstRule.Key), "a rule is given here").
					Hint("host, path, service and port are short for one rule; write every path in a `rule HOST { ... }`")
			}
		}
		return
	case firstRule == nil && !hasService:
		c.errorf(r.NameSpan, CodeMissingField, "ingress %q has no service", r.Name).
			Hint("add `service = service NAME`, or rules: `rule shop.example.com { \"/\" = service web }`")
		return
	}
	for _, pu := range st.ingressPaths {
		p := pu.path
		if p.Service != nil && p.Service.External && pu.port == nil {
			c.errorf(p.Span, CodeMissingField, "the path %s leads to external service %q, whose ports wavec does not know", p.Path, p.Service.Name).
				Hint("say the service's port, e.g. `port = 80`, or `\"%s\" = service %s -> 80` in a rule", p.Path, p.Service.Name)
			continue
		}
		if p.Service == nil || p.Service.Service == nil {
			continue
		}
		ports := p.Service.Service.Ports
		if pu.port == nil {
			if len(ports) > 0 {
				p.Port = ir.PortRef{Number: ports[0].Port}
			}
			continue
		}
		ref, ok := c.ingressPort(pu.port)
		if !ok {
			continue
		}
		p.Port = ref
		switch {
		case ref.Name != "" && !contains(portNames(ports), ref.Name):
			c.errorf(span(pu.port), CodeUnknownPort, "service %q has no port named %q", p.Service.Name, ref.Name).
				Hint("its ports are %s", quoteList(portNames(ports)))
		case ref.Number != 0 && len(ports) > 0 && !hasPortNumber(ports, ref.Number):
			c.errorf(span(pu.port), CodeUnknownPort, "service %q has no port %d", p.Service.Name, ref.Number).
				Hint("use one of the service's ports, e.g. %d", ports[0].Port)
		}
	}
	var hosts []string
	for _, rule := range in.Rules {
		if rule.Host != "" && !contains(hosts, rule.Host) {
			hosts = append(hosts, rule.Host)
		}
	}
	for _, t := range in.TLS {
		if t.Hosts == nil {
			t.Hosts = hosts
		}
	}
}

// ingressPort resolves a backend port: a number, a port's name, or a
// parameter.
func (c *checker) ingressPort(p *syntax.Primary) (ir.PortRef, bool) {
	if w, ok := bareWord(p); ok {
		if _, isParam := c.params[w]; !isParam {
			return ir.PortRef{Name: w}, true
		}
	}
	s, ok := c.scalarOfPrimary(p, "port")
	if !ok {
		return ir.PortRef{}, false
	}
	if s.typ == ir.StringParam {
		return ir.PortRef{Name: s.text}, true
	}
	n, ok := c.integerOf(s, "port", 1, 65535)
	return ir.PortRef{Number: int32(n)}, ok
}
