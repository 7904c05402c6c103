package langserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/lang/format"
)

const headerFile = `pipeline shop in shop

param image = "ghcr.io/acme/api:1.0.0"
`

const appFile = `configmap api-config {
  LOG_LEVEL = "info"
}

deployment api {
  image    = image; user = 10001
  env_from = [configmap api-config]
  port     = 8000
}

job migrate {
  image    = "${image}"; user = 10001
  run      = "migrate"
  env_from = [configmap api-config]
}

wave -1 < configmap api-config >
sync migrate delete before-create, on-success
wave 1 < deployment api >
`

func shop(t testing.TB) (dir string, header, app protocol.DocumentURI) {
	dir = pipeline(t, map[string]string{"pipeline.wave": headerFile, "app.wave": appFile})
	return dir, fileURI(dir, "pipeline.wave"), fileURI(dir, "app.wave")
}

func none(ds []protocol.Diagnostic) bool { return len(ds) == 0 }

func TestShopChecks(t *testing.T) {
	dir, _, _ := shop(t)
	if _, diags := compiler.Compile([]string{dir}, nil); len(diags) > 0 {
		t.Fatalf("the test pipeline has problems: %v", diags)
	}
}

// The diagnostics are those of `wavec check` on the directory: same codes
// and ranges, with the open buffer in place of the file on disk, and they
// are cleared once fixed.
func TestDiagnosticsMatchCheckAndClear(t *testing.T) {
	dir, _, app := shop(t)
	c := newClient(t)
	broken := strings.Replace(appFile, "env_from = [configmap api-config]\n  port", "env_from = [configmap api-confg]\n  port", 1)
	c.open(app, broken)
	ds := c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })

	// The same pipeline on disk, checked as `wavec check DIR` does.
	ref := pipeline(t, map[string]string{"pipeline.wave": headerFile, "app.wave": broken})
	_, want := compiler.Compile([]string{ref}, nil)
	if len(want) != len(ds) {
		t.Fatalf("got %d diagnostics, wavec check reports %d: %+v", len(ds), len(want), ds)
	}
	l := newLines([]byte(broken))
	for i, w := range want {
		g := ds[i]
		if g.Code != string(w.Code) {
			t.Errorf("diagnostic %d: code %v, want %s", i, g.Code, w.Code)
		}
		if r := l.rangeOf(w.Subject); g.Range != r {
			t.Errorf("diagnostic %d: range %+v, want %+v", i, g.Range, r)
		}
		if !strings.HasPrefix(g.Message, w.Summary) {
			t.Errorf("diagnostic %d: message %q does not start with %q", i, g.Message, w.Summary)
		}
		for _, h := range w.Hints {
			if !strings.Contains(g.Message, "hint: "+h) {
				t.Errorf("diagnostic %d: message %q lacks hint %q", i, g.Message, h)
			}
		}
	}
	if ds[0].Code != "E0301" || ds[0].Severity != protocol.DiagnosticSeverityError || ds[0].Source != "wavec" {
		t.Errorf("unexpected diagnostic %+v", ds[0])
	}
	_ = dir

	c.change(app, appFile)
	c.waitDiagnostics(app, none)
}

// A declaration in another file, and the buffer taking precedence over the
// file on disk: renaming the ConfigMap in the open header buffer breaks
// the references in app.wave, which is not open.
func TestWholePipelineWithBuffersFirst(t *testing.T) {
	_, header, app := shop(t)
	c := newClient(t)
	c.open(header, headerFile)
	c.waitDiagnostics(app, none)
	c.change(header, headerFile+"\nconfigmap api-config { A = \"b\" }\n")
	ds := c.waitDiagnostics(header, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	if ds[0].Code != "E0302" {
		t.Fatalf("want a duplicate declaration (E0302) in the buffer, got %+v", ds)
	}
	// The duplicate's note points at the other declaration in app.wave.
	found := false
	for _, d := range append(ds, c.waitDiagnostics(app, func([]protocol.Diagnostic) bool { return true })...) {
		for _, ri := range d.RelatedInformation {
			if ri.Location.URI == app || ri.Location.URI == header {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no related information points at the other declaration: %+v", ds)
	}
	// Closing the buffer brings back the file on disk.
	c.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: header}})
	c.waitDiagnostics(header, none)
}

