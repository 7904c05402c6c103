package importer

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// workloadKinds maps the workload kinds to their keywords.
var workloadKinds = map[string]string{
	"apps/v1/Deployment":  "deployment",
	"apps/v1/StatefulSet": "statefulset",
	"apps/v1/DaemonSet":   "daemonset",
	"apps/v1/ReplicaSet":  "replicaset",
	"batch/v1/Job":        "job",
	"batch/v1/CronJob":    "cronjob",
	"v1/Pod":              "pod",
}

// restrictedContainer and restrictedPod are the settings of the restricted
// profile that wavec writes itself.
var (
	restrictedContainer = map[string]any{
		"runAsNonRoot":             true,
		"allowPrivilegeEscalation": false,
		"capabilities":             map[string]any{"drop": []any{"ALL"}},
		"seccompProfile":           map[string]any{"type": "RuntimeDefault"},
	}
	restrictedPod = map[string]any{
		"runAsNonRoot":   true,
		"seccompProfile": map[string]any{"type": "RuntimeDefault"},
	}
)

// workloadCandidates returns typed declarations of a workload: with the
// restricted profile when the object already has its settings, else with
// the opt-out.
func workloadCandidates(u *unstructured.Unstructured, kw string) []candidate {
	obj := runtimeCopy(u.Object)
	strip(obj)
	var out []candidate
	for _, restricted := range []bool{true, false} {
		for _, short := range []bool{true, false} {
			if text, refs, ok := workloadText(u, obj, kw, restricted, short); ok {
				out = append(out, candidate{kw, u.GetName(), text, refs})
			}
		}
	}
	return out
}

