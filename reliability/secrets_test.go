//go:build linux

package reliability

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavec/wavec/testcluster"
)

// planted is a secret value a test plants; it must never appear in output.
type planted struct {
	where string
	value string
}

func plant(where string) planted {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return planted{where, "planted-" + where + "-" + hex.EncodeToString(b)}
}

// leaks returns how out shows any planted value: as is, base64-encoded,
// or by its random part alone.
func leaks(out string, values []planted) []string {
	var found []string
	for _, p := range values {
		random := p.value[strings.LastIndexByte(p.value, '-')+1:]
		for _, form := range []struct{ name, s string }{
			{"as is", p.value},
			{"base64-encoded", base64.StdEncoding.EncodeToString([]byte(p.value))},
			{"in part", random},
		} {
			if strings.Contains(out, form.s) {
				found = append(found, fmt.Sprintf("the value planted in %s, %s", p.where, form.name))
			}
		}
	}
	return found
}

// secretPipeline returns the reference example for namespace ns with two
// Secrets added: one with a value written in the .wave file, one with the
// value of a parameter that --set overrides.
func secretPipeline(t testing.TB, ns string, wave planted) string {
	dir := agentPipeline(t, ns)
	src, err := os.ReadFile(filepath.Join(dir, "agent.wave"))
	if err != nil {
		t.Fatal(err)
	}
	src = append(src, fmt.Sprintf(`
param token = "placeholder"
secret api-token { TOKEN = %q }
secret api-key { KEY = "${token}" }
wave 0 < secret api-token, secret api-key >
`, wave.value)...)
	writeFile(t, dir, "agent.wave", src)
	return dir
}

// secretYAML returns the reference example as YAML for namespace ns with a
// Secret that has both stringData and data, read by the migration. fail
// makes the migration fail (and so the sync, with a diagnosis).
func secretYAML(t testing.TB, ns string, str, data planted, fail bool) string {
	objs := agentObjects(t, ns)
	objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "db-creds", "namespace": ns, "annotations": map[string]any{"argocd.argoproj.io/sync-wave": "-2"}},
		"stringData": map[string]any{"PASSWORD": str.value},
		"data":       map[string]any{"TOKEN": base64.StdEncoding.EncodeToString([]byte(data.value))},
	}})
	migrate := find(t, objs, "Job", "migrate")
	containers, _, _ := unstructured.NestedSlice(migrate.Object, "spec", "template", "spec", "containers")
	c := containers[0].(map[string]any)
	c["envFrom"] = append(c["envFrom"].([]any), map[string]any{"secretRef": map[string]any{"name": "db-creds"}})
	_ = unstructured.SetNestedSlice(migrate.Object, containers, "spec", "template", "spec", "containers")
	if fail {
		podMeta(t, migrate, true, testcluster.OutcomeLabel, testcluster.OutcomeFail)
		_ = unstructured.SetNestedField(migrate.Object, int64(0), "spec", "backoffLimit")
	}
	return writeYAML(t, objs)
}