func TestFormattingIsWavecFmt(t *testing.T) {
	_, _, app := shop(t)
	c := newClient(t)
	messy := "configmap   api-config{LOG_LEVEL=\"info\"}\n\n\n" + strings.SplitN(appFile, "\n\n", 2)[1]
	c.open(app, messy)
	var edits []protocol.TextEdit
	c.call(protocol.MethodTextDocumentFormatting, &protocol.DocumentFormattingParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}}, &edits)
	want, _ := format.Format("app.wave", []byte(messy))
	if got := applyEdits(t, messy, edits); got != string(want) {
		t.Fatalf("formatted:\n%s\nwant (wavec fmt):\n%s", got, want)
	}
	// Formatting a formatted file changes nothing.
	c.change(app, string(want))
	c.call(protocol.MethodTextDocumentFormatting, &protocol.DocumentFormattingParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}}, &edits)
	if len(edits) != 0 {
		t.Errorf("formatting a formatted file: %+v", edits)
	}
	// A file with a syntax error is an error reply, not a crash.
	c.change(app, "configmap {")
	if err := c.callErr(protocol.MethodTextDocumentFormatting, &protocol.DocumentFormattingParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}}, &edits); err == nil {
		t.Errorf("formatting a file with a syntax error succeeded")
	}
}

func TestDocumentSymbols(t *testing.T) {
	_, _, app := shop(t)
	c := newClient(t)
	c.open(app, appFile)
	var syms []protocol.DocumentSymbol
	c.call(protocol.MethodTextDocumentDocumentSymbol, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}}, &syms)
	var names []string
	for _, s := range syms {
		names = append(names, s.Name+"/"+s.Detail)
	}
	want := "api-config/configmap api/deployment migrate/job wave -1/ sync/hook wave 1/"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("outline %q, want %q", got, want)
	}
	if len(syms[1].Children) != 4 || syms[1].Children[1].Name != "user" || syms[1].Children[2].Name != "env_from" {
		t.Errorf("deployment's fields: %+v", syms[1].Children)
	}
	if syms[1].SelectionRange.Start != pos(4, 11) {
		t.Errorf("deployment's name at %+v", syms[1].SelectionRange.Start)
	}
	// A named item shows its name.
	c.change(app, appFile+"deployment web {\n  image = \"x:1\"\n  container log-shipper { image = \"y:1\" }\n}\n")
	syms = nil
	c.call(protocol.MethodTextDocumentDocumentSymbol, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}}, &syms)
	line := uint32(strings.Count(appFile, "\n") + 2)
	var named *protocol.DocumentSymbol
	for i := range syms {
		if syms[i].Name == "web" && len(syms[i].Children) == 2 {
			named = &syms[i].Children[1]
		}
	}
	if named == nil || named.Name != "container log-shipper" || named.SelectionRange.Start != pos(line, 12) || len(named.Children) != 1 {
		t.Errorf("named container in the outline: %+v", named)
	}
}