// workloadText writes the workload in obj as a typed declaration: its
// containers as the body (the one named like the workload) and named
// blocks, the rest of its Pod template in `pod { }` and of its spec in
// `spec { }`. With restricted, the restricted settings are left to wavec
// and must all be present.
func workloadText(u *unstructured.Unstructured, obj map[string]any, kw string, restricted, short bool) (text string, refs []string, ok bool) {
	obj = runtimeCopy(obj)
	spec, _ := obj["spec"].(map[string]any)
	if spec == nil {
		return "", nil, false
	}
	if kw == "pod" {
		// A pod's spec is what the other workloads' Pod template holds;
		// its metadata is the object's own.
		spec = map[string]any{"template": map[string]any{"spec": spec}}
	}
	var fields []string
	jobSpec := spec
	if kw == "cronjob" {
		jt, _ := spec["jobTemplate"].(map[string]any)
		js, _ := jt["spec"].(map[string]any)
		// The Jobs carry the cronjob's labels (wavec's and the user's).
		jmd, _ := jt["metadata"].(map[string]any)
		jl, _ := jmd["labels"].(map[string]any)
		stripLabels(jl, objectName(u))
		if !reflect.DeepEqual(toStrings(jl), userLabels(u.GetLabels(), objectName(u))) || len(jmd) > 1 || len(jmd) == 1 && jmd["labels"] == nil {
			return "", nil, false
		}
		delete(jt, "metadata")
		if js == nil || len(jt) != 1 {
			return "", nil, false
		}
		jobSpec = js
		delete(spec, "jobTemplate")
		if s, ok := spec["schedule"].(string); ok {
			fields = append(fields, "schedule = "+quote(s))
			delete(spec, "schedule")
		}
	}
	tmpl, _ := jobSpec["template"].(map[string]any)
	podSpec, _ := tmpl["spec"].(map[string]any)
	if podSpec == nil {
		return "", nil, false
	}
	delete(jobSpec, "template")
	// A selector of labels of its own is the workload's `selector`; its
	// Pods have those labels from it. Any other selector must be wavec's.
	var ownSelector map[string]string
	if sel, _ := spec["selector"].(map[string]any); sel != nil && (kw == "deployment" || kw == "statefulset" || kw == "daemonset" || kw == "replicaset") {
		ml, _ := sel["matchLabels"].(map[string]any)
		if own := toStrings(ml); len(sel) == 1 && len(own) == len(ml) && len(own) > 0 && !wavecSelector(own) {
			ownSelector = own
			fields = append(fields, "selector = "+stringMap(own))
		}
	}
	delete(spec, "selector")
	annotations := u.GetAnnotations()
	if kw == "job" || kw == "cronjob" {
		if v, ok := jobSpec["activeDeadlineSeconds"].(int64); ok && short && v > 0 {
			d := time.Duration(v) * time.Second
			fields = append(fields, "timeout = "+durationWord(d))
			delete(jobSpec, "activeDeadlineSeconds")
			if t, err := time.ParseDuration(annotations[annotationTimeout]); err == nil && t == d {
				annotations = maps.Clone(annotations)
				delete(annotations, annotationTimeout)
			}
		}
		if v, ok := jobSpec["backoffLimit"]; ok {
			if scalar(v) != "0" {
				fields = append(fields, "retries = "+scalar(v))
			}
			delete(jobSpec, "backoffLimit")
		} else {
			fields = append(fields, "retries = 6") // Kubernetes' default
		}
		delete(podSpec, "restartPolicy")
	} else if kw == "pod" {
		// wavec's pod never restarts in place; the API server's default
		// for a Pod without restartPolicy is Always.
		switch rp, ok := podSpec["restartPolicy"]; {
		case rp == "Never":
			delete(podSpec, "restartPolicy")
		case !ok:
			podSpec["restartPolicy"] = "Always"
		}
	} else if podSpec["restartPolicy"] == "Always" {
		delete(podSpec, "restartPolicy")
	}
	if kw == "deployment" || kw == "statefulset" || kw == "replicaset" {
		if r, ok := spec["replicas"]; ok && scalar(r) != "1" {
			fields = append(fields, "replicas = "+scalar(r))
		}
		delete(spec, "replicas")
	}
	if sn, ok := spec["serviceName"].(string); ok && kw == "statefulset" {
		if !isDeclName(sn) {
			return "", nil, false
		}
		if sn != u.GetName() {
			fields = append(fields, "service = service "+sn)
		}
		refs = append(refs, "service "+sn)
		delete(spec, "serviceName")
	}
	if restricted {
		if !takeRestricted(podSpec, "securityContext", restrictedPod) {
			return "", nil, false
		}
	} else {
		why := "the input's securityContext settings are written out as they are"
		if gaps := restrictedGaps(podSpec); len(gaps) > 0 {
			why = "the input lacks the restricted Pod Security settings " + strings.Join(gaps, ", ")
		}
		fields = append(fields, "restricted = false // "+why)
	}
	var body []string
	containers, _ := podSpec["containers"].([]any)
	inits, _ := podSpec["initContainers"].([]any)
	delete(podSpec, "containers")
	delete(podSpec, "initContainers")
	if len(containers) == 0 {
		return "", nil, false
	}
	// Mounts: all containers, init containers first as mountSugar numbers
	// them, or none.
	var all []map[string]any
	for _, c := range append(slices.Clone(inits), containers...) {
		cm, _ := c.(map[string]any)
		if cm == nil {
			return "", nil, false
		}
		all = append(all, cm)
	}
	var volumeLines []string
	mounts := map[int]string{}
	if short {
		if v, m, r, ok := mountSugar(podSpec, all); ok {
			volumeLines, mounts, refs = v, m, append(refs, r...)
		}
	}
	// The main container is the one named like the workload, else the
	// first, named by container_name.
	mainName := ""
	for _, c := range containers {
		cm, _ := c.(map[string]any)
		if n, _ := cm["name"].(string); n == u.GetName() {
			mainName = n
		}
	}
	if first, _ := containers[0].(map[string]any); mainName == "" && first != nil {
		mainName, _ = first["name"].(string)
	}
	mainFound := false
	var blocks []string
	for i, c := range containers {
		cm, _ := c.(map[string]any)
		name, _ := cm["name"].(string)
		if name == mainName && !mainFound && name != u.GetName() && name != "" {
			// A container name need not be a .wave name: it is a string.
			delete(cm, "name")
			lines := []string{"container_name = " + quote(name)}
			if restricted && !takeRestricted(cm, "securityContext", restrictedContainer) {
				return "", nil, false
			}
			if short {
				l, r := shortFields(cm)
				lines, refs = append(lines, l...), append(refs, r...)
			}
			if m, ok := mounts[len(inits)+i]; ok {
				lines = append(lines, m)
			}
			mainFound = true
			body = containerFieldsAfter(lines, cm)
			continue
		}
		// The container named like the workload is its body: its name is
		// never written.
		if !isName(name) && !(name == u.GetName() && !mainFound) {
			return "", nil, false
		}
		delete(cm, "name")
		if restricted && !takeRestricted(cm, "securityContext", restrictedContainer) {
			return "", nil, false
		}
		var lines []string
		if short {
			l, r := shortFields(cm)
			lines, refs = append(lines, l...), append(refs, r...)
		}
		if m, ok := mounts[len(inits)+i]; ok {
			lines = append(lines, m)
		}
		lines = containerFieldsAfter(lines, cm)
		if name == u.GetName() && !mainFound {
			mainFound = true
			body = lines
			continue
		}
		blocks = append(blocks, "container "+name+" {\n"+strings.Join(lines, "\n")+"\n}")
	}
	if !mainFound {
		return "", nil, false
	}
	for i, c := range inits {
		cm, _ := c.(map[string]any)
		name, _ := cm["name"].(string)
		if !isName(name) {
			return "", nil, false
		}
		delete(cm, "name")
		word := "init"
		if cm["restartPolicy"] == "Always" {
			word = "sidecar"
			delete(cm, "restartPolicy")
		}
		if restricted && !takeRestricted(cm, "securityContext", restrictedContainer) {
			return "", nil, false
		}
		var lines []string
		if short {
			l, r := shortFields(cm)
			lines, refs = append(lines, l...), append(refs, r...)
		}
		if m, ok := mounts[i]; ok {
			lines = append(lines, m)
		}
		lines = containerFieldsAfter(lines, cm)
		blocks = append(blocks, word+" "+name+" {\n"+strings.Join(lines, "\n")+"\n}")
	}
	fields = append(fields, body...)
	fields = append(fields, volumeLines...)
	if short {
		l, r := podShortFields(podSpec)
		fields, refs = append(fields, l...), append(refs, r...)
	}
	fields = append(fields, blocks...)
	var pod []string
	// objectOnly are the workload's labels that its Pods do not have (or
	// have with another value): `metadata { labels }`, not `labels`.
	objectOnly := map[string]string{}
	if md, _ := tmpl["metadata"].(map[string]any); kw != "pod" && (md != nil || len(userLabels(u.GetLabels(), objectName(u))) > 0) {
		l, _ := md["labels"].(map[string]any)
		// The selector's labels are its Pods' labels.
		for k, v := range ownSelector {
			if str(l[k]) != v {
				return "", nil, false
			}
			delete(l, k)
		}
		// The workload's labels are its Pods' labels too.
		for k, v := range userLabels(u.GetLabels(), objectName(u)) {
			if sv, ok := ownSelector[k]; ok && sv == v {
				continue // on the Pods from the selector
			}
			if str(l[k]) != v {
				// Not on the Pods: the workload's own, but wavec's name
				// label is the Pods' too, and a cronjob's Jobs carry its
				// labels.
				if k == nameKey || kw == "cronjob" {
					return "", nil, false
				}
				objectOnly[k] = v
				continue
			}
			delete(l, k)
		}
		if l != nil {
			stripLabels(l, objectName(u))
			if _, ok := l[nameKey]; ok {
				return "", nil, false // a name of the Pods' own: wavec's `pod { labels }` cannot say it
			}
			if len(l) > 0 {
				pod = append(pod, "labels = "+value(l, ""))
			}
		}
		if a, ok := md["annotations"].(map[string]any); ok && len(a) > 0 {
			pod = append(pod, "annotations = "+value(a, ""))
		}
		if n, ok := md["name"].(string); ok && n != "" {
			pod = append([]string{"name = " + quote(n)}, pod...)
		}
		for k := range md {
			if k != "labels" && k != "annotations" && k != "creationTimestamp" && k != "name" {
				return "", nil, false
			}
		}
	}
	for _, k := range sortedKeys(podSpec) {
		pod = append(pod, entryLine(k, podSpec[k]))
	}
	if len(pod) > 0 {
		fields = append(fields, "pod {\n"+strings.Join(pod, "\n")+"\n}")
	}
	md, _ := obj["metadata"].(map[string]any)
	var metadata []string
	if len(objectOnly) > 0 {
		metadata = append(metadata, "labels = "+stringMap(objectOnly))
	}
	if f, ok := md["finalizers"].([]any); ok && len(f) > 0 {
		metadata = append(metadata, "finalizers = "+value(f, ""))
	}
	if len(metadata) > 0 {
		fields = append(fields, "metadata {\n"+strings.Join(metadata, "\n")+"\n}")
	}
	if kw == "cronjob" {
		for _, k := range sortedKeys(jobSpec) {
			spec["jobTemplate.spec."+k] = jobSpec[k] // not expressible: refuse below
		}
		for _, kf := range [][2]string{{"concurrencyPolicy", "concurrency"}, {"suspend", "suspend"}, {"timeZone", "time_zone"}, {"successfulJobsHistoryLimit", "keep_succeeded"}, {"failedJobsHistoryLimit", "keep_failed"}} {
			k, f := kf[0], kf[1]
			if v, ok := spec[k]; ok {
				if k == "concurrencyPolicy" {
					fields = append(fields, f+" = "+str(v))
				} else {
					fields = append(fields, f+" = "+value(v, ""))
				}
				delete(spec, k)
			}
		}
	}
	var specLines []string
	for _, k := range sortedKeys(spec) {
		if strings.Contains(k, ".") {
			return "", nil, false
		}
		specLines = append(specLines, entryLine(k, spec[k]))
	}
	if len(specLines) > 0 {
		fields = append(fields, "spec {\n"+strings.Join(specLines, "\n")+"\n}")
	}
	for k := range obj {
		if k != "apiVersion" && k != "kind" && k != "metadata" && k != "spec" {
			return "", nil, false
		}
	}
	for k := range md {
		if k != "name" && k != "namespace" && k != "labels" && k != "annotations" && k != "creationTimestamp" && k != "finalizers" {
			return "", nil, false
		}
	}
	labels := maps.Clone(u.GetLabels())
	for k := range objectOnly {
		delete(labels, k)
	}
	fields = append(metaFields(labels, annotations, objectName(u)), fields...)
	return kw + " " + u.GetName() + " {\n" + strings.Join(fields, "\n") + "\n}", refs, true
}

