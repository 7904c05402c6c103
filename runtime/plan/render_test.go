package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/wavec/wavec/runtime/manifest"
)

// release is the reference scenario of mission.md in annotated YAML.
func release(t *testing.T) []manifest.Object {
	return objs(t,
		"v1 ConfigMap agents/agent-config hook=PreSync wave=-1 delete=BeforeHookCreation",
		"batch/v1 Job agents/migrate hook=PreSync delete=HookSucceeded",
		"v1 Secret agents/agent-db",
		"apps/v1 Deployment agents/agent wave=1",
		"v1 Service agents/agent wave=2 options=ServerSideApply=true",
		"batch/v1 Job agents/~smoke- hook=PostSync",
		"batch/v1 Job agents/notify hook=SyncFail delete=HookSucceeded,HookFailed",
	)
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, ForSync(release(t), Options{})); err != nil {
		t.Fatal(err)
	}
	want := `PreSync wave -1
  ConfigMap   agents/agent-config  hook  delete: BeforeHookCreation
PreSync wave 0
  Job         agents/migrate       hook  delete: HookSucceeded             waits for health
Sync wave 0
  Secret      agents/agent-db
Sync wave 1
  Deployment  agents/agent                                                 waits for health
Sync wave 2
  Service     agents/agent               ServerSideApply=true              waits for health
PostSync wave 0
  Job         agents/smoke-*       hook  delete: BeforeHookCreation        waits for health
SyncFail wave 0 (only if the sync fails; SyncFail hooks start together)
  Job         agents/notify        hook  delete: HookSucceeded,HookFailed  waits for health
* Argo CD generates the name at sync time from generateName.
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTableEmptyAndSingleStep(t *testing.T) {
	var b bytes.Buffer
	WriteTable(&b, ForSync(nil, Options{}))
	if got := b.String(); got != "Nothing to sync.\n" {
		t.Errorf("empty plan: %q", got)
	}
	b.Reset()
	hook := objs(t, "batch/v1 Job cleanup")
	hook[0].SetAnnotations(map[string]string{"argocd.argoproj.io/hook": "PostDelete"})
	WriteTable(&b, ForSync(hook, Options{}))
	if got, want := b.String(), "Nothing to sync.\n1 hook runs only when the application is deleted: `wavec plan --delete` shows when.\n"; got != want {
		t.Errorf("only a PostDelete hook: got %q\nwant %q", got, want)
	}
	b.Reset()
	WriteTable(&b, ForSync(objs(t, "apps/v1 Deployment web"), Options{}))
	want := "Sync wave 0\n  Deployment  web\nA single step: Argo CD applies it and does not wait for resources' health, only for hooks.\n"
	if got := b.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestWriteJSONContract checks the JSON form against the contract: steps in
// execution order with phase and wave, tasks in apply order with
// apiVersion, kind, namespace, name, generateName, hook and
// deletePolicies; a generateName hook has name ""; a hook with two phases
// is in both steps; warnings is a list.
func TestWriteJSONContract(t *testing.T) {
	in := objs(t,
		"batch/v1 Job ns/migrate hook=PreSync wave=-1 delete=HookSucceeded",
		"batch/v1 Job ns/~check- hook=PreSync,PostSync",
		"v1 ConfigMap ns/config wave=oops",
	)
	var b bytes.Buffer
	if err := WriteJSON(&b, ForSync(in, Options{})); err != nil {
		t.Fatal(err)
	}
	type task struct {
		APIVersion     string   `json:"apiVersion"`
		Kind           string   `json:"kind"`
		Namespace      string   `json:"namespace"`
		Name           string   `json:"name"`
		GenerateName   string   `json:"generateName"`
		Hook           bool     `json:"hook"`
		DeletePolicies []string `json:"deletePolicies"`
	}
	var got struct {
		Steps []struct {
			Phase string `json:"phase"`
			Wave  int    `json:"wave"`
			Tasks []task `json:"tasks"`
		} `json:"steps"`
		Warnings []map[string]any `json:"warnings"`
	}
	dec := json.NewDecoder(bytes.NewReader(b.Bytes()))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	summary := ""
	for _, s := range got.Steps {
		summary += fmt.Sprintf("%s %d:", s.Phase, s.Wave)
		for _, tk := range s.Tasks {
			summary += fmt.Sprintf(" %s|%s|%s|%s|%q|%v|%v", tk.APIVersion, tk.Kind, tk.Namespace, tk.Name, tk.GenerateName, tk.Hook, tk.DeletePolicies)
		}
		summary += "\n"
	}
	want := `PreSync -1: batch/v1|Job|ns|migrate|""|true|[HookSucceeded]
