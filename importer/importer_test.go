package importer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wavec/wavec/bench/gen"
	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/runtime/plan"
)

// outcome is what checkContract found for one input.
type outcome struct {
	imported       bool
	objects, typed int
}

// checkContract imports objs and checks the contract: the imported pipeline
// builds the same objects, plans the same steps, and importing what it
// builds gives the same text again. Input that does not import must give
// an error diagnostic.
func checkContract(t *testing.T, label string, objs []manifest.Object) outcome {
	t.Helper()
	res, problems := Import(objs, Options{})
	if res == nil {
		if !hasErrors(problems) {
			t.Errorf("%s: no pipeline and no error", label)
		}
		return outcome{}
	}
	built, diags := compiler.CompileSource("import.wave", res.Source, nil)
	if diags.HasErrors() {
		t.Fatalf("%s: the import does not compile: %v\n%s", label, diags, res.Source)
	}
	got, err := manifest.LoadReader(bytes.NewReader(built.YAML()), "built")
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	// (1) The same objects.
	if len(got) != len(objs) {
		t.Errorf("%s: %d objects built, input has %d", label, len(got), len(objs))
	}
	for _, w := range objs {
		found := false
		for _, g := range got {
			if g.GetKind() == w.GetKind() && g.GetName() == w.GetName() && Equal(cleanObject(w.Unstructured), g.Object, res.Namespace) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: %s is not built unchanged", label, w.Ref())
		}
	}
	// (2) The same plan.
	if a, b := steps(objs, res.Namespace), steps(got, res.Namespace); a != b {
		t.Errorf("%s: plan of the input:\n%s\nplan of the import:\n%s", label, a, b)
	}
	// Every declaration says which input document it comes from.
	if n := len(notePattern().FindAll(res.Source, -1)); n != res.Objects {
		t.Errorf("%s: %d source notes for %d objects:\n%s", label, n, res.Objects, res.Source)
	}
	// (3) A fixed point (apart from the notes, which name the input).
	again, problems := Import(got, Options{})
	if again == nil {
		t.Fatalf("%s: the built output does not import: %v", label, problems)
	}
	if !bytes.Equal(WithoutNotes(again.Source), WithoutNotes(res.Source)) {
		t.Errorf("%s: importing the built output gives other text:\n%s\nfirst import:\n%s", label, again.Source, res.Source)
	}
	return outcome{imported: true, objects: res.Objects, typed: res.Typed}
}

// steps summarizes a sync plan: each step's phase, wave and tasks.
func steps(objs []manifest.Object, ns string) string {
	p := plan.ForSync(objs, plan.Options{Namespace: ns})
	var b strings.Builder
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "%s:", s.Name())
		for _, task := range s.Tasks {
			fmt.Fprintf(&b, " %s(%s,gated=%t)", task.Ref(), task.Phase, task.Gated)
		}
		b.WriteString("\n")
	}
	for _, task := range p.Kept {
		fmt.Fprintf(&b, "kept %s\n", task.Ref())
	}
	return b.String()
}

func load(t *testing.T, data []byte, name string) []manifest.Object {
	t.Helper()
	objs, err := manifest.LoadReader(bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestExamples imports the built output of every example.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob("../examples/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, diags := compiler.Compile([]string{dir}, nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			o := checkContract(t, dir, load(t, res.YAML(), dir))
			if !o.imported {
				t.Fatalf("%s does not import", dir)
			}
			t.Logf("%s: %d objects, %d typed", dir, o.objects, o.typed)
			// Deterministic: map order never shows in the output.
			first, _ := Import(load(t, res.YAML(), dir), Options{})
			for i := 0; i < 5; i++ {
				again, _ := Import(load(t, res.YAML(), dir), Options{})
				if !bytes.Equal(again.Source, first.Source) {
					t.Fatalf("%s: two imports differ", dir)
				}
			}
		})
	}
}

// TestBenchRelease imports the benchmark generator's Argo CD-annotated
// YAML, whose order comes from annotations.
func TestBenchRelease(t *testing.T) {
	dir := t.TempDir()
	if err := gen.WriteKustomize(dir, gen.Options{Size: gen.Size{Resources: 100, Waves: 10}}); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			paths = append(paths, f)
		}
	}
	objs, err := manifest.Load(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := checkContract(t, "bench", objs)
	if !o.imported || o.objects != 100 {
		t.Fatalf("imported %v, %d objects", o.imported, o.objects)
	}
	t.Logf("bench: %d objects, %d typed", o.objects, o.typed)
}

