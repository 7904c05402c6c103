package langserver

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/ir"
)

// Every field the checker accepts is described, and nothing else is.
func TestEveryFieldDescribed(t *testing.T) {
	for _, k := range kinds() {
		if k == ir.Object {
			continue
		}
		if kindDoc[k] == "" {
			t.Errorf("%s has no description", k)
		}
		for _, name := range check.Fields(k) {
			f, ok := fieldOf(k, name)
			if !ok || f.doc == "" || f.sets == "" {
				t.Errorf("%s field %s is not described", k, name)
			}
		}
		for name := range kindFieldDocs[k] {
			if _, ok := fieldOf(k, name); !ok {
				t.Errorf("%s field %s is described but the checker does not accept it", k, name)
			}
		}
	}
}

// The fields of named containers, probe timings and own volumes are
// described, and nothing else is.
func TestBlockFieldsDescribed(t *testing.T) {
	for _, name := range check.ContainerFields() {
		if f, ok := containerFieldOf(name); !ok || f.doc == "" || f.sets == "" || strings.Contains(f.sets, "containers[0]") {
			t.Errorf("container field %s is not described as one container's: %+v", name, f)
		}
	}
	for _, tc := range []struct {
		what  string
		names []string
		docs  map[string]field
	}{
		{"probe timing", check.ProbeTimingFields(), probeTimingDocs},
		{"volume", check.VolumeFields(), volumeFieldDocs},
	} {
		for _, name := range tc.names {
			if f := tc.docs[name]; f.doc == "" || f.sets == "" {
				t.Errorf("%s field %s is not described", tc.what, name)
			}
		}
		if len(tc.docs) != len(tc.names) {
			t.Errorf("%s: %d fields described, the checker accepts %v", tc.what, len(tc.docs), tc.names)
		}
	}
}

// Every value completion offers for a field is one the checker accepts.
func TestEnumValuesAccepted(t *testing.T) {
	wrap := map[ir.Kind]string{
		ir.Service:        "deployment a { image = \"nginx:1.27\"\n port = 80 }\nservice a { port = 80\n %s }",
		ir.PVC:            "pvc a { size = 1Gi\n %s }",
		ir.CronJob:        "cronjob a { image = \"nginx:1.27\"\n schedule = \"@daily\"\n %s }",
		ir.Secret:         "secret a { \"tls.crt\" = \"c\"; \"tls.key\" = \"k\"; \".dockerconfigjson\" = \"{}\"; \".dockercfg\" = \"{}\"; username = \"u\"; \"ssh-privatekey\" = \"k\"\n %s }",
		ir.NetworkPolicy:  "deployment a { image = \"nginx:1.27\"\n port = 80 }\nnetworkpolicy a { to = [deployment a]\n %s }",
		ir.DaemonSet:      "daemonset a { image = \"nginx:1.27\"\n port = 80\n %s }",
		ir.ReplicaSet:     "replicaset a { image = \"nginx:1.27\"\n port = 80\n %s }",
		ir.ServiceAccount: "serviceaccount a { %s }",
		ir.Deployment:     "deployment a { image = \"nginx:1.27\"\n port = 80\n %s }",
	}
	n := 0
	for k, tmpl := range wrap {
		for _, name := range check.Fields(k) {
			f, _ := fieldOf(k, name)
			for _, v := range f.enum {
				value := v
				switch v {
				case "http":
					value = `http "/" on 80`
				case "tcp", "grpc":
					value = v + " on 80"
				case "exec":
					value = `exec ["true"]`
				}
				src := "pipeline p in ns\n" + fmt.Sprintf(tmpl, name+" = "+value)
				if _, diags := compiler.CompileSource("enum.wave", []byte(src), nil); diags.HasErrors() {
					t.Errorf("%s %s = %s: %v", k, name, value, diags)
				}
				n++
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d values tried", n)
	}
}