// wavecSelector reports whether labels are those of wavec's own selector,
// which a workload without `selector` has.
func wavecSelector(labels map[string]string) bool {
	_, name := labels["app.kubernetes.io/name"]
	_, partOf := labels["app.kubernetes.io/part-of"]
	return len(labels) == 2 && name && partOf
}

// restrictedGaps names the settings of the restricted profile that the
// Pod or one of its containers lacks.
func restrictedGaps(podSpec map[string]any) []string {
	var gaps []string
	add := func(sc map[string]any, want map[string]any) {
		for _, k := range sortedKeys(want) {
			if !reflect.DeepEqual(jsonCopy(sc[k]), jsonCopy(want[k])) && !slices.Contains(gaps, k) {
				gaps = append(gaps, k)
			}
		}
	}
	sc, _ := podSpec["securityContext"].(map[string]any)
	add(sc, restrictedPod)
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := podSpec[list].([]any)
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			sc, _ := cm["securityContext"].(map[string]any)
			add(sc, restrictedContainer)
		}
	}
	sort.Strings(gaps)
	return gaps
}

// takeRestricted removes the restricted settings from m[key], reporting
// whether every one of them was there with wavec's value.
func takeRestricted(m map[string]any, key string, want map[string]any) bool {
	sc, _ := m[key].(map[string]any)
	for k, v := range want {
		if !reflect.DeepEqual(jsonCopy(sc[k]), jsonCopy(v)) {
			return false
		}
		delete(sc, k)
	}
	if len(sc) == 0 {
		delete(m, key)
	}
	return true
}