// TestPeerExamples imports every YAML file of ../shared/peer-examples that
// loads; a file that does not import must say why.
func TestPeerExamples(t *testing.T) {
	root := "../../shared/peer-examples"
	if _, err := os.Stat(root); err != nil {
		t.Skip("no peer examples beside the repository")
	}
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	var imported, failed, objects, typed int
	for _, f := range files {
		objs, err := manifest.Load([]string{f}, nil)
		if err != nil || len(objs) == 0 {
			continue
		}
		o := checkContract(t, f, objs)
		if o.imported {
			imported++
			objects += o.objects
			typed += o.typed
		} else {
			failed++
		}
	}
	t.Logf("%d files imported (%d objects, %d typed), %d refused with a diagnostic", imported, objects, typed, failed)
	if imported == 0 {
		t.Error("no peer example imports")
	}
}

// BenchmarkImportPeerExamples imports every peer example file that
// imports; docs/import.md reports the time per run.
func BenchmarkImportPeerExamples(b *testing.B) {
	root := "../../shared/peer-examples"
	if _, err := os.Stat(root); err != nil {
		b.Skip("no peer examples beside the repository")
	}
	var inputs [][]manifest.Object
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			if objs, err := manifest.Load([]string{p}, nil); err == nil && len(objs) > 0 {
				if res, _ := Import(objs, Options{}); res != nil {
					inputs = append(inputs, objs)
				}
			}
		}
		return nil
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, objs := range inputs {
			if res, _ := Import(objs, Options{}); res == nil {
				b.Fatal("import failed")
			}
		}
	}
}

// BenchmarkImportBenchRelease imports the benchmark generator's release of
// 100 objects.
func BenchmarkImportBenchRelease(b *testing.B) {
	dir := b.TempDir()
	if err := gen.WriteKustomize(dir, gen.Options{Size: gen.Size{Resources: 100, Waves: 10}}); err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var paths []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			paths = append(paths, f)
		}
	}
	objs, err := manifest.Load(paths, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, _ := Import(objs, Options{}); res == nil {
			b.Fatal("import failed")
		}
	}
}

// helmChart is what helm template prints for a small chart: a hook Job
// with Helm's annotations, its own selector labels, and a ConfigMap the
// Job reads that the chart does not hold.
const helmChart = `# Source: web/templates/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  labels:
    app.kubernetes.io/instance: web
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
data:
  LOG_LEVEL: info
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  labels:
    app.kubernetes.io/instance: web
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-2"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 1
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: web
    spec:
      restartPolicy: Never
      serviceAccountName: migrator
      containers:
      - name: migrate
        image: ghcr.io/acme/web:1.0
        command: ["/bin/sh", "-c"]
        args: ["web migrate"]
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef: {name: web-db, key: password}
        - name: MODE
          value: migrate
        envFrom:
        - configMapRef: {name: shared-settings}
`

