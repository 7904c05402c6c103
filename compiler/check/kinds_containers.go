package check

import (
	"fmt"
	"math"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zone names are checked the same on every machine

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// containerFields are the fields of one container: of a workload's main
// container (its own fields) and of `container`, `init` and `sidecar`
// blocks.
var containerFields = []string{"image", "command", "args", "run", "env", "env_from", "port", "ports", "cpu", "memory", "cpu_limit",
	"memory_limit", "ready", "live", "startup", "mount", "user"}

// probeTimingFields are the fields of a probe's `{ ... }`.
var probeTimingFields = []string{"delay", "period", "timeout", "failures", "successes"}

// containerField checks a field of a container; it returns false for
// fields a container does not have.
func (c *checker) containerField(d *decl, w *ir.Container, key string, v *syntax.Value, st *containerState) bool {
	r := d.res
	switch key {
	case "image":
		if s, ok := c.str(v, key); ok {
			w.Image = s
			c.checkImage(s, span(v))
		}
	case "command":
		w.Command, _ = c.strList(v, key)
	case "args":
		w.Args, _ = c.strList(v, key)
	case "run":
		if s, ok := c.str(v, key); ok {
			w.Command, w.Args = []string{"/bin/sh", "-c"}, []string{s}
		}
	case "env":
		c.env(d, w, v)
	case "env_from":
		if v.Right != nil || v.Left.List == nil {
			c.errorf(span(v), CodeType, "env_from must be a list of references, not %s", describe(v.Left)).
				Hint("write e.g. `env_from = [configmap app-config, secret app-db]`")
			break
		}
		for _, it := range v.Left.List.Items {
			if t := c.ref(it, "env_from", ir.ConfigMap, ir.Secret); t != nil {
				w.EnvFrom = append(w.EnvFrom, t.res)
				r.Reads = append(r.Reads, &ir.Read{Target: t.res, Span: span(it), Via: "env_from"})
			}
		}
	case "port":
		if n, ok := c.integer(v, key, 1, 65535); ok {
			w.Ports = append(w.Ports, ir.Port{Name: "http", Port: int32(n), Span: span(v)})
		}
	case "ports":
		w.Ports = append(w.Ports, c.namedPorts(v, false, nil)...)
	case "cpu":
		w.CPU, _ = c.quantity(v, key)
	case "memory":
		w.Memory, _ = c.quantity(v, key)
	case "cpu_limit":
		w.CPULimit, _ = c.quantity(v, key)
	case "memory_limit":
		w.MemoryLimit, _ = c.quantity(v, key)
	case "ready", "live", "startup":
		p, port := c.probe(v, key)
		if p != nil {
			switch key {
			case "ready":
				w.Ready = p
			case "live":
				w.Live = p
			default:
				w.Startup = p
			}
			st.probes = append(st.probes, probeUse{p, port})
		}
	case "mount":
		c.mounts(d, w, v)
	case "user":
		if n, ok := c.integer(v, key, 0, math.MaxInt32); ok {
			w.User = &n
		}
	default:
		return false
	}
	return true
}

// labeledField checks an entry with a label: `container NAME { ... }`,
// `init NAME { ... }`, `sidecar NAME { ... }`, `volume NAME = ...` (read
// before the other fields) and an ingress's `rule HOST { ... }`.
func (c *checker) labeledField(d *decl, e *syntax.Entry, st *workloadState) {
	r := d.res
	key, label := e.Key.Name(), e.Label.Ident
	quoted := e.Key.String != nil
	if st.labeled == nil {
		st.labeled = map[string]*syntax.Entry{}
	}
	switch {
	case r.Kind.IsWorkload() && !quoted && (key == "container" || key == "init" || key == "sidecar"):
		c.subContainer(d, e, st)
		return
	case r.Kind.IsWorkload() && !quoted && key == "volume":
		return // read by volumes
	case r.Kind == ir.Ingress && !quoted && key == "rule":
		if prev, ok := st.labeled["rule "+*label]; ok {
			c.errorf(span(e.Label), CodeRepeated, "rule %q is given twice", *label).
				Note(span(prev.Label), "first given here").
				Hint("give each host one rule, with all its paths")
			return
		}
		st.labeled["rule "+*label] = e
		c.ingressRule(d, e, st)
		return
	}
	var takes []string
	switch {
	case r.Kind.IsWorkload():
		takes = []string{"container", "init", "sidecar", "volume"}
	case r.Kind == ir.Ingress:
		takes = []string{"rule"}
	}
	d2 := c.errorf(span(e.Key), CodeUnknownField, "%s field %q takes no name", r.Kind, key)
	if s := diag.Suggest(key, takes); s != "" && s != key {
		d2.Hint("did you mean %q?", s)
	} else if len(takes) > 0 {
		d2.Hint("only %s take a name; write `%s = ...` otherwise", quoteList(takes), key)
	} else {
		d2.Hint("write `%s = ...`", key)
	}
}

// subContainer checks `container NAME { ... }`, `init NAME { ... }` and
// `sidecar NAME { ... }`.
func (c *checker) subContainer(d *decl, e *syntax.Entry, st *workloadState) {
	r := d.res
	w := r.Workload
	key, name := e.Key.Name(), e.Label.Ident
	at := span(e.Label)
	if msgs := validation.IsDNS1123Label(*name); len(msgs) > 0 {
		c.errorf(at, CodeBadName, "%q is not a valid container name: %s", *name, plain(msgs)).
			Hint("a container name is lower-case letters, digits and '-', at most 63 characters, e.g. %q", suggestName(*name))
		return
	}
	if *name == w.Container.Name {
		c.errorf(at, CodeDuplicate, "container %q has the name of %s's main container", *name, r.Ref()).
			Note(r.NameSpan, "the workload's own fields describe its main container, named %q", w.Container.Name).
			Hint("give the %s another name, e.g. %q", key, *name+"-"+key)
		return
	}
	if prev, ok := st.labeled["container "+*name]; ok {
		c.errorf(at, CodeDuplicate, "container %q is declared twice", *name).
			Note(span(prev.Label), "first declared here").
			Hint("container names are unique among a workload's containers, init containers and sidecars")
		return
	}
	st.labeled["container "+*name] = e
	if e.Block == nil {
		c.errorf(span(entryValue(e)), CodeType, "%s %s must be a block of container fields", key, *name).
			Hint(`write e.g. %s %s { image = "busybox:1.37"; run = "..." }`, key, *name)
		return
	}
	ct := &ir.Container{Name: *name, Span: at, Sidecar: key == "sidecar"}
	var cs containerState
	seen := map[string]*syntax.Entry{}
	for _, f := range e.Block.Entries {
		if f.Label != nil {
			c.errorf(span(f.Label), CodeUnknownField, "%s field %q takes no name", key, f.Key.Name()).
				Hint("containers, init containers and sidecars are declared in the workload itself")
			continue
		}
		if !c.once(seen, f, "field") {
			continue
		}
		if f.Key.String != nil || !c.containerGeneralField(d, key, *name, f, seen) && !c.containerField(d, ct, f.Key.Name(), entryValue(f), &cs) {
			c.unknownField(f, key+" field", containerFields)
		}
	}
	c.finishContainer(d, ct, seen, &cs)
	if cs.root.IsValid() {
		st.roots = append(st.roots, cs.root)
	}
	if key == "container" {
		w.Containers = append(w.Containers, ct)
	} else {
		w.Init = append(w.Init, ct)
	}
	if key == "init" && (ct.Ready != nil || ct.Live != nil || ct.Startup != nil) {
		for _, p := range []string{"ready", "live", "startup"} {
			if f, ok := seen[p]; ok {
				c.errorf(span(f.Key), CodeNotHere, "an init container takes no %s probe", p).
					Hint("init containers run to completion before the others start; make it a `sidecar` to probe it")
			}
		}
	}
}

// describeContainer names a container in diagnostics: the workload for its
// main container.
func describeContainer(r *ir.Resource, ct *ir.Container) string {
	if ct.Span == r.NameSpan { // the main container
		return r.Kind.String() + " " + quote(r.Name)
	}
	return "container " + quote(ct.Name) + " of " + r.Kind.String() + " " + quote(r.Name)
}

// finishContainer checks what needs every field of a container: the image,
// run against command and args, port against ports, probe ports, resource
// requests against limits and the user.
func (c *checker) finishContainer(d *decl, w *ir.Container, seen map[string]*syntax.Entry, st *containerState) {
	r := d.res
	who := describeContainer(r, w)
	if _, ok := seen["image"]; !ok && !misspelt(r.Kind, seen, "image") {
		c.errorf(w.Span, CodeMissingField, "%s has no image", who).
			Hint("add `image = %q`", "ghcr.io/acme/app:1.0.0")
	}
	if e, ok := seen["run"]; ok {
		for _, other := range []string{"command", "args"} {
			if o, ok := seen[other]; ok {
				c.errorf(span(o.Key), CodeConflict, "%s cannot be combined with run", other).
					Note(span(e.Key), "run is given here").
					Hint("run is a shell command (/bin/sh -c); use either run, or command and args")
			}
		}
	}
	if _, ok := seen["port"]; ok {
		if _, ok := seen["ports"]; ok {
			c.errorf(span(seen["ports"].Key), CodeConflict, "ports cannot be combined with port").
				Note(span(seen["port"].Key), "port is given here").
				Hint("port = N is short for ports = { http = N }; use one of them")
		}
	}
	names := portNames(w.Ports)
	for _, pu := range st.probes {
		if pu.probe.Type == ir.ExecProbe {
			continue
		}
		if pu.port == nil {
			if len(w.Ports) == 0 {
				c.errorf(w.Span, CodeMissingField, "%s has a %s probe but no port", who, probeWord(pu.probe.Type)).
					Hint("add `port = 8000`, or say the port: `http \"/health\" on 8000`")
				continue
			}
			pu.probe.Port = ir.PortRef{Number: w.Ports[0].Port}
			continue
		}
		if ref, ok := c.portRef(pu.port, names, who, span(pu.port)); ok {
			pu.probe.Port = ref
			if w.Span == r.NameSpan { // the main container: every other one is read by now
				c.probeDeclaredPort(d, pu)
			}
		}
	}
	c.checkResources(w, seen)
	if e, ok := seen["user"]; ok && w.User != nil && *w.User == 0 {
		st.root = span(e.Key)
	}
}

// checkResources reports what the API server would reject in a container's
// requests and limits: a request above its limit, and memory in fractions
// of a byte.
func (c *checker) checkResources(w *ir.Container, seen map[string]*syntax.Entry) {
	for _, f := range []string{"memory", "memory_limit"} {
		e, ok := seen[f]
		q := w.Memory
		if f == "memory_limit" {
			q = w.MemoryLimit
		}
		if !ok || q == nil {
			continue
		}
		if q.MilliValue()%1000 != 0 {
			c.errorf(span(entryValue(e)), CodeQuantity, "%s %s is a fraction of a byte", f, q.String()).
				Hint("the m suffix means thousandths; for megabytes write Mi or M, e.g. `%s = 512Mi`", f)
		}
	}
	over := func(req, limit *resource.Quantity, reqField, limitField string) {
		if req == nil || limit == nil || req.Cmp(*limit) <= 0 {
			return
		}
		c.errorf(span(entryValue(seen[reqField])), CodeRange, "%s %s is above %s %s", reqField, req.String(), limitField, limit.String()).
			Note(span(entryValue(seen[limitField])), "%s is given here", limitField).
			Hint("a request may not exceed its limit; lower %s or raise %s", reqField, limitField)
	}
	over(w.CPU, w.CPULimit, "cpu", "cpu_limit")
	over(w.Memory, w.MemoryLimit, "memory", "memory_limit")
}

// probeTiming checks a probe's `{ delay = 10s; period = 5s; timeout = 2s;
// failures = 3; successes = 1 }`.
func (c *checker) probeTiming(b *syntax.Block, t *ir.ProbeTiming) {
	seen := map[string]*syntax.Entry{}
	for _, e := range b.Entries {
		if !c.once(seen, e, "probe timing") {
			continue
		}
		key := e.Key.Name()
		v := entryValue(e)
		switch key {
		case "delay", "period", "timeout":
			dur, ok := c.duration(v, key, key != "delay")
			if !ok {
				continue
			}
			if dur%time.Second != 0 {
				c.errorf(span(v), CodeDuration, "probe %s %s is not a whole number of seconds", key, dur).
					Hint("Kubernetes counts probe timings in seconds, e.g. 5s")
				continue
			}
			switch key {
			case "delay":
				t.Delay = dur
			case "period":
				t.Period = dur
			default:
				t.Timeout = dur
			}
		case "failures", "successes":
			if n, ok := c.integer(v, key, 1, math.MaxInt32); ok {
				if key == "failures" {
					t.Failures = int32(n)
				} else {
					t.Successes = int32(n)
				}
			}
		default:
			c.unknownField(e, "probe timing", probeTimingFields)
		}
	}
}

// volumes reads a workload's `volume NAME = emptydir`, `volume NAME {
// size = 1Gi, memory = true }` and `volume NAME = [configmap a, secret b]`
// (projected).
func (c *checker) volumes(d *decl, entries []*syntax.Entry) {
	r := d.res
	if !r.Kind.IsWorkload() {
		return
	}
	w := r.Workload
	seen := map[string]*syntax.Entry{}
	for _, e := range entries {
		if e.Label == nil || e.Key.String != nil || e.Key.Name() != "volume" {
			continue
		}
		name := *e.Label.Ident
		at := span(e.Label)
		if prev, ok := seen[name]; ok {
			c.errorf(at, CodeDuplicate, "volume %q is declared twice", name).
				Note(span(prev.Label), "first declared here").
				Hint("remove one of them, or rename it")
			continue
		}
		seen[name] = e
		if msgs := validation.IsDNS1123Label(name); len(msgs) > 0 {
			c.errorf(at, CodeBadName, "%q is not a valid volume name: %s", name, plain(msgs)).
				Hint("a volume name is lower-case letters, digits and '-', at most 63 characters, e.g. %q", suggestName(name))
			continue
		}
		vol := &ir.Volume{Name: name, Span: at}
		v := entryValue(e)
		switch {
		case v.Right == nil && v.Left.Ident != nil && *v.Left.Ident == "emptydir":
		case v.Right == nil && v.Left.Map != nil:
			fs := map[string]*syntax.Entry{}
			for _, f := range v.Left.Map.Entries {
				if !c.once(fs, f, "volume field") {
					continue
				}
				fv := entryValue(f)
				switch f.Key.Name() {
				case "size":
					vol.SizeLimit, _ = c.quantity(fv, "size")
				case "memory":
					vol.Memory, _ = c.boolean(fv, "memory")
				default:
					c.unknownField(f, "volume field", VolumeFields())
				}
			}
		case v.Right == nil && v.Left.List != nil:
			for _, it := range v.Left.List.Items {
				if t := c.ref(it, "a projected volume", ir.ConfigMap, ir.Secret); t != nil {
					vol.Projected = append(vol.Projected, t.res)
					r.Reads = append(r.Reads, &ir.Read{Target: t.res, Span: span(it), Via: "mount"})
				}
			}
			if len(vol.Projected) == 0 && len(v.Left.List.Items) == 0 {
				c.errorf(span(v), CodeMissingField, "projected volume %q has no sources", name).
					Hint("write e.g. `volume %s = [configmap app-config, secret app-tls]`", name)
			}
		default:
			c.errorf(span(v), CodeType, "volume %s must be emptydir, a block or a list of configmaps and secrets, not %s", name, describe(v.Left)).
				Hint("write `volume %s = emptydir`, `volume %s { size = 1Gi }` or `volume %s = [configmap app-config, secret app-tls]`", name, name, name)
			continue
		}
		w.Volumes = append(w.Volumes, vol)
	}
	sort.Slice(w.Volumes, func(i, j int) bool { return w.Volumes[i].Name < w.Volumes[j].Name })
}

// ownVolume reports whether `volume NAME` names a volume of the workload.
func (c *checker) ownVolume(d *decl, ref *syntax.Ref) bool {
	var names []string
	for _, v := range d.res.Workload.Volumes {
		if v.Name == ref.Name.Value {
			return true
		}
		names = append(names, v.Name)
	}
	dg := c.errorf(span(ref), CodeUnknownVolume, "%s has no volume %q", d.res.Describe(), ref.Name.Value)
	if s := diag.Suggest(ref.Name.Value, names); s != "" {
		dg.Hint("did you mean `volume %s`?", s)
	} else {
		dg.Hint("declare it in the workload, e.g. `volume %s = emptydir`", ref.Name.Value)
	}
	return false
}

// pullSecrets checks `pull_secrets = [secret ghcr-pull]`: the Pod's
// imagePullSecrets, which its kubelet reads to pull the images.
func (c *checker) pullSecrets(d *decl, v *syntax.Value) {
	if v.Right != nil || v.Left.List == nil {
		c.errorf(span(v), CodeType, "pull_secrets must be a list of secrets, not %s", describe(v.Left)).
			Hint("write e.g. `pull_secrets = [secret ghcr-pull]`")
		return
	}
	w := d.res.Workload
	for _, it := range v.Left.List.Items {
		t := c.ref(it, "pull_secrets", ir.Secret)
		if t == nil {
			continue
		}
		if !t.res.External {
			c.checkSecretType(t, span(it), "kubernetes.io/dockerconfigjson", "pull_secrets", `type = "kubernetes.io/dockerconfigjson"`)
		}
		w.PullSecrets = append(w.PullSecrets, t.res)
		d.res.Reads = append(d.res.Reads, &ir.Read{Target: t.res, Span: span(it), Via: "pull_secrets"})
	}
}

// quietStr returns a literal string value, or a string parameter's value,
// without reporting anything.
func (c *checker) quietStr(v *syntax.Value) (string, bool) {
	if v.Right != nil {
		return "", false
	}
	switch {
	case v.Left.String != nil:
		parts, _ := v.Left.String.Parts(c.fileOf(span(v)).Source)
		out := ""
		for _, p := range parts {
			if p.Ref != "" {
				if pr, ok := c.params[p.Ref]; ok {
					out += pr.value
				}
				continue
			}
			out += p.Text
		}
		return out, true
	case v.Left.Ident != nil:
		if p, ok := c.params[*v.Left.Ident]; ok && p.typ == ir.StringParam {
			return p.value, true
		}
	}
	return "", false
}

// storageClass checks a storage class name.
func (c *checker) storageClass(v *syntax.Value) string {
	s, ok := c.str(v, "storage_class")
	if !ok {
		return ""
	}
	if msgs := validation.IsDNS1123Subdomain(s); len(msgs) > 0 {
		c.errorf(span(v), CodeBadName, "storage class %q is not a valid name: %s", s, plain(msgs))
	}
	return s
}

// cronJobField checks a cronjob's time_zone, keep_succeeded and
// keep_failed.
func (c *checker) cronJobField(w *ir.WorkloadSpec, key string, v *syntax.Value) {
	switch key {
	case "time_zone":
		s, ok := c.str(v, key)
		if !ok {
			return
		}
		if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
			c.errorf(span(v), CodeEnum, "time_zone %q is not a time zone name", s).
				Hint(`write an IANA time zone name, e.g. "Europe/Berlin" or "Etc/UTC"`)
			return
		}
		w.TimeZone = s
	case "keep_succeeded", "keep_failed":
		if n, ok := c.integer(v, key, 0, math.MaxInt32); ok {
			k := int32(n)
			if key == "keep_succeeded" {
				w.KeepSucceeded = &k
			} else {
				w.KeepFailed = &k
			}
		}
	}
}