// Definition, references and rename work across the pipeline's files.
func TestNavigationAcrossFiles(t *testing.T) {
	_, header, app := shop(t)
	c := newClient(t)
	c.open(app, appFile)
	// `image` in `image = image` (line 5) is the parameter in the header.
	var locs []protocol.Location
	c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(app, 5, 14)}, &locs)
	if len(locs) != 1 || locs[0].URI != header || locs[0].Range.Start != pos(2, 6) {
		t.Fatalf("definition of image: %+v", locs)
	}
	// ${image} inside a string too.
	c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(app, 11, 16)}, &locs)
	if len(locs) != 1 || locs[0].URI != header {
		t.Fatalf("definition of ${image}: %+v", locs)
	}
	// The references of configmap api-config: its declaration, two
	// env_from and the wave member.
	var refs []protocol.Location
	c.call(protocol.MethodTextDocumentReferences, &protocol.ReferenceParams{TextDocumentPositionParams: at(app, 0, 12),
		Context: protocol.ReferenceContext{IncludeDeclaration: true}}, &refs)
	var lines []int
	for _, r := range refs {
		lines = append(lines, int(r.Range.Start.Line))
	}
	sort.Ints(lines)
	if got := fmt.Sprint(lines); got != "[0 6 13 16]" {
		t.Fatalf("references on lines %v, want 0 6 13 16", lines)
	}
	// `migrate` as a bare hook member resolves to the job.
	c.call(protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: at(app, 17, 10)}, &locs)
	if len(locs) != 1 || locs[0].Range.Start != pos(10, 4) {
		t.Fatalf("definition of migrate: %+v", locs)
	}

	// Rename the parameter from its use: both files change.
	var we protocol.WorkspaceEdit
	c.call(protocol.MethodTextDocumentRename, &protocol.RenameParams{TextDocumentPositionParams: at(app, 5, 14), NewName: "api_image"}, &we)
	if len(we.Changes[header]) != 1 || len(we.Changes[app]) != 2 {
		t.Fatalf("rename edits: %+v", we.Changes)
	}
	newApp := applyEdits(t, appFile, we.Changes[app])
	newHeader := applyEdits(t, headerFile, we.Changes[header])
	if !strings.Contains(newApp, "image    = api_image") || !strings.Contains(newApp, `"${api_image}"`) || !strings.Contains(newHeader, "param api_image =") {
		t.Fatalf("renamed:\n%s\n%s", newHeader, newApp)
	}
	// The renamed pipeline still checks.
	dir := pipeline(t, map[string]string{"pipeline.wave": newHeader, "app.wave": newApp})
	if _, diags := compiler.Compile([]string{dir}, nil); len(diags) > 0 {
		t.Fatalf("after rename: %v", diags)
	}
	// Renaming to a name that is taken, or is not a name, is refused.
	if err := c.callErr(protocol.MethodTextDocumentRename, &protocol.RenameParams{TextDocumentPositionParams: at(app, 0, 12), NewName: "a b"}, &we); err == nil {
		t.Errorf("rename to %q succeeded", "a b")
	}
	var rng protocol.Range
	c.call(protocol.MethodTextDocumentPrepareRename, &protocol.PrepareRenameParams{TextDocumentPositionParams: at(app, 16, 22)}, &rng)
	if rng.Start != pos(16, 20) {
		t.Errorf("prepareRename range %+v", rng)
	}
}

func hoverAt(t testing.TB, c *client, u protocol.DocumentURI, line, char uint32) string {
	t.Helper()
	var h *protocol.Hover
	c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: at(u, line, char)}, &h)
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

func TestHover(t *testing.T) {
	_, _, app := shop(t)
	c := newClient(t)
	c.open(app, appFile)
	for _, tc := range []struct {
		name       string
		line, char uint32
		want       []string
	}{
		{"reference shows the declaration and its place", 6, 26, []string{"configmap api-config {", "LOG_LEVEL", "sync, wave -1", "sync step 1 of", "**Sync wave -1**"}},
		{"parameter", 5, 14, []string{`param image = "ghcr.io/acme/api:1.0.0"`, "type string"}},
		{"wave statement lists members with their steps", 18, 1, []string{"**wave 1**", "`deployment api`: sync, wave 1", "**Sync wave 1**"}},
		{"hook statement", 17, 2, []string{"sync hook", "`job migrate`: sync hook, wave 0, delete before-create, on-success", "**Sync wave 0**"}},
		{"kind", 4, 3, []string{"Kubernetes Deployment", "`replicas`", "`spec { }` (DeploymentSpec), `pod { }` (PodSpec) and the Container fields"}},
		{"field", 6, 4, []string{"**env_from** field of deployment", "Sets `containers[0].envFrom`"}},
		{"delete policy", 17, 40, []string{"`HookSucceeded`"}},
	} {
		got := hoverAt(t, c, app, tc.line, tc.char)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: hover lacks %q:\n%s", tc.name, w, got)
			}
		}
	}
	// Inside named containers, own volumes and probe timings.
	c.change(app, appFile+"deployment web {\n  image = \"x:1\"\n  container shipper { memory_limit = 1Gi }\n  volume scratch { size = 1Gi }\n  ready = http \"/\" on 80 { period = 5s }\n}\n")
	base := uint32(strings.Count(appFile, "\n"))
	for _, tc := range []struct {
		name       string
		line, char uint32
		want       []string
	}{
		{"container keyword", base + 2, 3, []string{"**container** field of deployment"}},
		{"container field", base + 2, 24, []string{"**memory_limit** field of container shipper", "Sets `resources.limits.memory`"}},
		{"volume field", base + 3, 20, []string{"**size** field of volume scratch", "emptyDir.sizeLimit"}},
		{"probe timing", base + 4, 29, []string{"**period** field of probe timing", "periodSeconds"}},
	} {
		got := hoverAt(t, c, app, tc.line, tc.char)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: hover lacks %q:\n%s", tc.name, w, got)
			}
		}
	}
	c.change(app, appFile)
	if got := hoverAt(t, c, app, 2, 0); got != "" {
		t.Errorf("hover on punctuation: %q", got)
	}
}

