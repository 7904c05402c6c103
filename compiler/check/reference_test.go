package check

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/compiler/kubeschema"
)

var updateReference = flag.Bool("update-reference", false, "rewrite docs/reference from the schema")

// references are the generated pages of docs/reference.
func references() map[string][]byte {
	intro := "Generated from k8s.io/api by `go test ./compiler/check -run TestReferenceInStep -update-reference`; do not edit.\n\n" +
		"The fields that the general blocks of a workload take (grammar.md, \"Any field of a workload\"), spelled as the Kubernetes API spells them. " +
		"`spec { ... }` takes the fields of the workload's spec, `pod { ... }` `labels`, `annotations`, `name` and the fields of the Pod's spec, " +
		"the workload's body the container's fields besides the short fields, " +
		"and `metadata { ... }` the workload object's own `labels` (not its Pods') and `finalizers`. " +
		"Fields that wavec sets itself (a workload's `selector` and `template`, a cronjob's `jobTemplate.spec.template`, the Pod's `containers`) are listed but cannot be set."
	sections := []kubeschema.Section{
		{Heading: "deployment: spec { ... }", Type: specType(ir.Deployment)},
		{Heading: "statefulset: spec { ... }", Type: specType(ir.StatefulSet)},
		{Heading: "replicaset: spec { ... }", Type: specType(ir.ReplicaSet)},
		{Heading: "job: spec { ... }", Type: specType(ir.Job)},
		{Heading: "cronjob: spec { ... }", Type: specType(ir.CronJob)},
		{Heading: "pod { ... }", Text: "Besides `labels` and `annotations` (maps of strings, for the Pod template's metadata):", Type: podSpecType()},
		{Heading: "The container's fields", Text: "Written in the workload's body. `image`, `command` and `args` are the short fields of the same names; `env` and `ports` are the API's fields when their value is a list.", Type: containerType()},
	}
	return map[string][]byte{
		"workloads.md": kubeschema.Reference("Fields of workloads", intro, sections),
		"kinds.md":     kubeschema.Builtin().KindsReference(),
	}
}

// TestReferenceInStep checks that docs/reference is what the schema of the
// k8s.io/api version in use generates.
func TestReferenceInStep(t *testing.T) {
	dir := filepath.Join("..", "..", "docs", "reference")
	for name, want := range references() {
		path := filepath.Join(dir, name)
		if *updateReference {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not in step with the schema; run go test ./compiler/check -run TestReferenceInStep -update-reference", path)
		}
	}
	if !bytes.Contains(references()["workloads.md"], []byte("| `nodeSelector` | map of string |")) {
		t.Error("the reference lacks pod.nodeSelector")
	}
}