func TestHelmChart(t *testing.T) {
	objs := load(t, []byte(helmChart), "chart.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	spaces := regexp.MustCompile(` +`)
	src := spaces.ReplaceAllString(string(res.Source), " ")
	for _, want := range []string{
		"pipeline web in default\n",
		"configmap shared-settings external\n",
		"secret web-db external\n",
		"serviceaccount migrator external\n",
		"// from chart.yaml:2: document 1\nconfigmap web-config {\n",
		"// from chart.yaml:13: document 2\njob migrate {\n",
		"  restricted = false // the input lacks the restricted Pod Security settings allowPrivilegeEscalation, capabilities, runAsNonRoot, seccompProfile\n",
		`  run             = "web migrate"` + "\n",
		"  env_from        = [configmap shared-settings]\n",
		`    DB_PASSWORD = secret web-db -> "password"` + "\n",
		"  service_account = serviceaccount migrator\n",
		"presync wave -2 < job migrate > delete before-create, on-success\n",
		"wave -1 < configmap web-config >\n",
	} {
		if want = spaces.ReplaceAllString(want, " "); !strings.Contains(src, want) {
			t.Errorf("import lacks %q:\n%s", want, res.Source)
		}
	}
	if strings.Contains(src, "helm.sh") || strings.Contains(src, "argocd.argoproj.io") {
		t.Errorf("ordering annotations kept:\n%s", src)
	}
	checkContract(t, "chart", objs)

	// The input's order does not matter.
	rev := slices.Clone(objs)
	slices.Reverse(rev)
	again, _ := Import(rev, Options{})
	if again == nil || !bytes.Equal(WithoutNotes(again.Source), WithoutNotes(res.Source)) {
		t.Errorf("reversed input gives other text")
	}
}

// TestSyncOptions: the sync-options annotation becomes the fields every
// kind accepts, whatever the order of its options.
func TestSyncOptions(t *testing.T) {
	objs := load(t, []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations:
    argocd.argoproj.io/sync-options: ServerSideApply=true,Prune=false
data: {a: b}
`), "c.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	src := regexp.MustCompile(` +`).ReplaceAllString(string(res.Source), " ")
	if !strings.Contains(src, "configmap c {\n prune = false\n server_side_apply = true\n a = \"b\"\n}") {
		t.Errorf("want sync options as fields:\n%s", res.Source)
	}
	checkContract(t, "sync options", objs)
}

// TestOwnSelector: a Deployment that selects its Pods by labels of its own
// is a typed deployment with `selector`, and a Service that selects
// exactly those labels refers to it; a selector with expressions cannot be
// said in .wave, so that Deployment is an object, exactly.
func TestOwnSelector(t *testing.T) {
	objs := load(t, []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers: [{name: main, image: nginx, imagePullPolicy: Always, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: plain
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 80}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
`), "d.yaml")
	res, problems := Import(objs, Options{Namespace: "shop"})
	if res == nil {
		t.Fatal(problems)
	}
	src := string(WithoutNotes(res.Source))
	for _, want := range []string{"selector        = { app = \"web\" }", "container_name  = \"main\"", "imagePullPolicy = \"Always\"", "tier = \"front\"", "selector = deployment web", "port_name = \"\"\n  port      = 8080 -> 80", "pdb web-pdb {\n  selector      = deployment web"} {
		if !strings.Contains(src, want) {
			t.Errorf("want %q in:\n%s", want, src)
		}
	}
	if res.Typed != 4 {
		t.Errorf("typed %d, want 4:\n%s", res.Typed, src)
	}
	checkContract(t, "own selector", objs)

	// A statefulset and its governing Service are declared together.
	objs = load(t, []byte(`apiVersion: v1
kind: Service
metadata:
  name: redis
spec:
  clusterIP: None
  selector: {app: redis}
  ports: [{port: 6379}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers: [{name: redis, image: redis}]
`), "s.yaml")
	res, problems = Import(objs, Options{Namespace: "shop"})
	if res == nil {
		t.Fatal(problems)
	}
	if res.Typed != 2 {
		t.Errorf("typed %d, want 2:\n%s", res.Typed, res.Source)
	}
	checkContract(t, "statefulset with own selector", objs)

	objs = load(t, []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`), "d.yaml")
	res, problems = Import(objs, Options{Namespace: "shop"})
	if res == nil {
		t.Fatal(problems)
	}
	if res.Typed != 0 || !strings.Contains(string(res.Source), "object web = \"\"\"\n") {
		t.Errorf("want an object:\n%s", res.Source)
	}
	checkContract(t, "deployment", objs)
}

// FuzzImport: any input that loads either imports, and then keeps the
// contract, or gives an error diagnostic; it never panics.
func FuzzImport(f *testing.F) {
	f.Add([]byte(helmChart))
	f.Add([]byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: \"/w==\", b: aGk=}\n"))
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\ndata: {\"delete\": \"${a}\", k: \"a\\nb\\n\\n c\\n\"}\n"))
	f.Add([]byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, annotations: {argocd.argoproj.io/hook: Skip}}\nspec: {note: '\"\"\" and ${x}'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := manifest.LoadReader(bytes.NewReader(data), "fuzz.yaml")
		if err != nil || len(objs) == 0 || len(objs) > 20 {
			return
		}
		checkContract(t, "fuzz", objs)
	})
}

// TestIngress: an Ingress to typed Services becomes an ingress with rules.
func TestIngress(t *testing.T) {
	src := `pipeline web in shop
deployment web { image = "nginx:1.27"; port = 8080; user = 101 }
service web { port = 80 -> 8080 }
secret web-tls { type = "kubernetes.io/tls"; "tls.crt" = "c"; "tls.key" = "k" }
ingress web {
  class = "nginx"
  rule shop.example.com { "/" = service web; "/api" = service web -> http }
  rule any { "/" = service web }
  tls = secret web-tls -> ["shop.example.com"]
}
wave 1 < ingress web >
`
	built, diags := compiler.CompileSource("web.wave", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	objs := load(t, built.YAML(), "web.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	if res.Typed != len(objs) || !strings.Contains(string(res.Source), "  rule shop.example.com {\n") {
		t.Errorf("want every object typed:\n%s", res.Source)
	}
	checkContract(t, "ingress", objs)
}

// TestNetworkPolicyEgress: networkpolicies with egress rules (`to`, `dns`)
// and with both directions import as typed declarations.
func TestNetworkPolicyEgress(t *testing.T) {
	src := `pipeline np in shop
deployment web { image = "nginx:1.27"; port = 8080; user = 101 }
statefulset db { image = "postgres:17"; port = 5432; user = 999 }
service db { port = 5432 }
networkpolicy web { from = []; to = [statefulset db]; dns = true }
networkpolicy db { selector = statefulset db; to = [] }
networkpolicy dnsonly { selector = deployment web; to = []; dns = true }
networkpolicy both { selector = statefulset db; from = [deployment web]; ports = [5432]; to = [deployment web] }
`
	built, diags := compiler.CompileSource("np.wave", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	objs := load(t, built.YAML(), "np.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	got := regexp.MustCompile(` +`).ReplaceAllString(string(res.Source), " ")
	for _, want := range []string{
		"networkpolicy web {\n from = []\n to = [statefulset db]\n dns = true\n}",
		"networkpolicy db {\n to = []\n}",
		"networkpolicy dnsonly {\n selector = deployment web\n to = []\n dns = true\n}",
		"to = [deployment web]\n}",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("import lacks %q:\n%s", want, res.Source)
		}
	}
	if res.Typed != len(objs) {
		t.Errorf("%d of %d typed:\n%s", res.Typed, len(objs), res.Source)
	}
	checkContract(t, "egress", objs)
}

// TestInputOrderingProblem: a PreSync hook that reads a ConfigMap of the
// Sync phase is the input's ordering mistake. The reference would make the
// pipeline fail to build (E0203), so it is left out; the import says so in
// a warning at the input document and in a comment above the declaration.
func TestInputOrderingProblem(t *testing.T) {
	objs := load(t, []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: {a: b}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: alpine:3
        envFrom:
        - configMapRef: {name: settings}
`), "chart.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	found := false
	for _, p := range problems {
		if p.Severity == diag.Warning && p.Source.Line == 7 && strings.Contains(p.Message, `presync hook "migrate" reads configmap "settings", which is created later (E0203)`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning at chart.yaml:7 about the input's order: %v", problems)
	}
	want := "// from chart.yaml:7: document 2\n// the input's order: presync hook \"migrate\" reads configmap \"settings\", which is created later (E0203); the reference is left out\njob migrate {\n"
	if !strings.Contains(string(res.Source), want) {
		t.Errorf("import lacks %q:\n%s", want, res.Source)
	}
	checkContract(t, "ordering", objs)
}

// TestGenerateName: a hook named by generateName keeps it, as the typed
// declaration's generate_name; any other object with only a generateName
// is an error.
func TestGenerateName(t *testing.T) {
	objs := load(t, []byte(`apiVersion: batch/v1
kind: Job
metadata:
  generateName: migrate-
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: m
        image: busybox
---
apiVersion: v1
kind: Pod
metadata:
  generateName: smoke-
  annotations:
    argocd.argoproj.io/hook: PostSync
spec:
  restartPolicy: Never
  containers:
  - name: smoke
    image: busybox
`), "hooks.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	src := regexp.MustCompile(` +`).ReplaceAllString(string(res.Source), " ")
	for _, want := range []string{
		"job migrate {\n generate_name = \"migrate-\"\n",
		"pod smoke {\n generate_name = \"smoke-\"\n",
		"presync < job migrate >\n",
		"postsync < pod smoke >\n",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("import lacks %q:\n%s", want, res.Source)
		}
	}
	checkContract(t, "generateName", objs)

	plain := load(t, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: c-}\n"), "c.yaml")
	if res, problems := Import(plain, Options{}); res != nil || !hasErrors(problems) || !strings.Contains(problems[0].Message, "is not a hook") {
		t.Errorf("want an error for a generateName that is not a hook's: %v", problems)
	}
}

// TestBarePods: bare Pods import as typed pods. wavec's pod does not
// restart in place, so a Pod that leaves restartPolicy to the API server
// (Always) says so in `pod { }`, and one that says Never needs nothing;
// labels, annotations and the spec's other fields are kept.
func TestBarePods(t *testing.T) {
	objs := load(t, []byte(`apiVersion: v1
kind: Pod
metadata:
  name: hook
  labels:
    team: shop
  annotations:
    argocd.argoproj.io/hook: Sync
    example.com/owner: shop
spec:
  restartPolicy: Never
  nodeSelector:
    kubernetes.io/os: linux
  containers:
  - name: main
    image: busybox:1.37
    command: ["true"]
    imagePullPolicy: IfNotPresent
---
apiVersion: v1
kind: Pod
metadata:
  name: server
spec:
  containers:
  - name: server
    image: nginx:1.27
`), "pods.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	src := regexp.MustCompile(` +`).ReplaceAllString(string(res.Source), " ")
	for _, want := range []string{
		"pod hook {\n",
		"container_name = \"main\"\n",
		"pod {\n nodeSelector = {",
		"pod server {\n",
		"restartPolicy = \"Always\"\n",
		"sync < pod hook >\n",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("import lacks %q:\n%s", want, res.Source)
		}
	}
	if strings.Count(src, "restartPolicy") != 1 {
		t.Errorf("only the Pod without restartPolicy says it:\n%s", res.Source)
	}
	if o := checkContract(t, "bare pods", objs); o.typed != 2 {
		t.Errorf("%d of 2 Pods typed", o.typed)
	}
}

// TestKeywordNames: objects named like a keyword of the language import as
// typed declarations of that name, and references to them keep it: the
// grammar reads the name after a kind word as a name. The hook Pod's
// finalizers are its `metadata { finalizers }`.
func TestKeywordNames(t *testing.T) {
	for _, kw := range keywords {
		yaml := fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: "%[1]s"
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
data:
  A: "1"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: "%[1]s"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "%[1]s"
spec:
  selector:
    matchLabels:
      app: "%[1]s"
  template:
    metadata:
      labels:
        app: "%[1]s"
    spec:
      serviceAccountName: "%[1]s"
      containers:
      - name: "%[1]s"
        image: nginx:1.27
        envFrom:
        - configMapRef:
            name: "%[1]s"
---
apiVersion: v1
kind: Service
metadata:
  name: "%[1]s"
spec:
  selector:
    app: "%[1]s"
  ports:
  - name: http
    port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: "%[1]s"
  annotations:
    argocd.argoproj.io/hook: PreSync
  finalizers:
  - example.com/keep
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox:1.36
`, kw)
		objs, err := manifest.LoadReader(strings.NewReader(yaml), kw+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		o := checkContract(t, kw, objs)
		if !o.imported || o.typed != 5 {
			res, _ := Import(objs, Options{})
			src := ""
			if res != nil {
				src = string(res.Source)
			}
			t.Errorf("%s: imported %v, %d of 5 typed:\n%s", kw, o.imported, o.typed, src)
		}
	}
}

// TestChartSelector: a Deployment that selects its Pods as Helm charts do,
// by the chart's app.kubernetes.io/name and the release's instance, and a
// pdb and networkpolicy that select the same Pods import as typed
// declarations that refer to it; two releases of the chart are told apart
// by their instance.
func TestChartSelector(t *testing.T) {
	var b strings.Builder
	for _, rel := range []string{"blue", "green"} {
		fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s-shop
  labels:
    app.kubernetes.io/name: shop
    app.kubernetes.io/instance: %[1]s
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: shop
      app.kubernetes.io/instance: %[1]s
  template:
    metadata:
      labels:
        app.kubernetes.io/name: shop
        app.kubernetes.io/instance: %[1]s
    spec:
      containers:
      - name: shop
        image: nginx:1.27
        ports:
        - name: http
          containerPort: 80
          protocol: TCP
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s-budget
  labels:
    app.kubernetes.io/name: shop
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: shop
      app.kubernetes.io/instance: %[1]s
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: %[1]s-shop
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: shop
      app.kubernetes.io/instance: %[1]s
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app.kubernetes.io/name: shop
          app.kubernetes.io/instance: %[1]s
---
`, rel)
	}
	objs, err := manifest.LoadReader(strings.NewReader(b.String()), "chart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := checkContract(t, "chart", objs)
	res, _ := Import(objs, Options{})
	if !o.imported || o.typed != 6 || res == nil {
		t.Fatalf("imported %v, %d of 6 typed", o.imported, o.typed)
	}
	src := regexp.MustCompile(` +`).ReplaceAllString(string(res.Source), " ")
	for _, want := range []string{
		"deployment green-shop {\n labels = { \"app.kubernetes.io/instance\" = \"green\", \"app.kubernetes.io/name\" = \"shop\" }\n selector = { \"app.kubernetes.io/instance\" = \"green\", \"app.kubernetes.io/name\" = \"shop\" }",
		"pdb blue-budget {\n labels = { \"app.kubernetes.io/name\" = \"shop\" }\n selector = deployment blue-shop\n min_available = 1\n}",
		"networkpolicy green-shop {\n from = [deployment green-shop]\n}",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the import lacks %q:\n%s", want, res.Source)
		}
	}
}

