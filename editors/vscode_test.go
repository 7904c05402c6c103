package editors_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/syntax"
)

const extension = "vscode"

// npmTools returns the extension's npm dependencies' bin directory, which
// `npm ci` (run by .ci/run) fills.
func npmTools(t *testing.T) string {
	t.Helper()
	tool(t, "npm", ".ci/run installs Node.js")
	bin, _ := filepath.Abs(filepath.Join(extension, "node_modules", ".bin"))
	if _, err := os.Stat(filepath.Join(bin, "vscode-tmgrammar-test")); err != nil {
		msg := "the extension's npm packages are not installed: run npm ci in editors/vscode (.ci/run does)"
		if required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

func npm(t *testing.T, args ...string) string {
	t.Helper()
	bin := npmTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = extension
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "npm_config_update_notifier=false")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// The grammar's assertion tests and its snapshot of every example of
// grammar.md, run by the npm TextMate grammar test runner.
func TestGrammar(t *testing.T) {
	out := npm(t, "run", "test:grammar")
	for _, want := range []string{"constructs.wave run successf", "grammar-md.wave run successf"} {
		if !strings.Contains(out, want) {
			t.Errorf("grammar tests did not report %q:\n%s", want, out)
		}
	}
}

// The snapshot test's input is every ```wave example of grammar.md, so it
// covers each construct the language reference shows.
func TestGrammarSnapshotIsGrammarMD(t *testing.T) {
	md, err := os.ReadFile("../grammar.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```wave\n(.*?)```").FindAllStringSubmatch(string(md), -1) {
		blocks = append(blocks, m[1])
	}
	got, err := os.ReadFile(filepath.Join(extension, "test", "snap", "grammar-md.wave"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(blocks, "\n"); string(got) != want {
		t.Errorf("editors/vscode/test/snap/grammar-md.wave differs from grammar.md's examples; copy them again and run\n" +
			"  npx vscode-tmgrammar-snap -u -g syntaxes/wave.tmLanguage.json \"test/snap/*.wave\"")
	}
}

// The grammar knows every kind and phase of the language.
func TestGrammarKeywords(t *testing.T) {
	var g struct {
		Repository map[string]struct {
			Match    string `json:"match"`
			Patterns []struct {
				Name, Match string
			} `json:"patterns"`
		} `json:"repository"`
	}
	b, err := os.ReadFile(filepath.Join(extension, "syntaxes", "wave.tmLanguage.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	// Go's regexp has no lookaround; the guards are the same everywhere.
	re := func(s string) *regexp.Regexp {
		s = strings.ReplaceAll(s, "(?<![A-Za-z0-9_.-])", "^")
		s = strings.ReplaceAll(s, "(?![A-Za-z0-9_.-])", "$")
		return regexp.MustCompile(s)
	}
	ref := re(g.Repository["reference"].Match)
	for k := ir.ServiceAccount; k < ir.Object; k++ {
		if !ref.MatchString(k.String() + " app") {
			t.Errorf("the grammar does not know kind %s", k)
		}
	}
	for _, k := range syntax.KindKeywords {
		if !ref.MatchString(k + " app") {
			t.Errorf("the grammar does not know kind keyword %s", k)
		}
	}
	var phase *regexp.Regexp
	for _, p := range g.Repository["statement"].Patterns {
		if p.Name == "keyword.control.phase.wave" {
			phase = re(p.Match)
		}
	}
	for _, p := range argocd.Phases {
		if phase == nil || !phase.MatchString(p.Keyword()) {
			t.Errorf("the grammar does not know phase %s", p)
		}
	}
}

// The extension packs with the official packaging tool into a .vsix that
// holds the client, the grammar, the language configuration and the
// language client library.
func TestPackage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "wavec.vsix")
	npm(t, "exec", "--", "vsce", "package", "--skip-license", "--allow-missing-repository", "--out", out)
	z, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[f.Name] = f
	}
	for _, want := range []string{"extension/package.json", "extension/extension.js", "extension/syntaxes/wave.tmLanguage.json",
		"extension/language-configuration.json", "extension/node_modules/vscode-languageclient/package.json"} {
		if files[want] == nil {
			t.Errorf("the package lacks %s", want)
		}
	}
	for name := range files {
		if strings.Contains(name, "vscode-tmgrammar-test") || strings.Contains(name, "/test/") && !strings.Contains(name, "node_modules") {
			t.Errorf("the package holds test or development files: %s", name)
		}
	}
	rc, err := files["extension/package.json"].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var pkg struct {
		Main        string
		Contributes struct {
			Languages []struct {
				ID         string
				Extensions []string
			}
		}
	}
	if err := json.NewDecoder(rc).Decode(&pkg); err != nil {
		t.Fatal(err)
	}
	if len(pkg.Contributes.Languages) != 1 || pkg.Contributes.Languages[0].ID != "wave" || pkg.Contributes.Languages[0].Extensions[0] != ".wave" {
		t.Errorf("languages: %+v", pkg.Contributes.Languages)
	}
	if files["extension/"+strings.TrimPrefix(pkg.Main, "./")] == nil {
		t.Errorf("main %q is not packaged", pkg.Main)
	}
}

// The client starts `wavec lsp` (or the command wavec.path names) for
// .wave documents: the extension is activated in node with stand-ins for
// the editor's API.
func TestClientStartsWavecLSP(t *testing.T) {
	node := tool(t, "node", ".ci/run installs Node.js")
	ext, _ := filepath.Abs(extension)
	cmd := exec.Command(node, "testdata/vscode_activate.js", ext)
	cmd.Env = append(os.Environ(), "WAVEC_PATH=/opt/wavec/bin/wavec")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("activate: %v\n%s", err, out)
	}
	var got struct {
		Created []struct {
			ID            string
			ServerOptions struct {
				Run struct {
					Command string
					Args    []string
				}
			}
			ClientOptions struct {
				DocumentSelector []struct{ Language string }
			}
		}
		Subscriptions int
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Created) != 1 {
		t.Fatalf("clients created: %s", out)
	}
	c := got.Created[0]
	if c.ServerOptions.Run.Command != "/opt/wavec/bin/wavec" || strings.Join(c.ServerOptions.Run.Args, " ") != "lsp" {
		t.Errorf("server started as %q %q", c.ServerOptions.Run.Command, c.ServerOptions.Run.Args)
	}
	if len(c.ClientOptions.DocumentSelector) != 1 || c.ClientOptions.DocumentSelector[0].Language != "wave" {
		t.Errorf("document selector %+v", c.ClientOptions.DocumentSelector)
	}
	if got.Subscriptions == 0 {
		t.Errorf("the client is not disposed with the extension")
	}
}
