// Package argocd holds wavec's Argo CD Config Management Plugin: its
// configuration (plugin.yaml), the repo-server sidecar, the image build
// and an example Application. Its tests run the plugin's commands as
// Argo CD's plugin server runs them.
package argocd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/cmd/wavec/cli"
)

// TestMain puts a wavec command on PATH: this test binary, which runs
// wavec's main function when called as "wavec" (so go test rebuilds and
// reruns the tests whenever wavec changes).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wavec": func() { os.Exit(cli.Main()) },
	})
}

// command is a command of plugin.yaml.
type command struct {
	Command []string `json:"command"`
	Args    []string `json:"args"`
}

// pluginConfig is the part of plugin.yaml the tests use.
type pluginConfig struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Generate command `json:"generate"`
		Discover struct {
			FileName string `json:"fileName"`
		} `json:"discover"`
		Parameters struct {
			Static []struct {
				Name           string `json:"name"`
				CollectionType string `json:"collectionType"`
			} `json:"static"`
		} `json:"parameters"`
	} `json:"spec"`
}

func readPlugin(t *testing.T) pluginConfig {
	t.Helper()
	data, err := os.ReadFile("plugin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var p pluginConfig
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatalf("plugin.yaml: %v", err)
	}
	if p.APIVersion != "argoproj.io/v1alpha1" || p.Kind != "ConfigManagementPlugin" || p.Metadata.Name != "wavec" {
		t.Fatalf("plugin.yaml is %s %s %q, want argoproj.io/v1alpha1 ConfigManagementPlugin \"wavec\"", p.APIVersion, p.Kind, p.Metadata.Name)
	}
	if len(p.Spec.Generate.Command) == 0 {
		t.Fatal("plugin.yaml has no generate command")
	}
	return p
}

// requireTools fails (under CI or with a required test cluster) or skips
// when a tool the generate command runs is missing.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" || os.Getenv("WAVEC_TEST_CLUSTER") == "required" {
				t.Fatalf("%s is needed to run the plugin's generate command: %v", tool, err)
			}
			t.Skipf("%s is needed to run the plugin's generate command: %v", tool, err)
		}
	}
}

// parameter is a plugin parameter of an Application
// (spec.source.plugin.parameters), as Argo CD marshals it.
type parameter struct {
	Name   string            `json:"name"`
	String *string           `json:"string,omitempty"`
	Map    map[string]string `json:"map,omitempty"`
	Array  []string          `json:"array,omitempty"`
}

func str(s string) *string { return &s }

// app is what Argo CD's repo server sends the plugin server for one
// Application: its environment entries and parameters.
type app struct {
	name, namespace string
	env             [][2]string // spec.source.plugin.env, in order
	params          []parameter
	rawParams       string // ARGOCD_APP_PARAMETERS as is, when set
}

var paramChar = regexp.MustCompile("[^A-Z0-9_]")

// paramEnvName is Argo CD's environment name for a parameter name.
func paramEnvName(name string) string {
	return paramChar.ReplaceAllString(strings.ToUpper(name), "_")
}

// environ is the environment Argo CD's plugin server gives a command:
// its own (here PATH and HOME), the build environment of the
// Application, the Application's env entries prefixed ARGOCD_ENV_, and
// its parameters as ARGOCD_APP_PARAMETERS and PARAM_* variables.
func (a app) environ(t *testing.T, sourcePath string) []string {
	t.Helper()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"ARGOCD_APP_NAME=" + a.name,
		"ARGOCD_APP_NAMESPACE=" + a.namespace,
		"ARGOCD_APP_PROJECT_NAME=default",
		"ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567",
		"ARGOCD_APP_REVISION_SHORT=0123456",
		"ARGOCD_APP_REVISION_SHORT_8=01234567",
		"ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/apps.git",
		"ARGOCD_APP_SOURCE_PATH=" + sourcePath,
		"ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD",
		"KUBE_VERSION=1.34.0",
		"KUBE_API_VERSIONS=v1,apps/v1,batch/v1",
	}
	for _, e := range a.env {
		env = append(env, "ARGOCD_ENV_"+e[0]+"="+e[1])
	}
	if a.rawParams != "" {
		return append(env, "ARGOCD_APP_PARAMETERS="+a.rawParams)
	}
	if a.params != nil {
		js, err := json.Marshal(a.params)
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, "ARGOCD_APP_PARAMETERS="+string(js))
		for _, p := range a.params {
			base := "PARAM_" + paramEnvName(p.Name)
			if p.String != nil {
				env = append(env, base+"="+*p.String)
			}
			for k, v := range p.Map {
				env = append(env, base+"_"+paramEnvName(k)+"="+v)
			}
			for i, v := range p.Array {
				env = append(env, fmt.Sprintf("%s_%d=%s", base, i, v))
			}
		}
	}
	return env
}