// finishWorkload checks what needs every field of a workload: inherited
// users, the governing Service of a statefulset.
func (c *checker) finishWorkload(d *decl, seen map[string]*syntax.Entry, st *workloadState) {
	r := d.res
	w := r.Workload
	roots := st.roots
	if st.root.IsValid() {
		roots = append([]source.Span{st.root}, roots...)
	}
	if w.Restricted {
		for _, at := range roots {
			c.errorf(at, CodeRange, "user 0 is root, which the restricted profile forbids").
				Hint("run as a non-root user, e.g. `user = 10001`, or opt out with `restricted = false`")
		}
	}
	for _, ct := range append(append([]*ir.Container(nil), w.Containers...), w.Init...) {
		if ct.User == nil {
			ct.User = w.User
		}
	}
	ports := map[string]*ir.Container{}
	for _, ct := range w.AllContainers() {
		for _, p := range ct.Ports {
			if prev, ok := ports[p.Name]; ok && prev != ct {
				c.errorf(p.Span, CodeDuplicate, "port name %q is used by %s and %s", p.Name, describeContainer(r, prev), describeContainer(r, ct)).
					Note(prev.Span, "%s is declared here", describeContainer(r, prev)).
					Hint("port names are unique within a Pod, so that a Service or probe can name them; `port = N` is named http, so give the other a name: `ports = { metrics = N }`")
				continue
			}
			ports[p.Name] = ct
		}
	}
	for _, st := range w.Storage {
		for _, m := range w.Mounts {
			if m.Path == st.Path {
				c.errorf(span(entryValue(seen["storage"])), CodeConflict, "%s is both mounted and a storage path", st.Path).
					Note(span(entryValue(seen["mount"])), "the mount is given here").
					Hint("a storage path mounts the Pod's own claim there; remove one of them")
			}
		}
		name := strings.ToLower(path.Base(st.Path))
		for _, v := range w.Volumes {
			if v.Name == name {
				c.errorf(v.Span, CodeDuplicate, "volume %q has the name of the claim of storage path %s", v.Name, st.Path).
					Hint("rename the volume; a storage path's claim is named after its last element")
			}
		}
	}
	if r.Kind == ir.StatefulSet && w.GoverningService == nil {
		if _, given := seen["service"]; !given {
			if t, ok := c.decls[declKey{ir.Service, r.Name}]; ok {
				w.GoverningService = t.res
			} else if !c.generalSets(d, "spec.serviceName") { // that is E0412, whose hint says the same
				c.errorf(r.NameSpan, CodeMissingField, "statefulset %q has no governing service, and no service is named %q", r.Name, r.Name).
					Hint("add `service = service NAME`, or declare a headless one: `service %s { type = None; port = 5432 }`", r.Name)
			}
		}
	}
	if _, ok := seen["user"]; !ok && w.Restricted && w.Image != "" && !c.generalSetsUser(d) {
		c.checkImageUser(r, seen["image"])
	}
}