func completionAt(t testing.TB, c *client, u protocol.DocumentURI, line, char uint32) []string {
	t.Helper()
	var list protocol.CompletionList
	c.call(protocol.MethodTextDocumentCompletion, &protocol.CompletionParams{TextDocumentPositionParams: at(u, line, char)}, &list)
	var out []string
	for _, it := range list.Items {
		out = append(out, it.Label)
	}
	return out
}

func has(list []string, want ...string) bool {
	set := map[string]bool{}
	for _, x := range list {
		set[x] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

func TestCompletion(t *testing.T) {
	_, _, app := shop(t)
	c := newClient(t)
	text := appFile + `
service api {
  
  type = 
}
deployment web {
  env_from = [ ]
  mount = { "/data" =  }
  service_account = serviceaccount 
  container shipper {
    
    env_from = [ ]
  }
  volume scratch {  }
  volume shared = [ ]
  ready = http "/" on 80 {  }
  metadata { finalizers = ["x"];  }
}
hpa web { target =  }
postsync smoke delete 
syncfail 
` + "pvc data { access = R"
	c.open(app, text)
	lines := strings.Split(text, "\n")
	lineOf := func(prefix string) uint32 {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return uint32(i)
			}
		}
		t.Fatalf("no line %q", prefix)
		return 0
	}
	end := func(prefix string) (uint32, uint32) {
		n := lineOf(prefix)
		return n, uint32(len(lines[n]))
	}
	for _, tc := range []struct {
		name      string
		line, chr uint32
		want      []string
		not       []string
	}{
		{"service fields", lineOf("service api") + 1, 2, []string{"selector", "ports", "labels", "prune_last"}, []string{"image", "replicas"}},
		{"enum values", lineOf("  type = "), 9, []string{"ClusterIP", "NodePort", "LoadBalancer", "image"}, nil},
		{"references a field takes", lineOf("  env_from = ["), 14, []string{"configmap api-config"}, []string{"deployment api"}},
		{"references in a nested map", lineOf("  mount = {"), 22, []string{"configmap api-config"}, nil},
		{"names of the kind written", lineOf("  service_account"), 35, nil, []string{"api-config"}},
		{"delete policies", lineOf("postsync smoke delete"), 22, []string{"before-create", "on-success", "on-failure"}, nil},
		{"phase then members", lineOf("syncfail"), 9, []string{"wave", "job migrate", "deployment api"}, nil},
		{"statement start", lineOf("syncfail"), 0, []string{"configmap", "presync", "param", "wave", "pipeline"}, nil},
		{"container block fields", lineOf("  container shipper") + 1, 4, []string{"image", "memory_limit", "ready", "mount"}, []string{"replicas", "container", "service_account", "labels"}},
		{"references in a container block", lineOf("    env_from = ["), 16, []string{"configmap api-config"}, []string{"deployment api"}},
		{"volume block fields", lineOf("  volume scratch"), 19, []string{"size", "memory"}, []string{"image"}},
		{"references in a volume list", lineOf("  volume shared"), 19, []string{"configmap api-config"}, []string{"deployment api"}},
		{"probe timing fields", lineOf("  ready = http"), 26, []string{"period", "failures", "delay"}, []string{"image"}},
		{"workload metadata fields", lineOf("  metadata {"), 33, []string{"labels"}, []string{"finalizers", "annotations", "image"}},
		{"hpa target", lineOf("hpa web"), 19, []string{"deployment api"}, []string{"configmap api-config"}},
		{"value words by prefix", func() uint32 { l, _ := end("pvc data"); return l }(), func() uint32 { _, c := end("pvc data"); return c }(), []string{"ReadWriteOnce", "ReadWriteMany"}, nil},
	} {
		got := completionAt(t, c, app, tc.line, tc.chr)
		if !has(got, tc.want...) {
			t.Errorf("%s: completion %v lacks %v", tc.name, got, tc.want)
		}
		for _, n := range tc.not {
			if has(got, n) {
				t.Errorf("%s: completion offers %q: %v", tc.name, n, got)
			}
		}
	}
	// After a declaration's name: after, and external for a secret.
	c.change(app, appFile+"\nsecret token ")
	if got := completionAt(t, c, app, uint32(strings.Count(appFile, "\n")+1), 13); !has(got, "after", "external") || has(got, "delete") {
		t.Errorf("after a declaration's name: %v", got)
	}
	// Fields written after the cursor are not offered again.
	c.change(app, appFile+"\nservice api {\n  \n  selector = deployment api\n}\n")
	if got := completionAt(t, c, app, uint32(strings.Count(appFile, "\n")+2), 2); !has(got, "port") || has(got, "selector") {
		t.Errorf("fields after the cursor: %v", got)
	}
	// Inside ${ in a string: the parameters.
	c.change(app, appFile+"\njob x { image = \"${im")
	if got := completionAt(t, c, app, uint32(strings.Count(appFile, "\n")+1), 21); !has(got, "image", "namespace") {
		t.Errorf("in ${: %v", got)
	}
}