// TestSecretValuesNeverShown plants known values in Secrets (in a .wave
// file, through --set, and in -f YAML as stringData and as data) and
// searches the standard output and error of every command that may
// describe them: check, plan in every format, run as text and JSON, server
// dry runs, a failing run with its diagnosis, a run the server refuses,
// and delete. (build's output is exempt: emitting the Secret is its job.)
func TestSecretValuesNeverShown(t *testing.T) {
	k := newKenv(t)
	k.secret("agent-db", map[string]string{"PASSWORD": "x"})
	wave, set, str, data := plant("wave"), plant("set"), plant("stringdata"), plant("data")
	values := []planted{wave, set, str, data}
	dir := secretPipeline(t, k.ns, wave)
	yamlOK := secretYAML(t, k.ns, str, data, false)
	yamlFail := secretYAML(t, k.ns, str, data, true)
	setFlag := "--set=token=" + set.value

	// The values do reach the cluster: the test plants what it means to.
	if r := wavec(t, invocation{args: []string{"build", setFlag, dir}}); !strings.Contains(r.stdout, wave.value) || !strings.Contains(r.stdout, set.value) {
		t.Fatalf("wavec build does not emit the planted values: %s\n%s", r, r.stderr)
	}

	local := [][]string{
		{"check", setFlag, dir},
		{"check", setFlag, "--diagnostics=json", dir},
		{"plan", setFlag, dir},
		{"plan", setFlag, "-o", "json", dir},
		{"plan", setFlag, "-o", "mermaid", dir},
		{"plan", setFlag, "--delete", dir},
		{"plan", "-n", k.ns, "-f", yamlOK},
		{"plan", "-n", k.ns, "-o", "json", "-f", yamlOK},
		{"plan", "-n", k.ns, "-o", "mermaid", "-f", yamlOK},
		{"plan", "-n", k.ns, "--delete", "-o", "json", "-f", yamlOK},
	}
	for _, args := range local {
		r := wavec(t, invocation{args: args})
		if r.code != 0 {
			t.Errorf("wavec %s: %s\n%s", strings.Join(args, " "), r, r.stderr)
		}
		for _, l := range leaks(r.stdout+r.stderr, values) {
			t.Errorf("wavec %s shows %s", strings.Join(args, " "), l)
		}
	}
	// Diagnostics about a pipeline with Secrets, and about the Secrets
	// themselves (off the line of the value: a snippet quotes its source
	// line as written).
	broken := secretPipeline(t, k.ns, wave)
	src, _ := os.ReadFile(filepath.Join(broken, "agent.wave"))
	src = append(src, "configmap extra { A = missing }\nsecret api-token after configmap nowhere\nwave 9 < secret api-key >\n"...)
	writeFile(t, broken, "agent.wave", src)
	for _, args := range [][]string{
		{"check", setFlag, broken},
		{"check", setFlag, "--diagnostics=json", broken},
		{"plan", setFlag, broken},
		{"run", setFlag, broken, "--kubeconfig", k.kubeconfig},
	} {
		r := wavec(t, invocation{args: args})
		// check --diagnostics=json writes its diagnostics to stdout.
		if r.code != 1 || !strings.Contains(r.stderr+r.stdout, "error") {
			t.Errorf("wavec %s: %s, want diagnostics\n%s", strings.Join(args, " "), r, r.stderr)
		}
		for _, l := range leaks(r.stdout+r.stderr, values) {
			t.Errorf("wavec %s shows %s", strings.Join(args, " "), l)
		}
	}

	cluster := []struct {
		args []string
		code int
	}{
		{[]string{"run", setFlag, dir, "--dry-run=server"}, 0},
		{[]string{"run", setFlag, dir, "--dry-run=server", "-o", "json"}, 0},
		{[]string{"run", setFlag, dir}, 0},
		{[]string{"run", setFlag, dir, "-o", "json"}, 0},
		{[]string{"run", "-f", yamlOK, "--name", "agent", "--dry-run=server"}, 0},
		{[]string{"run", "-f", yamlOK, "--name", "agent"}, 0},
		{[]string{"run", "-f", yamlOK, "--name", "agent", "-o", "json"}, 0},
		{[]string{"run", "-f", yamlFail, "--name", "agent"}, 1},
		{[]string{"run", "-f", yamlFail, "--name", "agent", "-o", "json"}, 1},
		{[]string{"delete", "-f", yamlOK, "--name", "agent"}, 0},
		{[]string{"delete", setFlag, dir, "-o", "json"}, 0},
	}
	for _, c := range cluster {
		r := k.wavec(c.args...)
		if r.code != c.code {
			t.Errorf("wavec %s: %s, want exit code %d\n%s", strings.Join(c.args, " "), r, c.code, r.stderr)
		}
		if c.code == 1 && !strings.Contains(r.stdout+r.stderr, "Job/migrate") {
			t.Errorf("wavec %s: the failure does not name Job/migrate", strings.Join(c.args, " "))
		}
		for _, l := range leaks(r.stdout+r.stderr, values) {
			t.Errorf("wavec %s shows %s", strings.Join(c.args, " "), l)
		}
	}

	// A Secret the server refuses: immutable, then changed; and one with a
	// key the server rejects.
	immutable := planted{"immutable", plant("immutable").value}
	changed := plant("changed")
	bad := plant("badkey")
	values = append(values, immutable, changed, bad)
	pipeline := func(value string, extra string) string {
		d := filepath.Join(t.TempDir(), "p")
		writeFile(t, d, "p.wave", []byte(fmt.Sprintf("pipeline refused in %s\nobject s = \"\"\"\n  apiVersion: v1\n  kind: Secret\n  metadata:\n    name: locked\n  immutable: true\n  stringData:\n    VALUE: %s\n  %s\"\"\"\n", k.ns, value, extra)))
		return d
	}
	for _, c := range []struct {
		name string
		dir  string
		code int
	}{
		{"an immutable Secret", pipeline(immutable.value, ""), 0},
		{"the immutable Secret changed", pipeline(changed.value, ""), 1},
		{"a Secret with a bad key", pipeline(immutable.value, "  \"bad key!\": "+bad.value+"\n  "), 1},
	} {
		for _, args := range [][]string{{"run", c.dir}, {"run", c.dir, "-o", "json"}} {
			r := k.wavec(args...)
			t.Logf("%s: wavec %s: %s\n%s%s", c.name, strings.Join(args, " "), r, r.stdout, r.stderr)
			if r.code != c.code {
				t.Errorf("%s: exit code %d, want %d", c.name, r.code, c.code)
			}
			for _, l := range leaks(r.stdout+r.stderr, values) {
				t.Errorf("%s: wavec %s shows %s", c.name, strings.Join(args, " "), l)
			}
		}
	}
}
