package compiler_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/kubeschema"
)

// sample writes a value of type t in .wave syntax, with the JSON value it
// must become in the emitted object. Objects get their required fields, or
// their first field when none is required.
func sample(t *kubeschema.Type, depth int) (string, any) {
	switch t.Kind {
	case kubeschema.String:
		if len(t.Enum) > 0 {
			return fmt.Sprintf("%q", t.Enum[0]), t.Enum[0]
		}
		return `"x"`, "x"
	case kubeschema.Integer:
		return "1", int64(1)
	case kubeschema.Number:
		return "1.5", 1.5
	case kubeschema.Bool:
		return "true", true
	case kubeschema.Quantity:
		return "1Gi", "1Gi"
	case kubeschema.IntOrString:
		return "1", int64(1)
	case kubeschema.Duration:
		return "5m", "5m0s"
	case kubeschema.Time:
		return `"2026-01-02T15:04:05Z"`, "2026-01-02T15:04:05Z"
	case kubeschema.Bytes:
		return `"aGVsbG8="`, "aGVsbG8="
	case kubeschema.Any:
		return `{ a = "b" }`, map[string]any{"a": "b"}
	case kubeschema.List:
		w, v := sample(t.Elem, depth+1)
		return "[" + w + "]", []any{v}
	case kubeschema.Map:
		w, v := sample(t.Elem, depth+1)
		return `{ "k" = ` + w + " }", map[string]any{"k": v}
	}
	var fields []*kubeschema.Field
	for _, f := range t.Fields {
		if f.Required {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		for _, f := range t.Fields {
			// Deep down, a scalar ends the recursion.
			if depth < 6 || (f.Type.Kind != kubeschema.Object && f.Type.Kind != kubeschema.List && f.Type.Kind != kubeschema.Map) {
				fields = append(fields, f)
				break
			}
		}
	}
	var parts []string
	out := map[string]any{}
	for _, f := range fields {
		w, v := sample(f.Type, depth+1)
		parts = append(parts, f.Name+" = "+w)
		out[f.Name] = v
	}
	return "{ " + strings.Join(parts, ", ") + " }", out
}

// skipped are the fields general blocks may not set, with the reason.
var skipped = map[string]string{
	"spec.selector":    "wavec selects the Pods",
	"spec.template":    "the Pod template is pod { ... } and the body",
	"spec.jobTemplate": "the Pod template is pod { ... } and the body",
	"spec.schedule":    "given by the short field schedule, which a cronjob requires",
	"pod.containers":   "the container's fields are the body",
	"container.name":   "the container is named like the workload",
}

// TestGeneralFieldsRoundTrip sets every field that the schema offers for a
// workload's spec, its Pod template's spec and its container through the
// general blocks, and checks that each arrives in the emitted object as
// written, and that the object decodes strictly into its k8s.io/api type.
func TestGeneralFieldsRoundTrip(t *testing.T) {
	s := kubeschema.Builtin()
	pod := s.TypeOf(corev1.PodSpec{})
	ctr := s.TypeOf(corev1.Container{})
	for _, kind := range []string{"deployment", "statefulset", "job", "cronjob"} {
		t.Run(kind, func(t *testing.T) {
			kk := map[string]string{"deployment": "Deployment", "statefulset": "StatefulSet", "job": "Job", "cronjob": "CronJob"}[kind]
			spec, _, _ := s.Preferred(kk).Type().Lookup("spec")
			var src strings.Builder
			want := map[string]any{}
			fmt.Fprintf(&src, "pipeline rt in default { restricted = false }\n%s w {\n", kind)
			if kind == "cronjob" {
				src.WriteString("  schedule = \"@daily\"\n")
			}
			block := func(name, prefix string, ty *kubeschema.Type) {
				if name != "" {
					fmt.Fprintf(&src, "  %s {\n", name)
				}
				for _, f := range ty.Fields {
					p := prefix + "." + f.Name
					if _, skip := skipped[p]; skip {
						continue
					}
					if (kind == "job" || kind == "cronjob") && p == "pod.restartPolicy" {
						continue // Pods of jobs never restart in place
					}
					if kind == "statefulset" && p == "spec.serviceName" {
						continue // the governing service named like the statefulset sets it
					}
					w, v := sample(f.Type, 0)
					if p == "container.image" {
						w, v = `"nginx:1"`, "nginx:1"
					}
					if p == "container.command" || p == "container.args" {
						w, v = `["x"]`, []any{"x"}
					}
					fmt.Fprintf(&src, "    %s = %s\n", f.Name, w)
					want[p] = v
				}
				if name != "" {
					src.WriteString("  }\n")
				}
			}
			block("spec", "spec", spec)
			block("pod", "pod", pod)
			block("", "container", ctr)
			src.WriteString("}\n")
			if kind == "job" {
				src.WriteString("presync w\n")
			}
			if kind == "statefulset" {
				src.WriteString("service w { port = 80 }\n")
			}
			res, diags := compiler.CompileSource("rt.wave", []byte(src.String()), nil)
			if diags.HasErrors() {
				t.Fatalf("%v\n%s", diags.Err(), src.String())
			}
			var u *unstructured.Unstructured
			for _, d := range res.Documents {
				if d.Object.GetKind() == kk {
					u = d.Object
				}
			}
			if u == nil {
				t.Fatalf("no %s emitted", kk)
			}
			obj := u.Object
			podPath := []string{"spec", "template"}
			if kind == "cronjob" {
				podPath = []string{"spec", "jobTemplate", "spec", "template"}
			}
			podSpec, _, _ := unstructured.NestedMap(obj, append(podPath, "spec")...)
			containers, _ := podSpec["containers"].([]any)
			if len(containers) != 1 {
				t.Fatalf("%d containers", len(containers))
			}
			places := map[string]map[string]any{
				"spec":      obj["spec"].(map[string]any),
				"pod":       podSpec,
				"container": containers[0].(map[string]any),
			}
			n := 0
			for p, v := range want {
				block, field, _ := strings.Cut(p, ".")
				got := places[block][field]
				if !jsonEqual(got, v) {
					t.Errorf("%s: emitted %v, want %v", p, got, v)
				}
				n++
			}
			if n < 60 {
				t.Errorf("only %d fields tried", n)
			}
			strictDecode(t, u)
		})
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var x, y any
	_ = json.Unmarshal(ja, &x)
	_ = json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y)
}

// strictDecode decodes u into its k8s.io/api type, failing on any field
// the type does not have or any value it cannot hold.
func strictDecode(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	obj, err := scheme.Scheme.New(u.GroupVersionKind())
	if err != nil {
		t.Errorf("%s %s: %v", u.GetKind(), u.GetName(), err)
		return
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.UnstructuredContent(), obj, true); err != nil {
		t.Errorf("%s %s does not decode strictly: %v", u.GetKind(), u.GetName(), err)
	}
}

// TestBuiltinOutputDecodesStrictly decodes every built-in object that the
// examples and the test pipelines emit into its k8s.io/api type.
func TestBuiltinOutputDecodesStrictly(t *testing.T) {
	n := 0
	for _, dir := range pipelines(t) {
		res := compile(t, []string{dir}, nil)
		for _, d := range res.Documents {
			if kubeschema.Builtin().Lookup(d.Object.GroupVersionKind()) == nil {
				continue
			}
			strictDecode(t, d.Object)
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d built-in objects", n)
	}
}

// TestGeneralFieldsOfNamedContainers checks that the API's container fields
// of `container`, `init` and `sidecar` blocks land in their own container
// of the Pod template, next to what the block's short fields make.
func TestGeneralFieldsOfNamedContainers(t *testing.T) {
	dir := t.TempDir()
	src := `pipeline p in ns
deployment api {
  image = "ghcr.io/acme/api:1.0.0"
  user  = 10001
  securityContext { readOnlyRootFilesystem = true }
  init setup {
    image = "busybox:1.37"
    run   = "true"
    securityContext { privileged = false }
  }
  sidecar proxy {
    image = "envoyproxy/envoy:v1.32.0"
    imagePullPolicy = Always
  }
  container shipper {
    image = "fluent/fluent-bit:3.2"
    workingDir = "/work"
  }
}
`
	path := filepath.Join(dir, "p.wave")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := compile(t, []string{path}, nil)
	var dep *appsv1.Deployment
	for _, d := range res.Documents {
		if d.Object.GetKind() == "Deployment" {
			dep = &appsv1.Deployment{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(d.Object.Object, dep); err != nil {
				t.Fatal(err)
			}
		}
	}
	if dep == nil {
		t.Fatal("no Deployment emitted")
	}
	find := func(cs []corev1.Container, name string) *corev1.Container {
		for i := range cs {
			if cs[i].Name == name {
				return &cs[i]
			}
		}
		t.Fatalf("no container %q in %v", name, cs)
		return nil
	}
	spec := dep.Spec.Template.Spec
	if sc := find(spec.Containers, "api").SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("main container: securityContext %+v lacks readOnlyRootFilesystem", sc)
	}
	setup := find(spec.InitContainers, "setup")
	if sc := setup.SecurityContext; sc == nil || sc.Privileged == nil || *sc.Privileged || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("init setup: securityContext %+v should have privileged: false and the restricted settings", sc)
	}
	if sc := find(spec.Containers, "api").SecurityContext; sc.Privileged != nil {
		t.Errorf("the init container's privileged leaked into the main container")
	}
	if p := find(spec.InitContainers, "proxy").ImagePullPolicy; p != corev1.PullAlways {
		t.Errorf("sidecar proxy: imagePullPolicy %q, want Always", p)
	}
	if wd := find(spec.Containers, "shipper").WorkingDir; wd != "/work" {
		t.Errorf("container shipper: workingDir %q, want /work", wd)
	}
}

// TestContainerNameWithGeneralFields checks that the main container's
// general fields and probes land in it when `container_name` renames it,
// written before or after them, also when a sidecar then takes the
// workload's own name and general fields of its own.
func TestContainerNameWithGeneralFields(t *testing.T) {
	for _, order := range []string{"before", "after"} {
		t.Run(order, func(t *testing.T) {
			body := `  securityContext { readOnlyRootFilesystem = true }
  image = "ghcr.io/acme/frontend:1.0.0"
  user  = 1000
  port  = 8080
  ready = http "/ready"
  readinessProbe { httpGet { httpHeaders = [{ name = "Cookie", value = "probe" }] } }
`
			if order == "before" {
				body = "  container_name = \"server\"\n" + body
			} else {
				body += "  container_name = \"server\"\n"
			}
			src := "pipeline p in ns\ndeployment frontend {\n" + body + `  sidecar frontend {
    image = "envoyproxy/envoy:v1.32.0"
    imagePullPolicy = Always
  }
}
`
			path := filepath.Join(t.TempDir(), "p.wave")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			res := compile(t, []string{path}, nil)
			for _, d := range res.Documents {
				if d.Object.GetKind() != "Deployment" {
					continue
				}
				dep := &appsv1.Deployment{}
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(d.Object.Object, dep); err != nil {
					t.Fatal(err)
				}
				spec := dep.Spec.Template.Spec
				if len(spec.Containers) != 1 || spec.Containers[0].Name != "server" {
					t.Fatalf("containers %+v, want one named server", spec.Containers)
				}
				ct := spec.Containers[0]
				if ct.SecurityContext == nil || ct.SecurityContext.ReadOnlyRootFilesystem == nil || !*ct.SecurityContext.ReadOnlyRootFilesystem {
					t.Errorf("server: securityContext %+v lacks readOnlyRootFilesystem", ct.SecurityContext)
				}
				if p := ct.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/ready" || p.HTTPGet.Port.IntValue() != 8080 || len(p.HTTPGet.HTTPHeaders) != 1 {
					t.Errorf("server: readinessProbe %+v, want /ready on 8080 with the header", p)
				}
				if len(spec.InitContainers) != 1 || spec.InitContainers[0].Name != "frontend" || spec.InitContainers[0].ImagePullPolicy != corev1.PullAlways {
					t.Errorf("init containers %+v, want the sidecar frontend pulling always", spec.InitContainers)
				}
				return
			}
			t.Fatal("no Deployment emitted")
		})
	}
}