// A quick fix carries out a single-edit hint, and applying it clears the
// diagnostic.
func TestQuickFixes(t *testing.T) {
	_, _, app := shop(t)
	c := newClient(t)
	for _, tc := range []struct {
		name, from, to, fixed string
	}{
		{"reference with kind", "env_from = [configmap api-config]\n  port", "env_from = [configmap api-confg]\n  port", ""},
		{"field name", "  port     = 8000", "  p0rt     = 8000", ""},
		{"enum value", "sync migrate delete before-create, on-success", "sync migrate delete before-create, on-success\nservice api { port = 80 -> 8000; type = ClusterIp }", "service api { port = 80 -> 8000; type = ClusterIP }"},
		{"missing before-create", "sync migrate delete before-create, on-success", "sync migrate delete on-success", "sync migrate delete before-create, on-success"},
		{"parameter in a string", `image    = "${image}"`, `image    = "${imag}"`, ""},
		{"missing field in a multi-line body", "  image    = image; user = 10001\n", "  user     = 10001\n", ""},
		{"missing field in a one-line body", "sync migrate delete before-create, on-success", "sync migrate delete before-create, on-success\nservice api { type = NodePort }", "service api { port = 80 -> 8000; type = NodePort }"},
	} {
		broken := strings.Replace(appFile, tc.from, tc.to, 1)
		if broken == appFile {
			t.Fatalf("%s: nothing replaced", tc.name)
		}
		c.open(app, broken)
		ds := c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
		var actions []protocol.CodeAction
		c.call(protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: app},
			Range: ds[0].Range, Context: protocol.CodeActionContext{Diagnostics: ds}}, &actions)
		if tc.name == "missing field in a multi-line body" {
			// The fix adds an example image; the file then checks.
			if len(actions) != 1 || actions[0].Title != `Add image = "ghcr.io/acme/app:1.0.0"` {
				t.Fatalf("%s: actions %+v", tc.name, actions)
			}
			got := applyEdits(t, broken, actions[0].Edit.Changes[app])
			if !strings.Contains(got, "deployment api {\n  image = \"ghcr.io/acme/app:1.0.0\"\n  user     = 10001\n  env_from") {
				t.Errorf("%s: fixed text:\n%s", tc.name, got)
			}
			c.change(app, got)
			c.waitDiagnostics(app, none)
			c.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}})
			c.waitDiagnostics(app, none)
			continue
		}
		if len(actions) != 1 || actions[0].Edit == nil || actions[0].Kind != protocol.QuickFix {
			t.Fatalf("%s: actions %+v for %+v", tc.name, actions, ds)
		}
		got := applyEdits(t, broken, actions[0].Edit.Changes[app])
		want := appFile
		if tc.fixed != "" {
			want = strings.Replace(broken, strings.Split(tc.to, "\n")[len(strings.Split(tc.to, "\n"))-1], tc.fixed, 1)
		}
		if got != want {
			t.Errorf("%s: fixed text:\n%s\nwant:\n%s", tc.name, got, want)
		}
		c.change(app, got)
		if tc.name != "enum value" {
			c.waitDiagnostics(app, none)
		}
		c.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}})
		c.waitDiagnostics(app, none)
	}
}

