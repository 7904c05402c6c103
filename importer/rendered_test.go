package importer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wavec/wavec/runtime/manifest"
)

// peerRoot is ../shared/peer-examples relative to the repository root.
const peerRoot = "../../shared/peer-examples"

// toolRequired reports whether a missing helm or kustomize fails the test
// rather than skipping it: under CI, and when the test cluster is required
// (make test).
func toolRequired() bool {
	return os.Getenv("CI") == "true" || os.Getenv("WAVEC_TEST_CLUSTER") == "required"
}

// pinnedTool returns the path of helm or kustomize as bench/tools/build.sh
// builds them from pinned modules (into bench/.tools/bin, or
// $WAVEC_BENCH_TOOLS/bin). Without it the test is skipped, or fails when
// the tool is required.
func pinnedTool(t *testing.T, name string) string {
	t.Helper()
	dir, err := filepath.Abs("../bench/.tools/bin")
	if err != nil {
		t.Fatal(err)
	}
	if v := os.Getenv("WAVEC_BENCH_TOOLS"); v != "" {
		dir = filepath.Join(v, "bin")
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		if toolRequired() {
			t.Fatalf("%s is required (CI=true or WAVEC_TEST_CLUSTER=required) but not built: run bench/tools/build.sh helm kustomize (%v)", name, err)
		}
		t.Skipf("%s not built (run bench/tools/build.sh helm kustomize): %v", name, err)
	}
	return path
}

