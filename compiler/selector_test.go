package compiler_test

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/compiler"
)

// TestOwnSelector: a workload with `selector` selects its Pods by those
// labels, its Pods carry them beside wavec's, and the service, pdb and
// networkpolicy that name it select by them too.
func TestOwnSelector(t *testing.T) {
	src := `pipeline shop in default
deployment web {
  image = "nginx:1.27"; user = 10001; port = 80
  selector = { app = "guestbook-ui" }
  container_name = "main"
  imagePullPolicy = Always
}
deployment api { image = "nginx:1.27"; user = 10001; port = 80 }
service front { selector = deployment web; port = 80 }
pdb web { min_available = 1 }
networkpolicy api { from = [deployment web] }
`
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	own := map[string]any{"app": "guestbook-ui"}
	found := 0
	for _, d := range res.Documents {
		o := d.Object.Object
		var got map[string]any
		switch d.Object.GetKind() + "/" + d.Object.GetName() {
		case "Deployment/web":
			got, _, _ = unstructured.NestedMap(o, "spec", "selector", "matchLabels")
			labels, _, _ := unstructured.NestedStringMap(o, "spec", "template", "metadata", "labels")
			if labels["app"] != "guestbook-ui" || labels["app.kubernetes.io/name"] != "web" {
				t.Errorf("pod labels %v", labels)
			}
			cs, _, _ := unstructured.NestedSlice(o, "spec", "template", "spec", "containers")
			if c, _ := cs[0].(map[string]any); len(cs) != 1 || c["name"] != "main" || c["imagePullPolicy"] != "Always" {
				t.Errorf("containers %v", cs)
			}
		case "Service/front":
			got, _, _ = unstructured.NestedMap(o, "spec", "selector")
		case "PodDisruptionBudget/web":
			got, _, _ = unstructured.NestedMap(o, "spec", "selector", "matchLabels")
		case "NetworkPolicy/api":
			from, _, _ := unstructured.NestedSlice(o, "spec", "ingress")
			peers, _, _ := unstructured.NestedSlice(from[0].(map[string]any), "from")
			got, _, _ = unstructured.NestedMap(peers[0].(map[string]any), "podSelector", "matchLabels")
		case "Deployment/api":
			sel, _, _ := unstructured.NestedStringMap(o, "spec", "selector", "matchLabels")
			if sel["app.kubernetes.io/name"] != "api" || len(sel) != 2 {
				t.Errorf("deployment api selects by %v, want wavec's labels", sel)
			}
			continue
		default:
			continue
		}
		found++
		if !reflect.DeepEqual(got, own) {
			t.Errorf("%s %s selects by %v, want %v", d.Object.GetKind(), d.Object.GetName(), got, own)
		}
	}
	if found != 4 {
		t.Errorf("found %d of the 4 objects", found)
	}
}

// TestServicePortName: port_name names the one port of `port`, and ""
// leaves it unnamed.
func TestServicePortName(t *testing.T) {
	src := `pipeline shop in default
deployment redis { image = "redis:7"; user = 999; port = 6379 }
service redis { port_name = ""; port = 6379 }
service cache { selector = deployment redis; port = 6379; port_name = "redis" }
`
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	want := map[string]string{"redis": "", "cache": "redis"}
	for _, d := range res.Documents {
		if d.Object.GetKind() != "Service" {
			continue
		}
		ports, _, _ := unstructured.NestedSlice(d.Object.Object, "spec", "ports")
		p, _ := ports[0].(map[string]any)
		name, has := p["name"]
		if w := want[d.Object.GetName()]; len(ports) != 1 || w == "" && has || w != "" && name != w {
			t.Errorf("service %s: ports %v, want one named %q", d.Object.GetName(), ports, w)
		}
		delete(want, d.Object.GetName())
	}
	if len(want) > 0 {
		t.Errorf("services not built: %v", want)
	}
}

// TestOwnNameLabel: a declaration's labels may give app.kubernetes.io/name
// a value of their own. The object and a workload's Pods carry it, wavec's
// selector of the workload and of what names it is that value and
// part-of; a selector's name label is its Pods'. Declarations without it
// keep their own name.
func TestOwnNameLabel(t *testing.T) {
	src := `pipeline shop in default
deployment web {
  labels = { "app.kubernetes.io/name" = "chart" }
  image = "nginx:1.27"; user = 10001; port = 80
}
deployment helm {
  labels = { "app.kubernetes.io/name" = "chart2", "app.kubernetes.io/instance" = "rel" }
  selector = { "app.kubernetes.io/name" = "chart2", "app.kubernetes.io/instance" = "rel" }
  image = "nginx:1.27"; user = 10001; port = 80
}
deployment api { image = "nginx:1.27"; user = 10001; port = 80 }
service front { selector = deployment web; port = 80 }
service helm { port = 80 }
pdb web { min_available = 1 }
networkpolicy api { from = [deployment web] }
configmap settings { labels = { "app.kubernetes.io/name" = "chart" }; A = "1" }
`
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	wavecSel := map[string]any{"app.kubernetes.io/name": "chart", "app.kubernetes.io/part-of": "shop"}
	helmSel := map[string]any{"app.kubernetes.io/name": "chart2", "app.kubernetes.io/instance": "rel"}
	want := map[string]map[string]any{
		"Deployment/web": wavecSel, "Service/front": wavecSel, "PodDisruptionBudget/web": wavecSel, "NetworkPolicy/api": wavecSel,
		"Deployment/helm": helmSel, "Service/helm": helmSel,
	}
	nameLabel := map[string]string{
		"Deployment/web": "chart", "Deployment/helm": "chart2", "Deployment/api": "api", "ConfigMap/settings": "chart", "Service/front": "front",
	}
	podName := map[string]string{"Deployment/web": "chart", "Deployment/helm": "chart2", "Deployment/api": "api"}
	for _, d := range res.Documents {
		o := d.Object.Object
		id := d.Object.GetKind() + "/" + d.Object.GetName()
		if v, ok := nameLabel[id]; ok {
			if got := d.Object.GetLabels()["app.kubernetes.io/name"]; got != v {
				t.Errorf("%s: name label %q, want %q", id, got, v)
			}
			delete(nameLabel, id)
		}
		if v, ok := podName[id]; ok {
			labels, _, _ := unstructured.NestedStringMap(o, "spec", "template", "metadata", "labels")
			if labels["app.kubernetes.io/name"] != v {
				t.Errorf("%s: Pods' name label %q, want %q", id, labels["app.kubernetes.io/name"], v)
			}
		}
		w, ok := want[id]
		if !ok {
			continue
		}
		delete(want, id)
		var got map[string]any
		switch d.Object.GetKind() {
		case "Deployment", "PodDisruptionBudget":
			got, _, _ = unstructured.NestedMap(o, "spec", "selector", "matchLabels")
		case "Service":
			got, _, _ = unstructured.NestedMap(o, "spec", "selector")
		case "NetworkPolicy":
			from, _, _ := unstructured.NestedSlice(o, "spec", "ingress")
			peers, _, _ := unstructured.NestedSlice(from[0].(map[string]any), "from")
			got, _, _ = unstructured.NestedMap(peers[0].(map[string]any), "podSelector", "matchLabels")
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s selects by %v, want %v", id, got, w)
		}
	}
	if len(want) > 0 || len(nameLabel) > 0 {
		t.Errorf("objects not built: %v %v", want, nameLabel)
	}
}