// Bad input gets the protocol's errors and never stops the server.
func TestRobustness(t *testing.T) {
	dir, _, app := shop(t)
	c := newClient(t)
	// A body that is not JSON, in a correct frame.
	bad := "{not json"
	if _, err := c.raw.Write([]byte("Content-Length: " + strconv.Itoa(len(bad)) + "\r\n\r\n" + bad)); err != nil {
		t.Fatal(err)
	}
	// An unknown method.
	err := c.callErr("textDocument/unheardOf", map[string]any{}, nil)
	if err == nil || !strings.Contains(err.Error(), "method not found") {
		t.Errorf("unknown method: %v", err)
	}
	// Unknown notifications are ignored.
	c.notify("$/unheardOf", map[string]any{})
	// Parameters of the wrong shape.
	if err := c.callErr(protocol.MethodTextDocumentHover, []int{1, 2}, nil); err == nil || !strings.Contains(err.Error(), "invalid params") {
		t.Errorf("bad params: %v", err)
	}
	// A document that is not open.
	if err := c.callErr(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: at(app, 0, 0)}, nil); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Errorf("hover on a closed document: %v", err)
	}
	// Positions past the end are clamped.
	c.open(app, appFile)
	_ = completionAt(t, c, app, 9999, 9999)
	_ = hoverAt(t, c, app, 9999, 9999)
	// A binary document and a huge one are diagnosed, not fatal.
	c.change(app, "\x00\x01\x02\xff\xfe")
	ds := c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	if ds[0].Severity != protocol.DiagnosticSeverityError {
		t.Errorf("binary: %+v", ds)
	}
	_ = completionAt(t, c, app, 0, 3)
	huge := strings.Repeat("configmap c { A = \"b\" }\n", 50000)
	c.change(app, huge)
	ds = c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool {
		return len(ds) > 0 && strings.Contains(ds[0].Message, "large")
	})
	_ = ds
	var syms []protocol.DocumentSymbol
	c.call(protocol.MethodTextDocumentDocumentSymbol, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: app}}, &syms)
	// A file deleted on disk while open: the buffer still counts, and the
	// other file's disappearance is noticed.
	c.change(app, appFile)
	if err := os.Remove(filepath.Join(dir, "pipeline.wave")); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, &protocol.DidChangeWatchedFilesParams{Changes: []*protocol.FileEvent{{URI: fileURI(dir, "pipeline.wave"), Type: protocol.FileChangeTypeDeleted}}})
	c.waitDiagnostics(app, func(ds []protocol.Diagnostic) bool {
		for _, d := range ds {
			if d.Code == "E0306" { // no header any more
				return true
			}
		}
		return false
	})
	// The malformed message was reported to the client.
	c.mu.Lock()
	logs := strings.Join(c.logs, "\n")
	c.mu.Unlock()
	if !strings.Contains(logs, "not valid JSON-RPC") {
		t.Errorf("the malformed message was not reported: %q", logs)
	}
}

func TestInitializeFirst(t *testing.T) {
	c := newClient(t)
	if err := c.callErr(protocol.MethodInitialize, &protocol.InitializeParams{}, nil); err == nil {
		t.Errorf("a second initialize succeeded")
	}
}

