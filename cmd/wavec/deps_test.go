package main

import (
	"os/exec"
	"strings"
	"testing"
)

// startupHeavy are packages that cost every command start-up time at
// package initialisation (client-go's typed clientset registers the scheme
// of every built-in kind; distribution/reference and go-digest compile
// regular expressions) and that wavec does without: runtime/cluster talks
// to the API server through REST and dynamic clients and a discovery
// RESTMapper built on first use, compiler/kubeschema registers the
// built-in kinds on first use, and compiler/check parses image references
// with expressions compiled on first use. Tests may still use them.
var startupHeavy = []string{
	"k8s.io/client-go/kubernetes",
	"k8s.io/client-go/informers",
	"k8s.io/client-go/discovery",
	"k8s.io/client-go/restmapper",
	"k8s.io/client-go/dynamic/dynamicinformer",
	"github.com/distribution/reference",
	"github.com/opencontainers/go-digest",
}

// The wavec binary links none of startupHeavy (nor their subpackages).
func TestNoStartupHeavyPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps printed %d packages", len(deps))
	}
	for _, dep := range deps {
		for _, heavy := range startupHeavy {
			if dep == heavy || strings.HasPrefix(dep, heavy+"/") {
				t.Errorf("wavec links %s; see startupHeavy for why it must not", dep)
			}
		}
	}
}
