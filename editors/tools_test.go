// Package editors_test checks the editor integrations in real clients:
// headless Neovim with its built-in LSP client, and the VS Code extension
// with the npm tools that test its grammar and package it.
package editors_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// required reports whether a missing tool is a failure: under CI, and when
// the test cluster is required (make test), .ci/run has installed it.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("WAVEC_TEST_CLUSTER") == "required"
}

// tool returns the path of an installed program, failing or skipping the
// test when it is missing.
func tool(t *testing.T, name, installedBy string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if required() {
			t.Fatalf("%s is not installed (%s)", name, installedBy)
		}
		t.Skipf("%s is not installed (%s)", name, installedBy)
	}
	return p
}

var (
	buildOnce sync.Once
	wavecBin  string
	buildErr  error
	buildOut  []byte
)

// wavec builds the wavec command once for the package's tests.
func wavec(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wavec-editors")
		if err != nil {
			buildErr = err
			return
		}
		wavecBin = filepath.Join(dir, "wavec")
		goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(goCmd, "build", "-o", wavecBin, "../cmd/wavec")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building wavec: %v\n%s", buildErr, buildOut)
	}
	return wavecBin
}
