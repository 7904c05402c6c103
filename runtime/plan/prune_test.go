package plan

import (
	"github.com/wavec/wavec/argocd"
	"strings"
	"testing"

	"github.com/wavec/wavec/runtime/manifest"
)

func pruneLoad(t *testing.T, in string) []manifest.Object {
	t.Helper()
	objs, err := manifest.LoadReader(strings.NewReader(in), "prune.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func cm(name, wave, opts string) string {
	return "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name +
		"\n  annotations: {argocd.argoproj.io/sync-wave: \"" + wave + "\", argocd.argoproj.io/sync-options: \"" + opts + "\"}\n"
}

func stepsOf(p *Plan) string {
	var lines []string
	for _, s := range p.Steps {
		var names []string
		for _, t := range s.Tasks {
			names = append(names, t.Name())
		}
		lines = append(lines, s.Phase.String()+" "+s.Action.String()+" "+itoa(s.Wave)+": "+strings.Join(names, " "))
	}
	return strings.Join(lines, "\n")
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	return string(rune('0' + i))
}

// TestForSyncWithPrunes follows gitops-engine's placement of prune tasks:
// prune waves reversed, PruneLast after the last Sync wave, Prune=false
// kept, and a wave's prunes before its applies.
func TestForSyncWithPrunes(t *testing.T) {
	objs := pruneLoad(t, cm("a", "0", "")+cm("b", "3", "")+`---
apiVersion: batch/v1
kind: Job
metadata: {name: fail, annotations: {argocd.argoproj.io/hook: SyncFail}}
`)
	live := pruneLoad(t, cm("old1", "1", "")+cm("old3", "3", "")+cm("old0", "0", "")+cm("last", "0", "PruneLast=true")+cm("keep", "1", "Prune=false"))
	p := ForSyncWithPrunes(objs, live, Options{Namespace: "ns"})
	want := strings.Join([]string{
		"Sync delete 0: old3",
		"Sync apply 0: a",
		"Sync delete 1: old1",
		"Sync delete 3: old0",
		"Sync apply 3: b",
		"Sync delete 4: last",
		"SyncFail apply 0: fail",
	}, "\n")
	if got := stepsOf(p); got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
	if len(p.Kept) != 1 || p.Kept[0].Name() != "keep" {
		t.Errorf("kept: %v", p.Kept)
	}
	for _, task := range p.Tasks() {
		if task.Phase == argocd.Sync && !task.Gated && task.Name() != "a" && task.Name() != "b" {
			t.Errorf("prune of %s is not gated", task.Name())
		}
	}
	// Without live objects the plan is ForSync's.
	if got, want := stepsOf(ForSyncWithPrunes(objs, nil, Options{})), stepsOf(ForSync(objs, Options{})); got != want {
		t.Errorf("no prunes:\n%s\nwant:\n%s", got, want)
	}
}
