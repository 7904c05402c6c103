package compiler_test

import (
	"bytes"
	"fmt"
	"github.com/wavec/wavec/argocd"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/emit"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
)

// examples returns the example pipelines, one directory each.
func examples(t testing.TB) []string {
	dirs, err := filepath.Glob("../examples/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	return dirs
}

// pipelines returns the examples and the test pipeline that uses every
// built-in kind.
func pipelines(t testing.TB) []string {
	return append(examples(t), filepath.Join("testdata", "allkinds"))
}

func compile(t testing.TB, paths []string, sets map[string]string) *compiler.Result {
	t.Helper()
	res, diags := compiler.Compile(paths, sets)
	if len(diags) > 0 {
		t.Fatalf("%v: diagnostics:\n%s", paths, diagText(diags))
	}
	return res
}

func diagText(diags diag.List) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error() + "\n")
	}
	return b.String()
}

// TestExamplesCheckClean checks that every example compiles without a
// single diagnostic, warnings included.
func TestExamplesCheckClean(t *testing.T) {
	for _, dir := range pipelines(t) {
		res := compile(t, []string{dir}, nil)
		if len(res.Documents) == 0 {
			t.Errorf("%s: no documents", dir)
		}
	}
}

// TestDeterministic builds every example twice, and with its files named in
// reverse order, and expects the same bytes each time.
func TestDeterministic(t *testing.T) {
	for _, dir := range pipelines(t) {
		first := compile(t, []string{dir}, nil).YAML()
		if again := compile(t, []string{dir}, nil).YAML(); !bytes.Equal(first, again) {
			t.Errorf("%s: two builds differ", dir)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.wave"))
		slices.Reverse(files)
		if rev := compile(t, files, nil).YAML(); !bytes.Equal(first, rev) {
			t.Errorf("%s: building %v gives different bytes", dir, files)
		}
	}
}

// typedFor returns an empty typed object for a built-in kind, or nil.
func typedFor(kind string) runtime.Object {
	switch kind {
	case "ConfigMap":
		return &corev1.ConfigMap{}
	case "Secret":
		return &corev1.Secret{}
	case "ServiceAccount":
		return &corev1.ServiceAccount{}
	case "PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	case "Service":
		return &corev1.Service{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "Job":
		return &batchv1.Job{}
	case "Pod":
		return &corev1.Pod{}
	case "CronJob":
		return &batchv1.CronJob{}
	case "Ingress":
		return &networkingv1.Ingress{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "ReplicaSet":
		return &appsv1.ReplicaSet{}
	case "HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}
	case "PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "Role":
		return &rbacv1.Role{}
	case "ClusterRole":
		return &rbacv1.ClusterRole{}
	case "RoleBinding":
		return &rbacv1.RoleBinding{}
	case "ClusterRoleBinding":
		return &rbacv1.ClusterRoleBinding{}
	}
	return nil
}

// TestStrictRoundTrip decodes every emitted document strictly (unknown
// fields are errors) into its typed object, encodes it again the way emit
// does, and expects the same bytes.
func TestStrictRoundTrip(t *testing.T) {
	for _, dir := range pipelines(t) {
		res := compile(t, []string{dir}, nil)
		for _, d := range res.Documents {
			obj := typedFor(d.Object.GetKind())
			var m map[string]any
			if obj != nil {
				if err := yaml.UnmarshalStrict(d.YAML, obj); err != nil {
					t.Errorf("%s: %s %s does not decode strictly: %v", dir, d.Object.GetKind(), d.Object.GetName(), err)
					continue
				}
				var err error
				if m, err = runtime.DefaultUnstructuredConverter.ToUnstructured(obj); err != nil {
					t.Fatal(err)
				}
				delete(m, "status")
				emit.Normalize(m)
			} else if err := yaml.UnmarshalStrict(d.YAML, &m); err != nil {
				t.Errorf("%s: %s %s: %v", dir, d.Object.GetKind(), d.Object.GetName(), err)
				continue
			}
			again, err := yaml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, d.YAML) {
				t.Errorf("%s: %s %s changes in a round trip:\n--- emitted\n%s\n--- again\n%s", dir, d.Object.GetKind(), d.Object.GetName(), d.YAML, again)
			}
		}
	}
}

// podOf returns the Pod metadata and spec of a workload document.
func podOf(t *testing.T, u *unstructured.Unstructured) (*metav1.ObjectMeta, *corev1.PodSpec) {
	var tmpl *corev1.PodTemplateSpec
	obj := typedFor(u.GetKind())
	if obj == nil {
		return nil, nil
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		t.Fatal(err)
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		tmpl = &o.Spec.Template
	case *appsv1.StatefulSet:
		tmpl = &o.Spec.Template
	case *appsv1.DaemonSet:
		tmpl = &o.Spec.Template
	case *appsv1.ReplicaSet:
		tmpl = &o.Spec.Template
	case *batchv1.Job:
		tmpl = &o.Spec.Template
	case *batchv1.CronJob:
		tmpl = &o.Spec.JobTemplate.Spec.Template
	default:
		return nil, nil
	}
	return &tmpl.ObjectMeta, &tmpl.Spec
}

// TestPodSecurityRestricted evaluates every workload of every example
// against the Pod Security "restricted" level, latest version.
func TestPodSecurityRestricted(t *testing.T) {
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lv := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
	workloads := 0
	for _, dir := range pipelines(t) {
		for _, d := range compile(t, []string{dir}, nil).Documents {
			meta, spec := podOf(t, d.Object)
			if spec == nil {
				continue
			}
			workloads++
			res := policy.AggregateCheckResults(ev.EvaluatePod(lv, meta, spec))
			if !res.Allowed {
				t.Errorf("%s: %s %s violates restricted: %s", dir, d.Object.GetKind(), d.Object.GetName(), res.ForbiddenDetail())
			}
		}
	}
	if workloads < 5 {
		t.Errorf("only %d workloads evaluated", workloads)
	}
}

// TestRestrictedOptOut checks that `restricted = false` drops the
// restricted settings, and that PSA then rejects the Pod.
func TestRestrictedOptOut(t *testing.T) {
	src := "pipeline p in default\njob j { image = \"busybox:1.37\"; restricted = false }\nsync j\n"
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if len(diags) > 0 {
		t.Fatal(diagText(diags))
	}
	if y := string(res.YAML()); strings.Contains(y, "securityContext") {
		t.Errorf("securityContext emitted despite restricted = false:\n%s", y)
	}
	ev, _ := policy.NewEvaluator(policy.DefaultChecks(), nil)
	meta, spec := podOf(t, res.Documents[0].Object)
	lv := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
	if policy.AggregateCheckResults(ev.EvaluatePod(lv, meta, spec)).Allowed {
		t.Error("an unrestricted Pod passes the restricted level")
	}
}

// TestSetOverrides checks that --set changes the output and is type-checked.
func TestSetOverrides(t *testing.T) {
	res := compile(t, []string{"../examples/agent"}, map[string]string{"image": "ghcr.io/acme/agent:2.0.1"})
	if !bytes.Contains(res.YAML(), []byte("image: ghcr.io/acme/agent:2.0.1")) {
		t.Error("--set image did not change the image")
	}
	_, diags := compiler.Compile([]string{"../examples/worker"}, map[string]string{"image": "Not An Image"})
	if len(diags) != 2 || diags[0].Code != "E0407" {
		t.Errorf("bad image via --set: %s", diagText(diags))
	}
}

// TestResultAPI checks what plan and run rely on: objects, timeouts, name
// and namespace.
func TestResultAPI(t *testing.T) {
	res := compile(t, []string{"../examples/agent"}, nil)
	if res.Name() != "agent" || res.Namespace() != "agents" || res.DefaultTimeout().String() != "5m0s" {
		t.Errorf("name %q namespace %q timeout %v", res.Name(), res.Namespace(), res.DefaultTimeout())
	}
	objs := res.Objects()
	if len(objs) != len(res.Documents) || len(objs) != 6 {
		t.Fatalf("%d objects, %d documents", len(objs), len(res.Documents))
	}
	// `wavec run` reads a timeout the pipeline gives from the annotation.
	migrate := 0
	for _, o := range objs {
		if o.GetKind() == "Job" && o.GetName() == "migrate" {
			migrate++
			if o.GetAnnotations()[argocd.AnnotationTimeout] != "5m0s" {
				t.Errorf("annotations of %s: %v", o.GetName(), o.GetAnnotations())
			}
		}
	}
	if migrate != 1 {
		t.Errorf("%d Jobs named migrate", migrate)
	}
	objs[0].SetName("changed")
	if res.Documents[0].Object.GetName() == "changed" {
		t.Error("Objects returns shared objects")
	}
}

// BenchmarkBuild compiles a generated pipeline of 1,000 resources in 50
// waves (ConfigMaps, Secrets, Deployments, Services, Jobs with after edges)
// from source to YAML.
func BenchmarkBuild(b *testing.B) {
	dir := b.TempDir()
	var src strings.Builder
	src.WriteString("pipeline bench in bench\nparam image = \"ghcr.io/acme/app:1.0.0\"\n")
	for i := 0; i < 200; i++ {
		w := i / 4 // 50 waves
		fmt.Fprintf(&src, "configmap c%d { A = \"%d\", B = \"${image}\" }\n", i, i)
		fmt.Fprintf(&src, "secret s%d { TOKEN = \"t%d\" }\n", i, i)
		fmt.Fprintf(&src, "deployment d%d {\n  image = image\n  replicas = 2\n  port = 8080\n  env_from = [configmap c%d, secret s%d]\n  ready = http \"/health\" on 8080\n  cpu = 100m\n  memory = 128Mi\n  user = 10001\n}\n", i, i, i)
		fmt.Fprintf(&src, "service d%d { port = 80 -> 8080 }\n", i)
		fmt.Fprintf(&src, "job j%d { image = image; run = \"echo %d\"; env_from = [configmap c%d] }\n", i, i, i)
		fmt.Fprintf(&src, "wave %d < configmap c%d, secret s%d, deployment d%d, service d%d >\n", w, i, i, i, i)
		fmt.Fprintf(&src, "sync j%d after deployment d%d\n", i, i)
	}
	path := filepath.Join(dir, "bench.wave")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, diags := compiler.Compile([]string{path}, nil)
		if diags.HasErrors() || len(res.Documents) != 1000 {
			b.Fatalf("%d documents; %v", len(res.Documents), diags.Err())
		}
	}
}

// TestBuildGoldensMatchExamples checks that testscripts/build_NAME.txtar
// holds exactly the files of examples/NAME, so its golden YAML is the build
// of the example as it is.
func TestBuildGoldensMatchExamples(t *testing.T) {
	for _, dir := range examples(t) {
		name := filepath.Base(dir)
		ar, err := txtar.ParseFile(filepath.Join("..", "testscripts", "build_"+name+".txtar"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		inArchive := map[string][]byte{}
		for _, f := range ar.Files {
			if rest, ok := strings.CutPrefix(f.Name, "examples/"+name+"/"); ok {
				inArchive[rest] = f.Data
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := inArchive[e.Name()]
			switch {
			case !ok:
				t.Errorf("build_%s.txtar lacks %s", name, e.Name())
			case !bytes.Equal(got, data):
				t.Errorf("build_%s.txtar has an old copy of %s; copy it again and run go test ./cmd/wavec -run TestScripts/build_%s -update", name, e.Name(), name)
			}
			delete(inArchive, e.Name())
		}
		for n := range inArchive {
			t.Errorf("build_%s.txtar has %s, which examples/%s lacks", name, n, name)
		}
	}
}

// TestEveryKindEmitted checks that the test pipeline of every built-in kind
// emits an object of each kind wavec declares typed, so that the strict
// round trip and the Pod Security test cover them all.
func TestEveryKindEmitted(t *testing.T) {
	res := compile(t, []string{filepath.Join("testdata", "allkinds")}, nil)
	emitted := map[string]bool{}
	for _, d := range res.Documents {
		emitted[d.Object.GetKind()] = true
	}
	for _, k := range ir.Kinds {
		if k == ir.Object {
			continue
		}
		if !emitted[k.KubeKind()] {
			t.Errorf("testdata/allkinds emits no %s", k.KubeKind())
		}
		if typedFor(k.KubeKind()) == nil {
			t.Errorf("typedFor knows no %s", k.KubeKind())
		}
	}
}

// TestAutoscaledHasNoReplicas checks that a deployment or replicaset an hpa
// scales gets no replicas, which would fight the autoscaler, while one
// without keeps them, and that the hpa names its target.
func TestAutoscaledHasNoReplicas(t *testing.T) {
	src := `pipeline p in default
deployment api { image = "nginx:1.27"; cpu = 100m; user = 10001 }
deployment web { image = "nginx:1.27"; replicas = 3; user = 10001 }
hpa api { max = 4; cpu = 60 }
replicaset cache { image = "redis:7"; cpu = 100m; user = 10001 }
replicaset queue { image = "nats:2"; replicas = 2; user = 10001 }
hpa cache { max = 3 }
`
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if len(diags) > 0 {
		t.Fatal(diagText(diags))
	}
	found := 0
	for _, d := range res.Documents {
		replicas, has, _ := unstructured.NestedInt64(d.Object.Object, "spec", "replicas")
		switch d.Object.GetKind() + "/" + d.Object.GetName() {
		case "Deployment/api":
			found++
			if has {
				t.Errorf("deployment api, scaled by an hpa, has replicas %d", replicas)
			}
		case "Deployment/web":
			found++
			if replicas != 3 {
				t.Errorf("deployment web has replicas %d, want 3", replicas)
			}
		case "HorizontalPodAutoscaler/api":
			found++
			kind, _, _ := unstructured.NestedString(d.Object.Object, "spec", "scaleTargetRef", "kind")
			name, _, _ := unstructured.NestedString(d.Object.Object, "spec", "scaleTargetRef", "name")
			if kind != "Deployment" || name != "api" {
				t.Errorf("hpa targets %s %s", kind, name)
			}
		case "ReplicaSet/cache":
			found++
			if has {
				t.Errorf("replicaset cache, scaled by an hpa, has replicas %d", replicas)
			}
		case "ReplicaSet/queue":
			found++
			if replicas != 2 {
				t.Errorf("replicaset queue has replicas %d, want 2", replicas)
			}
		case "HorizontalPodAutoscaler/cache":
			found++
			kind, _, _ := unstructured.NestedString(d.Object.Object, "spec", "scaleTargetRef", "kind")
			if kind != "ReplicaSet" {
				t.Errorf("hpa cache targets a %s", kind)
			}
		}
	}
	if found != 6 {
		t.Errorf("found %d of the 6 objects", found)
	}
}

// TestKindKeywords checks that the parser knows every kind of the IR as a
// declaration keyword and as a reference in a value.
func TestKindKeywords(t *testing.T) {
	for _, k := range ir.Kinds {
		if k == ir.Object {
			continue
		}
		src := fmt.Sprintf("pipeline p in default\n%s x external\nconfigmap c { labels = { a = \"b\" }, prune = %s x }\n", k, k)
		_, diags := compiler.CompileSource("p.wave", []byte(src), nil)
		for _, d := range diags {
			if strings.HasPrefix(string(d.Code), "E01") {
				t.Errorf("%s: %s", k, d.Error())
			}
		}
	}
}

// TestSharedVolumes checks that containers mounting the same ConfigMap
// share one volume, that a single key is mounted by subPath, and that a
// generated volume name never takes the name of a workload's own volume.
func TestSharedVolumes(t *testing.T) {
	src := `pipeline p in default
configmap conf { "a.conf" = "x" }
deployment api {
  image = "nginx:1.27"
  user  = 10001
  mount = { "/etc/app" = configmap conf, "/cache" = volume configmap-conf }
  volume configmap-conf = emptydir
  sidecar shipper {
    image = "fluent/fluent-bit:3.2"
    mount = { "/etc/a.conf" = configmap conf -> "a.conf" }
  }
}
`
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if len(diags) > 0 {
		t.Fatal(diagText(diags))
	}
	var dep appsv1.Deployment
	for _, d := range res.Documents {
		if d.Object.GetKind() == "Deployment" {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(d.Object.Object, &dep); err != nil {
				t.Fatal(err)
			}
		}
	}
	spec := dep.Spec.Template.Spec
	var names []string
	for _, v := range spec.Volumes {
		names = append(names, v.Name)
	}
	if got := strings.Join(names, ","); got != "volume-0,configmap-conf" {
		t.Fatalf("volumes %s, want volume-0 (the ConfigMap) and configmap-conf (the emptyDir)", got)
	}
	if spec.Volumes[0].ConfigMap == nil || spec.Volumes[1].EmptyDir == nil {
		t.Errorf("volumes %+v", spec.Volumes)
	}
	if len(spec.InitContainers) != 1 || spec.InitContainers[0].RestartPolicy == nil || *spec.InitContainers[0].RestartPolicy != corev1.ContainerRestartPolicyAlways {
		t.Fatalf("the sidecar is not a restartable init container: %+v", spec.InitContainers)
	}
	m := spec.InitContainers[0].VolumeMounts[0]
	if m.Name != "volume-0" || m.SubPath != "a.conf" || m.MountPath != "/etc/a.conf" || !m.ReadOnly {
		t.Errorf("the sidecar's mount is %+v", m)
	}
	if u := spec.InitContainers[0].SecurityContext.RunAsUser; u == nil || *u != 10001 {
		t.Errorf("the sidecar does not take the main container's user: %v", u)
	}
}