// TestReplicaSet imports a ReplicaSet of its own (not a Deployment's) as a
// replicaset, with its replicas and selector, and the Service,
// NetworkPolicy, PodDisruptionBudget and HorizontalPodAutoscaler that select
// or scale it as references to it; a ReplicaSet without replicas gets the
// API server's default, one.
func TestReplicaSet(t *testing.T) {
	objs := load(t, []byte(`apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  annotations: {argocd.argoproj.io/sync-wave: "2"}
spec:
  replicas: 3
  minReadySeconds: 5
  selector: {matchLabels: {tier: frontend}}
  template:
    metadata: {labels: {tier: frontend}}
    spec:
      containers: [{name: main, image: nginx, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: backend
spec:
  selector: {matchLabels: {tier: backend}}
  template:
    metadata: {labels: {tier: backend}}
    spec:
      containers: [{name: backend, image: nginx}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {tier: frontend}
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: frontend
spec:
  podSelector: {matchLabels: {tier: frontend}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {tier: backend}}}]}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: frontend
spec:
  minAvailable: 2
  selector: {matchLabels: {tier: frontend}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: backend
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: ReplicaSet, name: backend}
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
`), "rs.yaml")
	res, problems := Import(objs, Options{Namespace: "shop"})
	if res == nil {
		t.Fatal(problems)
	}
	src := string(WithoutNotes(res.Source))
	for _, want := range []string{"replicaset frontend {", "replicas       = 3", "selector       = { tier = \"frontend\" }", "minReadySeconds = 5",
		"replicaset backend {", "selector = replicaset frontend", "from = [replicaset backend]", "< replicaset frontend >",
		"pdb frontend {\n  selector      = replicaset frontend", "hpa backend {\n  target = replicaset backend"} {
		if !strings.Contains(src, want) {
			t.Errorf("want %q in:\n%s", want, src)
		}
	}
	if strings.Contains(src, "object ") || res.Typed != 6 {
		t.Errorf("typed %d of 6:\n%s", res.Typed, src)
	}
	checkContract(t, "replicaset", objs)
}