// checkout copies the files of dir into a fresh repository checkout at
// apps/<base of dir>, as the repo server sends an Application's source to
// the plugin, and returns the checkout and the source path in it.
func checkout(t *testing.T, dir string) (root, rel string) {
	t.Helper()
	root = t.TempDir()
	rel = filepath.Join("apps", filepath.Base(dir))
	if err := os.MkdirAll(filepath.Join(root, rel), 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		// The plugin server resets file modes.
		if err := os.WriteFile(filepath.Join(root, rel, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, rel
}

// generate runs the plugin's generate command as Argo CD's plugin server
// does: the command and its arguments from plugin.yaml, in the
// Application's source directory, with the environment described above.
func generate(t *testing.T, p pluginConfig, root, rel string, a app) (stdout, stderr string, err error) {
	t.Helper()
	c := p.Spec.Generate
	cmd := exec.Command(c.Command[0], append(slices.Clone(c.Command[1:]), c.Args...)...)
	cmd.Dir = filepath.Join(root, rel)
	cmd.Env = a.environ(t, rel)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// wavecBuild runs `wavec build ARGS... DIR`.
func wavecBuild(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("wavec", append(append([]string{"build"}, args...), dir)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("wavec build %v %s: %v\n%s", args, dir, err, errOut.String())
	}
	return out.String()
}

// TestDiscover checks that the discovery glob, applied as Argo CD applies
// it to the source directory, matches every example pipeline and nothing
// in a directory of plain manifests.
func TestDiscover(t *testing.T) {
	p := readPlugin(t)
	if p.Spec.Discover.FileName == "" {
		t.Fatal("plugin.yaml has no discover.fileName")
	}
	dirs, _ := filepath.Glob("../../examples/*")
	if len(dirs) == 0 {
		t.Fatal("no examples")
	}
	for _, dir := range dirs {
		root, rel := checkout(t, dir)
		m, err := filepath.Glob(filepath.Join(root, rel, p.Spec.Discover.FileName))
		if err != nil || len(m) == 0 {
			t.Errorf("%s: discovery %q matches nothing (%v)", dir, p.Spec.Discover.FileName, err)
		}
	}
	plain := t.TempDir()
	if err := os.WriteFile(filepath.Join(plain, "deployment.yaml"), []byte("kind: Deployment\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(plain, p.Spec.Discover.FileName)); len(m) != 0 {
		t.Errorf("discovery matches plain manifests: %v", m)
	}
}

// TestGenerateExamples checks that the plugin generates, for every
// example, exactly what `wavec build` prints.
func TestGenerateExamples(t *testing.T) {
	requireTools(t, "sh", "jq")
	p := readPlugin(t)
	dirs, _ := filepath.Glob("../../examples/*")
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			root, rel := checkout(t, dir)
			got, stderr, err := generate(t, p, root, rel, app{name: filepath.Base(dir), namespace: "argocd"})
			if err != nil {
				t.Fatalf("generate: %v\n%s", err, stderr)
			}
			if want := wavecBuild(t, dir); got != want {
				t.Errorf("generate differs from wavec build %s:\n%s", dir, lineDiff(want, got))
			}
		})
	}
}

// TestGenerateSet checks that Application env entries and plugin
// parameters become --set options, in Argo CD's order, later ones
// winning.
func TestGenerateSet(t *testing.T) {
	requireTools(t, "sh", "jq")
	p := readPlugin(t)
	dir := "../../examples/worker"
	root, rel := checkout(t, dir)
	cases := []struct {
		name string
		app  app
		want []string // wavec build --set options giving the same output
	}{
		{"env", app{env: [][2]string{{"image", "registry.example/worker:9"}}},
			[]string{"--set", "image=registry.example/worker:9"}},
		{"string parameter", app{params: []parameter{{Name: "queue", String: str("redis://q:6379/1")}}},
			[]string{"--set", "queue=redis://q:6379/1"}},
		{"map parameter", app{params: []parameter{{Name: "set", Map: map[string]string{"image": "w:2", "queue": "redis://x/0"}}}},
			[]string{"--set", "image=w:2", "--set", "queue=redis://x/0"}},
		{"array parameter", app{params: []parameter{{Name: "sets", Array: []string{"image=w:3", "queue=a=b"}}}},
			[]string{"--set", "image=w:3", "--set", "queue=a=b"}},
		{"parameters after env", app{
			env:    [][2]string{{"image", "from-env"}, {"queue", "q-env"}},
			params: []parameter{{Name: "set", Map: map[string]string{"image": "from-param"}}}},
			[]string{"--set", "image=from-param", "--set", "queue=q-env"}},
		{"quotes and spaces", app{env: [][2]string{{"queue", `it's "a $(queue)"; true`}}},
			[]string{"--set", `queue=it's "a $(queue)"; true`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.app.name, c.app.namespace = "worker", "argocd"
			got, stderr, err := generate(t, p, root, rel, c.app)
			if err != nil {
				t.Fatalf("generate: %v\n%s", err, stderr)
			}
			want := wavecBuild(t, dir, c.want...)
			if got != want {
				t.Errorf("generate differs from wavec build %v:\n%s", c.want, lineDiff(want, got))
			}
			if got == wavecBuild(t, dir) {
				t.Errorf("the settings changed nothing")
			}
		})
	}
}

// TestGenerateErrors checks that a broken pipeline or bad settings make
// the generate command exit non-zero with readable diagnostics on
// standard error and no manifests on standard output.
func TestGenerateErrors(t *testing.T) {
	requireTools(t, "sh", "jq")
	p := readPlugin(t)
	broken := t.TempDir()
	src := "pipeline broken in apps\n\nconfigmap settings { LEVEL = \"info\" }\nwave 0 < configmap setings >\n"
	if err := os.WriteFile(filepath.Join(broken, "broken.wave"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	worker := "../../examples/worker"
	cases := []struct {
		name string
		dir  string
		app  app
		want []string // in standard error
	}{
		{"broken pipeline", broken, app{}, []string{"broken.wave:4:", "error[E", "setings"}},
		{"unknown parameter", worker, app{env: [][2]string{{"replicas", "3"}}}, []string{"no parameter \"replicas\""}},
		{"array item without =", worker, app{params: []parameter{{Name: "sets", Array: []string{"image"}}}},
			[]string{`"image" is not NAME=VALUE`, "wavec plugin:"}},
		{"parameters not JSON", worker, app{rawParams: "[{"}, []string{"wavec plugin:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, rel := checkout(t, c.dir)
			c.app.name, c.app.namespace = "app", "argocd"
			stdout, stderr, err := generate(t, p, root, rel, c.app)
			if err == nil {
				t.Fatalf("generate succeeded, want an error; stdout:\n%s", stdout)
			}
			if stdout != "" {
				t.Errorf("stdout not empty on error:\n%s", stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") {
				t.Errorf("stderr has a stack trace:\n%s", stderr)
			}
		})
	}
}

// lineDiff returns the first differing line of want and got.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, a, b)
		}
	}
	return "(equal)"
}

// application is the part of an Argo CD Application the tests use.
type application struct {
	Spec struct {
		Source struct {
			Path   string `json:"path"`
			Plugin struct {
				Name string `json:"name"`
				Env  []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"env"`
				Parameters []parameter `json:"parameters"`
			} `json:"plugin"`
		} `json:"source"`
		Destination struct {
			Namespace string `json:"namespace"`
		} `json:"destination"`
	} `json:"spec"`
}

// TestExampleApplications generates the manifests of each example
// Application of this directory as Argo CD would, and checks them against
// wavec build with the same settings, and the destination namespace
// against the pipeline's.
func TestExampleApplications(t *testing.T) {
	requireTools(t, "sh", "jq")
	p := readPlugin(t)
	files, _ := filepath.Glob("application*.yaml")
	if len(files) == 0 {
		t.Fatal("no example Applications")
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var a application
			if err := yaml.Unmarshal(data, &a); err != nil {
				t.Fatal(err)
			}
			src := a.Spec.Source
			if src.Plugin.Name != p.Metadata.Name {
				t.Errorf("plugin name %q, want %q", src.Plugin.Name, p.Metadata.Name)
			}
			dir := filepath.Join("../..", src.Path)
			run := app{name: strings.TrimSuffix(f, ".yaml"), namespace: "argocd", params: src.Plugin.Parameters}
			var sets []string
			for _, e := range src.Plugin.Env {
				run.env = append(run.env, [2]string{e.Name, e.Value})
				sets = append(sets, "--set", e.Name+"="+e.Value)
			}
			for _, prm := range src.Plugin.Parameters {
				for k, v := range prm.Map {
					sets = append(sets, "--set", k+"="+v)
				}
			}
			root, rel := checkout(t, dir)
			got, stderr, err := generate(t, p, root, rel, run)
			if err != nil {
				t.Fatalf("generate: %v\n%s", err, stderr)
			}
			if want := wavecBuild(t, dir, sets...); got != want {
				t.Errorf("generate differs from wavec build %v:\n%s", sets, lineDiff(want, got))
			}
			if ns := "namespace: " + a.Spec.Destination.Namespace + "\n"; !strings.Contains(got, ns) {
				t.Errorf("no object in the destination namespace %q", a.Spec.Destination.Namespace)
			}
		})
	}
}
