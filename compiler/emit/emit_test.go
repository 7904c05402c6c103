package emit_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wavec/wavec/argocd"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/emit"
)

func build(t *testing.T, src string) *compiler.Result {
	t.Helper()
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags.Err())
	}
	return res
}

func TestAnnotations(t *testing.T) {
	res := build(t, `pipeline p in ns
configmap a { A = "1"; prune = false; prune_last = true }
job b { image = "busybox:1.37"; timeout = 90s }
job c { image = "busybox:1.37" }
configmap d { A = "1" }
wave -2 < configmap a >
presync, postsync wave 3 < job b > delete on-success, before-create
skip d
sync c delete on-success, on-failure
`)
	got := map[string]map[string]string{}
	for _, d := range res.Documents {
		got[d.Object.GetName()] = d.Object.GetAnnotations()
	}
	want := map[string]map[string]string{
		"a": {argocd.AnnotationSyncWave: "-2", argocd.AnnotationSyncOptions: "Prune=false,PruneLast=true"},
		"b": {argocd.AnnotationSyncWave: "3", argocd.AnnotationHook: "PreSync,PostSync", argocd.AnnotationDeletePolicy: "BeforeHookCreation,HookSucceeded", argocd.AnnotationTimeout: "1m30s"},
		"c": {argocd.AnnotationHook: "Sync", argocd.AnnotationDeletePolicy: "HookSucceeded,HookFailed"},
		"d": {argocd.AnnotationHook: "Skip"},
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Errorf("%s: annotations %v, want %v", name, g, w)
			continue
		}
		for k, v := range w {
			if g[k] != v {
				t.Errorf("%s: %s = %q, want %q", name, k, g[k], v)
			}
		}
	}
	var order []string
	for _, d := range res.Documents {
		order = append(order, d.Object.GetName())
	}
	if strings.Join(order, " ") != "b a c d" {
		t.Errorf("order %v, want PreSync b, then Sync a (wave -2) and c, then Skip d", order)
	}
	if !strings.Contains(string(res.YAML()), "activeDeadlineSeconds: 90\n") {
		t.Error("job timeout is not activeDeadlineSeconds")
	}
}

func TestObjectLabelsAndNamespace(t *testing.T) {
	res := build(t, `pipeline p in ns { labels = { team = "a" } }
object o = """
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: x
    labels:
      app.kubernetes.io/name: custom
      team: b
    annotations:
      argocd.argoproj.io/sync-options: Replace=true
  ---
  apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata:
    name: reader
  """
`)
	cm, role := res.Documents[1].Object, res.Documents[0].Object
	if cm.GetKind() != "ConfigMap" || role.GetKind() != "ClusterRole" {
		// ConfigMap sorts before ClusterRole in Argo CD's kind order.
		cm, role = role, cm
	}
	l := cm.GetLabels()
	if l["app.kubernetes.io/name"] != "custom" || l["team"] != "b" || l["app.kubernetes.io/part-of"] != "p" || l["app.kubernetes.io/managed-by"] != "wavec" {
		t.Errorf("labels %v", l)
	}
	if cm.GetNamespace() != "ns" || role.GetNamespace() != "" {
		t.Errorf("namespaces %q %q", cm.GetNamespace(), role.GetNamespace())
	}
	if cm.GetAnnotations()[argocd.AnnotationSyncOptions] != "Replace=true" {
		t.Errorf("annotations %v", cm.GetAnnotations())
	}
}

func TestNormalize(t *testing.T) {
	m := map[string]any{
		"a":       nil,
		"b":       map[string]any{"c": map[string]any{}},
		"volumes": []any{map[string]any{"emptyDir": map[string]any{}, "name": "x", "z": nil}},
	}
	emit.Normalize(m)
	if _, ok := m["a"]; ok {
		t.Error("nil kept")
	}
	if _, ok := m["b"]; ok {
		t.Error("map of empty maps kept")
	}
	v := m["volumes"].([]any)[0].(map[string]any)
	if _, ok := v["emptyDir"]; !ok {
		t.Error("emptyDir: {} dropped")
	}
	if _, ok := v["z"]; ok {
		t.Error("nil in a list item kept")
	}
}

func TestLongNameLabel(t *testing.T) {
	name := strings.Repeat("a", 62) + ".b" + strings.Repeat("c", 20)
	res := build(t, "pipeline p in ns\nconfigmap "+name+" { A = \"1\" }\n")
	if got := res.Documents[0].Object.GetLabels()[emit.NameLabel]; got != strings.Repeat("a", 62) {
		t.Errorf("name label %q", got)
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriteAsJoin holds the streamed YAML to Join's, with no, one and many
// documents (more than Write's buffer holds), and passes a write error on.
func TestWriteAsJoin(t *testing.T) {
	res, diags := compiler.Compile([]string{"../testdata/allkinds"}, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	docs := res.Documents
	for len(docs) < 200 {
		docs = append(docs, res.Documents...)
	}
	for _, n := range []int{0, 1, 2, len(docs)} {
		var b bytes.Buffer
		if err := emit.Write(&b, docs[:n]); err != nil {
			t.Fatal(err)
		}
		if want := emit.Join(docs[:n]); !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%d documents: Write wrote %d bytes, Join %d", n, b.Len(), len(want))
		}
	}
	if err := emit.Write(failingWriter{}, docs); err == nil {
		t.Error("Write to a failing writer: no error")
	}
}