// containerFieldsAfter writes the image, then short, then the container's
// other fields as the API spells them.
func containerFieldsAfter(short []string, c map[string]any) []string {
	var lines []string
	if img, ok := c["image"].(string); ok {
		lines = append(lines, "image = "+quote(img))
		delete(c, "image")
	}
	lines = append(lines, short...)
	for _, k := range sortedKeys(c) {
		lines = append(lines, entryLine(k, c[k]))
	}
	return lines
}

// entryLine writes `key = value`.
func entryLine(k string, v any) string {
	return key(k) + " = " + value(v, k)
}

// unitPattern matches a quantity written as a unit.
var unitPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(\.[0-9]+)?([a-zA-Z]+)$`) })

// quantityKeys are the fields whose strings are quantities.
var quantityKeys = []string{"cpu", "memory", "ephemeral-storage", "storage", "sizeLimit"}

// value writes a value in the language's own terms; parent is the key it
// is the value of, which says whether a string is a quantity.
func value(v any, parent string) string {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, key(k)+" = "+value(x[k], k))
		}
		return "{\n" + strings.Join(parts, "\n") + "\n}"
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		var parts []string
		multi := false
		for _, it := range x {
			s := value(it, parent)
			if strings.Contains(s, "\n") {
				multi = true
			}
			parts = append(parts, s)
		}
		if multi || len(strings.Join(parts, ", ")) > 80 {
			return "[\n" + strings.Join(parts, ",\n") + ",\n]"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		if slices.Contains(quantityKeys, parent) && unitPattern().MatchString(x) {
			return x
		}
		return quote(x)
	}
	return scalar(v)
}

// scalar writes a number or bool.
func scalar(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return quote(x)
	}
	return fmt.Sprint(v)
}

func jsonCopy(v any) any {
	if v == nil {
		return nil
	}
	m := comparable(map[string]any{"v": v})
	return m["v"]
}
