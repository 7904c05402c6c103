package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestColor checks when diagnostics are coloured on a terminal: by
// default, not with NO_COLOR or TERM=dumb, and as --color says.
func TestColor(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.wave")
	if err := os.WriteFile(p, []byte("pipeline app in default\ndeployment web { image = \"nginx:1.27\"; colour = \"blue\" }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		env   map[string]string
		flag  string
		color bool
	}{
		{"terminal", map[string]string{"TERM": "xterm-256color"}, "", true},
		{"NO_COLOR", map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, "", false},
		{"empty NO_COLOR", map[string]string{"TERM": "xterm", "NO_COLOR": ""}, "", true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, "", false},
		{"--color=never", map[string]string{"TERM": "xterm"}, "--color=never", false},
		{"--color=always beats NO_COLOR", map[string]string{"NO_COLOR": "1"}, "--color=always", true},
	} {
		var stderr bytes.Buffer
		env := &Env{
			Stdout:           &bytes.Buffer{},
			Stderr:           &stderr,
			Getenv:           func(k string) string { return c.env[k] },
			StderrIsTerminal: true,
		}
		args := []string{"check", p}
		if c.flag != "" {
			args = []string{"check", c.flag, p}
		}
		if code := Run(context.Background(), env, args); code != ExitFailure {
			t.Fatalf("%s: exit %d", c.name, code)
		}
		if got := strings.Contains(stderr.String(), "\x1b["); got != c.color {
			t.Errorf("%s: colour = %v, want %v:\n%q", c.name, got, c.color, stderr.String())
		}
	}
}