// render runs a pinned tool and returns its standard output.
func render(t *testing.T, tool string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(tool, args...)
	// No state of the user's: Helm's and kustomize's caches and
	// configuration live in the test's own directory.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home, "HELM_NO_PLUGINS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(tool), strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// renderedApp is a public application rendered from its real source with
// a pinned tool, and what its import must give.
type renderedApp struct {
	name string
	// render returns the tool's output, or skips when the source is absent.
	render func(t *testing.T) []byte
	// objects is how many objects the output holds, and typed how many of
	// them import as typed declarations.
	objects, typed int
	// want are lines the import must hold: the order the annotations
	// said, as statements.
	want []string
}

// peerDir returns a folder of the peer examples, skipping the test when
// the peer examples are not beside the repository.
func peerDir(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join(peerRoot, rel)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no peer examples beside the repository: %v", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func kustomizeApp(name, rel string, objects, typed int, want ...string) renderedApp {
	return renderedApp{name: name, objects: objects, typed: typed, want: want, render: func(t *testing.T) []byte {
		tool := pinnedTool(t, "kustomize")
		return render(t, tool, "build", peerDir(t, rel))
	}}
}

// helmHookChart wraps the Helm documentation's post-install hook template
// in a chart of the test's own, as `helm create` would lay it out, and
// renders it with helm template.
func helmHookChart(t *testing.T) []byte {
	tool := pinnedTool(t, "helm")
	tpl, err := os.ReadFile(filepath.Join(peerDir(t, "helm-docs"), "post-install-job.tpl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	chart := filepath.Join(t.TempDir(), "hooks")
	files := map[string]string{
		"Chart.yaml":                      "apiVersion: v2\nname: hooks\nversion: 0.1.0\nappVersion: \"1.16.0\"\n",
		"values.yaml":                     "sleepyTime: \"10\"\n",
		"templates/post-install-job.yaml": string(tpl),
		// A part of the release beside the hook, so the hook's order is
		// relative to something.
		"templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n  labels:\n    app.kubernetes.io/instance: {{ .Release.Name | quote }}\ndata:\n  sleepyTime: {{ .Values.sleepyTime | quote }}\n",
	}
	for name, text := range files {
		p := filepath.Join(chart, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return render(t, tool, "template", "sleepy", chart)
}

// helmCreateChart renders the chart `helm create` scaffolds, the shape
// most Helm charts have, with its autoscaler and ingress enabled: every
// object carries the chart's name as app.kubernetes.io/name (not the
// object's), and the Deployment selects its Pods by that name and the
// release's instance.
func helmCreateChart(t *testing.T) []byte {
	tool := pinnedTool(t, "helm")
	dir := t.TempDir()
	render(t, tool, "create", filepath.Join(dir, "shop"))
	return render(t, tool, "template", "rel", filepath.Join(dir, "shop"), "--set", "autoscaling.enabled=true", "--set", "ingress.enabled=true")
}

// renderedApps are the public applications the tests render: Argo CD's
// example applications and end-to-end fixtures as kustomize overlays, and
// Helm's documented hook in a chart.
var renderedApps = []renderedApp{
	{name: "helm-create", objects: 6, typed: 6, render: helmCreateChart, want: []string{
		"pipeline rel in default",
		"serviceaccount rel-shop {\n labels = { \"app.kubernetes.io/instance\" = \"rel\", \"app.kubernetes.io/name\" = \"shop\",",
		"service rel-shop {\n labels = { \"app.kubernetes.io/instance\" = \"rel\", \"app.kubernetes.io/name\" = \"shop\",",
		"deployment rel-shop {\n labels = { \"app.kubernetes.io/instance\" = \"rel\", \"app.kubernetes.io/name\" = \"shop\",",
		"selector = { \"app.kubernetes.io/instance\" = \"rel\", \"app.kubernetes.io/name\" = \"shop\" }",
		"service_account = serviceaccount rel-shop",
		"hpa rel-shop {",
		"ingress rel-shop {",
		"path_type = ImplementationSpecific",
		"\"/\" = service rel-shop",
		// Helm's test hook: Argo CD neither applies nor tracks it.
		"skip < pod rel-shop-test-connection >",
	}},
	{name: "helm-post-install-hook", objects: 2, typed: 2, render: helmHookChart, want: []string{
		"pipeline sleepy in default",
		"configmap sleepy-settings {",
		// The Pod template's name of its own, and the version label that
		// only the Job has.
		"pod {\n name = \"sleepy\"\n }\n metadata {\n labels = { \"app.kubernetes.io/version\" = \"1.16.0\" }\n }",
		"postsync wave -5 < job sleepy > delete on-success",
	}},
	kustomizeApp("kustomize-guestbook", "argocd-example-apps/kustomize-guestbook", 2, 2,
		"service kustomize-guestbook-ui {\n port_name = \"\"\n port = 80\n}",
		"deployment kustomize-guestbook-ui {\n selector = { app = \"guestbook-ui\" }"),
	kustomizeApp("pre-post-sync", "argocd-example-apps/pre-post-sync", 4, 4,
		"presync < job pre-post-sync-before > delete on-success",
		"container_name = \"sleep\"",
		"postsync < job pre-post-sync-after > delete on-success"),
	// The Deployment's label test: "true" is not on its Pods.
	kustomizeApp("e2e-guestbook", "argo-cd-e2e/guestbook", 2, 2,
		"metadata {\n labels = { test = \"true\" }\n }",
		"service guestbook-ui {\n port_name = \"\"\n port = 80\n}"),
	kustomizeApp("e2e-hook-custom-health", "argo-cd-e2e/hook-custom-health", 3, 3,
		"presync < configmap my-map >"),
}

// TestRenderedApps renders public applications from their real Helm
// templates and kustomize overlays with the pinned tools, imports the
// output and checks the contract on it.
func TestRenderedApps(t *testing.T) {
	for _, app := range renderedApps {
		t.Run(app.name, func(t *testing.T) {
			out := app.render(t)
			objs, err := manifest.LoadReader(bytes.NewReader(out), app.name+".yaml")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if len(objs) != app.objects {
				t.Fatalf("rendered %d objects, want %d:\n%s", len(objs), app.objects, out)
			}
			start := time.Now()
			res, problems := Import(objs, Options{})
			elapsed := time.Since(start)
			if res == nil {
				t.Fatalf("does not import: %v", problems)
			}
			src := regexp.MustCompile(` +`).ReplaceAllString(string(res.Source), " ")
			for _, want := range app.want {
				if !strings.Contains(src, want) {
					t.Errorf("the import lacks %q:\n%s", want, res.Source)
				}
			}
			o := checkContract(t, app.name, objs)
			if !o.imported || o.objects != app.objects {
				t.Fatalf("imported %v, %d objects", o.imported, o.objects)
			}
			if o.typed != app.typed {
				t.Errorf("%d of %d objects typed, want %d:\n%s", o.typed, o.objects, app.typed, res.Source)
			}
			t.Logf("%s: %d objects, %d typed, %d object, import %v", app.name, o.objects, o.typed, o.objects-o.typed, elapsed.Round(time.Millisecond))
		})
	}
}