PreSync 0: batch/v1|Job|ns||"check-"|true|[BeforeHookCreation]
Sync 0: v1|ConfigMap|ns|config|""|false|[]
PostSync 0: batch/v1|Job|ns||"check-"|true|[BeforeHookCreation]
`
	if summary != want {
		t.Errorf("got\n%s\nwant\n%s\n%s", summary, want, b.String())
	}
	if len(got.Warnings) != 1 || got.Warnings[0]["message"] != `argocd.argoproj.io/sync-wave "oops" is not an integer; Argo CD uses 0` ||
		got.Warnings[0]["file"] != "test.yaml" || got.Warnings[0]["object"] != "ConfigMap/config" {
		t.Errorf("warnings: %v", got.Warnings)
	}
	// The contract's field names, in its order, at the start of each task.
	if !strings.Contains(b.String(), `"apiVersion": "batch/v1",
          "kind": "Job",
          "namespace": "ns",
          "name": "migrate",
          "generateName": "",
          "hook": true,
          "deletePolicies": [
            "HookSucceeded"
          ]`) {
		t.Errorf("field order differs from the contract:\n%s", b.String())
	}
	// An empty plan still has both lists.
	b.Reset()
	WriteJSON(&b, ForSync(nil, Options{}))
	if got := b.String(); got != "{\n  \"steps\": [],\n  \"warnings\": []\n}\n" {
		t.Errorf("empty plan: %s", got)
	}
}

func TestWriteMermaid(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMermaid(&b, ForSync(release(t), Options{})); err != nil {
		t.Fatal(err)
	}
	want := `flowchart TD
  s1["<b>PreSync wave -1</b><br/>ConfigMap agents/agent-config (hook)"]
  s2["<b>PreSync wave 0</b><br/>Job agents/migrate (hook, waits for health)"]
  s1 --> s2
  s3["<b>Sync wave 0</b><br/>Secret agents/agent-db"]
  s2 -->|healthy| s3
  s4["<b>Sync wave 1</b><br/>Deployment agents/agent (waits for health)"]
  s3 --> s4
  s5["<b>Sync wave 2</b><br/>Service agents/agent (waits for health)"]
  s4 -->|healthy| s5
  s6["<b>PostSync wave 0</b><br/>Job agents/smoke-* (hook, waits for health)"]
  s5 -->|healthy| s6
  subgraph syncfail["only if the sync fails"]
  s7["<b>SyncFail wave 0</b><br/>Job agents/notify (hook, waits for health)"]
  end
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMermaidEscape(t *testing.T) {
	in := `a "quoted" <b> & #1` + "\nnext"
	want := `a #quot;quoted#quot; #lt;b#gt; #amp; #35;1 next`
	if got := mermaidEscape(in); got != want {
		t.Errorf("got %s want %s", got, want)
	}
	// A hostile kind cannot break out of its label.
	o := obj(t, `example.com/v1 Weird x`)
	o.SetKind(`W"]; click s1 "javascript:alert(1)`)
	var b bytes.Buffer
	WriteMermaid(&b, ForSync([]manifest.Object{o}, Options{}))
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n")[1:] {
		if strings.Count(line, `"`) != 2 {
			t.Errorf("label not contained: %s", line)
		}
	}
}
