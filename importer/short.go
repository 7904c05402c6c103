package importer

import (
	"reflect"
	"strconv"
	"strings"
	"time"
)

// shortFields takes from a container the values the short fields say
// (run, env, env_from, ports, cpu, memory, user), removing them from c,
// and returns the fields and the objects they refer to ("configmap NAME").
// What it cannot say exactly stays in c, for the general fields.
func shortFields(c map[string]any) (lines, refs []string) {
	if cmd, ok := c["command"].([]any); ok && reflect.DeepEqual(cmd, []any{"/bin/sh", "-c"}) {
		if args, ok := c["args"].([]any); ok && len(args) == 1 {
			if s, ok := args[0].(string); ok {
				lines = append(lines, "run = "+stringValue(s, "  "))
				delete(c, "command")
				delete(c, "args")
			}
		}
	}
	if env, ok := c["env"].([]any); ok && len(env) > 0 {
		var parts []string
		var envRefs []string
		ok := true
		for _, it := range env {
			e, _ := it.(map[string]any)
			name, _ := e["name"].(string)
			if name == "" || len(e) != 2 {
				ok = false
				break
			}
			if v, isStr := e["value"].(string); isStr {
				parts = append(parts, key(name)+" = "+quote(v))
				continue
			}
			vf, _ := e["valueFrom"].(map[string]any)
			kind, ref := keyRef(vf)
			if kind == "" {
				ok = false
				break
			}
			parts = append(parts, key(name)+" = "+kind+" "+ref[0]+" -> "+quote(ref[1]))
			envRefs = append(envRefs, kind+" "+ref[0])
		}
		if ok {
			lines = append(lines, "env = {\n"+strings.Join(parts, "\n")+"\n}")
			refs = append(refs, envRefs...)
			delete(c, "env")
		}
	}
	if from, ok := c["envFrom"].([]any); ok && len(from) > 0 {
		var parts []string
		ok := true
		for _, it := range from {
			e, _ := it.(map[string]any)
			kind, name := "", ""
			if r, isMap := e["configMapRef"].(map[string]any); isMap && len(e) == 1 && len(r) == 1 {
				kind, name = "configmap", str(r["name"])
			} else if r, isMap := e["secretRef"].(map[string]any); isMap && len(e) == 1 && len(r) == 1 {
				kind, name = "secret", str(r["name"])
			}
			if kind == "" || !isDeclName(name) {
				ok = false
				break
			}
			parts = append(parts, kind+" "+name)
		}
		if ok {
			lines = append(lines, "env_from = ["+strings.Join(parts, ", ")+"]")
			refs = append(refs, parts...)
			delete(c, "envFrom")
		}
	}
	if ports, ok := c["ports"].([]any); ok && len(ports) > 0 {
		var parts []string
		ok := true
		for _, it := range ports {
			p, _ := it.(map[string]any)
			name := str(p["name"])
			// TCP is the API server's default protocol, which wavec leaves out.
			if n := len(p); n != 2 && !(n == 3 && p["protocol"] == "TCP") || !namePattern().MatchString(name) || p["containerPort"] == nil {
				ok = false
				break
			}
			parts = append(parts, name+" = "+scalar(p["containerPort"]))
		}
		if ok {
			if len(parts) == 1 && strings.HasPrefix(parts[0], "http = ") {
				lines = append(lines, "port = "+strings.TrimPrefix(parts[0], "http = "))
			} else {
				lines = append(lines, "ports = { "+strings.Join(parts, ", ")+" }")
			}
			delete(c, "ports")
		}
	}
	if res, ok := c["resources"].(map[string]any); ok {
		req, _ := res["requests"].(map[string]any)
		lim, _ := res["limits"].(map[string]any)
		take := func(m map[string]any, k, field string) {
			if s, ok := m[k].(string); ok && unitPattern().MatchString(s) {
				lines = append(lines, field+" = "+s)
				delete(m, k)
			}
		}
		if req != nil && lim != nil && req["memory"] != nil && lim["memory"] != nil {
			if reflect.DeepEqual(req["memory"], lim["memory"]) {
				take(req, "memory", "memory")
				if req["memory"] == nil {
					delete(lim, "memory")
				}
			} else if unitPattern().MatchString(str(req["memory"])) && unitPattern().MatchString(str(lim["memory"])) {
				take(req, "memory", "memory")
				take(lim, "memory", "memory_limit")
			}
		}
		if req != nil {
			take(req, "cpu", "cpu")
		}
		if lim != nil {
			take(lim, "cpu", "cpu_limit")
		}
		for _, k := range []string{"requests", "limits"} {
			if m, ok := res[k].(map[string]any); ok && len(m) == 0 {
				delete(res, k)
			}
		}
		if len(res) == 0 {
			delete(c, "resources")
		}
	}
	for _, pk := range [][2]string{{"readinessProbe", "ready"}, {"livenessProbe", "live"}, {"startupProbe", "startup"}} {
		if p, ok := c[pk[0]].(map[string]any); ok {
			if text, ok := probeSugar(p); ok {
				lines = append(lines, pk[1]+" = "+text)
				delete(c, pk[0])
			}
		}
	}
	if sc, ok := c["securityContext"].(map[string]any); ok {
		if u, ok := sc["runAsUser"]; ok {
			lines = append(lines, "user = "+scalar(u))
			delete(sc, "runAsUser")
			if len(sc) == 0 {
				delete(c, "securityContext")
			}
		}
	}
	return lines, refs
}

