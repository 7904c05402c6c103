package check

import (
	"fmt"
	"math"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// Fields of each kind, for checking and for "did you mean" hints.
var (
	commonFields   = []string{"labels", "annotations", "prune", "prune_last", "server_side_apply", "replace", "skip_dry_run", "delete", "generate_name"}
	workloadFields = append(append([]string(nil), containerFields...), "service_account", "restricted", "pull_secrets", "grace_period", "container_name",
		"container", "init", "sidecar", "volume")
	kindFields = map[ir.Kind][]string{
		ir.ConfigMap:          nil,
		ir.Secret:             {"type"},
		ir.ServiceAccount:     {"automount"},
		ir.Deployment:         {"replicas", "selector"},
		ir.StatefulSet:        {"replicas", "service", "storage", "storage_class", "selector"},
		ir.DaemonSet:          {"selector"},
		ir.ReplicaSet:         {"replicas", "selector"},
		ir.Job:                {"retries", "timeout"},
		ir.CronJob:            {"retries", "timeout", "schedule", "concurrency", "suspend", "time_zone", "keep_succeeded", "keep_failed"},
		ir.Pod:                nil,
		ir.Service:            {"port", "ports", "selector", "type", "port_name"},
		ir.Ingress:            {"host", "path", "service", "port", "class", "path_type", "tls", "rule"},
		ir.PVC:                {"size", "access", "storage_class"},
		ir.HPA:                {"target", "min", "max", "cpu", "memory"},
		ir.PDB:                {"selector", "min_available", "max_unavailable"},
		ir.NetworkPolicy:      {"selector", "from", "to", "ports", "dns"},
		ir.Role:               {"rules"},
		ir.ClusterRole:        {"rules"},
		ir.RoleBinding:        {"role", "subjects"},
		ir.ClusterRoleBinding: {"role", "subjects"},
	}
)

// syncOptionField returns the sync-option field named key, or nil.
func syncOptionField(key string) *ir.SyncOptionField {
	for i := range ir.SyncOptionFields {
		if ir.SyncOptionFields[i].Field == key {
			return &ir.SyncOptionFields[i]
		}
	}
	return nil
}

// sortSyncOptions orders options as ir.SyncOptionFields lists them, so
// output does not depend on the order of fields.
func sortSyncOptions(opts []string) {
	rank := func(o string) int {
		name, _, _ := strings.Cut(o, "=")
		for i, f := range ir.SyncOptionFields {
			if f.Option == name {
				return i
			}
		}
		return len(ir.SyncOptionFields)
	}
	sort.SliceStable(opts, func(i, j int) bool { return rank(opts[i]) < rank(opts[j]) })
}

// fieldsOf returns every field name kind k accepts.
func fieldsOf(k ir.Kind) []string {
	out := append([]string(nil), commonFields...)
	if k.IsWorkload() {
		out = append(out, workloadFields...)
	}
	out = append(out, kindFields[k]...)
	sort.Strings(out)
	return out
}

// bodies checks the fields of every declaration.
func (c *checker) bodies() {
	// Services read their workloads' ports and ingresses their services',
	// so they come last.
	rank := func(k ir.Kind) int {
		switch k {
		case ir.Service, ir.HPA, ir.PDB, ir.NetworkPolicy:
			return 1
		case ir.Ingress:
			return 2
		}
		return 0
	}
	for pass := 0; pass < 3; pass++ {
		for _, d := range c.order_ {
			if rank(d.res.Kind) == pass {
				c.body(d)
			}
		}
	}
	c.sharedClaims()
	c.governingServices()
	c.bindingReads()
}

// body checks the fields of one declaration.
func (c *checker) body(d *decl) {
	{
		if d.obj != nil {
			c.object(d)
			return
		}
		r := d.res
		switch {
		case r.Kind == ir.ConfigMap:
			r.ConfigMap = &ir.ConfigMapSpec{Data: map[string]string{}}
		case r.Kind == ir.Secret:
			r.Secret = &ir.SecretSpec{Data: map[string]string{}}
		case r.Kind == ir.ServiceAccount:
			r.ServiceAccount = &ir.ServiceAccountSpec{}
		case r.Kind.IsWorkload():
			r.Workload = &ir.WorkloadSpec{Restricted: c.p.Restricted, Replicas: 1,
				Container: ir.Container{Name: r.Name, Span: r.NameSpan}}
		case r.Kind == ir.Service:
			r.Service = &ir.ServiceSpec{Type: ir.ClusterIP}
		case r.Kind == ir.Ingress:
			r.Ingress = &ir.IngressSpec{}
		case r.Kind == ir.PVC:
			r.PVC = &ir.PVCSpec{Access: ir.ReadWriteOnce}
		default:
			c.newSpec(r)
		}
		var entries []*syntax.Entry
		if d.node.Body != nil {
			entries = d.node.Body.Entries
		}
		w := &workloadState{}
		seen := map[string]*syntax.Entry{}
		// A workload's own volumes come first: mounts name them.
		c.volumes(d, entries)
		for _, e := range entries {
			if e.Label != nil {
				c.labeledField(d, e, w)
				continue
			}
			if !c.once(seen, e, "field") {
				continue
			}
			c.field(d, e, w)
		}
		if r.External {
			return
		}
		c.finishBody(d, seen, w)
		c.finishGeneral(d, seen) // general.go
		c.finishSubGeneral(d)    // general.go
		c.nameMainOverlays(d)    // general.go
		c.volumeMountNames(d)    // mounts.go
		c.finishSelector(d)      // selector.go
		c.finishMetadata(d)      // metadata.go
		c.finishPortName(d)      // service_port.go
	}
}

// workloadState carries what a workload's fields leave for later checks.
type workloadState struct {
	containerState
	// roots are where further containers set user 0.
	roots []source.Span
	// labeled are the labeled entries (`container NAME`, `rule NAME`, ...)
	// by key and label.
	labeled map[string]*syntax.Entry
	// ingressPaths are an ingress's paths with their port as written, for
	// the check against the service's ports; ingressShort is the path of
	// the short form (`host`, `path`, `service`, `port`).
	ingressPaths []*ingressPathUse
	ingressShort *ingressPathUse
}

// containerState carries what a container's fields leave for later checks.
type containerState struct {
	probes []probeUse
	// root is where the container sets user 0, checked against the
	// workload's restricted once every field is read.
	root source.Span
}

type probeUse struct {
	probe *ir.Probe
	port  *syntax.Primary
}

// field checks one field of a built-in kind.
func (c *checker) field(d *decl, e *syntax.Entry, w *workloadState) {
	r := d.res
	key := e.Key.Name()
	v := entryValue(e)
	quoted := e.Key.String != nil
	switch {
	case key == "labels" && !quoted:
		r.Labels = c.labelsWith(v, true)
		return
	case key == "annotations" && !quoted:
		r.Annotations = c.annotations(v)
		return
	case key == "prune" && !quoted:
		if b, ok := c.boolean(v, key); ok {
			r.NoPrune = !b
		}
		return
	case key == "prune_last" && !quoted:
		if b, ok := c.boolean(v, key); ok {
			r.PruneLast = b
		}
		return
	case key == "generate_name" && !quoted:
		if s, ok := c.str(v, key); ok {
			if msgs := validation.IsDNS1123Subdomain(s + "x"); len(msgs) > 0 {
				c.errorf(span(v), CodeBadName, "generate_name %q does not start a valid name: %s", s, plain(msgs)).
					Hint("write lower-case letters, digits, '-' and '.', e.g. %q", r.Name+"-")
				return
			}
			r.GenerateName = s
		}
		return
	case syncOptionField(key) != nil && !quoted:
		f := syncOptionField(key)
		if b, ok := c.boolean(v, key); ok && (b != f.Default || f.Both) {
			r.SyncOptions = append(r.SyncOptions, fmt.Sprintf("%s=%t", f.Option, b))
			sortSyncOptions(r.SyncOptions)
		}
		return
	}
	if c.generalField(d, e) { // workloads' general blocks and container fields: general.go
		return
	}
	switch r.Kind {
	case ir.ConfigMap:
		c.dataEntry(e, r.ConfigMap.Data, "configmap")
		return
	case ir.Secret:
		if key == "type" && !quoted {
			r.Secret.Type, _ = c.str(v, key)
			return
		}
		c.dataEntry(e, r.Secret.Data, "secret")
		return
	case ir.ServiceAccount:
		if key == "automount" {
			if b, ok := c.boolean(v, key); ok {
				r.ServiceAccount.Automount = &b
			}
			return
		}
	case ir.Deployment, ir.StatefulSet, ir.DaemonSet, ir.ReplicaSet, ir.Job, ir.CronJob, ir.Pod:
		if c.workloadField(d, key, v, w) {
			return
		}
	case ir.Service:
		if c.serviceField(d, key, v) {
			return
		}
	case ir.Ingress:
		if c.ingressField(d, key, v, w) {
			return
		}
	case ir.PVC:
		if c.pvcField(d, key, v) {
			return
		}
	default:
		if c.kindField(d, key, v) {
			return
		}
	}
	c.unknownField(e, r.Kind.String()+" field", fieldsOf(r.Kind))
}

// dataEntry checks a configmap or secret entry.
func (c *checker) dataEntry(e *syntax.Entry, data map[string]string, kind string) {
	key := e.Key.Name()
	if msgs := validation.IsConfigMapKey(key); len(msgs) > 0 {
		c.errorf(span(e.Key), CodeEnvName, "%s key %q is not valid: %s", kind, key, plain(msgs)).
			Hint(`keys are letters, digits, '-', '_' and '.', e.g. "app.properties"`)
		return
	}
	if s, ok := c.str(entryValue(e), kind+" entry "+key); ok {
		data[key] = s
	}
}

// workloadField checks a field of a deployment, statefulset, daemonset,
// job, cronjob or pod; it returns false for fields the kind does not have.
func (c *checker) workloadField(d *decl, key string, v *syntax.Value, st *workloadState) bool {
	r := d.res
	w := r.Workload
	k := r.Kind
	if c.containerField(d, &w.Container, key, v, &st.containerState) {
		return true
	}
	switch key {
	case "service_account":
		if t := c.ref(v, key, ir.ServiceAccount); t != nil {
			w.ServiceAccount = t.res
			r.Reads = append(r.Reads, &ir.Read{Target: t.res, Span: span(v), Via: key})
		}
	case "pull_secrets":
		c.pullSecrets(d, v)
	case "container_name":
		if s, ok := c.str(v, key); ok {
			c.containerName(d, s, span(v), st)
		}
	case "grace_period":
		if t, ok := c.duration(v, key, false); ok {
			secs := int64((t + time.Second - 1) / time.Second)
			w.GracePeriod = &secs
		}
	case "restricted":
		if b, ok := c.boolean(v, key); ok {
			w.Restricted = b
		}
	case "replicas":
		if k != ir.Deployment && k != ir.StatefulSet && k != ir.ReplicaSet {
			return false
		}
		if n, ok := c.integer(v, key, 0, math.MaxInt32); ok {
			w.Replicas = int32(n)
		}
	case "selector":
		if k != ir.Deployment && k != ir.StatefulSet && k != ir.DaemonSet && k != ir.ReplicaSet {
			return false
		}
		c.workloadSelector(d, v) // selector.go
	case "service":
		if k != ir.StatefulSet {
			return false
		}
		if t := c.ref(v, key, ir.Service); t != nil {
			w.GoverningService = t.res
		}
	case "storage_class":
		if k != ir.StatefulSet {
			return false
		}
		w.StorageClass = c.storageClass(v)
	case "storage":
		if k != ir.StatefulSet {
			return false
		}
		es, ok := c.mapOf(v, key, `{ "/var/lib/data" = 10Gi }`)
		if !ok {
			break
		}
		for _, e := range es {
			p := e.Key.Name()
			if !c.absPath(p, span(e.Key), "storage path") {
				continue
			}
			if q, ok := c.quantity(entryValue(e), "storage size"); ok {
				w.Storage = append(w.Storage, ir.Storage{Path: p, Size: *q})
			}
		}
		sort.Slice(w.Storage, func(i, j int) bool { return w.Storage[i].Path < w.Storage[j].Path })
	case "retries":
		if k != ir.Job && k != ir.CronJob {
			return false
		}
		if n, ok := c.integer(v, key, 0, math.MaxInt32); ok {
			w.Retries = int32(n)
		}
	case "timeout":
		if k != ir.Job && k != ir.CronJob {
			return false
		}
		w.Timeout, _ = c.duration(v, key, true)
	case "schedule":
		if k != ir.CronJob {
			return false
		}
		if s, ok := c.str(v, key); ok && c.checkSchedule(s, span(v)) {
			w.Schedule = s
		}
	case "concurrency":
		if k != ir.CronJob {
			return false
		}
		if s, ok := c.enum(v, key, []string{"Allow", "Forbid", "Replace"}); ok {
			w.Concurrency = ir.ConcurrencyPolicy(s)
		}
	case "suspend":
		if k != ir.CronJob {
			return false
		}
		w.Suspend, _ = c.boolean(v, key)
	case "time_zone", "keep_succeeded", "keep_failed":
		if k != ir.CronJob {
			return false
		}
		c.cronJobField(w, key, v)
	default:
		return false
	}
	return true
}

// absPath reports a path that is not absolute.
func (c *checker) absPath(p string, at source.Span, what string) bool {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p {
		c.errorf(at, CodeType, "%s %q must be an absolute, clean path", what, p).
			Hint(`write e.g. "/etc/app"`)
		return false
	}
	return true
}

// env checks `env = { NAME = "value", NAME = secret s -> "key" }`.
func (c *checker) env(d *decl, w *ir.Container, v *syntax.Value) {
	es, ok := c.mapOf(v, "env", `{ LOG_LEVEL = "info" }`)
	if !ok {
		return
	}
	for _, e := range es {
		name := e.Key.Name()
		if msgs := validation.IsEnvVarName(name); len(msgs) > 0 {
			c.errorf(span(e.Key), CodeEnvName, "%q is not a valid environment variable name: %s", name, plain(msgs)).
				Hint("use letters, digits, '_', '-' and '.', not starting with a digit, e.g. LOG_LEVEL")
			continue
		}
		ev := entryValue(e)
		if ev.Right == nil {
			if ev.Left.Ref != nil {
				c.errorf(span(ev), CodeType, "env %s must name the key to read", name).
					Hint("write `%s = %s %s -> \"KEY\"`, or use env_from for every key", name, ev.Left.Ref.Kind.Value, ev.Left.Ref.Name.Value)
				continue
			}
			if s, ok := c.str(ev, "env "+name); ok {
				w.Env = append(w.Env, ir.EnvVar{Name: name, Value: s})
			}
			continue
		}
		if ev.Left.Ref == nil {
			c.errorf(span(ev.Left), CodeType, "env %s: the left of -> must be a configmap or secret, not %s", name, describe(ev.Left)).
				Hint(`write e.g. %s = secret app-db -> "password"`, name)
			continue
		}
		t := c.refOf(ev.Left.Ref, "env", ir.ConfigMap, ir.Secret)
		key, ok := c.str(&syntax.Value{Pos: ev.Right.Pos, EndPos: ev.Right.EndPos, Left: ev.Right}, "env key")
		if !ok || t == nil {
			continue
		}
		if msgs := validation.IsConfigMapKey(key); len(msgs) > 0 {
			c.errorf(span(ev.Right), CodeEnvName, "key %q is not valid: %s", key, plain(msgs))
			continue
		}
		c.checkKey(t.res, key, span(ev.Right))
		w.Env = append(w.Env, ir.EnvVar{Name: name, From: t.res, Key: key})
		d.res.Reads = append(d.res.Reads, &ir.Read{Target: t.res, Span: span(ev.Left), Via: "env"})
	}
}

// checkKey reports a key that a ConfigMap or Secret declared in the
// pipeline does not have. Keys of external secrets cannot be checked.
func (c *checker) checkKey(t *ir.Resource, key string, at source.Span) {
	dc := c.decls[declKey{t.Kind, t.Name}]
	if dc == nil || t.External || dc.node == nil || dc.node.Body == nil {
		return
	}
	var keys []string
	for _, e := range dc.node.Body.Entries {
		k := e.Key.Name()
		if e.Key.String == nil && (k == "labels" || k == "annotations" || k == "prune" || k == "prune_last" || k == "generate_name" || syncOptionField(k) != nil || (t.Kind == ir.Secret && k == "type")) {
			continue
		}
		if k == key {
			return
		}
		keys = append(keys, k)
	}
	d := c.errorf(at, CodeUnknown, "%s %q has no key %q", t.Kind, t.Name, key).
		Note(t.NameSpan, "%s is declared here", t.Ref())
	if s := diag.Suggest(key, keys); s != "" {
		d.Hint("did you mean %q?", s)
	} else if len(keys) > 0 {
		d.Hint("its keys are %s", quoteList(keys))
	}
}

// mounts checks `mount = { "/path" = configmap c, ... }`: a ConfigMap,
// Secret or PVC, one key of a ConfigMap or Secret (`configmap c -> "key"`),
// or one of the workload's own volumes (`volume NAME`).
func (c *checker) mounts(d *decl, w *ir.Container, v *syntax.Value) {
	es, ok := c.mapOf(v, "mount", `{ "/etc/app" = configmap app-config }`)
	if !ok {
		return
	}
	for _, e := range es {
		p := e.Key.Name()
		if !c.absPath(p, span(e.Key), "mount path") {
			continue
		}
		ev := entryValue(e)
		if ref := ev.Left.Ref; ref != nil && ref.Kind.Value == "volume" && ev.Right == nil {
			if c.ownVolume(d, ref) {
				w.Mounts = append(w.Mounts, ir.Mount{Path: p, Volume: ref.Name.Value})
			}
			continue
		}
		if ev.Right != nil {
			if ev.Left.Ref == nil {
				c.errorf(span(ev.Left), CodeType, "mount %s: the left of -> must be a configmap or secret, not %s", p, describe(ev.Left)).
					Hint(`write e.g. "%s" = configmap app-config -> "app.conf"`, p)
				continue
			}
			t := c.refOf(ev.Left.Ref, "a single-key mount", ir.ConfigMap, ir.Secret)
			key, ok := c.str(&syntax.Value{Pos: ev.Right.Pos, EndPos: ev.Right.EndPos, Left: ev.Right}, "mount key")
			if !ok || t == nil {
				continue
			}
			if msgs := validation.IsConfigMapKey(key); len(msgs) > 0 {
				c.errorf(span(ev.Right), CodeEnvName, "key %q is not valid: %s", key, plain(msgs))
				continue
			}
			c.checkKey(t.res, key, span(ev.Right))
			w.Mounts = append(w.Mounts, ir.Mount{Path: p, From: t.res, Key: key})
			d.res.Reads = append(d.res.Reads, &ir.Read{Target: t.res, Span: span(ev.Left), Via: "mount"})
			continue
		}
		t := c.ref(ev, "mount", ir.ConfigMap, ir.Secret, ir.PVC)
		if t == nil {
			continue
		}
		w.Mounts = append(w.Mounts, ir.Mount{Path: p, From: t.res})
		d.res.Reads = append(d.res.Reads, &ir.Read{Target: t.res, Span: span(ev), Via: "mount"})
	}
	sort.Slice(w.Mounts, func(i, j int) bool { return w.Mounts[i].Path < w.Mounts[j].Path })
}

// namedPorts checks `ports = { http = 8000 }`, or for services
// `{ http = 80 -> 8000 }`.
func (c *checker) namedPorts(v *syntax.Value, service bool, target func(*syntax.Primary) ir.PortRef) []ir.Port {
	es, ok := c.mapOf(v, "ports", "{ http = 8000, metrics = 9090 }")
	if !ok {
		return nil
	}
	var out []ir.Port
	for _, e := range es {
		name := e.Key.Name()
		if msgs := validation.IsValidPortName(name); len(msgs) > 0 {
			c.errorf(span(e.Key), CodeBadName, "port name %q is not valid: %s", name, plain(msgs)).
				Hint("port names are at most 15 lower-case letters, digits and '-', e.g. http or metrics")
			continue
		}
		ev := entryValue(e)
		if p, ok := c.port(ev, service, target); ok {
			p.Name = name
			out = append(out, p)
		}
	}
	return out
}

// port checks a port number, or for services `PORT -> TARGET`.
func (c *checker) port(v *syntax.Value, service bool, target func(*syntax.Primary) ir.PortRef) (ir.Port, bool) {
	if v.Right != nil && !service {
		c.errorf(span(v), CodeType, "a container port cannot be a mapping with ->").
			Hint("write the port number, e.g. 8000")
		return ir.Port{}, false
	}
	s, ok := c.scalarOfPrimary(v.Left, "port")
	if !ok {
		return ir.Port{}, false
	}
	n, ok := c.integerOf(s, "port", 1, 65535)
	if !ok {
		return ir.Port{}, false
	}
	p := ir.Port{Port: int32(n), Span: span(v)}
	if v.Right != nil && target != nil {
		p.Target = target(v.Right)
	}
	return p, true
}

// probe checks a probe value and returns it with the `on` port as written.
func (c *checker) probe(v *syntax.Value, what string) (*ir.Probe, *syntax.Primary) {
	if v.Right != nil || v.Left.Probe == nil {
		c.errorf(span(v), CodeType, "%s must be a probe, not %s", what, describe(v.Left)).
			Hint(`write e.g. %s = http "/health" on 8000`, what)
		return nil, nil
	}
	pr := v.Left.Probe
	p := &ir.Probe{}
	switch pr.Type {
	case "http":
		p.Type = ir.HTTPProbe
		p.Path = "/"
		if pr.Path != nil {
			p.Path = c.interpolate(pr.Path, c.fileOf(span(pr)), true)
			if !strings.HasPrefix(p.Path, "/") {
				c.errorf(span(pr.Path), CodeType, "probe path %q must start with /", p.Path).Hint(`write e.g. "/health"`)
			}
		}
	case "tcp":
		p.Type = ir.TCPProbe
	case "grpc":
		p.Type = ir.GRPCProbe
	case "exec":
		p.Type = ir.ExecProbe
		if pr.Command == nil {
			c.errorf(span(pr), CodeMissingField, "an exec probe needs a command").Hint(`write e.g. exec ["cat", "/tmp/ready"]`)
			return nil, nil
		}
		cmd, _ := c.strList(&syntax.Value{Pos: pr.Command.Pos, EndPos: pr.Command.EndPos, Left: &syntax.Primary{Pos: pr.Command.Pos, EndPos: pr.Command.EndPos, List: pr.Command}}, "exec probe command")
		p.Command = cmd
	}
	if pr.Type != "http" && pr.Path != nil {
		c.errorf(span(pr.Path), CodeNotHere, "only http probes take a path")
	}
	if pr.Type != "exec" && pr.Command != nil {
		c.errorf(span(pr.Command), CodeNotHere, "only exec probes take a command")
	}
	if pr.Timing != nil {
		c.probeTiming(pr.Timing, &p.Timing)
	}
	if pr.Type == "exec" && pr.Port != nil {
		c.errorf(span(pr.Port), CodeNotHere, "exec probes take no port")
		return p, nil
	}
	return p, pr.Port.Primary()
}

// portRef resolves a port given as a number, a port name of ports, or a
// parameter.
func (c *checker) portRef(p *syntax.Primary, names []string, owner string, at source.Span) (ir.PortRef, bool) {
	if w, ok := bareWord(p); ok {
		for _, n := range names {
			if n == w {
				return ir.PortRef{Name: n}, true
			}
		}
		if _, isParam := c.params[w]; !isParam {
			d := c.errorf(span(p), CodeUnknownPort, "%s has no port named %q", owner, w)
			if s := diag.Suggest(w, names); s != "" {
				d.Hint("did you mean %q?", s)
			} else if len(names) > 0 {
				d.Hint("its ports are %s", quoteList(names))
			} else {
				d.Hint("give the port a name with `ports = { %s = 8000 }`, or write its number", w)
			}
			return ir.PortRef{}, false
		}
	}
	s, ok := c.scalarOfPrimary(p, "port")
	if !ok {
		return ir.PortRef{}, false
	}
	if s.typ == ir.StringParam {
		for _, n := range names {
			if n == s.text {
				return ir.PortRef{Name: n}, true
			}
		}
		c.errorf(s.span, CodeUnknownPort, "%s has no port named %q", owner, s.text)
		return ir.PortRef{}, false
	}
	n, ok := c.integerOf(s, "port", 1, 65535)
	return ir.PortRef{Number: int32(n)}, ok
}

func portNames(ps []ir.Port) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// serviceField checks a field of a service.
func (c *checker) serviceField(d *decl, key string, v *syntax.Value) bool {
	s := d.res.Service
	switch key {
	case "port":
		if p, ok := c.port(v, true, c.deferTarget(d)); ok {
			p.Name = "http"
			s.Ports = append(s.Ports, p)
		}
	case "ports":
		s.Ports = append(s.Ports, c.namedPorts(v, true, c.deferTarget(d))...)
	case "port_name":
		// service_port.go, once every field is read
	case "selector":
		s.Selector = c.selects(c.ref(v, key, ir.Deployment, ir.StatefulSet, ir.DaemonSet, ir.ReplicaSet), span(v), "a service's selector")
	case "type":
		if t, ok := c.enum(v, key, []string{"ClusterIP", "NodePort", "LoadBalancer", "None"}); ok {
			if t == "None" {
				s.Headless = true
				t = "ClusterIP"
			}
			s.Type = ir.ServiceType(t)
		}
	default:
		return false
	}
	return true
}

// deferTarget returns a function that records a service port's target as
// written; targets naming a port are checked once the selector is known.
func (c *checker) deferTarget(d *decl) func(*syntax.Primary) ir.PortRef {
	return func(p *syntax.Primary) ir.PortRef {
		if w, ok := bareWord(p); ok {
			if _, isParam := c.params[w]; !isParam {
				return ir.PortRef{Name: w}
			}
		}
		s, ok := c.scalarOfPrimary(p, "target port")
		if !ok {
			return ir.PortRef{}
		}
		if s.typ == ir.StringParam {
			return ir.PortRef{Name: s.text}
		}
		n, _ := c.integerOf(s, "target port", 1, 65535)
		return ir.PortRef{Number: int32(n)}
	}
}

// pvcField checks a field of a pvc.
func (c *checker) pvcField(d *decl, key string, v *syntax.Value) bool {
	p := d.res.PVC
	switch key {
	case "size":
		if q, ok := c.quantity(v, key); ok {
			p.Size = *q
		}
	case "access":
		if s, ok := c.enum(v, key, []string{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}); ok {
			p.Access = ir.AccessMode(s)
		}
	case "storage_class":
		p.StorageClass = c.storageClass(v)
	default:
		return false
	}
	return true
}

// finishBody checks what needs every field of a declaration: required
// fields, conflicts and port names.
func (c *checker) finishBody(d *decl, seen map[string]*syntax.Entry, st *workloadState) {
	r := d.res
	missing := func(field, example string) {
		// A misspelt field (imgae) was reported as unknown, with a
		// did-you-mean for this one; saying it is missing too adds
		// nothing.
		fields := fieldsOf(r.Kind)
		for k := range seen {
			if !slices.Contains(fields, k) && diag.Suggest(k, fields) == field {
				return
			}
		}
		c.errorf(r.NameSpan, CodeMissingField, "%s %q has no %s", r.Kind, r.Name, field).
			Hint("add `%s = %s`", field, example)
	}
	switch {
	case r.Kind.IsWorkload():
		c.finishContainer(d, &r.Workload.Container, seen, &st.containerState)
		if r.Kind == ir.CronJob {
			if _, ok := seen["schedule"]; !ok {
				missing("schedule", `"*/15 * * * *"`)
			}
		}
		c.finishWorkload(d, seen, st)
	case r.Kind == ir.Service:
		s := r.Service
		if len(s.Ports) == 0 && !s.Headless {
			missing("port", "80 -> 8000")
		}
		if _, ok := seen["port"]; ok {
			if _, ok := seen["ports"]; ok {
				c.errorf(span(seen["ports"].Key), CodeConflict, "ports cannot be combined with port").
					Note(span(seen["port"].Key), "port is given here")
			}
		}
		if _, ok := seen["selector"]; !ok {
			s.Selector = c.sameNamed(r.Name, ir.Deployment, ir.StatefulSet, ir.DaemonSet, ir.ReplicaSet)
			if s.Selector != nil {
				s.Selector = c.selects(c.decls[declKey{s.Selector.Kind, s.Selector.Name}], r.NameSpan, "the selector of "+r.Describe())
			} else {
				c.errorf(r.NameSpan, CodeMissingField, "service %q has no selector, and no deployment, statefulset, daemonset or replicaset is named %q", r.Name, r.Name).
					Hint("add `selector = deployment NAME`")
			}
		}
		if s.Selector != nil && s.Selector.Workload != nil {
			c.serviceTargets(r)
			names := containerPortNames(s.Selector.Workload)
			for i, p := range s.Ports {
				if p.Target.Name != "" && !contains(names, p.Target.Name) {
					d := c.errorf(p.Span, CodeUnknownPort, "%s has no port named %q", s.Selector.Describe(), p.Target.Name).
						Note(s.Selector.NameSpan, "%s is declared here", s.Selector.Ref())
					if sg := diag.Suggest(p.Target.Name, names); sg != "" {
						d.Hint("did you mean %q?", sg)
					} else {
						d.Hint("name the container port with `ports = { %s = 8000 }`, or write the target's number", p.Target.Name)
					}
					s.Ports[i].Target = ir.PortRef{}
				}
			}
		}
	case r.Kind == ir.Ingress:
		c.finishIngress(d, seen, st)
	case r.Kind == ir.PVC:
		if _, ok := seen["size"]; !ok {
			missing("size", "10Gi")
		}
	case r.Kind == ir.Secret:
		c.finishSecret(d, seen)
	default:
		c.finishKind(d, seen)
	}
}

// bareWord returns the word of a primary that is a bare name. The probe
// keywords count as names where a port name is expected: a probe without
// path, command or port is just the word (`on http`).
func bareWord(p *syntax.Primary) (string, bool) {
	switch {
	case p.Ident != nil:
		return *p.Ident, true
	case p.Probe != nil && p.Probe.Path == nil && p.Probe.Command == nil && p.Probe.Port == nil:
		return p.Probe.Type, true
	}
	return "", false
}

func probeWord(t ir.ProbeType) string {
	switch t {
	case ir.HTTPProbe:
		return "http"
	case ir.TCPProbe:
		return "tcp"
	case ir.GRPCProbe:
		return "grpc"
	}
	return "exec"
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func hasPortNumber(ps []ir.Port, n int32) bool {
	for _, p := range ps {
		if p.Port == n {
			return true
		}
	}
	return false
}

func quote(s string) string { return `"` + s + `"` }

// Image users. Under the restricted profile wavec sets runAsNonRoot, and
// a kubelet then starts a container without runAsUser (`user`) only when
// its image's USER is a number other than 0: an image that runs as root
// fails ("container has runAsNonRoot and image will run as root"), and one
// whose user is a name fails too ("image has non-numeric user ... cannot
// verify user is non-root"). Image references are matched without
// "docker.io/" and "library/", by prefix.

// namedUserImages are images known to run as a user given by name, with
// its UID.
var namedUserImages = []struct{ prefix, user, uid string }{
	{"curlimages/curl", "curl_user", "100"},
	{"prom/prometheus", "nobody", "65534"},
	{"prom/alertmanager", "nobody", "65534"},
	{"quay.io/prometheus/", "nobody", "65534"},
	{"jenkins/jenkins", "jenkins", "1000"},
}

// numericUserImages are images known to run as a numeric user other than
// root, which start under runAsNonRoot without `user`.
var numericUserImages = []string{
	"gcr.io/distroless/static:nonroot", "gcr.io/distroless/static-debian12:nonroot",
	"gcr.io/distroless/base:nonroot", "gcr.io/distroless/base-debian12:nonroot",
	"gcr.io/distroless/cc:nonroot", "gcr.io/distroless/cc-debian12:nonroot",
	"cgr.dev/chainguard/",                     // 65532
	"nginxinc/nginx-unprivileged", "bitnami/", // 101, 1001
	"registry.k8s.io/pause",
}

// rootImages are official images known to run as root, each with what to
// write instead.
var rootImages = []string{
	"nginx", "httpd", "redis", "postgres", "mysql", "mariadb", "mongo", "rabbitmq", "memcached",
	"busybox", "alpine", "ubuntu", "debian", "python", "node", "golang", "openjdk", "eclipse-temurin",
}

// checkImageUser warns about a restricted workload without `user` (in its
// short form or a general block) whose image is not known to run as a
// numeric user other than root: Kubernetes would refuse to start it.
func (c *checker) checkImageUser(r *ir.Resource, image *syntax.Entry) {
	ref := strings.TrimPrefix(strings.TrimPrefix(r.Workload.Image, "docker.io/"), "library/")
	for _, p := range numericUserImages {
		if strings.HasPrefix(ref, p) {
			return
		}
	}
	const findOut = "`docker image inspect --format '{{.Config.User}}' IMAGE` shows an image's user: a number other than 0 needs nothing; a name, or nothing at all (root), needs `user`"
	for _, k := range namedUserImages {
		if strings.HasPrefix(ref, k.prefix) {
			c.warnf(span(image.Key), CodeNoNumericUser, "%s %q has no `user`, and its image runs as the user %q, a name the restricted profile cannot verify is not root", r.Kind, r.Name, k.user).
				Hint("write `user = %s` (the UID of %s) in %s %s; Kubernetes does not start such a container otherwise", k.uid, k.user, r.Kind, r.Name).
				Hint("for another image, %s", findOut)
			return
		}
	}
	name := ref
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	if slices.Contains(rootImages, name) {
		c.warnf(span(image.Key), CodeNoNumericUser, "%s %q has no `user`, and its image %s runs as root, which the restricted profile refuses", r.Kind, r.Name, name).
			Hint("write `user = 10001` (any UID other than 0 the program can run as) in %s %s, or use a variant of the image that runs as a numeric user", r.Kind, r.Name).
			Hint("if the program must run as root, opt the workload out with `restricted = false`; Kubernetes does not start it otherwise")
		return
	}
	c.warnf(span(image.Key), CodeNoNumericUser, "%s %q has no `user`, and wavec does not know whether its image runs as a numeric user other than root, the only kind the restricted profile starts", r.Kind, r.Name).
		Hint("if the image runs as root or as a named user, write `user = UID` in %s %s; Kubernetes does not start it otherwise", r.Kind, r.Name).
		Hint("%s", findOut)
}

// generalSetsUser reports whether a general block of d sets runAsUser for
// the Pod or for the main container.
func (c *checker) generalSetsUser(d *decl) bool {
	st := c.general[d]
	if st == nil {
		return false
	}
	for _, l := range st.leaves {
		if l.path == "pod.securityContext.runAsUser" || l.path == "container.securityContext.runAsUser" {
			return true
		}
	}
	return false
}
