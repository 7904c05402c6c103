package kubeschema

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestEveryKind checks that every object kind of client-go's scheme is
// described, with apiVersion, kind and metadata among its fields, and that
// lists and the API machinery's options are not.
func TestEveryKind(t *testing.T) {
	s := Builtin()
	n := 0
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		obj, err := scheme.Scheme.New(gvk)
		if err != nil {
			t.Fatal(err)
		}
		_, isObject := obj.(interface{ GetName() string })
		k := s.Lookup(gvk)
		switch {
		case isObject && k == nil:
			t.Errorf("%v is not described", gvk)
		case !isObject && k != nil:
			t.Errorf("%v is described but is no object", gvk)
		case k != nil:
			n++
			for _, f := range []string{"apiVersion", "kind", "metadata"} {
				if k.Type().Field(f) == nil {
					t.Errorf("%v has no field %s", gvk, f)
				}
			}
		}
	}
	if n < 100 || n != len(s.Kinds()) {
		t.Errorf("%d kinds described of %d", len(s.Kinds()), n)
	}
	for _, name := range []string{"Deployment", "ConfigMap", "CronJob", "HorizontalPodAutoscaler", "NetworkPolicy", "ClusterRoleBinding", "PodDisruptionBudget", "Ingress"} {
		if s.Preferred(name) == nil {
			t.Errorf("no preferred version of %s", name)
		}
	}
}

func TestPreferredVersion(t *testing.T) {
	s := Builtin()
	for name, want := range map[string]string{
		"Deployment": "apps/v1", "ConfigMap": "v1", "HorizontalPodAutoscaler": "autoscaling/v2",
		"CronJob": "batch/v1", "Ingress": "networking.k8s.io/v1", "Event": "v1", "Role": "rbac.authorization.k8s.io/v1",
	} {
		k := s.Preferred(name)
		if k == nil || k.APIVersion() != want {
			t.Errorf("preferred %s = %v, want %s", name, k, want)
		}
	}
	if !s.HasGroup("apps") || s.HasGroup("example.com") || !s.HasGroup("") {
		t.Error("HasGroup")
	}
	if !s.HasGroupVersion(schema.GroupVersion{Group: "apps", Version: "v1"}) || s.HasGroupVersion(schema.GroupVersion{Group: "apps", Version: "v2"}) {
		t.Error("HasGroupVersion")
	}
	if got := s.ByName("Deployment")[0].APIVersion(); got != "apps/v1" {
		t.Errorf("ByName(Deployment)[0] = %s", got)
	}
}

func TestRemoved(t *testing.T) {
	s := Builtin()
	if major, minor := s.Release(); major != 1 || minor < 30 {
		t.Errorf("release %d.%d", major, minor)
	}
	old := s.Lookup(schema.GroupVersionKind{Group: "apps", Version: "v1beta1", Kind: "Deployment"})
	if r, ok := old.Removed(); !ok || r != "1.16" {
		t.Errorf("apps/v1beta1 Deployment removed: %q %v", r, ok)
	}
	if _, ok := s.Preferred("Deployment").Removed(); ok {
		t.Error("the preferred Deployment is removed")
	}
}

func TestLookup(t *testing.T) {
	dep := Builtin().Lookup(appsv1.SchemeGroupVersion.WithKind("Deployment"))
	cases := []struct {
		path string
		kind TypeKind
		desc string
	}{
		{"spec.replicas", Integer, "integer"},
		{"spec.template.spec.containers", List, "list of objects"},
		{"spec.template.spec.containers.image", String, "string"},
		{"spec.template.spec.containers.resources.limits", Map, "map of quantities"},
		{"spec.template.spec.containers.ports.containerPort", Integer, "integer"},
		{"spec.template.spec.containers.readinessProbe.httpGet.port", IntOrString, "integer or string"},
		{"spec.template.metadata.annotations", Map, "map of strings"},
		{"spec.template.spec.nodeSelector", Map, "map of strings"},
		{"spec.template.spec.tolerations.effect", String, "string"},
		{"spec.template.spec.terminationGracePeriodSeconds", Integer, "integer"},
		{"spec.strategy.rollingUpdate.maxSurge", IntOrString, "integer or string"},
		{"metadata.creationTimestamp", Time, "time"},
		{"spec.template.spec.imagePullSecrets", List, "list of objects"},
	}
	for _, c := range cases {
		ty, _, ok := dep.Type().Lookup(c.path)
		if !ok {
			t.Errorf("%s: not found", c.path)
			continue
		}
		if ty.Kind != c.kind || ty.Describe() != c.desc {
			t.Errorf("%s: %v %q, want %v %q", c.path, ty.Kind, ty.Describe(), c.kind, c.desc)
		}
	}
	ty, done, ok := dep.Type().Lookup("spec.template.spec.tolerations.efect")
	if ok || done != "spec.template.spec.tolerations" || ty.Suggest("efect") != "effect" {
		t.Errorf("misspelt path: %v %q %q", ok, done, ty.Suggest("efect"))
	}
}

