package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/wavec/wavec/cmd/wavec/cli"
	"github.com/wavec/wavec/testcluster"
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

// TestClusterScripts runs the CLI behaviours that need a cluster
// (testscripts/cluster) against the test cluster, as a user would: wavec
// run, plan and delete with a kubeconfig. Without a cluster it skips, or
// fails when WAVEC_TEST_CLUSTER=required.
func TestClusterScripts(t *testing.T) {
	testcluster.Config(t) // skips or fails when no cluster answers
	kubeconfig, err := testcluster.KubeconfigPath()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testscripts/cluster",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("KUBECONFIG", kubeconfig)
			return nil
		},
	})
}
