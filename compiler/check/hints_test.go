package check_test

import (
	"strings"
	"testing"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/lang/diag"
)

// TestHintsFixTheError follows hints literally: each case's source draws a
// diagnostic whose hint says to write `to` (in place of `from`, or added as
// a declaration); doing exactly that must leave no error.
func TestHintsFixTheError(t *testing.T) {
	const head = "pipeline app in default\n"
	for _, c := range []struct {
		name, src string
		code      diag.Code
		hint      string // the text the hint must hold
		from, to  string // the edit the hint asks for
		avoid     string // text the hint must not hold
	}{
		{
			name: "env_from item is a bare name of a declaration",
			src:  "configmap web-config { A = \"1\" }\ndeployment web { image = \"nginx:1.27\"; user = 101; env_from = [web-config] }\n",
			code: "E0403", hint: "write `configmap web-config` in its place",
			from: "[web-config]", to: "[configmap web-config]",
		},
		{
			name: "env_from item names nothing declared",
			src:  "deployment web { image = \"nginx:1.27\"; user = 101; env_from = [web-config] }\n",
			code: "E0403", hint: "write `configmap web-config` in its place, and declare it: `configmap web-config { KEY = \"value\" }`",
			from: "[web-config] }\n", to: "[configmap web-config] }\nconfigmap web-config { KEY = \"value\" }\n",
		},
		{
			name: "mount of an emptydir",
			src:  "deployment web { image = \"nginx:1.27\"; user = 101; mount = { \"/tmp\" = emptydir } }\n",
			code: "E0403", hint: "remove this mount",
			from: "; mount = { \"/tmp\" = emptydir }", to: "",
		},
		{
			name: "hook timeout without a unit",
			src:  "job j { image = \"nginx:1.27\"; user = 101 }\npresync j timeout 5\n",
			code: "E0403", hint: "write e.g. `5m` in its place",
			from: "timeout 5", to: "timeout 5m",
		},
		{
			name: "env value that is a number",
			src:  "deployment web { image = \"nginx:1.27\"; user = 101; env = { WORKERS = 4 } }\n",
			code: "E0403", hint: "write e.g. `\"4\"` in its place",
			from: "WORKERS = 4", to: "WORKERS = \"4\"",
		},
		{
			name: "colon for equals",
			src:  "deployment web { image: \"nginx:1.27\" }\n",
			code: "E0102", hint: `write "=" in place of ":"`,
			from: "image:", to: "image =",
		},
		{
			name: "misspelt kind",
			src:  "configmapp x { A = \"1\" }\n",
			code: "E0101", hint: `did you mean "configmap"?`,
			from: "configmapp", to: "configmap",
		},
		{
			name: "unknown kind",
			src:  "replicationcontroller x { image = \"nginx:1.27\" }\n",
			code: "E0101", hint: "for any other kind, give its YAML: `object NAME = \"\"\" ...YAML... \"\"\"`",
			from: "replicationcontroller x { image = \"nginx:1.27\" }", to: "object x = \"\"\"\n  apiVersion: v1\n  kind: ReplicationController\n  metadata:\n    name: x\n  \"\"\"",
		},
		{
			name: "sync-options annotation",
			src:  "configmap c { annotations = { \"argocd.argoproj.io/sync-options\" = \"Replace=true\" } }\n",
			code: "E0409", hint: "`replace = true`",
			from: "annotations = { \"argocd.argoproj.io/sync-options\" = \"Replace=true\" }", to: "replace = true",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, diags := compiler.CompileSource("p.wave", []byte(head+c.src), nil)
			var found *diag.Diagnostic
			for _, d := range diags {
				if d.Code == c.code {
					found = d
				}
			}
			if found == nil {
				t.Fatalf("no %s; got %v", c.code, diags.Err())
			}
			if got := strings.Join(found.Hints, "\n"); !strings.Contains(got, c.hint) {
				t.Fatalf("hints %q lack %q", got, c.hint)
			}
			if c.avoid != "" && strings.Contains(strings.Join(found.Hints, "\n"), c.avoid) {
				t.Errorf("hints %q suggest %q", found.Hints, c.avoid)
			}
			if len(diags) != 1 {
				t.Errorf("want only the %s, got:\n%v", c.code, diags.Err())
			}
			if !strings.Contains(c.src, c.from) {
				t.Fatalf("case error: %q not in the source", c.from)
			}
			fixed := head + strings.Replace(c.src, c.from, c.to, 1)
			if _, diags := compiler.CompileSource("p.wave", []byte(fixed), nil); diags.HasErrors() {
				t.Errorf("following the hint leaves errors:\n%s\n%v", fixed, diags.Err())
			}
		})
	}
}

// TestNoFollowOnErrors checks that one mistake draws one diagnostic: an
// unknown ${name} in the image does not also make the half-substituted
// image invalid, and a misspelt image field does not also make the image
// missing.
func TestNoFollowOnErrors(t *testing.T) {
	for _, c := range []struct{ src, code string }{
		{"deployment web { image = \"nginx:${version}\" }\n", "E0308"},
		{"deployment web { imgae = \"nginx:1.27\" }\n", "E0401"},
	} {
		_, diags := compiler.CompileSource("p.wave", []byte("pipeline app in default\n"+c.src), nil)
		if len(diags) != 1 || string(diags[0].Code) != c.code {
			t.Errorf("%s: want one %s, got:\n%v", c.src, c.code, diags.Err())
		}
	}
}

// TestKubernetesNamesAreDeclarable checks that names Kubernetes accepts
// for a ConfigMap can be declared and referenced.
func TestKubernetesNamesAreDeclarable(t *testing.T) {
	src := "pipeline app in default\n" +
		"configmap 2fa-config { A = \"1\" }\n" +
		"configmap my--config { B = \"1\" }\n" +
		"configmap a.b--c-1 { C = \"1\" }\n" +
		"deployment web { image = \"nginx:1.27\"; user = 101; env_from = [configmap 2fa-config, configmap my--config, configmap a.b--c-1] }\n"
	res, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%v", diags.Err())
	}
	for _, name := range []string{"2fa-config", "my--config", "a.b--c-1"} {
		if !strings.Contains(string(res.YAML()), "name: "+name+"\n") {
			t.Errorf("no ConfigMap %s in\n%s", name, res.YAML())
		}
	}
}
