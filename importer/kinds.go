package importer

import (
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// kindCandidates returns typed declarations of the kinds other than
// ConfigMap, Secret, ServiceAccount, workloads and Services: pvc, role,
// clusterrole, rolebinding, clusterrolebinding, pdb and hpa. Each is
// written only from fields it can say; what else the object holds makes
// the verification fail, and the object stays an `object`.
func kindCandidates(r *Result, e *entry) []candidate {
	u := e.write
	obj := u.Object
	name := u.GetName()
	if !isDeclName(name) {
		return nil
	}
	var refs []string
	fields := metaFields(u.GetLabels(), u.GetAnnotations(), objectName(u))
	spec, _ := obj["spec"].(map[string]any)
	var kw string
	switch u.GetAPIVersion() + "/" + u.GetKind() {
	case "v1/PersistentVolumeClaim":
		kw = "pvc"
		res, _ := spec["resources"].(map[string]any)
		req, _ := res["requests"].(map[string]any)
		size := str(req["storage"])
		if !unitPattern().MatchString(size) {
			return nil
		}
		fields = append(fields, "size = "+size)
		if modes, ok := spec["accessModes"].([]any); ok {
			if len(modes) != 1 {
				return nil
			}
			if m := str(modes[0]); m != "ReadWriteOnce" {
				fields = append(fields, "access = "+m)
			}
		}
		if sc, ok := spec["storageClassName"].(string); ok {
			fields = append(fields, "storage_class = "+quote(sc))
		}
	case "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/ClusterRole":
		kw = strings.ToLower(u.GetKind())
		rules, _ := obj["rules"].([]any)
		var parts []string
		for _, it := range rules {
			rule, _ := it.(map[string]any)
			var f []string
			for _, k := range sortedKeys(rule) {
				switch k {
				case "apiGroups":
					f = append(f, "groups = "+value(rule[k], ""))
				case "resources":
					f = append(f, "resources = "+value(rule[k], ""))
				case "resourceNames":
					f = append(f, "names = "+value(rule[k], ""))
				case "verbs":
					f = append(f, "verbs = "+value(rule[k], ""))
				default:
					return nil
				}
			}
			parts = append(parts, "{ "+strings.Join(f, ", ")+" }")
		}
		fields = append(fields, "rules = [\n"+strings.Join(parts, ",\n")+",\n]")
	case "rbac.authorization.k8s.io/v1/RoleBinding", "rbac.authorization.k8s.io/v1/ClusterRoleBinding":
		kw = strings.ToLower(u.GetKind())
		ref, _ := obj["roleRef"].(map[string]any)
		role := str(ref["name"])
		if !isDeclName(role) || (ref["kind"] != "Role" && ref["kind"] != "ClusterRole") {
			return nil
		}
		target := strings.ToLower(str(ref["kind"])) + " " + role
		fields = append(fields, "role = "+target)
		refs = append(refs, target)
		subjects, _ := obj["subjects"].([]any)
		var parts []string
		for _, it := range subjects {
			s, _ := it.(map[string]any)
			sa := str(s["name"])
			if s["kind"] != "ServiceAccount" || !isDeclName(sa) || (s["namespace"] != nil && s["namespace"] != r.Namespace) {
				return nil
			}
			parts = append(parts, "serviceaccount "+sa)
		}
		fields = append(fields, "subjects = ["+strings.Join(parts, ", ")+"]")
		refs = append(refs, parts...)
	case "policy/v1/PodDisruptionBudget":
		kw = "pdb"
		sel, _ := spec["selector"].(map[string]any)
		ref, ok := r.selected(sel, "deployment", "statefulset", "replicaset")
		if !ok {
			return nil
		}
		if ref != "deployment "+name {
			fields = append(fields, "selector = "+ref)
		}
		refs = append(refs, ref)
		for _, kf := range [][2]string{{"minAvailable", "min_available"}, {"maxUnavailable", "max_unavailable"}} {
			if v, ok := spec[kf[0]]; ok {
				f := kf[1]
				fields = append(fields, f+" = "+scalar(v))
			}
		}
	case "autoscaling/v2/HorizontalPodAutoscaler":
		kw = "hpa"
		t, _ := spec["scaleTargetRef"].(map[string]any)
		target := strings.ToLower(str(t["kind"])) + " " + str(t["name"])
		if r.declared[target] == nil || t["apiVersion"] != "apps/v1" {
			return nil
		}
		if target != "deployment "+name {
			fields = append(fields, "target = "+target)
		}
		refs = append(refs, target)
		if v, ok := spec["minReplicas"]; ok && scalar(v) != "1" {
			fields = append(fields, "min = "+scalar(v))
		}
		if v, ok := spec["maxReplicas"]; ok {
			fields = append(fields, "max = "+scalar(v))
		}
		metrics, _ := spec["metrics"].([]any)
		for _, it := range metrics {
			m, _ := it.(map[string]any)
			res, _ := m["resource"].(map[string]any)
			tg, _ := res["target"].(map[string]any)
			rn := str(res["name"])
			if m["type"] != "Resource" || (rn != "cpu" && rn != "memory") || tg["type"] != "Utilization" || tg["averageUtilization"] == nil {
				return nil
			}
			fields = append(fields, rn+" = "+scalar(tg["averageUtilization"]))
		}
	case "networking.k8s.io/v1/NetworkPolicy":
		kw = "networkpolicy"
		workloads := []string{"deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob"}
		sel, _ := spec["podSelector"].(map[string]any)
		ref, ok := r.selected(sel, workloads...)
		if !ok {
			return nil
		}
		if strings.SplitN(ref, " ", 2)[1] != name {
			fields = append(fields, "selector = "+ref)
		}
		refs = append(refs, ref)
		types, _ := spec["policyTypes"].([]any)
		hasIngress, hasEgress := slices.Contains(types, any("Ingress")), slices.Contains(types, any("Egress"))
		if len(types) != btoi(hasIngress)+btoi(hasEgress) || len(types) == 0 || !hasIngress && spec["ingress"] != nil || !hasEgress && spec["egress"] != nil {
			return nil
		}
		peers := func(list []any) ([]string, bool) {
			var parts []string
			for _, it := range list {
				peer, _ := it.(map[string]any)
				ps, _ := peer["podSelector"].(map[string]any)
				w, ok := r.selected(ps, workloads...)
				if !ok || len(peer) != 1 {
					return nil, false
				}
				parts = append(parts, w)
				refs = append(refs, w)
			}
			return parts, true
		}
		if hasIngress {
			ingress, _ := spec["ingress"].([]any)
			switch len(ingress) {
			case 0:
				fields = append(fields, "from = []")
			case 1:
				rule, _ := ingress[0].(map[string]any)
				from, _ := rule["from"].([]any)
				parts, ok := peers(from)
				if !ok {
					return nil
				}
				fields = append(fields, "from = ["+strings.Join(parts, ", ")+"]")
				var ports []string
				pl, _ := rule["ports"].([]any)
				for _, it := range pl {
					p, _ := it.(map[string]any)
					if p["protocol"] != "TCP" || len(p) != 2 {
						return nil
					}
					if pn, isStr := p["port"].(string); isStr {
						if !namePattern().MatchString(pn) {
							return nil
						}
						ports = append(ports, pn)
					} else {
						ports = append(ports, scalar(p["port"]))
					}
				}
				if len(ports) > 0 {
					fields = append(fields, "ports = ["+strings.Join(ports, ", ")+"]")
				}
				for k := range rule {
					if k != "from" && k != "ports" {
						return nil
					}
				}
			default:
				return nil
			}
		}
		if hasEgress {
			// The egress rules wavec writes: one to the workloads of `to`,
			// then one to port 53 (UDP and TCP) for `dns`.
			egress, _ := spec["egress"].([]any)
			var to []string
			dns := false
			for i, it := range egress {
				rule, _ := it.(map[string]any)
				if isDNSRule(rule) {
					dns = true
					continue
				}
				list, _ := rule["to"].([]any)
				if i != 0 || len(rule) != 1 || len(list) == 0 {
					return nil
				}
				parts, ok := peers(list)
				if !ok {
					return nil
				}
				to = parts
			}
			fields = append(fields, "to = ["+strings.Join(to, ", ")+"]")
			if dns {
				fields = append(fields, "dns = true")
			}
		}
	case "networking.k8s.io/v1/Ingress":
		return ingressCandidates(r, name, spec, fields)
	default:
		return nil
	}
	text := kw + " " + name
	if len(fields) > 0 {
		text += " {\n" + strings.Join(fields, "\n") + "\n}"
	}
	return []candidate{{kw, name, text, refs}}
}

// selected returns the reference to the typed workload of one of kinds
// whose Pods a label selector selects by wavec's labels.
func (r *Result) selected(sel map[string]any, kinds ...string) (string, bool) {
	ml, _ := sel["matchLabels"].(map[string]any)
	labels := toStrings(ml)
	if len(sel) != 1 || len(ml) == 0 || len(labels) != len(ml) {
		return "", false
	}
	return r.selectedBy(labels, kinds...)
}

// selectedBy returns the reference to the typed workload of one of kinds
// whose Pods these labels select: by wavec's labels, the workload named by
// app.kubernetes.io/name, else the one workload that selects its Pods by
// exactly these labels.
func (r *Result) selectedBy(labels map[string]string, kinds ...string) (string, bool) {
	if wavecSelector(labels) && labels["app.kubernetes.io/part-of"] == r.Name {
		for _, kw := range kinds {
			if ref := kw + " " + labels[nameKey]; r.declared[ref] != nil {
				return ref, true
			}
		}
	}
	return r.selectedByOwn(labels, kinds...)
}

// selectedByOwn returns the reference to the one typed workload of kinds
// that selects its Pods by exactly these labels: a `selector` in .wave,
// or wavec's selector with the name label its `labels` give.
func (r *Result) selectedByOwn(labels map[string]string, kinds ...string) (string, bool) {
	found := ""
	for _, kw := range kinds {
		for ref, e := range r.declared {
			if !strings.HasPrefix(ref, kw+" ") || e.write == nil {
				continue
			}
			sel, _, _ := unstructured.NestedMap(e.write.Object, "spec", "selector")
			ml, _ := sel["matchLabels"].(map[string]any)
			if len(sel) != 1 || !maps.Equal(toStrings(ml), labels) {
				continue
			}
			if found != "" {
				return "", false // two workloads: the selector names neither
			}
			found = ref
		}
	}
	return found, found != ""
}

// ingressCandidates writes an Ingress as `rule` blocks: first with each
// backend's port left to its Service's first port, then with every port
// written out.
func ingressCandidates(r *Result, name string, spec map[string]any, meta []string) []candidate {
	var out []candidate
	for _, ports := range []bool{false, true} {
		fields := slices.Clone(meta)
		var refs, hosts []string
		for _, k := range sortedKeys(spec) {
			switch k {
			case "ingressClassName":
				fields = append(fields, "class = "+quote(str(spec[k])))
			case "rules", "tls":
			default:
				return nil
			}
		}
		rules, _ := spec["rules"].([]any)
		pathType := ingressPathType(rules)
		if pathType == "" {
			return nil
		}
		if pathType != "Prefix" {
			fields = append(fields, "path_type = "+pathType)
		}
		for _, it := range rules {
			rule, _ := it.(map[string]any)
			host := str(rule["host"])
			word := host
			if host == "" {
				word = "any"
			} else if !namePattern().MatchString(host) || host == "any" {
				return nil
			}
			hosts = append(hosts, host)
			http, _ := rule["http"].(map[string]any)
			paths, _ := http["paths"].([]any)
			if len(rule) != 2 && !(host == "" && len(rule) == 1) || len(http) != 1 {
				return nil
			}
			var entries []string
			for _, pit := range paths {
				p, _ := pit.(map[string]any)
				backend, _ := p["backend"].(map[string]any)
				svc, _ := backend["service"].(map[string]any)
				sname := str(svc["name"])
				port, _ := svc["port"].(map[string]any)
				if len(p) != 3 || len(backend) != 1 || !isDeclName(sname) || len(port) != 1 {
					return nil
				}
				v := "service " + sname
				refs = append(refs, v)
				if ports {
					if n, ok := port["number"]; ok {
						v += " -> " + scalar(n)
					} else if pn := str(port["name"]); namePattern().MatchString(pn) {
						v += " -> " + pn
					} else {
						return nil
					}
				} else if pn := str(port["name"]); pn != "" {
					if !namePattern().MatchString(pn) {
						return nil
					}
					v += " -> " + pn
				}
				entries = append(entries, quote(str(p["path"]))+" = "+v)
			}
			fields = append(fields, "rule "+word+" {\n"+strings.Join(entries, "\n")+"\n}")
		}
		tls, _ := spec["tls"].([]any)
		var secrets []string
		for _, it := range tls {
			t, _ := it.(map[string]any)
			sn := str(t["secretName"])
			if !isDeclName(sn) {
				return nil
			}
			v := "secret " + sn
			refs = append(refs, v)
			th, _ := t["hosts"].([]any)
			var hs []string
			for _, h := range th {
				hs = append(hs, str(h))
			}
			if !slices.Equal(hs, hosts) {
				v += " -> " + value(th, "")
			}
			secrets = append(secrets, v)
		}
		switch len(secrets) {
		case 0:
		case 1:
			fields = append(fields, "tls = "+secrets[0])
		default:
			fields = append(fields, "tls = ["+strings.Join(secrets, ", ")+"]")
		}
		out = append(out, candidate{"ingress", name, "ingress " + name + " {\n" + strings.Join(fields, "\n") + "\n}", refs})
	}
	return out
}

// ingressPathType returns the pathType every path of the rules has, or ""
// when they differ (or one has none): `path_type` is the ingress's.
func ingressPathType(rules []any) string {
	found := ""
	for _, it := range rules {
		rule, _ := it.(map[string]any)
		http, _ := rule["http"].(map[string]any)
		paths, _ := http["paths"].([]any)
		for _, pit := range paths {
			p, _ := pit.(map[string]any)
			t := str(p["pathType"])
			if t == "" || found != "" && t != found {
				return ""
			}
			found = t
		}
	}
	if found == "" {
		return "Prefix"
	}
	return found
}

// isDNSRule reports whether an egress rule is the one of `dns = true`:
// port 53 over UDP, then over TCP.
func isDNSRule(rule map[string]any) bool {
	ports, _ := rule["ports"].([]any)
	if len(rule) != 1 || len(ports) != 2 {
		return false
	}
	for i, proto := range []string{"UDP", "TCP"} {
		p, _ := ports[i].(map[string]any)
		if len(p) != 2 || p["protocol"] != proto || scalar(p["port"]) != "53" {
			return false
		}
	}
	return true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
