package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/wavec/wavec/cmd/wavec/cli"
)

var update = flag.Bool("update", false, "rewrite the goldens inside testscripts/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wavec": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs every CLI behaviour in testscripts/ (one txtar each).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testscripts",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
	})
}