func TestShutdownAndExit(t *testing.T) {
	c := newClient(t)
	c.call(protocol.MethodShutdown, nil, nil)
	if err := c.callErr(protocol.MethodTextDocumentHover, &protocol.HoverParams{}, nil); err == nil {
		t.Errorf("a request after shutdown succeeded")
	}
	c.notify(protocol.MethodExit, nil)
	if err := <-c.done; err != nil {
		t.Fatalf("exit after shutdown: %v", err)
	}
	c.done <- nil // for the cleanup
}

func TestClientGoneEndsServer(t *testing.T) {
	c := newClient(t)
	c.raw.Close()
	if err := <-c.done; err == nil {
		t.Fatalf("the server reported success when the client vanished")
	}
	c.done <- nil
}

// A client that dies without closing the server's input is noticed by its
// process id.
func TestClientProcessGoneEndsServer(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("processes are not probed on Windows")
	}
	parent := exec.Command("sleep", "600")
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	serverEnd, clientEnd := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- Serve(context.Background(), serverEnd, Options{}) }()
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(clientEnd))
	conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		return reply(ctx, nil, nil)
	})
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.Call(ctx, protocol.MethodInitialize, &protocol.InitializeParams{ProcessID: int32(parent.Process.Pid)}, nil); err != nil {
		t.Fatal(err)
	}
	parent.Process.Kill()
	parent.Wait()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("the server reported success")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not notice its client process had gone")
	}
}

// An object file changed on disk: its problem points into the YAML, and
// is cleared when the file is fixed and the client says it changed.
func TestObjectFileChangedOnDisk(t *testing.T) {
	dir := pipeline(t, map[string]string{
		"x.yaml": "apiVersion: v1\nmetadata:\n  name: x\n",
	})
	if err := os.Mkdir(filepath.Join(dir, "crds"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "x.yaml"), filepath.Join(dir, "crds", "x.yaml")); err != nil {
		t.Fatal(err)
	}
	src := "pipeline p in ns\n\nobject x from \"crds/x.yaml\"\n"
	u := fileURI(dir, "a.wave")
	if err := os.WriteFile(filepath.Join(dir, "a.wave"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	c.open(u, src)
	ds := c.waitDiagnostics(u, func(ds []protocol.Diagnostic) bool { return len(ds) > 0 })
	if ds[0].Code != "E0414" {
		t.Fatalf("diagnostics %+v", ds)
	}
	related := false
	for _, ri := range ds[0].RelatedInformation {
		if ri.Location.URI == fileURI(dir, "crds/x.yaml") {
			related = true
		}
	}
	if !related {
		t.Errorf("no related information points into x.yaml: %+v", ds[0])
	}
	if err := os.WriteFile(filepath.Join(dir, "crds", "x.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, &protocol.DidChangeWatchedFilesParams{Changes: []*protocol.FileEvent{{URI: fileURI(dir, "crds/x.yaml"), Type: protocol.FileChangeTypeChanged}}})
	c.waitDiagnostics(u, none)
}

// A client that can watch files is asked to report .wave and YAML files.
func TestRegistersFileWatchers(t *testing.T) {
	c := newClientWith(t, &protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{
		Workspace: &protocol.WorkspaceClientCapabilities{DidChangeWatchedFiles: &protocol.DidChangeWatchedFilesWorkspaceClientCapabilities{DynamicRegistration: true}}}})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mu.Lock()
		regs := strings.Join(c.registrations, "\n")
		c.mu.Unlock()
		if strings.Contains(regs, `"workspace/didChangeWatchedFiles"`) && strings.Contains(regs, `**/*.wave`) && strings.Contains(regs, `**/*.yaml`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no file watchers registered: %q", regs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNoWatchersWithoutTheCapability(t *testing.T) {
	c := newClient(t)
	// A request round trip after initialized: a registration would have
	// been sent before its reply.
	c.call(protocol.MethodShutdown, nil, nil)
	time.Sleep(100 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.registrations) > 0 {
		t.Errorf("registrations sent to a client that cannot watch files: %q", c.registrations)
	}
}
