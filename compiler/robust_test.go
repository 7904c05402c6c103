package compiler_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wavec/wavec/compiler"
)

// TestOddInputs compiles inputs that are wrong in unusual ways; none may
// panic, and each must report an error.
func TestOddInputs(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := "pipeline p in ns\n"
	inputs := []string{
		h + "presync < >\nconfigmap c { A = 1 }",
		h + "service s { }",
		h + "service s { port = 80 }\ningress i { service = service s; port = 81 }",
		h + "deployment d { image = \"x:1\"; ports = {} }\nservice d { port = 80 -> http }\ningress i { service = service d; port = 8 }",
		h + "deployment d { image = \"x:1\"; ready = http }",
		h + "deployment d { image = \"x:1\"; ready = tcp on [1] }",
		h + "deployment d { image = \"x:1\"; env = { X = 1 -> \"k\" } }",
		h + "deployment d { image = \"x:1\"; env = { X = configmap c -> 3 } }\nconfigmap c { A = \"1\" }",
		h + "deployment d { image = \"x:1\"; mount = { \"/a\" = configmap nope } }",
		h + "object o\nwave 1 < object o >",
		h + "object o from \"sub.yaml\"",
		h + "param p = [1]\ndeployment d { image = p; replicas = p }",
		h + "statefulset s { image = \"x:1\" }\nservice s { port = 80 -> web }",
		h + "configmap a { A = \"1\" }\nconfigmap a { B = \"1\" }\npresync a\nwave 1 < configmap a >",
		h + "job j { image = \"x:1\"; retries = 1 }\npresync j retries 2 timeout 0s",
		h + "skip, presync wave 99999999999 < job j > delete nope, nope\njob j { image = \"x:1\" }",
		h + "job a after b { image = \"x:1\" }\njob b after a { image = \"x:1\" }\njob c after c { image = \"x:1\" }",
		h + "secret s external { A = \"1\" }\nconfigmap c external after secret s",
		h + "deployment d { image = \"x:1\"; port = 80; labels = [1]; annotations = { \"argocd.argoproj.io/hook\" = \"Sync\" } }",
		h + "cronjob c { image = \"x:1\"; schedule = 5; concurrency = 3 }",
		h + "ingress i { service = deployment d; tls = configmap x }\ndeployment d { image = \"x:1\" }",
		h + "object o = \"\"\"\n  apiVersion: v1\n  kind: List\n  items: []\n  \"\"\"",
		h + "object o = \"\"\"\n  - a\n  - b\n  \"\"\"",
		h + "object o = \"\"\"\n  apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: x\n    namespace: y\n  \"\"\"",
		"pipeline p in ns\npipeline q in ns { timeout = 1m }\npipeline p in ns { timeout = 2m }",
		h + "param x = \"${x}\"\nconfigmap c { A = \"${x}\" }",
		h + "pvc p { size = 0 }\nstatefulset s { image = \"x:1\"; storage = { \"rel\" = 1Gi, \"/a\" = -1Gi } }",
	}
	for _, src := range inputs {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("panic on %q: %v", src, r)
				}
			}()
			_, diags := compiler.CompileSource(filepath.Join(dir, "p.wave"), []byte(src), nil)
			if !diags.HasErrors() {
				t.Errorf("no error for %q", src)
			}
		}()
	}
}