// containerPortNames returns the names of the ports a workload's Pods
// serve.
func containerPortNames(w *ir.WorkloadSpec) []string {
	return portNames(podPorts(w))
}

// podPorts returns the ports a workload's Pods serve: those of its
// serving containers.
func podPorts(w *ir.WorkloadSpec) []ir.Port {
	var out []ir.Port
	for _, ct := range servingContainers(w) {
		out = append(out, ct.Ports...)
	}
	return out
}

// sameNamed returns the declaration named name of the first of kinds that
// has one, or nil.
func (c *checker) sameNamed(name string, kinds ...ir.Kind) *ir.Resource {
	for _, k := range kinds {
		if t, ok := c.decls[declKey{k, name}]; ok {
			return t.res
		}
	}
	return nil
}

// serviceTargets reports a service port whose numeric target no container
// of the selected workload declares.
func (c *checker) serviceTargets(r *ir.Resource) {
	s := r.Service
	w := s.Selector.Workload
	var numbers []int32
	for _, p := range podPorts(w) {
		numbers = append(numbers, p.Port)
	}
	if len(numbers) == 0 {
		return // the workload does not say which ports it listens on
	}
	for _, p := range s.Ports {
		n := p.Target.Number
		if p.Target.IsZero() {
			n = p.Port
		}
		if p.Target.Name != "" || containsPort(numbers, n) {
			continue
		}
		c.errorf(p.Span, CodeUnknownPort, "%s has no container port %d", s.Selector.Describe(), n).
			Note(s.Selector.NameSpan, "%s is declared here", s.Selector.Ref()).
			Hint("target one of its ports, e.g. `%d -> %d`", p.Port, numbers[0])
	}
}

