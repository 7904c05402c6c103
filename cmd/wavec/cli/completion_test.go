package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// shell returns the path of a shell, skipping the test when it is missing
// outside CI; under CI (or with the test cluster required) a missing
// shell is a failure, since .ci/run installs it.
func shell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("WAVEC_TEST_CLUSTER") == "required" {
			t.Fatalf("%s is not installed (.ci/run installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

func script(t *testing.T, sh string) string {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), env, []string{"completion", sh}); code != ExitOK {
		t.Fatalf("wavec completion %s: exit %d: %s", sh, code, errb.String())
	}
	path := filepath.Join(t.TempDir(), "wavec."+sh)
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// workdir makes a directory with a pipeline file, a subdirectory and a
// file that is not a pipeline.
func workdir(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{"app.wave", "notes.txt", "sub/x.wave"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t *testing.T, dir, name string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	words := strings.Fields(string(out))
	sort.Strings(words)
	return words
}

func TestCompletionBash(t *testing.T) {
	bash := shell(t, "bash")
	s := script(t, "bash")
	dir := workdir(t)
	complete := func(words ...string) string {
		line := "source " + s + "; COMP_WORDS=(" + strings.Join(words, " ") + "); COMP_CWORD=" + strconv.Itoa(len(words)-1) + `; _wavec; printf '%s\n' "${COMPREPLY[@]}"`
		return strings.Join(run(t, dir, bash, "-c", line), " ")
	}
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"wavec", "pl"}, "plan"},
		{[]string{"wavec", "''"}, "build check completion delete diff fmt help import lsp plan run status version"},
		{[]string{"wavec", "plan", "-o", "''"}, "json mermaid table"},
		{[]string{"wavec", "plan", "--output", "=", "m"}, "mermaid"},
		{[]string{"wavec", "check", "--diagnostics", "''"}, "json text"},
		{[]string{"wavec", "fmt", "--w"}, "--write"},
		{[]string{"wavec", "check", "''"}, "app.wave sub"},
		{[]string{"wavec", "build", "-o", "''"}, "json yaml"},
		{[]string{"wavec", "build", "--output-dir", "''"}, "sub"},
		{[]string{"wavec", "diff", "-o", "''"}, "json"},
		{[]string{"wavec", "status", "--w"}, "--watch"},
		{[]string{"wavec", "run", "--color", "''"}, "always auto never"},
		{[]string{"wavec", "check", "--str"}, "--strict"},
		{[]string{"wavec", "completion", "''"}, "bash fish zsh"},
		{[]string{"wavec", "help", "ru"}, "run"},
	} {
		if got := complete(tc.words...); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.words, got, tc.want)
		}
	}
}

func TestCompletionFish(t *testing.T) {
	fish := shell(t, "fish")
	s := script(t, "fish")
	dir := workdir(t)
	complete := func(line string) string {
		return strings.Join(run(t, dir, fish, "--no-config", "-c", "source "+s+"; complete -C '"+line+"'"), " ")
	}
	if got := complete("wavec pla"); !strings.Contains(got, "plan") {
		t.Errorf("commands: %q", got)
	}
	if got := complete("wavec plan -o "); !strings.Contains(got, "mermaid") || !strings.Contains(got, "table") {
		t.Errorf("plan -o: %q", got)
	}
	if got := complete("wavec check "); !strings.Contains(got, "app.wave") || strings.Contains(got, "notes.txt") {
		t.Errorf("paths: %q", got)
	}
}

func TestCompletionZsh(t *testing.T) {
	zsh := shell(t, "zsh")
	s := script(t, "zsh")
	// The script parses, and registers _wavec for wavec.
	run(t, t.TempDir(), zsh, "-n", s)
	got := run(t, t.TempDir(), zsh, "-f", "-c", "autoload -U compinit; compinit -u -D; source "+s+"; print -r -- $_comps[wavec]")
	if strings.Join(got, " ") != "_wavec" {
		t.Errorf("zsh registers %q for wavec", got)
	}
}

func TestCompletionUsage(t *testing.T) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), env, []string{"completion", "tcsh"}); code != ExitUsage || !strings.Contains(errb.String(), `unknown shell "tcsh"`) {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