// TestUntrackedHookOneWarning: a hook Argo CD neither applies nor tracks
// (Helm's test hook) becomes a skip member, said in one warning.
func TestUntrackedHookOneWarning(t *testing.T) {
	objs := load(t, []byte(`apiVersion: v1
kind: Pod
metadata:
  name: test-connection
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers: [{name: wget, image: busybox, command: [wget, "web:80"]}]
`), "t.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	var said []string
	for _, p := range problems {
		said = append(said, p.Message)
	}
	want := []string{"Argo CD does not run Helm test hooks, so Argo CD neither applies nor tracks this object; it is imported as skip"}
	if !slices.Equal(said, want) {
		t.Errorf("warnings %q, want %q", said, want)
	}
	if !strings.Contains(string(res.Source), "skip") {
		t.Errorf("the hook is not a skip member:\n%s", res.Source)
	}
}

// TestManagedByOneWarning: every object of a Helm chart is managed by Helm;
// the label wavec replaces is said once per value, counting the objects.
func TestManagedByOneWarning(t *testing.T) {
	doc := func(name, by string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  labels: {app.kubernetes.io/managed-by: " + by + "}\ndata: {a: b}\n"
	}
	objs := load(t, []byte(doc("a", "Helm")+"---\n"+doc("b", "Helm")+"---\n"+doc("c", "kustomize")+"---\n"+doc("d", "Helm")), "c.yaml")
	res, problems := Import(objs, Options{})
	if res == nil {
		t.Fatal(problems)
	}
	var said []string
	for _, p := range problems {
		said = append(said, p.Source.String()+": "+p.Message)
	}
	want := []string{
		"c.yaml:1: document 1: label app.kubernetes.io/managed-by=Helm of this object and 2 others is replaced: wavec sets it to wavec",
		"c.yaml:15: document 3: label app.kubernetes.io/managed-by=kustomize is replaced: wavec sets it to wavec",
	}
	if !slices.Equal(said, want) {
		t.Errorf("warnings\n%q\nwant\n%q", said, want)
	}
}