// probeDeclaredPort warns when a probe of the main container checks a port
// number that no container of the Pod declares, although they declare
// others (W0443). A probe does not need a declared port, but a workload
// that says where it listens and is probed elsewhere is almost always a
// typo or a port changed in one place only; its readiness probe then fails
// until the sync times out. Ports written as the Kubernetes API spells
// them (`ports = [{ containerPort = N }]`) are not among the containers'
// ports here, so such a workload says nothing.
func (c *checker) probeDeclaredPort(d *decl, pu probeUse) {
	n := pu.probe.Port.Number
	if n == 0 {
		return
	}
	r := d.res
	ports := podPorts(r.Workload)
	if len(ports) == 0 {
		return
	}
	list := make([]string, len(ports))
	for i, p := range ports {
		if p.Port == n {
			return
		}
		list[i] = strconv.Itoa(int(p.Port))
	}
	first := ports[0]
	c.warnf(span(pu.port), CodeProbeUndeclaredPort, "the probe checks port %d, which %s %q does not declare", n, r.Kind, r.Name).
		Note(first.Span, "its Pods declare port %s", strings.Join(list, ", ")).
		Hint("probe a declared port (`on %d` or `on %s`), or declare this one too, e.g. `ports = { %s = %d, health = %d }`", first.Port, first.Name, first.Name, first.Port, n)
}

