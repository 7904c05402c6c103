package langserver

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/compiler"
)

const volumesFile = `pipeline shop in shop

deployment api {
  image        = "ghcr.io/acme/api:1.0.0"
  user         = 10001
  mount        = { "/cache" = volume cache }
  volume cache = emptydir
  container shipper {
    image        = "fluent/fluent-bit:3.2"
    volumeMounts = [{ name = "cache", mountPath = "/cache" }]
  }
}

deployment web {
  image        = "nginx:1.27"
  user         = 101
  mount        = { "/cache" = volume cache }
  volume cache = emptydir
}
`

// TestVolumeNavigation follows a workload's own volume: `volume NAME`
// and a volumeMounts name lead to its declaration in the same workload
// (not to the volume of that name in another one), its references are
// those of its workload, and renaming it changes exactly them.
func TestVolumeNavigation(t *testing.T) {
	dir := pipeline(t, map[string]string{"app.wave": volumesFile})
	u := fileURI(dir, "app.wave")
	c := newClient(t)
	c.open(u, volumesFile)

	var locs []protocol.Location
	// `volume cache` in api's mount (line 5) is api's volume (line 6).
	c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(u, 5, 37)}, &locs)
	if len(locs) != 1 || locs[0].Range.Start != pos(6, 9) {
		t.Fatalf("definition of volume cache in api: %+v", locs)
	}
	// The volumeMounts name of the sidecar container (line 9).
	c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(u, 9, 31)}, &locs)
	if len(locs) != 1 || locs[0].Range.Start != pos(6, 9) {
		t.Fatalf("definition of the volumeMounts name: %+v", locs)
	}
	// web's `volume cache` (line 16) is web's own (line 17).
	c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(u, 16, 37)}, &locs)
	if len(locs) != 1 || locs[0].Range.Start != pos(17, 9) {
		t.Fatalf("definition of volume cache in web: %+v", locs)
	}

	var refs []protocol.Location
	c.call(protocol.MethodTextDocumentReferences, &protocol.ReferenceParams{TextDocumentPositionParams: at(u, 6, 10),
		Context: protocol.ReferenceContext{IncludeDeclaration: true}}, &refs)
	var lines []int
	for _, r := range refs {
		lines = append(lines, int(r.Range.Start.Line))
	}
	sort.Ints(lines)
	if got := fmt.Sprint(lines); got != "[5 6 9]" {
		t.Fatalf("references of api's volume on lines %v, want 5 6 9", lines)
	}

	var rng protocol.Range
	c.call(protocol.MethodTextDocumentPrepareRename, &protocol.PrepareRenameParams{TextDocumentPositionParams: at(u, 9, 31)}, &rng)
	if rng.Start != pos(9, 30) || rng.End != pos(9, 35) {
		t.Errorf("prepareRename range %+v, want the name inside the quotes", rng)
	}
	var we protocol.WorkspaceEdit
	c.call(protocol.MethodTextDocumentRename, &protocol.RenameParams{TextDocumentPositionParams: at(u, 5, 37), NewName: "scratch"}, &we)
	if len(we.Changes[u]) != 3 {
		t.Fatalf("rename edits: %+v", we.Changes)
	}
	renamed := applyEdits(t, volumesFile, we.Changes[u])
	for _, want := range []string{`"/cache" = volume scratch }`, "volume scratch = emptydir", `{ name = "scratch", mountPath`, "volume cache = emptydir"} {
		if !strings.Contains(renamed, want) {
			t.Errorf("after rename, %q is missing:\n%s", want, renamed)
		}
	}
	if strings.Count(renamed, "volume cache") != 2 {
		t.Errorf("web's volume changed too:\n%s", renamed)
	}
	if _, diags := compiler.Compile([]string{pipeline(t, map[string]string{"app.wave": renamed})}, nil); len(diags) > 0 {
		t.Fatalf("after rename: %v", diags)
	}
	// A name that Kubernetes refuses for a volume is refused.
	if err := c.callErr(protocol.MethodTextDocumentRename, &protocol.RenameParams{TextDocumentPositionParams: at(u, 6, 10), NewName: "Cache_2"}, &we); err == nil {
		t.Errorf("rename to Cache_2 succeeded")
	}
	if !strings.Contains(hoverAt(t, c, u, 5, 37), "volume cache = emptydir") {
		t.Errorf("hover of volume cache: %q", hoverAt(t, c, u, 5, 37))
	}
}