// keyRef reads a valueFrom that takes one key of a ConfigMap or Secret.
func keyRef(vf map[string]any) (string, [2]string) {
	if len(vf) != 1 {
		return "", [2]string{}
	}
	for k, kind := range map[string]string{"configMapKeyRef": "configmap", "secretKeyRef": "secret"} {
		if r, ok := vf[k].(map[string]any); ok && len(r) == 2 {
			name, key := str(r["name"]), str(r["key"])
			if isDeclName(name) && key != "" {
				return kind, [2]string{name, key}
			}
		}
	}
	return "", [2]string{}
}

// podShortFields takes the Pod's service account and image pull secrets.
func podShortFields(pod map[string]any) (lines, refs []string) {
	if sa := str(pod["serviceAccountName"]); isDeclName(sa) {
		lines = append(lines, "service_account = serviceaccount "+sa)
		refs = append(refs, "serviceaccount "+sa)
		delete(pod, "serviceAccountName")
		if pod["serviceAccount"] == sa {
			delete(pod, "serviceAccount")
		}
	}
	if ps, ok := pod["imagePullSecrets"].([]any); ok && len(ps) > 0 {
		var parts []string
		for _, it := range ps {
			m, _ := it.(map[string]any)
			if name := str(m["name"]); len(m) == 1 && isDeclName(name) {
				parts = append(parts, "secret "+name)
			} else {
				return lines, refs
			}
		}
		lines = append(lines, "pull_secrets = ["+strings.Join(parts, ", ")+"]")
		refs = append(refs, parts...)
		delete(pod, "imagePullSecrets")
	}
	return lines, refs
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// serviceCandidate writes a Service that selects the Pods of a typed
// workload of the pipeline as a `service` declaration.
func serviceCandidate(r *Result, obj map[string]any, name string) (candidate, bool) {
	spec, _ := obj["spec"].(map[string]any)
	sel, _ := spec["selector"].(map[string]any)
	if !isDeclName(name) {
		return candidate{}, false
	}
	labels := toStrings(sel)
	if len(labels) != len(sel) || len(sel) == 0 {
		return candidate{}, false
	}
	ref, ok := r.selectedBy(labels, "deployment", "statefulset", "daemonset", "replicaset")
	if !ok {
		return candidate{}, false
	}
	_, target, _ := strings.Cut(ref, " ")
	md, _ := obj["metadata"].(map[string]any)
	fields := metaFields(toStrings(md["labels"]), toStrings(md["annotations"]), name)
	if target != name {
		fields = append(fields, "selector = "+ref)
	}
	switch t := str(spec["type"]); {
	case spec["clusterIP"] == "None" && (t == "" || t == "ClusterIP"):
		fields = append(fields, "type = None")
	case t != "" && t != "ClusterIP":
		fields = append(fields, "type = "+t)
	}
	ports, _ := spec["ports"].([]any)
	var parts []string
	for _, it := range ports {
		p, _ := it.(map[string]any)
		pname := str(p["name"])
		if pname == "" && len(ports) == 1 {
			pname = "-" // the one port of `port`, unnamed: port_name = ""
		} else if !namePattern().MatchString(pname) {
			return candidate{}, false
		}
		if p["port"] == nil {
			return candidate{}, false
		}
		v := scalar(p["port"])
		if tp, ok := p["targetPort"]; ok && scalar(tp) != v {
			if ts, isStr := tp.(string); isStr {
				if !namePattern().MatchString(ts) {
					return candidate{}, false
				}
				v += " -> " + ts
			} else {
				v += " -> " + scalar(tp)
			}
		}
		parts = append(parts, pname+" = "+v)
	}
	switch {
	case len(parts) == 1 && strings.HasPrefix(parts[0], "http = "):
		fields = append(fields, "port = "+strings.TrimPrefix(parts[0], "http = "))
	case len(parts) == 1 && strings.HasPrefix(parts[0], "- = "):
		fields = append(fields, `port_name = ""`, "port = "+strings.TrimPrefix(parts[0], "- = "))
	case len(parts) > 0:
		fields = append(fields, "ports = { "+strings.Join(parts, ", ")+" }")
	}
	text := "service " + name
	if len(fields) > 0 {
		text += " {\n" + strings.Join(fields, "\n") + "\n}"
	}
	return candidate{"service", name, text, []string{ref}}, true
}

func toStrings(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, x := range m {
		out[k] = str(x)
	}
	return out
}

// mountSugar writes the Pod's volumes and every container's volumeMounts
// as `volume NAME` fields and `mount` maps, when all of them can be: the
// workload's own emptyDir volumes, and ConfigMaps, Secrets and claims in
// volumes named as wavec names them (configmap-NAME, secret-NAME,
// pvc-NAME). It removes what it writes from podSpec and the containers
// and returns the volume fields, each container's mount field (by index in
// containers) and the references.
func mountSugar(podSpec map[string]any, containers []map[string]any) (volumes []string, mounts map[int]string, refs []string, ok bool) {
	sources := map[string]string{} // volume name -> what a mount names
	vols, _ := podSpec["volumes"].([]any)
	for _, it := range vols {
		v, _ := it.(map[string]any)
		name := str(v["name"])
		if len(v) != 2 {
			return nil, nil, nil, false
		}
		switch {
		case v["emptyDir"] != nil:
			ed, _ := v["emptyDir"].(map[string]any)
			if !namePattern().MatchString(name) || !isName(name) {
				return nil, nil, nil, false
			}
			var f []string
			for _, k := range sortedKeys(ed) {
				switch {
				case k == "sizeLimit" && unitPattern().MatchString(str(ed[k])):
					f = append(f, "size = "+str(ed[k]))
				case k == "medium" && ed[k] == "Memory":
					f = append(f, "memory = true")
				default:
					return nil, nil, nil, false
				}
			}
			if len(f) == 0 {
				volumes = append(volumes, "volume "+name+" = emptydir")
			} else {
				volumes = append(volumes, "volume "+name+" { "+strings.Join(f, ", ")+" }")
			}
			sources[name] = "volume " + name
		case v["configMap"] != nil:
			cm, _ := v["configMap"].(map[string]any)
			if n := str(cm["name"]); len(cm) == 1 && isDeclName(n) && name == "configmap-"+n {
				sources[name] = "configmap " + n
			} else {
				return nil, nil, nil, false
			}
		case v["secret"] != nil:
			s, _ := v["secret"].(map[string]any)
			if n := str(s["secretName"]); len(s) == 1 && isDeclName(n) && name == "secret-"+n {
				sources[name] = "secret " + n
			} else {
				return nil, nil, nil, false
			}
		case v["persistentVolumeClaim"] != nil:
			p, _ := v["persistentVolumeClaim"].(map[string]any)
			if n := str(p["claimName"]); len(p) == 1 && isDeclName(n) && name == "pvc-"+n {
				sources[name] = "pvc " + n
			} else {
				return nil, nil, nil, false
			}
		default:
			return nil, nil, nil, false
		}
	}
	mounts = map[int]string{}
	for i, c := range containers {
		ms, _ := c["volumeMounts"].([]any)
		var parts []string
		for _, it := range ms {
			m, _ := it.(map[string]any)
			src, known := sources[str(m["name"])]
			path := str(m["mountPath"])
			if !known || path == "" {
				return nil, nil, nil, false
			}
			extra := len(m) - 2
			if _, ro := m["readOnly"]; ro {
				extra--
			}
			if sp, has := m["subPath"]; has {
				if strings.HasPrefix(src, "volume ") || strings.HasPrefix(src, "pvc ") {
					return nil, nil, nil, false
				}
				src += " -> " + quote(str(sp))
				extra--
			}
			if extra != 0 {
				return nil, nil, nil, false
			}
			parts = append(parts, quote(path)+" = "+src)
			if !strings.HasPrefix(src, "volume ") {
				refs = append(refs, strings.SplitN(src, " -> ", 2)[0])
			}
		}
		if len(parts) > 0 {
			mounts[i] = "mount = { " + strings.Join(parts, ", ") + " }"
		}
	}
	delete(podSpec, "volumes")
	for _, c := range containers {
		delete(c, "volumeMounts")
	}
	return volumes, mounts, refs, true
}

// probeSugar writes a probe as `http "/path" on PORT { period = 5s }`,
// `tcp on PORT`, `grpc on PORT` or `exec [...]`, or reports false.
func probeSugar(p map[string]any) (string, bool) {
	var head string
	var rest []string
	for _, k := range sortedKeys(p) {
		v := p[k]
		switch k {
		case "httpGet", "tcpSocket", "grpc":
			if head != "" {
				return "", false
			}
			m, _ := v.(map[string]any)
			port, ok := probePort(m["port"])
			if !ok {
				return "", false
			}
			switch k {
			case "httpGet":
				path := str(m["path"])
				if path == "" || len(m) != 2 {
					return "", false
				}
				head = "http " + quote(path) + " on " + port
			case "tcpSocket":
				if len(m) != 1 {
					return "", false
				}
				head = "tcp on " + port
			default:
				if len(m) != 1 {
					return "", false
				}
				head = "grpc on " + port
			}
		case "exec":
			m, _ := v.(map[string]any)
			cmd, ok := m["command"].([]any)
			if !ok || len(m) != 1 || head != "" {
				return "", false
			}
			head = "exec " + value(cmd, "")
		case "initialDelaySeconds", "periodSeconds", "timeoutSeconds":
			n, ok := v.(int64)
			if !ok || n < 0 {
				return "", false
			}
			word := map[string]string{"initialDelaySeconds": "delay", "periodSeconds": "period", "timeoutSeconds": "timeout"}[k]
			rest = append(rest, word+" = "+durationWord(time.Duration(n)*time.Second))
		case "failureThreshold", "successThreshold":
			word := map[string]string{"failureThreshold": "failures", "successThreshold": "successes"}[k]
			rest = append(rest, word+" = "+scalar(v))
		default:
			return "", false
		}
	}
	if head == "" {
		return "", false
	}
	if len(rest) > 0 {
		head += " { " + strings.Join(rest, ", ") + " }"
	}
	return head, true
}

func probePort(v any) (string, bool) {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10), true
	case string:
		return x, namePattern().MatchString(x)
	}
	return "", false
}