// servingContainers returns the containers that run beside the main one
// and can serve a port: the main container, the further containers and the
// sidecars, but not the init containers, which have ended by then.
func servingContainers(w *ir.WorkloadSpec) []*ir.Container {
	out := []*ir.Container{&w.Container}
	out = append(out, w.Containers...)
	for _, ct := range w.Init {
		if ct.Sidecar {
			out = append(out, ct)
		}
	}
	return out
}

func containsPort(xs []int32, n int32) bool {
	for _, x := range xs {
		if x == n {
			return true
		}
	}
	return false
}

// governingServices warns about a statefulset whose governing Service is
// not headless (W0444). Kubernetes accepts it, but the stable DNS name of
// each Pod (NAME-0.SERVICE), the reason a statefulset names a Service,
// exists only for a headless one. It runs after the bodies, when every
// Service's type is known; an external Service is not judged.
func (c *checker) governingServices() {
	for _, d := range c.order_ {
		r := d.res
		if r.Kind != ir.StatefulSet || r.External || r.Workload == nil || r.Workload.GoverningService == nil {
			continue
		}
		svc := r.Workload.GoverningService
		if svc.External || svc.Service == nil || svc.Service.Headless {
			continue
		}
		c.warnf(r.NameSpan, CodeGoverningNotHeadless, "statefulset %q is governed by service %q, which is not headless, so its Pods get no DNS names of their own", r.Name, svc.Name).
			Note(svc.NameSpan, "service %q is declared here", svc.Name).
			Hint("make it headless with `type = None`, or give the statefulset a headless service of its own: `service %s-headless { type = None; port = ... }` and `service = service %s-headless`", r.Name, r.Name)
	}
}