func TestEnumsAndRequired(t *testing.T) {
	pod := Builtin().TypeOf(corev1.PodSpec{})
	if got := pod.Field("restartPolicy").Type.Enum; strings.Join(got, ",") != "Always,Never,OnFailure" {
		t.Errorf("restartPolicy enum %v", got)
	}
	tol, _, _ := pod.Lookup("tolerations")
	if got := tol.Elem.Field("effect").Type.Enum; strings.Join(got, ",") != "NoExecute,NoSchedule,PreferNoSchedule" {
		t.Errorf("effect enum %v", got)
	}
	if pod.Field("nodeName").Type.Enum != nil {
		t.Error("nodeName has an enum")
	}
	ctr := Builtin().TypeOf(corev1.Container{})
	if !ctr.Field("name").Required || ctr.Field("image").Required || ctr.Field("env").Required {
		t.Errorf("required: name %v image %v env %v", ctr.Field("name").Required, ctr.Field("image").Required, ctr.Field("env").Required)
	}
	if !pod.Field("containers").Type.Elem.Field("name").Required || !pod.Field("containers").Required {
		t.Error("containers or their name are not required")
	}
	// Serialised always, but marked +optional in k8s.io/api's source.
	sts := Builtin().TypeOf(appsv1.StatefulSetSpec{})
	if sts.Field("serviceName").Required || !sts.Field("selector").Required {
		t.Errorf("statefulset: serviceName required %v, selector %v", sts.Field("serviceName").Required, sts.Field("selector").Required)
	}
	role := Builtin().Preferred("Role").Type()
	if role.Field("rules").Required || !role.Field("rules").Type.Elem.Field("verbs").Required {
		t.Error("role rules")
	}
}

func TestDocs(t *testing.T) {
	pod := Builtin().TypeOf(corev1.PodSpec{})
	if !strings.Contains(pod.Field("nodeSelector").Doc, "NodeSelector is a selector") {
		t.Errorf("nodeSelector doc %q", pod.Field("nodeSelector").Doc)
	}
	if !strings.Contains(pod.Doc, "PodSpec is a description of a pod") {
		t.Errorf("PodSpec doc %q", pod.Doc)
	}
	if Builtin().TypeOf(corev1.PodSpec{}) != pod {
		t.Error("types are not cached")
	}
}

func TestSuggest(t *testing.T) {
	pod := Builtin().TypeOf(corev1.PodSpec{})
	for in, want := range map[string]string{"nodeselector": "nodeSelector", "toleration": "tolerations", "imagePullSecret": "imagePullSecrets", "zzzzzz": ""} {
		if got := pod.Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Builtin().KindNames(nil); len(got) < 50 {
		t.Errorf("%d kind names", len(got))
	}
	gv := schema.GroupVersion{Group: "apps", Version: "v1"}
	if got := strings.Join(Builtin().KindNames(&gv), ","); got != "ControllerRevision,DaemonSet,Deployment,ReplicaSet,StatefulSet" {
		t.Errorf("apps/v1 kinds %s", got)
	}
}

// BenchmarkBuiltin builds the schema from scratch.
func BenchmarkBuiltin(b *testing.B) {
	for b.Loop() {
		s := build(scheme.Scheme)
		for _, k := range s.Kinds() {
			k.Type()
		}
	}
}

// BenchmarkDeployment lists the kinds, describes Deployment alone and
// asks whether its version is still served: what a process that checks
// one kind pays once.
func BenchmarkDeployment(b *testing.B) {
	for b.Loop() {
		k := build(scheme.Scheme).Lookup(appsv1.SchemeGroupVersion.WithKind("Deployment"))
		k.Type()
		k.Removed()
	}
}

// The built-in kinds are those of client-go's typed clientset: a group
// version client-go adds (or drops) on an upgrade must be added to (or
// dropped from) builtinGroups.
func TestBuiltinSchemeMatchesClientGo(t *testing.T) {
	got, want := builtinScheme().AllKnownTypes(), scheme.Scheme.AllKnownTypes()
	for gvk, typ := range want {
		if got[gvk] != typ {
			t.Errorf("%v: %v, client-go's scheme has %v", gvk, got[gvk], typ)
		}
	}
	for gvk := range got {
		if _, ok := want[gvk]; !ok {
			t.Errorf("%v is not in client-go's scheme", gvk)
		}
	}
	if len(got) < 500 {
		t.Errorf("only %d kinds", len(got))
	}
}
