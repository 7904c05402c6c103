package editors_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wavec/wavec/lang/format"
)

// TestNeovim runs headless Neovim with the configuration docs/editors.md
// describes (editors/nvim/wavec.lua) against wavec lsp: the mistake is
// diagnosed, its quick fix applied, and the buffer formatted as wavec fmt
// formats it.
func TestNeovim(t *testing.T) {
	nvim := tool(t, "nvim", ".ci/run installs the Debian package neovim")
	bin := wavec(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "app.wave")
	src := "pipeline shop in shop\n\nconfigmap   api-config {LOG_LEVEL=\"info\"}\n" +
		"deployment api {\n  image = \"nginx:1.27\"; user = 101\n  env_from = [configmap api-confg]\n}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("nvim/wavec.lua")
	script, _ := filepath.Abs("testdata/nvim_check.lua")
	logFile := filepath.Join(dir, "nvim.log")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-n", "-c", "luafile "+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"WAVEC_NVIM_CONFIG="+abs, "WAVEC_NVIM_FILE="+file, "WAVEC_NVIM_LOG="+logFile,
		"XDG_STATE_HOME="+filepath.Join(dir, "state"), "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	out, err := cmd.CombinedOutput()
	logText, _ := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("nvim: %v\n%s\nlog:\n%s", err, out, logText)
	}
	log := string(logText)
	for _, want := range []string{"filetype\twave", "diagnostic\tE0301\t5\t14", "action\tChange to configmap api-config", "cleared", "written",
		"hover\t```wave | configmap api-config {", "definition\t2\t10"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(src, "api-confg", "api-config", 1)
	want, diags := format.Format(file, []byte(fixed))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if string(got) != string(want) {
		t.Errorf("file after fix and format:\n%s\nwant:\n%s", got, want)
	}
}