// sharedClaims warns about a ReadWriteOnce claim mounted by a workload
// that runs more than one Pod: the API server accepts it, but Pods on a
// second node wait for the volume forever.
func (c *checker) sharedClaims() {
	for _, d := range c.order_ {
		r := d.res
		w := r.Workload
		if w == nil || r.External {
			continue
		}
		many := ""
		switch {
		case r.Kind == ir.DaemonSet:
			many = "runs a Pod on every node"
		case (r.Kind == ir.Deployment || r.Kind == ir.StatefulSet || r.Kind == ir.ReplicaSet) && w.Autoscaled:
			many = "is scaled by an hpa"
		case (r.Kind == ir.Deployment || r.Kind == ir.StatefulSet || r.Kind == ir.ReplicaSet) && w.Replicas > 1:
			many = fmt.Sprintf("has %d replicas", w.Replicas)
		}
		if many == "" {
			continue
		}
		warned := map[*ir.Resource]bool{}
		for _, rd := range r.Reads {
			t := rd.Target
			if rd.Via != "mount" || t.Kind != ir.PVC || t.PVC == nil || t.External || warned[t] {
				continue
			}
			if t.PVC.Access != ir.ReadWriteOnce && t.PVC.Access != ir.ReadWriteOncePod {
				continue
			}
			warned[t] = true
			c.warnf(rd.Span, CodeSharedClaim, "%s %s, but mounts pvc %q, which is %s", r.Describe(), many, t.Name, t.PVC.Access).
				Note(t.NameSpan, "pvc %q is declared here", t.Name).
				Hint("give the pvc `access = ReadWriteMany`, run one replica, or use a statefulset's `storage` for a volume per Pod")
		}
	}
}

// misspelt reports whether one of the fields seen is not a field of kind
// but a misspelling of field: it was reported as unknown with a
// did-you-mean for field, so saying field is missing too adds nothing.
func misspelt(kind ir.Kind, seen map[string]*syntax.Entry, field string) bool {
	fields := fieldsOf(kind)
	for k := range seen {
		if !slices.Contains(fields, k) && diag.Suggest(k, fields) == field {
			return true
		}
	}
	return false
}

// containerName checks `container_name = "NAME"`, the name of the main
// container when it is not named like the workload.
func (c *checker) containerName(d *decl, name string, at source.Span, st *workloadState) {
	r := d.res
	if msgs := validation.IsDNS1123Label(name); len(msgs) > 0 {
		c.errorf(at, CodeBadName, "%q is not a valid container name: %s", name, plain(msgs)).
			Hint("a container name is lower-case letters, digits and '-', at most 63 characters, e.g. %q", suggestName(name))
		return
	}
	if prev, ok := st.labeled["container "+name]; ok {
		c.errorf(at, CodeDuplicate, "container_name %q is the name of %s %s", name, prev.Key.Name(), name).
			Note(span(prev.Label), "declared here").
			Hint("container names are unique among a workload's containers, init containers and sidecars")
		return
	}
	r.Workload.Container.Name = name
}
